// ActiveMQ 5.17's network of brokers: consumer advisories, demand subscriptions (conduit or
// not, with TTL and brokerPath checks, duplicate suppression and priorities), the standing
// demand of statically included destinations, topic and queue dispatch, replay of queue
// messages back along their path, and forwarding over bridges.
#include "simulation.hpp"

#include <algorithm>
#include <limits>

namespace brokersim::engine {

int Simulation::forward_stream(const Bridge& bridge) const
{
    const auto& connection = connections_[bridge.connection];
    return bridge.reverse ? connection.stream_back : connection.stream_out;
}

int Simulation::advisory_stream(const Bridge& bridge) const
{
    const auto& connection = connections_[bridge.connection];
    return bridge.reverse ? connection.stream_out : connection.stream_back;
}

DestinationIndex Simulation::intern(model::DestinationType type, const std::string& name)
{
    const auto [it, inserted] = destination_ids_.try_emplace(
        {type, name}, static_cast<DestinationIndex>(destinations_.size()));
    if (!inserted)
        return it->second;
    destinations_.push_back({type, name});

    // A statically included wildcard also covers destinations that appear later.
    const auto index = it->second;
    for (const int bridge : static_bridges_)
        add_static_demand(bridge, index);
    return index;
}

const model::PolicyEntry* Simulation::policy_for(BrokerIndex broker,
                                                 DestinationIndex destination) const
{
    const auto& dest = destinations_[destination];
    for (const auto& policy : brokers_[broker].policies)
        if (policy.destination.matches(dest))
            return &policy;
    return nullptr;
}

bool Simulation::audit_enabled(BrokerIndex broker, DestinationIndex destination) const
{
    // A subscription's duplicate audit is off unless a topic policy entry matches; the entry's
    // enableAudit then defaults to true.
    if (!destinations_[destination].is_topic())
        return false;
    const auto* policy = policy_for(broker, destination);
    return policy != nullptr && policy->enable_audit;
}

ConsumerIndex Simulation::add_consumer(Consumer consumer)
{
    const auto id = static_cast<ConsumerIndex>(consumers_.size());
    if (consumer.network_consumer_ids.empty())
        consumer.network_consumer_ids.insert(id);
    consumer.audit = audit_enabled(consumer.broker, consumer.destination);
    consumer.active = brokers_[consumer.broker].up;  // a crashed broker takes no consumers
    consumers_.push_back(std::move(consumer));
    const auto& added = consumers_.back();
    if (!added.active)
        return id;

    // Keep the list sorted by priority, highest first; a newcomer goes to the end of its band.
    auto& list = brokers_[added.broker].destinations[added.destination].consumers;
    const auto position = std::find_if(list.begin(), list.end(), [&](ConsumerIndex other) {
        return consumers_[other].priority < added.priority;
    });
    list.insert(position, id);

    announce(id, true);
    if (!destinations_[added.destination].is_topic())
        dispatch_pending(added.broker, added.destination);
    return id;
}

void Simulation::remove_consumer(ConsumerIndex id)
{
    auto& consumer = consumers_[id];
    if (!consumer.active)
        return;
    consumer.active = false;
    auto& list = brokers_[consumer.broker].destinations[consumer.destination].consumers;
    list.erase(std::remove(list.begin(), list.end(), id), list.end());
    announce(id, false);
}

void Simulation::announce(ConsumerIndex id, bool added)
{
    // The consumer advisory travels to every bridge that forwards towards this broker, over
    // the same connection the bridge uses, so it queues behind that connection's traffic.
    const auto broker = consumers_[id].broker;
    for (const int bridge_index : bridges_into_[broker]) {
        if (!connection_up(bridge_index))
            continue;
        const auto slot = static_cast<std::uint32_t>(advisories_.size());
        advisories_.push_back({added, bridge_index, id});
        const auto& bridge = bridges_[bridge_index];
        wan_->send(advisory_stream(bridge), kAdvisoryBytes, kAdvisoryItem | slot, now_s_);
    }
}

void Simulation::on_advisory(const Advisory& advisory)
{
    if (advisory.added)
        add_demand(advisory.bridge, advisory.consumer);
    else
        remove_demand(advisory.bridge, advisory.consumer);
}

bool Simulation::permissible(const model::Connector& config, DestinationIndex destination) const
{
    return config.carries(destinations_[destination]);
}

void Simulation::add_demand(int bridge_index, ConsumerIndex remote_id)
{
    const auto& bridge = bridges_[bridge_index];
    const auto& config = *bridge.config;
    const Consumer remote = consumers_[remote_id];  // copy: consumers_ may grow below
    if (!remote.active || !connection_up(bridge_index) || !brokers_[bridge.local].up)
        return;

    // The hop limit, the loop guard and the destination filters of the bridge.
    if (config.consumer_ttl > -1 && static_cast<int>(remote.path.size()) >= config.consumer_ttl)
        return;
    if (remote.path.contains(bridge.local))
        return;
    if (!permissible(config, remote.destination))
        return;

    const bool topic = destinations_[remote.destination].is_topic();
    const bool remote_is_network = remote.kind == ConsumerKind::Demand;
    if (config.conduit_subscriptions && !(remote_is_network && !topic)) {
        // Conduit: merge into this bridge's existing demand for the destination.
        bool merged = false;
        for (auto& candidate : consumers_) {
            if (!candidate.active || candidate.bridge != bridge_index ||
                candidate.destination != remote.destination)
                continue;
            if (!(candidate.statically_included || topic || !candidate.remote_is_network))
                continue;
            candidate.remote_consumers.insert(remote_id);
            candidate.network_consumer_ids.insert(remote.network_consumer_ids.begin(),
                                                  remote.network_consumer_ids.end());
            merged = true;
        }
        if (merged)
            return;
    }

    Consumer demand;
    demand.kind = ConsumerKind::Demand;
    demand.broker = bridge.local;
    demand.destination = remote.destination;
    demand.path = remote.path.plus(bridge.remote);
    demand.bridge = bridge_index;
    demand.remote_is_network = remote_is_network;
    demand.remote_consumers.insert(remote_id);
    demand.network_consumer_ids = remote.network_consumer_ids;
    demand.multiplicity = config.conduit_subscriptions ? 1 : remote.multiplicity;
    if (!config.conduit_subscriptions)
        demand.selector = remote.selector;  // a conduit subscription drops selectors
    if (config.decrease_network_consumer_priority) {
        const int hops = static_cast<int>(demand.path.size());
        demand.priority = config.consumer_priority_base - (hops > 1 ? hops + 1 : 0);
    } else {
        demand.priority = remote.priority;
    }

    // Duplicate subscription suppression: the same original consumer reached this broker by
    // another route; the lower priority loses, ties keep the existing one.
    const bool suppress = topic ? config.suppress_duplicate_topic_subscriptions
                                : config.suppress_duplicate_queue_subscriptions;
    if (suppress) {
        const auto list = brokers_[bridge.local].destinations[remote.destination].consumers;
        for (const auto existing_id : list) {
            const auto& existing = consumers_[existing_id];
            const bool shared = std::any_of(
                demand.network_consumer_ids.begin(), demand.network_consumer_ids.end(),
                [&](ConsumerIndex id) { return existing.network_consumer_ids.count(id) > 0; });
            if (!shared)
                continue;
            if (existing.priority >= demand.priority)
                return;
            remove_consumer(existing_id);
        }
    }
    add_consumer(std::move(demand));
}

void Simulation::remove_demand(int bridge_index, ConsumerIndex remote_id)
{
    for (ConsumerIndex id = 0; id < consumers_.size(); ++id) {
        auto& demand = consumers_[id];
        if (!demand.active || demand.bridge != bridge_index ||
            demand.remote_consumers.erase(remote_id) == 0)
            continue;
        if (demand.remote_consumers.empty() && !demand.statically_included)
            remove_consumer(id);
    }
}

// ActiveMQ's setupStaticDestinations: once a bridge is up, it subscribes on its local broker,
// on behalf of the remote broker, to each statically included destination, so their messages
// cross whether or not anything consumes them on the far side (queue messages wait there,
// topic messages without a subscriber are dropped there).
void Simulation::add_static_demand(int bridge_index)
{
    for (const auto& filter : bridges_[bridge_index].config->statically_included_destinations)
        if (filter.pattern.find_first_of("*>") == std::string::npos)
            intern(filter.type, filter.pattern);
    for (DestinationIndex destination = 0; destination < destinations_.size(); ++destination)
        add_static_demand(bridge_index, destination);
}

void Simulation::add_static_demand(int bridge_index, DestinationIndex destination)
{
    const auto& bridge = bridges_[bridge_index];
    const auto& config = *bridge.config;
    if (!connection_up(bridge_index) || !brokers_[bridge.local].up)
        return;
    const auto& dest = destinations_[destination];
    const auto& statics = config.statically_included_destinations;
    if (std::none_of(statics.begin(), statics.end(),
                     [&](const auto& filter) { return filter.matches(dest); }) ||
        !permissible(config, destination))
        return;

    // One standing subscription per destination and bridge, however many patterns match.
    for (const auto id : brokers_[bridge.local].destinations[destination].consumers)
        if (consumers_[id].bridge == bridge_index && consumers_[id].statically_included)
            return;

    // Its ConsumerInfo names the remote broker as the path: one hop, so the bridge's TTLs,
    // the loop guard and the priority decrease treat it like a consumer on the remote itself.
    Consumer demand;
    demand.kind = ConsumerKind::Demand;
    demand.broker = bridge.local;
    demand.destination = destination;
    demand.path = BrokerPath{}.plus(bridge.remote);
    demand.bridge = bridge_index;
    demand.remote_is_network = true;
    demand.statically_included = true;
    if (config.decrease_network_consumer_priority)
        demand.priority = config.consumer_priority_base;
    add_consumer(std::move(demand));
}

double Simulation::expires_s(const Message& message) const
{
    // JMS messages without a time to live never expire.
    if (model::is_plain(message.kind))
        return std::numeric_limits<double>::infinity();
    return message.msgtime_s + requests_[message.request].spec->ttl_s + kExpirySlack_s;
}

bool Simulation::accepts(const Consumer& consumer, const Copy& copy, double arrived_s) const
{
    if (consumer.selector.kind == Selector::Kind::Headers &&
        !headers_match(scenario_.consumers[consumer.selector.plain].selector,
                       messages_[copy.message]))
        return false;
    if (consumer.selector.kind == Selector::Kind::TargetInGroup) {
        const auto target = messages_[copy.message].target_node();
        const auto& group = nodes_->groups()[consumer.selector.group];
        if (target == model::kNone || target < group.first || target >= group.first + group.count)
            return false;
    }
    if (consumer.kind != ConsumerKind::Demand)
        return true;
    // The bridge's NetworkBridgeFilter: never back to a broker on the path unless the queue
    // replays, and at most messageTTL hops from the origin. A path that cannot grow any more
    // (a message replayed back and forth) ends here.
    const auto& bridge = bridges_[consumer.bridge];
    if (copy.path.size() == BrokerPath::kCapacity)
        return false;
    if (copy.path.contains(bridge.remote))
        return may_replay(consumer, copy, arrived_s);
    const int message_ttl = bridge.config->message_ttl;
    return message_ttl == -1 || static_cast<int>(copy.path.size()) < message_ttl;
}

// ActiveMQ's ConditionalNetworkBridgeFilter with replayWhenNoConsumers: a queue message may go
// back towards a broker it has passed when no consumer of this broker's own (any, or with
// selectorAware one that accepts it) is on the queue and it arrived more than replayDelay
// ago. The messageTTL is not checked for such a replay.
bool Simulation::may_replay(const Consumer& demand, const Copy& copy, double arrived_s) const
{
    const auto destination = messages_[copy.message].destination;
    if (destinations_[destination].is_topic())
        return false;
    const auto* policy = policy_for(demand.broker, destination);
    if (policy == nullptr || !policy->replay_when_no_consumers)
        return false;

    if (const auto* here = brokers_[demand.broker].destinations.find(destination))
        for (const auto id : here->consumers) {
            const auto& consumer = consumers_[id];
            if (consumer.kind == ConsumerKind::Demand)
                continue;
            if (!policy->selector_aware || accepts(consumer, copy, arrived_s))
                return false;
        }
    return policy->replay_delay_s == 0 || arrived_s + policy->replay_delay_s < now_s_;
}

bool Simulation::replay_delayed(BrokerIndex broker, DestinationIndex destination) const
{
    const auto* policy = policy_for(broker, destination);
    return policy != nullptr && policy->replay_when_no_consumers && policy->replay_delay_s > 0;
}

void Simulation::arrive(const Copy& received, BrokerIndex broker)
{
    auto& state = brokers_[broker];
    const auto& path = received.path;
    if (!state.up && path.size() > 0 &&
        !destinations_[messages_[received.message].destination].is_topic() &&
        brokers_[path[path.size() - 1]].up) {
        give_back(received);  // on the wire when its broker crashed: never confirmed
        return;
    }
    Copy copy = received;
    if (copy.unacked_by != model::kNone) {
        // This broker's response goes back over the connection and frees the bridge's slot.
        const auto& bridge = bridges_[consumers_[copy.unacked_by].bridge];
        const int back = advisory_stream(bridge);
        schedule(stream_lanes_[back].acks, now_s_ + wan_->stream_latency_s(back),
                 {LocalEvent::Kind::BridgeAck, copy.unacked_by, 0});
        copy.unacked_by = model::kNone;
    }
    // With a CPU cost, copies are dispatched in arrival order once the CPU gets to them.
    const auto& message = messages_[copy.message];
    const auto type = static_cast<std::size_t>(destinations_[message.destination].type);
    const double cost_s =
        state.cpu_s_per_message[type] + state.cpu_s_per_byte[type] * message.body_bytes;
    if (cost_s > 0 && state.up) {
        const double start_s = std::max(state.cpu_free_s, now_s_);
        state.cpu_free_s = start_s + cost_s;
        auto& arrival = add_event(model::TraceKind::Arrive, copy, broker);
        arrival.bytes = copy.wire_bytes;
        arrival.count = static_cast<std::uint32_t>(std::min(4e9, (start_s - now_s_) * 1e6));
        hold(copy, broker);
        schedule(state.cpu_lane, state.cpu_free_s,
                 {LocalEvent::Kind::BrokerDispatch, store_copy(copy), broker});
        return;
    }
    add_event(model::TraceKind::Arrive, copy, broker).bytes = copy.wire_bytes;
    dispatch_arrived(copy, broker);
}

void Simulation::dispatch_arrived(const Copy& copy, BrokerIndex broker)
{
    if (!brokers_[broker].up) {
        lose_copy(copy, broker, model::DropReason::BrokerDown);
        return;
    }
    // Expiry compares the sender's expires stamp with this broker's own clock.
    const auto& message = messages_[copy.message];
    if (now_s_ + brokers_[broker].clock_offset_s > expires_s(message)) {
        auto drop = event_for(model::TraceKind::Drop, copy, broker);
        drop.reason = model::DropReason::Expired;
        emit(drop);
        return;
    }
    if (destinations_[message.destination].is_topic()) {
        dispatch_topic(copy, broker);
        return;
    }

    // The queue tries its waiting messages again whenever one arrives; only a replay that
    // waits out its delay can have become possible since the last try. No timer wakes it.
    if (replay_delayed(broker, message.destination))
        dispatch_pending(broker, message.destination);
    if (!dispatch_queue(copy, broker, now_s_)) {
        brokers_[broker].destinations[message.destination].pending.push_back({copy, now_s_});
        hold(copy, broker);
        add_event(model::TraceKind::Pending, copy, broker);
    }
}

void Simulation::dispatch_topic(const Copy& copy, BrokerIndex broker)
{
    const auto destination = messages_[copy.message].destination;
    const auto list = brokers_[broker].destinations[destination].consumers;
    int taken = 0;
    int audited = 0;
    for (const auto id : list) {
        auto& consumer = consumers_[id];
        if (!accepts(consumer, copy, now_s_))
            continue;
        if (consumer.audit && !consumer.audited.insert(copy.message).second) {
            ++audited;
            continue;
        }
        ++taken;
        if (consumer.kind == ConsumerKind::Demand) {
            for (std::uint32_t i = 0; i < consumer.multiplicity; ++i)
                forward(copy, id);
        } else {
            hand_to_local(copy, id);
        }
    }
    if (taken == 0) {
        auto drop = event_for(model::TraceKind::Drop, copy, broker);
        drop.reason = audited > 0 ? model::DropReason::DuplicateAudit
                                  : model::DropReason::NoSubscription;
        emit(drop);
    }
}

void Simulation::rotate(BrokerDestination& destination, std::size_t position)
{
    // Round robin within a priority band: the consumer just used goes to the band's end.
    auto& list = destination.consumers;
    const int priority = consumers_[list[position]].priority;
    std::size_t band_end = position + 1;
    while (band_end < list.size() && consumers_[list[band_end]].priority == priority)
        ++band_end;
    std::rotate(list.begin() + static_cast<std::ptrdiff_t>(position),
                list.begin() + static_cast<std::ptrdiff_t>(position + 1),
                list.begin() + static_cast<std::ptrdiff_t>(band_end));
}

bool Simulation::dispatch_queue(const Copy& copy, BrokerIndex broker, double arrived_s)
{
    const auto destination_index = messages_[copy.message].destination;
    auto& destination = brokers_[broker].destinations[destination_index];
    for (std::size_t i = 0; i < destination.consumers.size(); ++i) {
        const auto id = destination.consumers[i];
        if (prefetch_full(consumers_[id]) || !accepts(consumers_[id], copy, arrived_s))
            continue;
        rotate(destination, i);
        if (consumers_[id].kind == ConsumerKind::Demand)
            forward(copy, id);
        else
            hand_to_local(copy, id);
        return true;
    }
    return false;
}

void Simulation::dispatch_pending(BrokerIndex broker, DestinationIndex destination_index)
{
    auto& pending = brokers_[broker].destinations[destination_index].pending;
    std::deque<PendingCopy> still_waiting;
    while (!pending.empty()) {
        const PendingCopy waiting = pending.front();
        pending.pop_front();
        if (dispatch_queue(waiting.copy, broker, waiting.since_s)) {
            emit(event_for(model::TraceKind::Unqueued, waiting.copy, broker));
            release(waiting.copy, broker);
        } else {
            still_waiting.push_back(waiting);
        }
    }
    brokers_[broker].destinations[destination_index].pending = std::move(still_waiting);
}

void Simulation::forward(const Copy& copy, ConsumerIndex demand_id)
{
    auto& demand = consumers_[demand_id];
    const auto& bridge = bridges_[demand.bridge];
    const auto& connection = connections_[bridge.connection];
    const auto bytes = messages_[copy.message].body_bytes + connection.framing_bytes;
    Copy sent{copy.message, copy.path.plus(bridge.local), bytes};
    if (!destinations_[messages_[copy.message].destination].is_topic()) {
        ++demand.unacked;
        sent.unacked_by = demand_id;
    }

    auto& event = add_event(model::TraceKind::Forward, copy, bridge.local);
    event.peer = bridge.remote;
    event.bytes = bytes;

    const auto slot = store_copy(sent);
    wan_->send(forward_stream(bridge), bytes,
               (static_cast<std::uint64_t>(bridge.remote) << 32) | slot, now_s_);
}

// A bridge's demand subscription takes at most prefetchSize queue messages without an
// acknowledgement. With alwaysSyncSend (ActiveMQ's default for bridges) the bridge acknowledges
// a message to its local broker once the remote broker's response comes back, so a full window
// lets a queue send no more than prefetchSize messages per round trip over that bridge; the
// queue meanwhile dispatches to its other consumers, or keeps the messages waiting. Topic
// messages are not held back here.
bool Simulation::prefetch_full(const Consumer& consumer) const
{
    return consumer.kind == ConsumerKind::Demand &&
           consumer.unacked >= static_cast<std::uint32_t>(bridges_[consumer.bridge].config->prefetch_size);
}

void Simulation::bridge_ack(ConsumerIndex demand_id)
{
    auto& demand = consumers_[demand_id];
    if (!demand.active || demand.unacked == 0)
        return;  // the bridge went down meanwhile: its subscription is gone
    const bool was_full = prefetch_full(demand);
    --demand.unacked;
    if (was_full)
        dispatch_one_pending(demand.broker, demand.destination);
}

// One prefetch slot came free: the first waiting message that can now go, goes.
void Simulation::dispatch_one_pending(BrokerIndex broker, DestinationIndex destination_index)
{
    auto& pending = brokers_[broker].destinations[destination_index].pending;
    for (auto it = pending.begin(); it != pending.end(); ++it) {
        if (!dispatch_queue(it->copy, broker, it->since_s))
            continue;
        const Copy copy = it->copy;
        if (it == pending.begin())
            pending.pop_front();  // the usual case, and far cheaper than erase
        else
            pending.erase(it);
        add_event(model::TraceKind::Unqueued, copy, broker);
        release(copy, broker);
        return;
    }
}

}  // namespace brokersim::engine
