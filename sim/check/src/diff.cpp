// The run side of `brokersim diff`: the verdict, and both reports side by side.
#include "brokersim/check/diff.hpp"

#include "text_util.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace brokersim::check {

namespace {

using Json = nlohmann::ordered_json;

std::string expectation_regression(const ExpectationComparison& c)
{
    std::string before;
    if (!c.old_outcome)
        before = "does not apply to OLD: " + c.old_note;
    else if (c.old_outcome->holds)
        before = "held on OLD: measured " + c.old_outcome->measured;
    else
        before = "failed by less on OLD: measured " + c.old_outcome->measured;
    return fmt::format("{}: '{}' fails on NEW: measured {}; limit {} ({})",
                       c.expectation.pos.to_string(), c.expectation.text, c.new_outcome.measured,
                       c.new_outcome.limit, before);
}

void compare_expectations(Diff& diff, const model::Scenario& old_scenario,
                          const model::Scenario& new_scenario,
                          const std::vector<Expectation>& expectations)
{
    for (const auto& expectation : expectations) {
        ExpectationComparison c{expectation};
        c.new_outcome = evaluate(expectation, new_scenario, diff.new_report);
        try {
            check_references(expectation, old_scenario);
            c.old_outcome = evaluate(expectation, old_scenario, diff.old_report);
        } catch (const model::InputError& error) {
            c.old_note = error.message();
        }
        c.worse = !c.new_outcome.holds && (!c.old_outcome || c.old_outcome->holds ||
                                           c.new_outcome.badness > c.old_outcome->badness);
        if (c.worse)
            diff.regressions.push_back(expectation_regression(c));
        diff.expectations.push_back(std::move(c));
    }
}

// Without expectations: the request-by-request counts that make a topology change worse.
void compare_requests(Diff& diff)
{
    const auto& before = diff.old_report.requests;
    const auto& after = diff.new_report.requests;
    for (std::size_t i = 0; i < std::min(before.size(), after.size()); ++i) {
        const auto& o = before[i];
        const auto& n = after[i];
        const auto worse = [&](bool condition, std::string_view what, std::uint64_t from,
                               std::uint64_t to) {
            if (condition)
                diff.regressions.push_back(
                    fmt::format("request {}: {} ({} -> {})", n.index, what, from, to));
        };
        worse(n.replying_nodes < o.replying_nodes, "fewer replying nodes", o.replying_nodes,
              n.replying_nodes);
        worse(n.missing > o.missing, "more missing nodes", o.missing, n.missing);
        worse(n.duplicate_deliveries > o.duplicate_deliveries, "more duplicate deliveries",
              o.duplicate_deliveries, n.duplicate_deliveries);
        worse(n.duplicate_executions > o.duplicate_executions, "more duplicate executions",
              o.duplicate_executions, n.duplicate_executions);
    }
}

std::string_view kind_text(TopologyChange::Kind kind)
{
    switch (kind) {
    case TopologyChange::Kind::Added:
        return "added";
    case TopologyChange::Kind::Removed:
        return "removed";
    case TopologyChange::Kind::Changed:
        return "changed";
    }
    return "changed";
}

std::string change_text(const TopologyChange& change)
{
    std::vector<std::string> parts;
    for (const auto& a : change.attributes) {
        if (change.kind == TopologyChange::Kind::Changed)
            parts.push_back(fmt::format("{} {} -> {}", a.name, a.old_value, a.new_value));
        else
            parts.push_back(fmt::format("{} {}", a.name,
                                        change.kind == TopologyChange::Kind::Added ? a.new_value
                                                                                   : a.old_value));
    }
    return fmt::format("  {} {} {}{}{}\n", kind_text(change.kind), change.object, change.name,
                       parts.empty() ? "" : ": ", join(parts));
}

// One row of a side-by-side table; a request or link missing on one side shows "-".
struct Row
{
    std::string name;
    std::optional<double> old_value;
    std::optional<double> new_value;
    bool seconds = false; // shown in milliseconds
};

std::string cell(const std::optional<double>& value, bool seconds)
{
    if (!value)
        return "-";
    return seconds ? fmt::format("{:.1f} ms", *value * 1000.0)
                   : fmt::format("{}", static_cast<std::uint64_t>(*value));
}

std::string row_text(const Row& row)
{
    std::string change;
    if (row.old_value && row.new_value && *row.old_value != *row.new_value) {
        const double delta = *row.new_value - *row.old_value;
        change = row.seconds ? fmt::format("{:+.1f} ms", delta * 1000.0)
                             : fmt::format("{:+}", static_cast<std::int64_t>(std::llround(delta)));
    }
    auto line =
        fmt::format("  {:<28} {:>12} {:>12} {:>12}", row.name, cell(row.old_value, row.seconds),
                    cell(row.new_value, row.seconds), change);
    line.erase(line.find_last_not_of(' ') + 1);
    return line + "\n";
}

const stats::RequestReport* request_at(const stats::Report& report, std::size_t i)
{
    return i < report.requests.size() ? &report.requests[i] : nullptr;
}

template <typename Field> std::optional<double> field(const stats::RequestReport* r, Field get)
{
    if (r == nullptr)
        return std::nullopt;
    return static_cast<double>(get(*r));
}

std::optional<double> latency(const stats::RequestReport* r,
                              std::optional<double> stats::RequestReport::*member)
{
    return r == nullptr ? std::nullopt : r->*member;
}

std::string request_title(const stats::RequestReport& r)
{
    return fmt::format("{} {}/{}, filter {}", r.client, r.agent, r.action,
                       r.filter.empty() ? "(none)" : r.filter);
}

std::vector<std::string> brokers_of(const stats::RequestReport* o, const stats::RequestReport* n)
{
    std::vector<std::string> brokers;
    for (const auto* r : {o, n})
        if (r != nullptr)
            for (const auto& [broker, count] : r->deliveries_by_broker)
                if (std::find(brokers.begin(), brokers.end(), broker) == brokers.end())
                    brokers.push_back(broker);
    std::sort(brokers.begin(), brokers.end());
    return brokers;
}

std::optional<double> deliveries(const stats::RequestReport* r, const std::string& broker)
{
    if (r == nullptr)
        return std::nullopt;
    const auto it = r->deliveries_by_broker.find(broker);
    return static_cast<double>(it == r->deliveries_by_broker.end() ? 0 : it->second);
}

std::vector<Row> request_rows(const stats::RequestReport* o, const stats::RequestReport* n)
{
    using R = stats::RequestReport;
    std::vector<Row> rows = {
        {"nodes expected", field(o, [](const R& r) { return r.expected; }),
         field(n, [](const R& r) { return r.expected; })},
        {"nodes delivered", field(o, [](const R& r) { return r.delivered_nodes; }),
         field(n, [](const R& r) { return r.delivered_nodes; })},
        {"nodes matched", field(o, [](const R& r) { return r.matched; }),
         field(n, [](const R& r) { return r.matched; })},
        {"replies", field(o, [](const R& r) { return r.replies; }),
         field(n, [](const R& r) { return r.replies; })},
        {"replying nodes", field(o, [](const R& r) { return r.replying_nodes; }),
         field(n, [](const R& r) { return r.replying_nodes; })},
        {"missing", field(o, [](const R& r) { return r.missing; }),
         field(n, [](const R& r) { return r.missing; })},
        {"duplicate deliveries", field(o, [](const R& r) { return r.duplicate_deliveries; }),
         field(n, [](const R& r) { return r.duplicate_deliveries; })},
        {"duplicate executions", field(o, [](const R& r) { return r.duplicate_executions; }),
         field(n, [](const R& r) { return r.duplicate_executions; })},
        {"latency p50", latency(o, &R::p50_s), latency(n, &R::p50_s), true},
        {"latency p95", latency(o, &R::p95_s), latency(n, &R::p95_s), true},
        {"latency p99", latency(o, &R::p99_s), latency(n, &R::p99_s), true},
    };
    for (const auto& broker : brokers_of(o, n))
        rows.push_back({"deliveries on " + broker, deliveries(o, broker), deliveries(n, broker)});
    return rows;
}

std::vector<std::string> link_names(const stats::Report& a, const stats::Report& b)
{
    std::vector<std::string> names;
    for (const auto* report : {&a, &b})
        for (const auto& link : report->links)
            if (std::find(names.begin(), names.end(), link.name) == names.end())
                names.push_back(link.name);
    return names;
}

const stats::LinkReport* link_named(const stats::Report& report, const std::string& name)
{
    const auto it = std::find_if(report.links.begin(), report.links.end(),
                                 [&](const auto& l) { return l.name == name; });
    return it == report.links.end() ? nullptr : &*it;
}

std::optional<double> bytes(const stats::LinkReport* link, bool ab)
{
    if (link == nullptr)
        return std::nullopt;
    return static_cast<double>(ab ? link->bytes_ab : link->bytes_ba);
}

std::string header_text(std::string_view title)
{
    return fmt::format("\n{:<30} {:>12} {:>12} {:>12}\n", title, "OLD", "NEW", "change");
}

std::string topology_text(const Diff& diff)
{
    std::string out = "\ntopology:\n";
    for (const auto& change : diff.topology)
        out += change_text(change);
    if (diff.topology.empty())
        out += "  no changes\n";
    return out;
}

// Requests are matched by number; one that only one side has shows "-" on the other.
std::string requests_text(const Diff& diff)
{
    std::string out;
    const auto count = std::max(diff.old_report.requests.size(), diff.new_report.requests.size());
    for (std::size_t i = 0; i < count; ++i) {
        const auto* o = request_at(diff.old_report, i);
        const auto* n = request_at(diff.new_report, i);
        out += header_text(fmt::format("request {}", i));
        if (o != nullptr && n != nullptr && request_title(*o) == request_title(*n)) {
            out += fmt::format("  {}\n", request_title(*n));
        } else {
            out += fmt::format("  OLD: {}\n", o != nullptr ? request_title(*o) : "(none)");
            out += fmt::format("  NEW: {}\n", n != nullptr ? request_title(*n) : "(none)");
        }
        for (const auto& row : request_rows(o, n))
            out += row_text(row);
    }
    return out;
}

std::string links_text(const Diff& diff)
{
    std::string out = header_text("WAN link bytes");
    for (const auto& name : link_names(diff.old_report, diff.new_report)) {
        const auto* o = link_named(diff.old_report, name);
        const auto* n = link_named(diff.new_report, name);
        const auto arrow = name.find("<->");
        const auto a = name.substr(0, arrow);
        const auto b = arrow == std::string::npos ? std::string() : name.substr(arrow + 3);
        out += row_text({fmt::format("{}->{}", a, b), bytes(o, true), bytes(n, true)});
        out += row_text({fmt::format("{}->{}", b, a), bytes(o, false), bytes(n, false)});
    }
    return out;
}

std::string expectations_text(const Diff& diff)
{
    if (diff.expectations.empty())
        return "";
    std::string out = "\nexpectations of NEW:\n";
    for (const auto& c : diff.expectations) {
        const auto before = !c.old_outcome         ? "does not apply"
                            : c.old_outcome->holds ? "ok"
                                                   : "fail";
        out += fmt::format("  OLD {:<14} NEW {:<4}  {}: measured on NEW {}; limit {}\n", before,
                           c.new_outcome.holds ? "ok" : "fail", c.expectation.text,
                           c.new_outcome.measured, c.new_outcome.limit);
    }
    return out;
}

std::string verdict_text(const Diff& diff)
{
    if (diff.regressions.empty())
        return "\nverdict: NEW is not worse than OLD\n";
    std::string out = "\nverdict: NEW is worse than OLD\n";
    for (const auto& reason : diff.regressions)
        out += fmt::format("  {}\n", reason);
    return out;
}

Json seconds_json(const std::optional<double>& value)
{
    if (!value)
        return nullptr;
    return std::round(*value * 1e6) / 1e6;
}

Json request_json(const stats::RequestReport* r)
{
    if (r == nullptr)
        return nullptr;
    return {{"client", r->client},
            {"agent", r->agent},
            {"action", r->action},
            {"filter", r->filter},
            {"expected", r->expected},
            {"delivered_nodes", r->delivered_nodes},
            {"matched", r->matched},
            {"replies", r->replies},
            {"replying_nodes", r->replying_nodes},
            {"missing", r->missing},
            {"duplicate_deliveries", r->duplicate_deliveries},
            {"duplicate_executions", r->duplicate_executions},
            {"p50_s", seconds_json(r->p50_s)},
            {"p95_s", seconds_json(r->p95_s)},
            {"p99_s", seconds_json(r->p99_s)},
            {"deliveries_by_broker", r->deliveries_by_broker}};
}

Json link_json(const stats::LinkReport* link)
{
    if (link == nullptr)
        return nullptr;
    return {{"messages_ab", link->messages_ab},
            {"bytes_ab", link->bytes_ab},
            {"messages_ba", link->messages_ba},
            {"bytes_ba", link->bytes_ba}};
}

Json outcome_json(const Outcome& outcome)
{
    return {{"holds", outcome.holds}, {"measured", outcome.measured}, {"limit", outcome.limit}};
}

} // namespace

