#include "brokersim/io/report_writer.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace brokersim::io {

namespace {

std::string ms(const std::optional<double>& seconds)
{
    return seconds ? fmt::format("{:.1f} ms", *seconds * 1000.0) : std::string("-");
}

// Seconds rounded to the microsecond, so JSON output does not depend on float printing.
nlohmann::json json_seconds(const std::optional<double>& seconds)
{
    if (!seconds)
        return nullptr;
    return std::round(*seconds * 1e6) / 1e6;
}

std::string join(const std::vector<std::string>& names)
{
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i)
        out += (i ? ", " : "") + names[i];
    return out;
}

std::string seconds(const std::optional<double>& value)
{
    return value ? fmt::format("{:.3f} s", *value) : std::string("-");
}

// ": a, b, c" and, when `total` is larger, how many more there are.
std::string samples(const std::vector<std::string>& names, std::uint64_t total)
{
    if (names.empty())
        return "";
    auto out = ": " + join(names);
    if (total > names.size())
        out += fmt::format(", ... and {} more", total - names.size());
    return out;
}

// The first `most` names, and how many more there are.
std::string list(const std::vector<std::string>& names, std::size_t most)
{
    return samples({names.begin(), names.begin() + std::min(most, names.size())}, names.size());
}

void append_request_text(std::string& out, const stats::RequestReport& r)
{
    out += fmt::format("\nrequest {}: {} {}/{} at {:.3f} s, timeout {:g} s\n", r.index,
                       r.client, r.agent, r.action, r.at_s, r.timeout_s);
    out += fmt::format("  filter             {}\n", r.filter.empty() ? "(none)" : r.filter);
    if (r.discovery == "identities")
        out += fmt::format("  discovery          none: {} identities named\n", r.discovered);
    else if (r.discovery == "mc")
        out += fmt::format("  discovery          mc: {} discovered in {} ({} pongs too late)\n",
                           r.discovered, seconds(r.discovery_time_s), r.late_pongs);
    out += fmt::format("  addressing         {} ({} message{})\n", r.addressing, r.messages_sent,
                       r.messages_sent == 1 ? "" : "s");
    out += fmt::format("  nodes expected     {}\n", r.expected);
    out += fmt::format("  nodes delivered    {}\n", r.delivered_nodes);
    out += "  node deliveries per broker";
    for (const auto& [broker, count] : r.deliveries_by_broker)
        out += fmt::format(" {} {};", broker, count);
    out += "\n";
    out += fmt::format("  nodes matched      {}\n", r.matched);
    out += fmt::format("  replies received   {} from {} nodes ({} more came too late)\n", r.replies,
                       r.replying_nodes, r.late_replies);
    out += fmt::format("  missing            {} of the expected nodes\n", r.missing);
    if (r.discovery != "none") {
        out += fmt::format("  noresponsefrom     {}{}\n", r.noresponsefrom,
                           samples(r.noresponse_samples, r.noresponsefrom));
        out += fmt::format("  unexpectedresponsefrom {}{}\n", r.unexpectedresponsefrom,
                           samples(r.unexpected_samples, r.unexpectedresponsefrom));
    }
    if (r.ttl_expired > 0)
        out += fmt::format("  refused as too old {}\n", r.ttl_expired);
    out += fmt::format("  blocktime / totaltime {} / {}\n", seconds(r.blocktime_s),
                       seconds(r.totaltime_s));
    out += fmt::format("  first / last reply {} / {}\n", ms(r.first_reply_s), ms(r.last_reply_s));
    out += fmt::format("  latency p50 / p95 / p99 / max  {} / {} / {} / {}\n", ms(r.p50_s),
                       ms(r.p95_s), ms(r.p99_s), ms(r.max_s));
    out += fmt::format("  duplicate deliveries {} (duplicate executions {})\n",
                       r.duplicate_deliveries, r.duplicate_executions);
    for (const auto& d : r.duplicate_samples)
        out += fmt::format("    {} copy {} via {}, {:.1f} ms after the request\n", d.node, d.copy, d.path,
                           d.time_s * 1000.0);
    if (r.duplicate_deliveries > r.duplicate_samples.size())
        out += fmt::format("    ... and {} more\n",
                           r.duplicate_deliveries - r.duplicate_samples.size());
}

}  // namespace

