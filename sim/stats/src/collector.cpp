#include "brokersim/stats/collector.hpp"

#include "brokersim/model/broker_load.hpp"

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
    for (const auto& consumer : scenario_.consumers)
        report_.consumers.push_back({consumer.name, 0, {}});
    const auto loads = model::broker_loads(scenario_);
    for (std::size_t b = 0; b < info.brokers.size(); ++b) {
        BrokerReport broker;
        broker.name = info.brokers[b];
        if (b < scenario_.brokers.size()) {
            broker.memory_limit_bytes = loads[b].memory_limit_bytes;
            broker.connections = loads[b].connections;
            broker.connection_memory_bytes = loads[b].connection_memory_bytes;
            broker.memory_budget_bytes = scenario_.brokers[b].memory_budget_bytes;
            broker.keepalive_cpu_fraction = loads[b].keepalive_cpu_fraction;
        }
        report_.broker_load.push_back(std::move(broker));
    }
    pending_now_.assign(info.brokers.size(), 0);
    link_bytes_per_s_.resize(info.links.size() * 2);

    for (std::size_t i = 0; i < scenario_.requests.size(); ++i) {
        const auto& spec = scenario_.requests[i];
        RequestReport request;
        request.index = static_cast<int>(i);
        request.client = spec.client;
        request.agent = spec.agent;
        request.action = spec.action;
        request.filter = spec.filter_text;
        request.at_s = spec.at_s;
        request.timeout_s = spec.timeout_s.value_or(scenario_.agent(spec.agent).timeout_s +
                                                    spec.discovery_timeout_s);
        request.expected = i < info.expected_replies.size() ? info.expected_replies[i] : 0;
        request.discovery = !spec.identities.empty()                    ? "identities"
                            : spec.discovery == model::Discovery::Mc ? "mc"
                                                                     : "none";
        report_.requests.push_back(std::move(request));
        RequestTally tally;
        tally.replies_from.assign(info.node_count, 0);
        tally.discovered.assign(info.node_count, 0);
        tallies_.push_back(std::move(tally));
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
    if (model::is_plain(event.message_kind))
        on_plain(event);
    switch (event.kind) {
    case TraceKind::Publish:
        on_publish(event);
        break;
    case TraceKind::Arrive:
        ++totals.arrivals;
        ++report_.broker_load[event.broker].arrivals;
        report_.broker_load[event.broker].peak_cpu_wait_s =
            std::max(report_.broker_load[event.broker].peak_cpu_wait_s, event.count * 1e-6);
        queue_arrivals_ += event.on_queue ? 1 : 0;
        if (event.path.size() > 0) {
            // Utilisation by arrival time: a queued backlog shows as the link's real rate.
            const auto from = event.path[event.path.size() - 1];
            const auto second = static_cast<std::int64_t>(std::floor(event.time_s));
            for (const auto& [link, direction] : routes_[from][event.broker])
                link_bytes_per_s_[link * 2 + (direction > 0 ? 0 : 1)][second] += event.bytes;
        }
        break;
    case TraceKind::Pending: {
        auto& load = report_.broker_load[event.broker];
        load.peak_pending = std::max(load.peak_pending, ++pending_now_[event.broker]);
        break;
    }
    case TraceKind::Unqueued:
        --pending_now_[event.broker];
        break;
    case TraceKind::Forward: {
        ++totals.forwards;
        queue_forwards_ += event.on_queue ? 1 : 0;
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
        ++totals.executions;
        ++node_outcomes_;
        if (event.message_kind != MessageKind::Request)
            break;
        auto& request = report_.requests[event.request];
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
    case TraceKind::Addressed: {
        auto& request = report_.requests[event.request];
        request.addressing = event.addressing == model::Addressing::Direct      ? "direct"
                             : event.addressing == model::Addressing::Broadcast ? "broadcast"
                                                                                : "not sent";
        request.messages_sent = event.count;
        auto& tally = tallies_[event.request];
        if (tally.started_s && request.discovery != "none")
            request.discovery_time_s = event.time_s - *tally.started_s;
        break;
    }
    case TraceKind::ClientDone:
        on_client_done(event);
        break;
    case TraceKind::Fault:
        report_.timeline.push_back({event.time_s, "fault", fault_text(event.count)});
        break;
    case TraceKind::BridgeDown:
    case TraceKind::BridgeUp:
        report_.timeline.push_back(
            {event.time_s, model::to_string(event.kind),
             fmt::format("{} -> {} ({})", info_.brokers[event.broker],
                         info_.brokers[event.peer], scenario_.connectors[event.count].name)});
        break;
    case TraceKind::Failover:
        report_.timeline.push_back(
            {event.time_s, "failover",
             fmt::format("{} to {}", scenario_.node_groups[event.count].name,
                         info_.brokers[event.broker])});
        break;
    case TraceKind::ProducerStalled:
        ++report_.broker_load[event.broker].stalled_sends;
        stalled_since_s_[event.count] = event.time_s;
        break;
    case TraceKind::ProducerResumed: {
        const auto stalled = stalled_since_s_.find(event.count);
        if (stalled == stalled_since_s_.end())
            break;
        report_.broker_load[event.broker].stall_time_s += event.time_s - stalled->second;
        stalled_since_s_.erase(stalled);
        break;
    }
    case TraceKind::MemoryPeak:
        report_.broker_load[event.broker].peak_memory_bytes = event.bytes;
        report_.broker_load[event.broker].sends_over_limit = event.count;
        break;
    default:
        break;
    }
}

std::string Collector::fault_text(std::uint32_t index) const
{
    const auto& fault = scenario_.faults[index];
    using Kind = model::Fault::Kind;
    switch (fault.kind) {
    case Kind::BrokerDown: return "broker " + fault.target + " down";
    case Kind::BrokerLost: return "broker " + fault.target + " host lost";
    case Kind::BrokerUp: return "broker " + fault.target + " up";
    case Kind::LinkDown: return "link " + fault.target + " <-> " + fault.target2 + " down";
    case Kind::LinkUp: return "link " + fault.target + " <-> " + fault.target2 + " up";
    case Kind::LinkLatency:
        return fmt::format("link {} <-> {} latency {} ms", fault.target, fault.target2,
                           fault.latency_s * 1000.0);
    case Kind::Partition: return "datacenter " + fault.target + " partitioned";
    case Kind::Heal: return "datacenter " + fault.target + " healed";
    }
    return "?";
}

PlainMessageReport* Collector::plain_message(model::MessageIndex message)
{
    const auto it = plain_index_.find(message);
    return it == plain_index_.end() ? nullptr : &report_.messages[it->second];
}

void Collector::on_plain(const model::TraceEvent& event)
{
    // Conservation is counted by the common paths; this keeps the per-message account.
    switch (event.kind) {
    case TraceKind::Publish:
        plain_index_[event.message] = report_.messages.size();
        // Producers' messages are m1, m2, ...; consumers' replies r1, r2, ... (publish order).
        report_.messages.push_back(
            {fmt::format("{}{}", event.message_kind == MessageKind::Plain ? 'm' : 'r',
                         event.count),
             {}, {}, 0});
        break;
    case TraceKind::Forward:
        if (auto* message = plain_message(event.message))
            ++message->forwarded;
        break;
    case TraceKind::Deliver:
        if (auto* message = plain_message(event.message)) {
            auto& consumer = report_.consumers[event.consumer];
            ++consumer.received;
            consumer.messages.push_back(message->id);
            message->delivered_to.push_back(consumer.name);
        }
        break;
    case TraceKind::Drop:
        if (auto* message = plain_message(event.message);
            message && event.reason == DropReason::Stranded)
            message->left_on.push_back(info_.brokers[event.broker]);
        break;
    default:
        break;
    }
}

void Collector::on_publish(const model::TraceEvent& event)
{
    ++report_.conservation.published;
    if (model::is_plain(event.message_kind))
        return;
    auto& tally = tallies_[event.request];
    if (!tally.started_s)
        tally.started_s = event.time_s;
    if (event.message_kind == MessageKind::Request && !tally.sent_s)
        tally.sent_s = event.time_s;
    if (model::is_reply(event.message_kind))
        ++report_.conservation.replies_published;
}

void Collector::on_client_done(const model::TraceEvent& event)
{
    auto& request = report_.requests[event.request];
    const auto& tally = tallies_[event.request];
    if (tally.sent_s)
        request.blocktime_s = event.time_s - *tally.sent_s;
    request.totaltime_s = request.discovery_time_s.value_or(0) + request.blocktime_s.value_or(0);
}

void Collector::on_deliver(const model::TraceEvent& event)
{
    if (model::is_plain(event.message_kind)) {
        ++report_.conservation.client_deliveries;
        queue_handed_ += event.on_queue ? 1 : 0;
        return;
    }
    auto& request = report_.requests[event.request];
    auto& tally = tallies_[event.request];
    switch (event.message_kind) {
    case MessageKind::Discovery:
        ++report_.conservation.node_deliveries;
        return;
    case MessageKind::DiscoveryReply: {
        ++report_.conservation.client_deliveries;
        ++queue_handed_;
        ++request.discovered;
        auto& seen = tally.discovered[event.node];
        seen = static_cast<std::uint8_t>(std::min(255, seen + 1));
        return;
    }
    case MessageKind::Reply:
        on_reply_in_time(event);
        return;
    case MessageKind::Request:
        break;
    case MessageKind::Plain:
    case MessageKind::PlainReply:
        return;  // counted above
    }

    ++report_.conservation.node_deliveries;
    queue_handed_ += event.on_queue ? 1 : 0;
    ++request.deliveries_by_broker[info_.brokers[event.broker]];
    if (event.copy == 1) {
        ++request.delivered_nodes;
        return;
    }
    ++request.duplicate_deliveries;
    if (request.duplicate_samples.size() < kDuplicateSamples)
        request.duplicate_samples.push_back({info_.node_identity(event.node), event.copy,
                                             path_names(event.path),
                                             event.time_s - tally.sent_s.value_or(0)});
}

void Collector::on_reply_in_time(const model::TraceEvent& event)
{
    auto& request = report_.requests[event.request];
    auto& tally = tallies_[event.request];
    ++report_.conservation.client_deliveries;
    ++queue_handed_;
    ++request.replies;
    auto& from = tally.replies_from[event.node];
    if (from == 0)
        ++request.replying_nodes;
    from = static_cast<std::uint8_t>(std::min(255, from + 1));
    tally.latencies_s.push_back(event.time_s - tally.sent_s.value_or(0));
}

void Collector::on_drop(const model::TraceEvent& event)
{
    ++report_.conservation.drops[model::to_string(event.reason)];
    if (model::is_plain(event.message_kind)) {
        const auto reason = event.reason;
        lost_in_flight_ += reason == DropReason::LostInFlight ? 1 : 0;
        if (event.on_queue && (reason == DropReason::Stranded || reason == DropReason::Expired ||
                               reason == DropReason::BrokerDown))
            ++queue_ended_;
        if (event.on_queue && reason == DropReason::Disconnected)
            ++queue_handed_;
        return;
    }
    auto& request = report_.requests[event.request];
    switch (event.reason) {
    case DropReason::Filtered:
        ++node_outcomes_;
        break;
    case DropReason::TtlExpired:
        ++node_outcomes_;
        if (event.message_kind == MessageKind::Request)
            ++request.ttl_expired;
        break;
    case DropReason::AgentTimeout:
        ++agent_timeouts_;
        break;
    case DropReason::LostInFlight:
        ++lost_in_flight_;
        break;
    case DropReason::Disconnected:
        if (event.message == model::kNone) {
            ++replies_not_sent_;  // a node lost its broker before it could reply
            break;
        }
        queue_handed_ += event.on_queue ? 1 : 0;  // dispatched, then lost on the way out
        break;
    case DropReason::BrokerDown:
        queue_ended_ += event.on_queue ? 1 : 0;
        break;
    case DropReason::ClientGone:
        ++queue_handed_;
        if (event.message_kind == MessageKind::DiscoveryReply)
            ++request.late_pongs;
        else
            ++request.late_replies;
        break;
    case DropReason::Stranded:
    case DropReason::Expired:
        if (!event.on_queue)
            break;
        ++queue_ended_;
        // A reply left on a queue never reached the client in time: it came late. An expired
        // one is counted under its drop reason only.
        if (event.reason == DropReason::Expired)
            break;
        if (event.message_kind == MessageKind::Reply)
            ++request.late_replies;
        else if (event.message_kind == MessageKind::DiscoveryReply)
            ++request.late_pongs;
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
    require(c.arrivals + lost_in_flight_ == c.published + c.forwards,
            fmt::format("arrivals {} + lost in flight {} != published {} + forwarded {}",
                        c.arrivals, lost_in_flight_, c.published, c.forwards));
    require(queue_arrivals_ == queue_forwards_ + queue_handed_ + queue_ended_,
            fmt::format("queue copies arrived {} != forwarded {} + handed to clients {} + "
                        "stranded or expired {}",
                        queue_arrivals_, queue_forwards_, queue_handed_, queue_ended_));
    require(c.node_deliveries == node_outcomes_,
            fmt::format("node deliveries {} != filtered + too old + executed {}",
                        c.node_deliveries, node_outcomes_));
    require(c.executions == c.replies_published + agent_timeouts_ + replies_not_sent_,
            fmt::format("executions {} != replies sent {} + agent timeouts {} + replies a "
                        "disconnected node could not send {}",
                        c.executions, c.replies_published, agent_timeouts_, replies_not_sent_));
    c.holds = c.violations.empty();
}

void Collector::compare_with_discovered(RequestReport& request, const RequestTally& tally) const
{
    // As mco counts them: discovered hosts that did not answer, and answers from hosts that
    // were not discovered. With named identities the list is what was named.
    const auto& named = scenario_.requests[request.index].identities;
    std::vector<std::uint8_t> listed = tally.discovered;
    for (const auto& identity : named)
        if (const auto node = node_by_identity(identity))
            listed[*node] = 1;
    for (std::size_t node = 0; node < listed.size(); ++node) {
        const bool discovered = listed[node] > 0;
        const bool replied = tally.replies_from[node] > 0;
        if (discovered == replied)
            continue;
        auto& count = discovered ? request.noresponsefrom : request.unexpectedresponsefrom;
        auto& samples = discovered ? request.noresponse_samples : request.unexpected_samples;
        ++count;
        if (samples.size() < kDuplicateSamples)
            samples.push_back(info_.node_identity(static_cast<model::NodeIndex>(node)));
    }
}

std::optional<model::NodeIndex> Collector::node_by_identity(const std::string& identity) const
{
    return info_.find_node ? info_.find_node(identity) : std::nullopt;
}

void Collector::on_finish(double end_time_s)
{
    report_.end_time_s = end_time_s;
    for (auto& broker : report_.broker_load) {
        broker.estimated_peak_bytes = broker.connection_memory_bytes + broker.peak_memory_bytes;
        broker.over_budget = broker.estimated_peak_bytes > broker.memory_budget_bytes;
    }
    for (const auto& [producer, since_s] : stalled_since_s_) {
        const auto& broker_name = scenario_.producers[producer].broker;
        for (auto& broker : report_.broker_load)
            if (broker.name == broker_name)
                broker.stall_time_s += end_time_s - since_s;
    }
    for (std::size_t link = 0; link < report_.links.size(); ++link) {
        const double bytes_per_s = scenario_.links[link].bandwidth_bps / 8.0;
        for (int direction = 0; direction < 2; ++direction) {
            std::uint64_t busiest = 0;
            for (const auto& [second, bytes] : link_bytes_per_s_[link * 2 + direction])
                busiest = std::max(busiest, bytes);
            // A message counts whole in the second its last byte arrives, so a saturated
            // second can show the tail of one begun in the second before: at most 100 %.
            (direction == 0 ? report_.links[link].peak_utilisation_ab
                            : report_.links[link].peak_utilisation_ba) =
                std::min(1.0, busiest / bytes_per_s);
        }
    }
    for (std::size_t i = 0; i < report_.requests.size(); ++i) {
        auto& request = report_.requests[i];
        auto& latencies = tallies_[i].latencies_s;
        request.missing = request.expected > request.replying_nodes
                              ? request.expected - request.replying_nodes
                              : 0;
        if (request.discovery == "identities")
            request.discovered = scenario_.requests[i].identities.size();
        if (request.discovery != "none")
            compare_with_discovered(request, tallies_[i]);
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