Diff compare(const model::Scenario& old_scenario, const stats::Report& old_report,
             const model::Scenario& new_scenario, const stats::Report& new_report,
             const std::vector<Expectation>& new_expectations)
{
    Diff diff;
    diff.old_file = old_scenario.file;
    diff.new_file = new_scenario.file;
    diff.topology = diff_topology(old_scenario, new_scenario);
    diff.old_report = old_report;
    diff.new_report = new_report;
    if (new_expectations.empty())
        compare_requests(diff);
    else
        compare_expectations(diff, old_scenario, new_scenario, new_expectations);
    return diff;
}

std::string diff_text(const Diff& diff)
{
    return fmt::format("brokersim diff: OLD {} -> NEW {}\n", diff.old_file, diff.new_file) +
           topology_text(diff) + requests_text(diff) + links_text(diff) + expectations_text(diff) +
           verdict_text(diff);
}

std::string diff_json(const Diff& diff)
{
    Json root;
    root["old"] = diff.old_file;
    root["new"] = diff.new_file;

    auto& topology = root["topology"] = Json::array();
    for (const auto& change : diff.topology) {
        auto attributes = Json::array();
        for (const auto& a : change.attributes)
            attributes.push_back({{"name", a.name}, {"old", a.old_value}, {"new", a.new_value}});
        topology.push_back({{"change", kind_text(change.kind)},
                            {"object", change.object},
                            {"name", change.name},
                            {"attributes", std::move(attributes)}});
    }

    auto& requests = root["requests"] = Json::array();
    const auto count = std::max(diff.old_report.requests.size(), diff.new_report.requests.size());
    for (std::size_t i = 0; i < count; ++i)
        requests.push_back({{"index", i},
                            {"old", request_json(request_at(diff.old_report, i))},
                            {"new", request_json(request_at(diff.new_report, i))}});

    auto& links = root["links"] = Json::array();
    for (const auto& name : link_names(diff.old_report, diff.new_report))
        links.push_back({{"link", name},
                         {"old", link_json(link_named(diff.old_report, name))},
                         {"new", link_json(link_named(diff.new_report, name))}});

    auto& expectations = root["expectations"] = Json::array();
    for (const auto& c : diff.expectations)
        expectations.push_back(
            {{"expectation", c.expectation.text},
             {"position", c.expectation.pos.to_string()},
             {"old", c.old_outcome ? outcome_json(*c.old_outcome) : Json(nullptr)},
             {"old_note", c.old_note},
             {"new", outcome_json(c.new_outcome)},
             {"worse", c.worse}});

    root["worse"] = !diff.regressions.empty();
    root["regressions"] = diff.regressions;
    return root.dump(2) + "\n";
}

} // namespace brokersim::check