std::string report_text(const stats::Report& report)
{
    std::string out;
    out += fmt::format("brokersim report: {} (seed {})\n", report.scenario, report.seed);
    out += fmt::format("{} brokers, {} nodes, simulated {:.3f} s\n", report.brokers,
                       report.nodes, report.end_time_s);
    for (const auto& request : report.requests)
        append_request_text(out, request);

    if (!report.consumers.empty()) {
        out += "\nconsumers\n";
        for (const auto& consumer : report.consumers)
            out += fmt::format("  {:<16} {:>6} received{}\n", consumer.name, consumer.received,
                               list(consumer.messages, 20));
        out += "messages\n";
        for (const auto& message : report.messages)
            out += fmt::format("  {:<6} delivered to [{}]{}, {} bridge hops\n", message.id,
                               join(message.delivered_to),
                               message.left_on.empty()
                                   ? std::string()
                                   : fmt::format(", left on [{}]", join(message.left_on)),
                               message.forwarded);
    }

    if (!report.timeline.empty()) {
        out += "\ntimeline\n";
        for (const auto& entry : report.timeline)
            out += fmt::format("  {:>10.3f} s  {:<12} {}\n", entry.time_s, entry.what,
                               entry.detail);
    }

    out += "\nWAN links                messages a->b     bytes a->b   messages b->a     "
           "bytes b->a   peak a->b   peak b->a\n";
    for (const auto& link : report.links)
        out += fmt::format("  {:<22} {:>14} {:>14} {:>14} {:>14} {:>10.1f}% {:>10.1f}%\n",
                           link.name, link.messages_ab, link.bytes_ab, link.messages_ba,
                           link.bytes_ba, 100.0 * link.peak_utilisation_ab,
                           100.0 * link.peak_utilisation_ba);
    out += "\nbrokers                  arrivals   peak waiting on queues   peak CPU wait\n";
    for (const auto& broker : report.broker_load)
        out += fmt::format("  {:<22} {:>10} {:>24} {:>12.3f} ms\n", broker.name,
                           broker.arrivals, broker.peak_pending,
                           broker.peak_cpu_wait_s * 1000.0);
    const bool memory_used =
        std::any_of(report.broker_load.begin(), report.broker_load.end(), [](const auto& b) {
            return b.peak_memory_bytes > 0 || b.stalled_sends > 0 || b.sends_over_limit > 0;
        });
    if (memory_used) {
        out += "\nbroker memory            peak bytes     limit bytes   stalled sends   stall "
               "time   sent over limit\n";
        for (const auto& broker : report.broker_load)
            out += fmt::format("  {:<22} {:>10} {:>15} {:>15} {:>10.3f} s {:>17}\n", broker.name,
                               broker.peak_memory_bytes, broker.memory_limit_bytes,
                               broker.stalled_sends, broker.stall_time_s,
                               broker.sends_over_limit);
    }

    out += "\nbroker heap              connections   connection bytes   estimated peak bytes"
           "   budget bytes   keep-alive CPU\n";
    for (const auto& broker : report.broker_load)
        out += fmt::format("  {:<22} {:>11} {:>18} {:>22} {:>14} {:>13.3f} %{}\n", broker.name,
                           broker.connections, broker.connection_memory_bytes,
                           broker.estimated_peak_bytes, broker.memory_budget_bytes,
                           broker.keepalive_cpu_fraction * 100.0,
                           broker.over_budget ? "   OVER BUDGET" : "");

    const auto& c = report.conservation;
    out += fmt::format("\nmessages: {} published, {} broker arrivals, {} forwarded over bridges, "
                       "{} delivered to nodes, {} delivered to clients and consumers\n",
                       c.published, c.arrivals, c.forwards, c.node_deliveries,
                       c.client_deliveries);
    out += "dropped:";
    if (c.drops.empty())
        out += " none";
    for (const auto& [reason, count] : c.drops)
        out += fmt::format(" {} {};", reason, count);
    out += "\n";
    out += fmt::format("conservation: {}\n", c.holds ? "holds (every message delivered or "
                                                       "dropped with a reason)"
                                                     : "VIOLATED");
    for (const auto& violation : c.violations)
        out += fmt::format("  {}\n", violation);
    return out;
}

