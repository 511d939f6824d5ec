#include "brokersim/stats/collector.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace brokersim::stats {

using model::DropReason;
using model::MessageKind;
using model::TraceKind;

namespace {

// Nearest-rank percentile of sorted values.
double percentile(const std::vector<double>& sorted, double p)
{
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * sorted.size()));
    return sorted[std::max<std::size_t>(rank, 1) - 1];
}

}  // namespace

Collector::Collector(const model::Scenario& scenario) : scenario_(scenario)
{
    report_.scenario = scenario.name;
    report_.seed = scenario.seed;
    report_.brokers = scenario.brokers.size();
}

void Collector::on_start(const model::RunInfo& info)
{
    info_ = info;
    report_.nodes = info.node_count;
    const auto broker_count = info.brokers.size();
    routes_.assign(broker_count, std::vector<std::vector<std::pair<int, int>>>(broker_count));
    for (std::size_t from = 0; from < broker_count; ++from)
        for (std::size_t to = 0; to < broker_count; ++to)
            routes_[from][to] = info.route(static_cast<model::BrokerIndex>(from),
                                           static_cast<model::BrokerIndex>(to));
    for (const auto& name : info.links)
        report_.links.push_back({name});

    for (std::size_t i = 0; i < scenario_.requests.size(); ++i) {
        const auto& spec = scenario_.requests[i];
        RequestReport request;
        request.index = static_cast<int>(i);
        request.client = spec.client;
        request.agent = spec.agent;
        request.action = spec.action;
        request.filter = spec.filter_text;
        request.at_s = spec.at_s;
        request.timeout_s = spec.timeout_s.value_or(scenario_.agent(spec.agent).timeout_s + 2.0);
        request.expected = i < info.expected_replies.size() ? info.expected_replies[i] : 0;
        report_.requests.push_back(std::move(request));
        tallies_.push_back({0, std::vector<std::uint8_t>(info.node_count, 0), {}});
    }
}

std::string Collector::path_names(const model::BrokerPath& path) const
{
    std::string names;
    for (std::size_t i = 0; i < path.size(); ++i)
        names += (i == 0 ? "" : " > ") + info_.brokers[path[i]];
    return names;
}

void Collector::on_event(const model::TraceEvent& event)
{
    auto& totals = report_.conservation;
    const bool queue_message = event.message_kind == MessageKind::Reply;
    switch (event.kind) {
    case TraceKind::Publish:
        ++totals.published;
        if (event.message_kind == MessageKind::Request)
            tallies_[event.request].sent_s = event.time_s;
        else
            ++totals.replies_published;
        break;
    case TraceKind::Arrive:
        ++totals.arrivals;
        queue_arrivals_ += queue_message ? 1 : 0;
        break;
    case TraceKind::Forward: {
        ++totals.forwards;
        queue_forwards_ += queue_message ? 1 : 0;
        for (const auto& [link, direction] : routes_[event.broker][event.peer]) {
            auto& report = report_.links[link];
            (direction > 0 ? report.messages_ab : report.messages_ba) += 1;
            (direction > 0 ? report.bytes_ab : report.bytes_ba) += event.bytes;
        }
        break;
    }
    case TraceKind::Deliver:
        on_deliver(event);
        break;
    case TraceKind::Execute: {
        auto& request = report_.requests[event.request];
        ++totals.executions;
        ++node_outcomes_;
        ++request.executions;
        if (event.copy == 1)
            ++request.matched;
        else
            ++request.duplicate_executions;
        break;
    }
    case TraceKind::Drop:
        on_drop(event);
        break;
    case TraceKind::Pending:
        break;
    }
}

void Collector::on_deliver(const model::TraceEvent& event)
{
    auto& request = report_.requests[event.request];
    auto& tally = tallies_[event.request];
    if (event.message_kind == MessageKind::Request) {
        ++report_.conservation.node_deliveries;
        ++request.deliveries_by_broker[info_.brokers[event.broker]];
        if (event.copy == 1) {
            ++request.delivered_nodes;
            return;
        }
        ++request.duplicate_deliveries;
        if (request.duplicate_samples.size() < kDuplicateSamples)
            request.duplicate_samples.push_back({info_.node_identity(event.node), event.copy,
                                                 path_names(event.path),
                                                 event.time_s - tally.sent_s});
        return;
    }

    // A reply reached the client within its window.
    ++report_.conservation.client_deliveries;
    ++queue_handed_;
    ++request.replies;
    auto& from = tally.replies_from[event.node];
    if (from == 0)
        ++request.replying_nodes;
    from = static_cast<std::uint8_t>(std::min(255, from + 1));
    tally.latencies_s.push_back(event.time_s - tally.sent_s);
}

void Collector::on_drop(const model::TraceEvent& event)
{
    ++report_.conservation.drops[model::to_string(event.reason)];
    switch (event.reason) {
    case DropReason::Filtered:
        ++node_outcomes_;
        break;
    case DropReason::AgentTimeout:
        ++agent_timeouts_;
        break;
    case DropReason::ClientGone:
        ++queue_handed_;
        ++report_.requests[event.request].late_replies;
        break;
    case DropReason::Stranded:
    case DropReason::Expired:
        if (event.message_kind == MessageKind::Reply) {
            ++queue_ended_;
            // A reply left on a queue never reached the client in time: it came late.
            ++report_.requests[event.request].late_replies;
        }
        break;
    default:
        break;
    }
}

void Collector::check_conservation()
{
    auto& c = report_.conservation;
    const auto require = [&](bool holds, std::string what) {
        if (!holds)
            c.violations.push_back(std::move(what));
    };
    require(c.arrivals == c.published + c.forwards,
            fmt::format("arrivals {} != published {} + forwarded {}", c.arrivals, c.published,
                        c.forwards));
    require(queue_arrivals_ == queue_forwards_ + queue_handed_ + queue_ended_,
            fmt::format("queue copies arrived {} != forwarded {} + handed to clients {} + "
                        "stranded or expired {}",
                        queue_arrivals_, queue_forwards_, queue_handed_, queue_ended_));
    require(c.node_deliveries == node_outcomes_,
            fmt::format("node deliveries {} != filtered + executed {}", c.node_deliveries,
                        node_outcomes_));
    require(c.executions == c.replies_published + agent_timeouts_,
            fmt::format("executions {} != replies sent {} + agent timeouts {}", c.executions,
                        c.replies_published, agent_timeouts_));
    c.holds = c.violations.empty();
}

void Collector::on_finish(double end_time_s)
{
    report_.end_time_s = end_time_s;
    for (std::size_t i = 0; i < report_.requests.size(); ++i) {
        auto& request = report_.requests[i];
        auto& latencies = tallies_[i].latencies_s;
        request.missing = request.expected > request.replying_nodes
                              ? request.expected - request.replying_nodes
                              : 0;
        if (latencies.empty())
            continue;
        std::sort(latencies.begin(), latencies.end());
        request.first_reply_s = latencies.front();
        request.last_reply_s = latencies.back();
        request.p50_s = percentile(latencies, 50);
        request.p95_s = percentile(latencies, 95);
        request.p99_s = percentile(latencies, 99);
        request.max_s = latencies.back();
    }
    check_conservation();
}

}  // namespace brokersim::stats
