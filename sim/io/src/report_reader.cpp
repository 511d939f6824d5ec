#include "brokersim/io/report_reader.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace brokersim::io {

namespace {

using Json = nlohmann::json;

std::optional<double> optional_seconds(const Json& value)
{
    if (value.is_null())
        return std::nullopt;
    return value.get<double>();
}

stats::RequestReport read_request(const Json& j)
{
    stats::RequestReport r;
    r.index = j.at("index").get<int>();
    r.client = j.at("client").get<std::string>();
    r.agent = j.at("agent").get<std::string>();
    r.action = j.at("action").get<std::string>();
    r.filter = j.at("filter").get<std::string>();
    r.at_s = j.at("at_s").get<double>();
    r.timeout_s = j.at("timeout_s").get<double>();

    r.discovery = j.at("discovery").get<std::string>();
    r.discovered = j.at("discovered").get<std::uint64_t>();
    r.late_pongs = j.at("late_pongs").get<std::uint64_t>();
    r.discovery_time_s = optional_seconds(j.at("discovery_time_s"));
    r.addressing = j.at("addressing").get<std::string>();
    r.messages_sent = j.at("messages_sent").get<std::uint64_t>();

    r.expected = j.at("expected").get<std::uint64_t>();
    r.delivered_nodes = j.at("delivered_nodes").get<std::uint64_t>();
    r.matched = j.at("matched").get<std::uint64_t>();
    r.executions = j.at("executions").get<std::uint64_t>();
    r.replies = j.at("replies").get<std::uint64_t>();
    r.replying_nodes = j.at("replying_nodes").get<std::uint64_t>();
    r.late_replies = j.at("late_replies").get<std::uint64_t>();
    r.missing = j.at("missing").get<std::uint64_t>();
    r.noresponsefrom = j.at("noresponsefrom").get<std::uint64_t>();
    r.noresponse_samples = j.at("noresponsefrom_samples").get<std::vector<std::string>>();
    r.unexpectedresponsefrom = j.at("unexpectedresponsefrom").get<std::uint64_t>();
    r.unexpected_samples = j.at("unexpectedresponsefrom_samples").get<std::vector<std::string>>();
    r.ttl_expired = j.at("ttl_expired").get<std::uint64_t>();
    r.blocktime_s = optional_seconds(j.at("blocktime_s"));
    r.totaltime_s = optional_seconds(j.at("totaltime_s"));
    r.duplicate_deliveries = j.at("duplicate_deliveries").get<std::uint64_t>();
    r.duplicate_executions = j.at("duplicate_executions").get<std::uint64_t>();
    r.deliveries_by_broker =
        j.at("deliveries_by_broker").get<std::map<std::string, std::uint64_t>>();

    r.first_reply_s = optional_seconds(j.at("first_reply_s"));
    r.last_reply_s = optional_seconds(j.at("last_reply_s"));
    r.p50_s = optional_seconds(j.at("p50_s"));
    r.p95_s = optional_seconds(j.at("p95_s"));
    r.p99_s = optional_seconds(j.at("p99_s"));
    r.max_s = optional_seconds(j.at("max_s"));
    for (const auto& d : j.at("duplicate_samples"))
        r.duplicate_samples.push_back({d.at("node").get<std::string>(), d.at("copy").get<int>(),
                                       d.at("path").get<std::string>(),
                                       d.at("time_s").get<double>()});
    return r;
}

stats::Conservation read_conservation(const Json& j)
{
    stats::Conservation c;
    c.published = j.at("published").get<std::uint64_t>();
    c.arrivals = j.at("arrivals").get<std::uint64_t>();
    c.forwards = j.at("forwards").get<std::uint64_t>();
    c.node_deliveries = j.at("node_deliveries").get<std::uint64_t>();
    c.client_deliveries = j.at("client_deliveries").get<std::uint64_t>();
    c.executions = j.at("executions").get<std::uint64_t>();
    c.replies_published = j.at("replies_published").get<std::uint64_t>();
    c.drops = j.at("drops").get<std::map<std::string, std::uint64_t>>();
    c.holds = j.at("holds").get<bool>();
    c.violations = j.at("violations").get<std::vector<std::string>>();
    return c;
}

} // namespace

stats::Report report_from_json(std::string_view json)
{
    try {
        const auto root = Json::parse(json);
        stats::Report report;
        report.scenario = root.at("scenario").get<std::string>();
        report.seed = root.at("seed").get<std::uint64_t>();
        report.brokers = root.at("brokers").get<std::uint64_t>();
        report.nodes = root.at("nodes").get<std::uint64_t>();
        report.end_time_s = root.at("end_time_s").get<double>();
        for (const auto& request : root.at("requests"))
            report.requests.push_back(read_request(request));
        for (const auto& c : root.at("consumers"))
            report.consumers.push_back({c.at("name").get<std::string>(),
                                        c.at("received").get<std::uint64_t>(),
                                        c.at("messages").get<std::vector<std::string>>()});
        for (const auto& m : root.at("messages"))
            report.messages.push_back({m.at("id").get<std::string>(),
                                       m.at("delivered_to").get<std::vector<std::string>>(),
                                       m.at("left_on").get<std::vector<std::string>>(),
                                       m.at("forwarded").get<std::uint64_t>()});
        for (const auto& entry : root.at("timeline"))
            report.timeline.push_back({entry.at("time_s").get<double>(),
                                       entry.at("what").get<std::string>(),
                                       entry.at("detail").get<std::string>()});
        for (const auto& link : root.at("links"))
            report.links.push_back({link.at("link").get<std::string>(),
                                    link.at("messages_ab").get<std::uint64_t>(),
                                    link.at("bytes_ab").get<std::uint64_t>(),
                                    link.at("messages_ba").get<std::uint64_t>(),
                                    link.at("bytes_ba").get<std::uint64_t>(),
                                    link.at("peak_utilisation_ab").get<double>(),
                                    link.at("peak_utilisation_ba").get<double>()});
        for (const auto& broker : root.at("broker_load"))
            report.broker_load.push_back({broker.at("name").get<std::string>(),
                                          broker.at("peak_pending").get<std::uint64_t>(),
                                          broker.at("arrivals").get<std::uint64_t>(),
                                          broker.at("peak_cpu_wait_s").get<double>(),
                                          broker.at("memory_limit_bytes").get<std::uint64_t>(),
                                          broker.at("peak_memory_bytes").get<std::uint64_t>(),
                                          broker.at("stalled_sends").get<std::uint64_t>(),
                                          broker.at("stall_time_s").get<double>(),
                                          broker.at("sends_over_limit").get<std::uint64_t>(),
                                          // absent from reports of older versions, kept
                                          // in their trace files
                                          broker.value("connections", std::uint64_t{0}),
                                          broker.value("connection_memory_bytes",
                                                       std::uint64_t{0}),
                                          broker.value("memory_budget_bytes", std::uint64_t{0}),
                                          broker.value("estimated_peak_bytes", std::uint64_t{0}),
                                          broker.value("over_budget", false),
                                          broker.value("keepalive_cpu_fraction", 0.0)});
        report.conservation = read_conservation(root.at("conservation"));
        return report;
    } catch (const nlohmann::json::exception& error) {
        throw std::runtime_error(std::string("unreadable JSON report: ") + error.what());
    }
}

} // namespace brokersim::io
