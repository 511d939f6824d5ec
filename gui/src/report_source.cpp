#include "report_source.hpp"

#include "brokersim/io/scenario_loader.hpp"
#include "brokersim/stats/collector.hpp"

#include <nlohmann/json.hpp>

#include <memory>
#include <stdexcept>
#include <unordered_map>

namespace brokersim::gui {

namespace {

model::RunInfo run_info_from_header(const io::TraceHeader& header)
{
    model::RunInfo info;
    for (const auto& broker : header.brokers)
        info.brokers.push_back(broker.name);
    for (const auto& link : header.links)
        info.links.push_back(link.name);
    info.route = [&header](model::BrokerIndex from, model::BrokerIndex to) {
        return header.route(from, to);
    };
    info.node_identity = [&header](model::NodeIndex node) { return header.identity(node); };
    auto nodes = std::make_shared<std::unordered_map<std::string, model::NodeIndex>>();
    for (const auto& group : header.node_groups)
        for (std::size_t i = 0; i < group.identities.size(); ++i)
            nodes->emplace(group.identities[i], static_cast<model::NodeIndex>(group.first + i));
    info.find_node = [nodes](const std::string& identity) -> std::optional<model::NodeIndex> {
        const auto it = nodes->find(identity);
        return it == nodes->end() ? std::nullopt : std::optional(it->second);
    };
    info.node_count = header.node_count;
    for (const auto& request : header.requests)
        info.expected_replies.push_back(request.expected);
    return info;
}

// Reads keys that may be absent or null (the report writes null for "no value").
template <typename T> T get_or(const nlohmann::json& object, const char* key, T fallback)
{
    const auto it = object.find(key);
    return it == object.end() || it->is_null() ? fallback : it->template get<T>();
}

std::optional<double> optional_seconds(const nlohmann::json& object, const char* key)
{
    const auto it = object.find(key);
    if (it == object.end() || it->is_null())
        return std::nullopt;
    return it->get<double>();
}

}  // namespace

stats::Report replay_report(const io::TraceFile& trace)
{
    const auto scenario =
        io::load_scenario_text(trace.header.scenario_text, trace.header.scenario_file);
    stats::Collector collector(scenario);
    collector.on_start(run_info_from_header(trace.header));
    for (const auto& record : trace.records)
        collector.on_event(trace.event(record));
    collector.on_finish(trace.end_time_s);
    return collector.report();
}

stats::Report report_from_json(const std::string& json)
{
    nlohmann::json root;
    try {
        root = nlohmann::json::parse(json);
    } catch (const nlohmann::json::exception& error) {
        throw std::runtime_error(std::string("the run's report is not valid JSON: ") +
                                 error.what());
    }

    stats::Report report;
    report.scenario = get_or(root, "scenario", std::string());
    report.seed = get_or(root, "seed", std::uint64_t{0});
    report.brokers = get_or(root, "brokers", std::uint64_t{0});
    report.nodes = get_or(root, "nodes", std::uint64_t{0});
    report.end_time_s = get_or(root, "end_time_s", 0.0);

    for (const auto& j : root.value("requests", nlohmann::json::array())) {
        stats::RequestReport r;
        r.index = get_or(j, "index", 0);
        r.client = get_or(j, "client", std::string());
        r.agent = get_or(j, "agent", std::string());
        r.action = get_or(j, "action", std::string());
        r.filter = get_or(j, "filter", std::string());
        r.at_s = get_or(j, "at_s", 0.0);
        r.timeout_s = get_or(j, "timeout_s", 0.0);
        r.expected = get_or(j, "expected", std::uint64_t{0});
        r.delivered_nodes = get_or(j, "delivered_nodes", std::uint64_t{0});
        r.matched = get_or(j, "matched", std::uint64_t{0});
        r.executions = get_or(j, "executions", std::uint64_t{0});
        r.replies = get_or(j, "replies", std::uint64_t{0});
        r.replying_nodes = get_or(j, "replying_nodes", std::uint64_t{0});
        r.late_replies = get_or(j, "late_replies", std::uint64_t{0});
        r.missing = get_or(j, "missing", std::uint64_t{0});
        r.duplicate_deliveries = get_or(j, "duplicate_deliveries", std::uint64_t{0});
        r.duplicate_executions = get_or(j, "duplicate_executions", std::uint64_t{0});
        // Named first: a range-for over items() of a temporary would outlive it.
        const auto by_broker = j.value("deliveries_by_broker", nlohmann::json::object());
        for (const auto& [broker, count] : by_broker.items())
            r.deliveries_by_broker[broker] = count.get<std::uint64_t>();
        const auto seconds = [&j](const char* key) { return optional_seconds(j, key); };
        r.first_reply_s = seconds("first_reply_s");
        r.last_reply_s = seconds("last_reply_s");
        r.p50_s = seconds("p50_s");
        r.p95_s = seconds("p95_s");
        r.p99_s = seconds("p99_s");
        r.max_s = seconds("max_s");
        for (const auto& d : j.value("duplicate_samples", nlohmann::json::array()))
            r.duplicate_samples.push_back({get_or(d, "node", std::string()), get_or(d, "copy", 0),
                                           get_or(d, "path", std::string()),
                                           get_or(d, "time_s", 0.0)});
        report.requests.push_back(std::move(r));
    }

    for (const auto& j : root.value("links", nlohmann::json::array()))
        report.links.push_back(
            {get_or(j, "link", std::string()), get_or(j, "messages_ab", std::uint64_t{0}),
             get_or(j, "bytes_ab", std::uint64_t{0}), get_or(j, "messages_ba", std::uint64_t{0}),
             get_or(j, "bytes_ba", std::uint64_t{0})});

    const auto c = root.value("conservation", nlohmann::json::object());
    auto& totals = report.conservation;
    totals.published = get_or(c, "published", std::uint64_t{0});
    totals.arrivals = get_or(c, "arrivals", std::uint64_t{0});
    totals.forwards = get_or(c, "forwards", std::uint64_t{0});
    totals.node_deliveries = get_or(c, "node_deliveries", std::uint64_t{0});
    totals.client_deliveries = get_or(c, "client_deliveries", std::uint64_t{0});
    totals.executions = get_or(c, "executions", std::uint64_t{0});
    totals.replies_published = get_or(c, "replies_published", std::uint64_t{0});
    const auto drops = c.value("drops", nlohmann::json::object());
    for (const auto& [reason, count] : drops.items())
        totals.drops[reason] = count.get<std::uint64_t>();
    totals.holds = get_or(c, "holds", false);
    for (const auto& violation : c.value("violations", nlohmann::json::array()))
        totals.violations.push_back(violation.get<std::string>());
    return report;
}

}  // namespace brokersim::gui
