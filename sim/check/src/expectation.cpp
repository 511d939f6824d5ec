// Expectations against a scenario (are the names real?) and against a report (do they hold?).
#include "brokersim/check/expectation.hpp"

#include "text_util.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace brokersim::check {

using model::InputError;

namespace {

template <typename T> std::vector<std::string> names_of(const std::vector<T>& items)
{
    std::vector<std::string> names;
    for (const auto& item : items)
        names.push_back(item.name);
    return names;
}

bool contains(const std::vector<std::string>& items, std::string_view item)
{
    return std::find(items.begin(), items.end(), item) != items.end();
}

// Whether the group's nodes subscribe to the request's topic (the discovery agent is loaded
// everywhere).
bool subscribes(const model::NodeGroup& group, const model::Request& request)
{
    return (request.agent == "discovery" || contains(group.agents, request.agent)) &&
           contains(group.collectives, request.collective);
}

const model::NodeGroup* find_group(const model::Scenario& scenario, std::string_view name)
{
    for (const auto& group : scenario.node_groups)
        if (group.name == name)
            return &group;
    return nullptr;
}

const model::Link* find_link(const model::Scenario& scenario, std::string_view a,
                             std::string_view b)
{
    for (const auto& link : scenario.links)
        if ((link.a == a && link.b == b) || (link.a == b && link.b == a))
            return &link;
    return nullptr;
}

void check_request(const Expectation& e, const model::Scenario& scenario)
{
    const auto count = static_cast<int>(scenario.requests.size());
    if (!e.request || *e.request < count)
        return;
    throw InputError(e.pos_at(e.request_offset),
                     count == 0
                         ? fmt::format("no request {}: the scenario has no requests", *e.request)
                         : fmt::format("no request {}: requests are numbered 0 to {}, as "
                                       "in the report",
                                       *e.request, count - 1));
}

void check_link(const Expectation& e, const model::Scenario& scenario)
{
    const auto datacenters = names_of(scenario.datacenters);
    for (const auto* end : {&e.first, &e.second})
        if (!contains(datacenters, end->name))
            throw InputError(e.pos_at(end->offset),
                             fmt::format("unknown datacenter {}{}", single_quoted(end->name),
                                         suggestion(end->name, datacenters)));
    if (find_link(scenario, e.first.name, e.second.name) == nullptr) {
        std::vector<std::string> links;
        for (const auto& link : scenario.links)
            links.push_back(link.a + "<->" + link.b);
        throw InputError(e.pos_at(e.first.offset),
                         fmt::format("no WAN link between datacenters {} and {} (links: {})",
                                     single_quoted(e.first.name), single_quoted(e.second.name),
                                     links.empty() ? "none" : join(links)));
    }
}

void check_reachability(const Expectation& e, const model::Scenario& scenario)
{
    const auto* group = find_group(scenario, e.first.name);
    if (group == nullptr)
        throw InputError(e.pos_at(e.first.offset),
                         fmt::format("unknown node group {}{}", single_quoted(e.first.name),
                                     suggestion(e.first.name, names_of(scenario.node_groups))));
    if (scenario.find_client(e.second.name) == nullptr)
        throw InputError(e.pos_at(e.second.offset),
                         fmt::format("unknown client {}{}", single_quoted(e.second.name),
                                     suggestion(e.second.name, names_of(scenario.clients))));

    // Reachability is seen through a request the group's nodes subscribe to.
    for (const auto& request : scenario.requests)
        if (request.client == e.second.name && subscribes(*group, request))
            return;
    throw InputError(e.pos_at(e.second.offset),
                     fmt::format("client {} sends no request that node group {} subscribes to "
                                 "(agents {}, collectives {}), so its reach cannot be measured",
                                 single_quoted(e.second.name), single_quoted(e.first.name),
                                 join(group->agents), join(group->collectives)));
}

// Where an `expect:` entry's text begins: past the opening quote when the file shows one in
// front of exactly this text; the scalar's own position otherwise (escapes, folded text).
model::SourcePos text_start(const model::SourcePos& scalar, std::string_view source,
                            std::string_view text)
{
    if (source.empty() || scalar.line <= 0 || scalar.column <= 0)
        return scalar;
    std::size_t line_start = 0;
    for (int line = 1; line < scalar.line; ++line) {
        line_start = source.find('\n', line_start);
        if (line_start == std::string_view::npos)
            return scalar;
        ++line_start;
    }
    const auto at = line_start + static_cast<std::size_t>(scalar.column - 1);
    if (at >= source.size())
        return scalar;

    const auto raw = source.substr(at);
    const bool quote = raw.starts_with('"') || raw.starts_with('\'');
    auto result = scalar;
    if (quote && raw.substr(1).starts_with(text))
        result.column += 1;
    return result;
}

std::string seconds(double value)
{
    return fmt::format("{:.3f} s", value);
}

std::string percent(double value)
{
    return fmt::format("{:.4g} %", value);
}

// The requests an expectation covers: the one it names, or all of them.
std::vector<const stats::RequestReport*> covered(const Expectation& e, const stats::Report& report)
{
    std::vector<const stats::RequestReport*> requests;
    for (const auto& request : report.requests)
        if (!e.request || request.index == *e.request)
            requests.push_back(&request);
    return requests;
}

// "" for one request; " (request 0: 2, request 3: 1)" listing the non-zero ones otherwise.
template <typename Field>
std::string per_request(const Expectation& e, const std::vector<const stats::RequestReport*>& rs,
                        Field field)
{
    if (e.request)
        return "";
    std::vector<std::string> parts;
    for (const auto* r : rs)
        if (field(*r) > 0)
            parts.push_back(fmt::format("request {}: {}", r->index, field(*r)));
    return parts.empty() ? "" : fmt::format(" ({})", join(parts));
}

template <typename Field>
Outcome at_most(const Expectation& e, const stats::Report& report, std::string_view noun,
                Field field)
{
    const auto requests = covered(e, report);
    std::uint64_t total = 0;
    for (const auto* r : requests)
        total += field(*r);

    Outcome outcome;
    outcome.holds = static_cast<double>(total) <= e.limit;
    outcome.measured = fmt::format("{} {}{}", total, noun, per_request(e, requests, field));
    outcome.limit = fmt::format("at most {}", plain_number(e.limit));
    outcome.badness = {static_cast<double>(total), 0};
    return outcome;
}

Outcome replies_within(const Expectation& e, const stats::Report& report)
{
    std::uint64_t missing = 0, expected = 0;
    std::optional<double> last_s;
    int last_request = 0;
    for (const auto* r : covered(e, report)) {
        missing += r->missing;
        expected += r->expected;
        if (r->max_s && (!last_s || *r->max_s > *last_s)) {
            last_s = r->max_s;
            last_request = r->index;
        }
    }

    Outcome outcome;
    outcome.holds = missing == 0 && (!last_s || *last_s <= e.limit);
    outcome.measured = fmt::format("{} of {} nodes missing, ", missing, expected);
    if (!last_s)
        outcome.measured += "no replies";
    else if (e.request)
        outcome.measured += fmt::format("last reply after {}", seconds(*last_s));
    else
        outcome.measured +=
            fmt::format("last reply after {} (request {})", seconds(*last_s), last_request);
    outcome.limit = fmt::format("none missing, last reply within {}", seconds(e.limit));
    outcome.badness = {static_cast<double>(missing), last_s.value_or(0)};
    return outcome;
}

Outcome no_stranded(const stats::Report& report)
{
    const auto& drops = report.conservation.drops;
    const auto it = drops.find("stranded");
    const std::uint64_t stranded = it == drops.end() ? 0 : it->second;

    Outcome outcome;
    outcome.holds = stranded == 0;
    outcome.measured = fmt::format("{} stranded messages", stranded);
    outcome.limit = "none";
    outcome.badness = {static_cast<double>(stranded), 0};
    return outcome;
}

// A broker's estimated peak (its connections' memory plus the messages it held) against its
// heap, as the report works it out.
Outcome no_broker_over_budget(const stats::Report& report)
{
    std::vector<std::string> over;
    for (const auto& broker : report.broker_load)
        if (broker.over_budget)
            over.push_back(fmt::format("{}: {} of {}", broker.name,
                                       stats::bytes_text(broker.estimated_peak_bytes),
                                       stats::bytes_text(broker.memory_budget_bytes)));

    Outcome outcome;
    outcome.holds = over.empty();
    outcome.measured = fmt::format("{} {} over {} memory budget", over.size(),
                                   over.size() == 1 ? "broker" : "brokers",
                                   over.size() == 1 ? "its" : "their");
    if (!over.empty())
        outcome.measured += fmt::format(" ({})", join(over));
    outcome.limit = "none";
    outcome.badness = {static_cast<double>(over.size()), 0};
    return outcome;
}

Outcome completeness(const Expectation& e, const stats::Report& report)
{
    // The worst request decides; a request no node should answer is complete.
    double worst = 100;
    const stats::RequestReport* worst_request = nullptr;
    for (const auto* r : covered(e, report)) {
        const double share = r->expected == 0
                                 ? 100.0
                                 : std::min(100.0, 100.0 * static_cast<double>(r->replying_nodes) /
                                                       static_cast<double>(r->expected));
        if (worst_request == nullptr || share < worst) {
            worst = share;
            worst_request = r;
        }
    }

    Outcome outcome;
    outcome.holds = worst >= e.limit;
    if (worst_request == nullptr)
        outcome.measured = "no requests";
    else
        outcome.measured =
            fmt::format("{} ({} of {} nodes replied{})", percent(worst),
                        worst_request->replying_nodes, worst_request->expected,
                        e.request ? "" : fmt::format(", request {}", worst_request->index));
    outcome.limit = fmt::format(">= {}", percent(e.limit));
    outcome.badness = {-worst, 0};
    return outcome;
}

Outcome link_utilisation(const Expectation& e, const model::Scenario& scenario,
                         const stats::Report& report)
{
    const auto* link = find_link(scenario, e.first.name, e.second.name);
    const auto name = link->a + "<->" + link->b;
    const auto it = std::find_if(report.links.begin(), report.links.end(),
                                 [&](const auto& l) { return l.name == name; });
    const std::uint64_t bytes_ab = it == report.links.end() ? 0 : it->bytes_ab;
    const std::uint64_t bytes_ba = it == report.links.end() ? 0 : it->bytes_ba;

    // Each direction's bits over what the link could carry that way for the whole run.
    const double capacity_bits = link->bandwidth_bps * report.end_time_s;
    const auto share = [&](std::uint64_t bytes) {
        return capacity_bits <= 0 ? 0.0 : 100.0 * 8.0 * static_cast<double>(bytes) / capacity_bits;
    };
    const bool written_ab = link->a == e.first.name;
    const double first_to_second = share(written_ab ? bytes_ab : bytes_ba);
    const double second_to_first = share(written_ab ? bytes_ba : bytes_ab);
    const double busiest = std::max(first_to_second, second_to_first);

    Outcome outcome;
    outcome.holds = busiest < e.limit;
    outcome.measured =
        fmt::format("{} ({}->{} {}, {}->{} {}, over {})", percent(busiest), e.first.name,
                    e.second.name, percent(first_to_second), e.second.name, e.first.name,
                    percent(second_to_first), seconds(report.end_time_s));
    outcome.limit = fmt::format("below {}", percent(e.limit));
    outcome.badness = {busiest, 0};
    return outcome;
}

Outcome group_reachable(const Expectation& e, const model::Scenario& scenario,
                        const stats::Report& report)
{
    const auto* group = find_group(scenario, e.first.name);

    // The report counts deliveries per broker, so a copy to another group on the same broker
    // that takes the same requests is counted too; the measurement says so when that can be.
    std::uint64_t copies = 0;
    std::vector<std::string> sharing;
    for (std::size_t i = 0; i < scenario.requests.size() && i < report.requests.size(); ++i) {
        const auto& request = scenario.requests[i];
        if (request.client != e.second.name || !subscribes(*group, request))
            continue;
        const auto& by_broker = report.requests[i].deliveries_by_broker;
        if (const auto it = by_broker.find(group->broker); it != by_broker.end())
            copies += it->second;
        for (const auto& other : scenario.node_groups)
            if (&other != group && other.broker == group->broker && subscribes(other, request) &&
                !contains(sharing, other.name))
                sharing.push_back(other.name);
    }

    Outcome outcome;
    outcome.holds = copies > 0;
    outcome.measured =
        fmt::format("{} request copies delivered to nodes on broker {}", copies, group->broker);
    if (!sharing.empty())
        outcome.measured += fmt::format(" (shared with node groups {}: the report counts "
                                        "deliveries per broker)",
                                        join(sharing));
    outcome.limit = "at least 1";
    outcome.badness = {copies == 0 ? 1.0 : 0.0, 0};
    return outcome;
}

} // namespace