std::string report_json(const stats::Report& report)
{
    nlohmann::ordered_json root;
    root["scenario"] = report.scenario;
    root["seed"] = report.seed;
    root["brokers"] = report.brokers;
    root["nodes"] = report.nodes;
    root["end_time_s"] = json_seconds(report.end_time_s);

    auto& requests = root["requests"] = nlohmann::ordered_json::array();
    for (const auto& r : report.requests) {
        nlohmann::ordered_json j;
        j["index"] = r.index;
        j["client"] = r.client;
        j["agent"] = r.agent;
        j["action"] = r.action;
        j["filter"] = r.filter;
        j["at_s"] = r.at_s;
        j["timeout_s"] = r.timeout_s;
        j["discovery"] = r.discovery;
        j["discovered"] = r.discovered;
        j["late_pongs"] = r.late_pongs;
        j["discovery_time_s"] = json_seconds(r.discovery_time_s);
        j["addressing"] = r.addressing;
        j["messages_sent"] = r.messages_sent;
        j["expected"] = r.expected;
        j["delivered_nodes"] = r.delivered_nodes;
        j["matched"] = r.matched;
        j["executions"] = r.executions;
        j["replies"] = r.replies;
        j["replying_nodes"] = r.replying_nodes;
        j["late_replies"] = r.late_replies;
        j["missing"] = r.missing;
        j["noresponsefrom"] = r.noresponsefrom;
        j["noresponsefrom_samples"] = r.noresponse_samples;
        j["unexpectedresponsefrom"] = r.unexpectedresponsefrom;
        j["unexpectedresponsefrom_samples"] = r.unexpected_samples;
        j["ttl_expired"] = r.ttl_expired;
        j["blocktime_s"] = json_seconds(r.blocktime_s);
        j["totaltime_s"] = json_seconds(r.totaltime_s);
        j["duplicate_deliveries"] = r.duplicate_deliveries;
        j["duplicate_executions"] = r.duplicate_executions;
        j["deliveries_by_broker"] = r.deliveries_by_broker;
        j["first_reply_s"] = json_seconds(r.first_reply_s);
        j["last_reply_s"] = json_seconds(r.last_reply_s);
        j["p50_s"] = json_seconds(r.p50_s);
        j["p95_s"] = json_seconds(r.p95_s);
        j["p99_s"] = json_seconds(r.p99_s);
        j["max_s"] = json_seconds(r.max_s);
        auto& samples = j["duplicate_samples"] = nlohmann::ordered_json::array();
        for (const auto& d : r.duplicate_samples)
            samples.push_back({{"node", d.node}, {"copy", d.copy}, {"path", d.path},
                               {"time_s", json_seconds(d.time_s)}});
        requests.push_back(std::move(j));
    }

    auto& consumers = root["consumers"] = nlohmann::ordered_json::array();
    for (const auto& consumer : report.consumers)
        consumers.push_back({{"name", consumer.name},
                             {"received", consumer.received},
                             {"messages", consumer.messages}});
    auto& messages = root["messages"] = nlohmann::ordered_json::array();
    for (const auto& message : report.messages)
        messages.push_back({{"id", message.id},
                            {"delivered_to", message.delivered_to},
                            {"left_on", message.left_on},
                            {"forwarded", message.forwarded}});

    auto& timeline = root["timeline"] = nlohmann::ordered_json::array();
    for (const auto& entry : report.timeline)
        timeline.push_back({{"time_s", json_seconds(entry.time_s)},
                            {"what", entry.what},
                            {"detail", entry.detail}});

    auto& links = root["links"] = nlohmann::ordered_json::array();
    for (const auto& link : report.links)
        links.push_back({{"link", link.name},
                         {"messages_ab", link.messages_ab},
                         {"bytes_ab", link.bytes_ab},
                         {"messages_ba", link.messages_ba},
                         {"bytes_ba", link.bytes_ba},
                         {"peak_utilisation_ab", json_seconds(link.peak_utilisation_ab)},
                         {"peak_utilisation_ba", json_seconds(link.peak_utilisation_ba)}});

    auto& brokers = root["broker_load"] = nlohmann::ordered_json::array();
    for (const auto& broker : report.broker_load)
        brokers.push_back({{"name", broker.name},
                           {"arrivals", broker.arrivals},
                           {"peak_pending", broker.peak_pending},
                           {"peak_cpu_wait_s", json_seconds(broker.peak_cpu_wait_s)},
                           {"memory_limit_bytes", broker.memory_limit_bytes},
                           {"peak_memory_bytes", broker.peak_memory_bytes},
                           {"stalled_sends", broker.stalled_sends},
                           {"stall_time_s", json_seconds(broker.stall_time_s)},
                           {"sends_over_limit", broker.sends_over_limit},
                           {"connections", broker.connections},
                           {"connection_memory_bytes", broker.connection_memory_bytes},
                           {"memory_budget_bytes", broker.memory_budget_bytes},
                           {"estimated_peak_bytes", broker.estimated_peak_bytes},
                           {"over_budget", broker.over_budget},
                           // rounded as times are, so the output does not depend on
                           // float printing
                           {"keepalive_cpu_fraction",
                            json_seconds(broker.keepalive_cpu_fraction)}});

    const auto& c = report.conservation;
    root["conservation"] = {{"published", c.published},
                            {"arrivals", c.arrivals},
                            {"forwards", c.forwards},
                            {"node_deliveries", c.node_deliveries},
                            {"client_deliveries", c.client_deliveries},
                            {"executions", c.executions},
                            {"replies_published", c.replies_published},
                            {"drops", c.drops},
                            {"holds", c.holds},
                            {"violations", c.violations}};
    return root.dump(2) + "\n";
}

}  // namespace brokersim::io
