#include "report_source.hpp"

#include "brokersim/io/scenario_loader.hpp"
#include "brokersim/stats/collector.hpp"

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

}  // namespace brokersim::gui