void check_references(const Expectation& expectation, const model::Scenario& scenario)
{
    check_request(expectation, scenario);
    if (expectation.kind == ExpectationKind::LinkUtilisation)
        check_link(expectation, scenario);
    else if (expectation.kind == ExpectationKind::GroupReachable)
        check_reachability(expectation, scenario);
}

std::vector<Expectation> parse_expectations(const model::Scenario& scenario,
                                            std::string_view source_text)
{
    std::vector<Expectation> expectations;
    for (const auto& [text, pos] : scenario.expectations) {
        auto expectation = parse_expectation(text, text_start(pos, source_text, text));
        check_references(expectation, scenario);
        expectations.push_back(std::move(expectation));
    }
    return expectations;
}

std::vector<Expectation> parse_expectations(const model::Scenario& scenario)
{
    std::ifstream in(scenario.file, std::ios::binary);
    std::ostringstream text;
    if (in)
        text << in.rdbuf();
    return parse_expectations(scenario, text.str());
}

Outcome evaluate(const Expectation& e, const model::Scenario& scenario, const stats::Report& report)
{
    switch (e.kind) {
    case ExpectationKind::RepliesWithin:
        return replies_within(e, report);
    case ExpectationKind::MaxDuplicateDeliveries:
        return at_most(e, report, "duplicate deliveries",
                       [](const stats::RequestReport& r) { return r.duplicate_deliveries; });
    case ExpectationKind::MaxDuplicateExecutions:
        return at_most(e, report, "duplicate executions",
                       [](const stats::RequestReport& r) { return r.duplicate_executions; });
    case ExpectationKind::MaxMissingReplies:
        return at_most(e, report, "missing replies",
                       [](const stats::RequestReport& r) { return r.missing; });
    case ExpectationKind::NoStrandedMessages:
        return no_stranded(report);
    case ExpectationKind::ReplyCompleteness:
        return completeness(e, report);
    case ExpectationKind::LinkUtilisation:
        return link_utilisation(e, scenario, report);
    case ExpectationKind::GroupReachable:
        return group_reachable(e, scenario, report);
    case ExpectationKind::NoBrokerOverBudget:
        return no_broker_over_budget(report);
    }
    return {};
}

std::string outcome_line(const Expectation& expectation, const Outcome& outcome)
{
    return fmt::format("{}: {}: {}: measured {}; limit {}", expectation.pos.to_string(),
                       outcome.holds ? "ok" : "fail", expectation.text, outcome.measured,
                       outcome.limit);
}

} // namespace brokersim::check
