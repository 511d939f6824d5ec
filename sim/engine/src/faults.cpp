// Scheduled faults and what the real systems do about them.
//
// A broker crash loses everything it held (MCollective traffic is not persistent) and closes
// its connections: peers notice at once, remove the demand the lost bridges held (advisories
// tell the rest of the network), and the connector's broker redials with back-off (1 s,
// doubling, at most 30 s). Nodes notice too and walk their failover pool with the stomp gem's
// back-off (0.01 s, doubling, at most 30 s, never reset); on connecting they subscribe again.
// A restarted broker is empty; it dials its own connectors at once.
//
// A broker whose host vanishes (broker_lost) closes nothing: its connections go silent, peers
// give up on them after the inactivity timeout, and nodes notice only through STOMP heartbeats
// (two missed), or never when heartbeats are off.
//
// A link that goes down silences the connections routed over it: TCP holds what is sent, and
// only after OpenWire's inactivity timeout (30 s) is the connection declared dead. A link that
// comes back before then resumes as if nothing happened.
//
// When a connection is lost, the queue messages its bridges had sent but the remote broker had
// not confirmed go back to their queue on the forwarding broker; topic messages are lost.
#include "simulation.hpp"

#include <algorithm>

namespace brokersim::engine {

namespace {

constexpr double kInactivityTimeout_s = 30.0;  // OpenWire maxInactivityDuration
constexpr double kMaxReconnectDelay_s = 30.0;

}  // namespace

void Simulation::schedule_faults()
{
    link_up_.assign(scenario_.links.size(), true);
    for (const auto& link : scenario_.links)
        link_latency_s_.push_back(link.latency_s);
    for (std::size_t i = 0; i < scenario_.faults.size(); ++i)
        schedule(scenario_.faults[i].at_s,
                 {LocalEvent::Kind::Fault, static_cast<std::uint32_t>(i), 0});

    for (const auto& group : nodes_->groups()) {
        NodeGroupLink link;
        link.pool.push_back(group.broker);
        for (const auto& name : group.group->failover)
            link.pool.push_back(broker_index(name));
        group_links_.push_back(std::move(link));
    }
}

void Simulation::apply_fault(std::uint32_t index)
{
    const auto& fault = scenario_.faults[index];
    model::TraceEvent event;
    event.kind = model::TraceKind::Fault;
    event.count = index;
    emit(event);

    const auto link_between = [&](const std::string& a, const std::string& b) {
        for (std::size_t i = 0; i < scenario_.links.size(); ++i) {
            const auto& link = scenario_.links[i];
            if ((link.a == a && link.b == b) || (link.a == b && link.b == a))
                return static_cast<int>(i);
        }
        return -1;
    };
    using Kind = model::Fault::Kind;
    switch (fault.kind) {
    case Kind::BrokerDown:
    case Kind::BrokerLost:
        broker_down(broker_index(fault.target), fault.kind == Kind::BrokerLost);
        break;
    case Kind::BrokerUp:
        broker_up(broker_index(fault.target));
        break;
    case Kind::LinkDown:
    case Kind::LinkUp:
        set_link(link_between(fault.target, fault.target2), fault.kind == Kind::LinkUp);
        break;
    case Kind::LinkLatency: {
        const int link = link_between(fault.target, fault.target2);
        wan_->add_link_latency(link, fault.latency_s - link_latency_s_[link]);
        link_latency_s_[link] = fault.latency_s;
        break;
    }
    case Kind::Partition:
    case Kind::Heal:
        for (std::size_t i = 0; i < scenario_.links.size(); ++i) {
            const auto& link = scenario_.links[i];
            if (link.a == fault.target || link.b == fault.target)
                set_link(static_cast<int>(i), fault.kind == Kind::Heal);
        }
        break;
    }
}

void Simulation::lose_copy(const Copy& copy, BrokerIndex broker, model::DropReason reason)
{
    auto drop = event_for(model::TraceKind::Drop, copy, broker);
    drop.reason = reason;
    emit(drop);
}

void Simulation::broker_down(BrokerIndex index, bool silently)
{
    auto& broker = brokers_[index];
    if (!broker.up)
        return;
    broker.up = false;

    // Everything it held is gone; its consumers vanish without advisories.
    broker.destinations.for_each([&](DestinationIndex, BrokerDestination& state) {
        for (const auto& pending : state.pending) {
            lose_copy(pending.copy, index, model::DropReason::BrokerDown);
            release(pending.copy, index);
        }
        for (const auto id : state.consumers)
            consumers_[id].active = false;
    });
    broker.destinations.clear();

    for (std::size_t c = 0; c < connections_.size(); ++c) {
        const auto& connection = connections_[c];
        if (!connection.up || (connection.dialer != index && connection.dialed != index))
            continue;
        if (!silently) {
            lose_connection(static_cast<int>(c));
            continue;
        }
        wan_->pause(connection.stream_out, true);
        wan_->pause(connection.stream_back, true);
        schedule(now_s_ + kInactivityTimeout_s, {LocalEvent::Kind::ConnectionLost,
                                                 static_cast<std::uint32_t>(c), connection.epoch});
    }
    for (std::size_t g = 0; g < group_links_.size(); ++g) {
        const auto& link = group_links_[g];
        if (!link.connected || link.pool[link.current] != index)
            continue;
        const double heartbeat_s = nodes_->groups()[g].group->heartbeat_interval_s;
        if (!silently)
            node_group_lost(static_cast<int>(g));
        else if (heartbeat_s > 0)
            schedule(now_s_ + 2 * heartbeat_s, {LocalEvent::Kind::NodeHeartbeatLost,
                                                static_cast<std::uint32_t>(g), index});
    }
}

void Simulation::broker_up(BrokerIndex index)
{
    auto& broker = brokers_[index];
    if (broker.up)
        return;
    broker.up = true;
    broker.nic_in_free_s = broker.nic_out_free_s = now_s_;

    // A restarted broker dials its own network connectors straight away.
    for (std::size_t c = 0; c < connections_.size(); ++c)
        if (connections_[c].dialer == index && !connections_[c].up)
            try_reconnect(static_cast<int>(c));
}

bool Simulation::route_up(int index) const
{
    const auto& links = wan_->route_links(connections_[index].stream_out);
    return std::all_of(links.begin(), links.end(), [&](int link) { return link_up_[link]; });
}

void Simulation::set_link(int link, bool up)
{
    if (link < 0 || link_up_[link] == up)
        return;
    link_up_[link] = up;
    for (std::size_t c = 0; c < connections_.size(); ++c) {
        auto& connection = connections_[c];
        const auto& links = wan_->route_links(connection.stream_out);
        if (std::find(links.begin(), links.end(), link) == links.end() || !connection.up)
            continue;
        const bool open = route_up(static_cast<int>(c));
        wan_->pause(connection.stream_out, !open);
        wan_->pause(connection.stream_back, !open);
        if (!open)
            schedule(now_s_ + kInactivityTimeout_s, {LocalEvent::Kind::ConnectionLost,
                                                     static_cast<std::uint32_t>(c),
                                                     connection.epoch});
    }
}

void Simulation::lose_connection(int index)
{
    auto& connection = connections_[index];
    connection.up = false;
    ++connection.epoch;

    model::TraceEvent event;
    event.kind = model::TraceKind::BridgeDown;
    event.broker = connection.dialer;
    event.peer = connection.dialed;
    event.count = static_cast<std::uint32_t>(index);  // connections follow the connectors
    emit(event);

    // What was queued on the connection never reached the far side; what is in flight
    // arrives lost, and is given back then.
    std::vector<Copy> unconfirmed;
    for (const int stream : {connection.stream_out, connection.stream_back}) {
        wan_->pause(stream, false);
        for (const auto item : wan_->reset(stream))
            if ((item & kAdvisoryItem) == 0)
                unconfirmed.push_back(take_copy(static_cast<std::uint32_t>(item & 0xffffffffu)));
    }

    // The bridges' demand subscriptions go, and advisories tell the rest of the network.
    for (const int bridge : connection.bridges)
        for (ConsumerIndex id = 0; id < consumers_.size(); ++id)
            if (consumers_[id].active && consumers_[id].bridge == bridge)
                remove_consumer(id);

    for (const auto& copy : unconfirmed)
        give_back(copy);
    schedule_reconnect(index);
}

// A copy a bridge sent that the remote broker never confirmed. With alwaysSyncSend, ActiveMQ's
// default, the forwarding broker acknowledges a message only when the remote's response comes
// back, so once the connection is gone a queue copy is redelivered there to another consumer
// (or waits for one); a topic copy is lost, and so is any copy whose forwarding broker has
// crashed. The copy shows as arriving back at that broker.
void Simulation::give_back(const Copy& sent)
{
    const auto source = sent.path[sent.path.size() - 1];
    if (destinations_[messages_[sent.message].destination].is_topic() || !brokers_[source].up) {
        lose_copy(sent, source, model::DropReason::LostInFlight);
        return;
    }
    emit(event_for(model::TraceKind::Arrive, sent, source));

    Copy copy{sent.message, {}, sent.wire_bytes};
    for (std::size_t i = 0; i + 1 < sent.path.size(); ++i)
        copy.path = copy.path.plus(sent.path[i]);
    dispatch_arrived(copy, source);
}

void Simulation::schedule_reconnect(int index)
{
    auto& connection = connections_[index];
    if (connection.reconnect_scheduled || !brokers_[connection.dialer].up)
        return;
    connection.reconnect_scheduled = true;
    schedule_retry(now_s_ + connection.reconnect_delay_s,
                   {LocalEvent::Kind::Reconnect, static_cast<std::uint32_t>(index), 0});
    connection.reconnect_delay_s = std::min(kMaxReconnectDelay_s,
                                            connection.reconnect_delay_s * 2);
}

void Simulation::try_reconnect(int index)
{
    auto& connection = connections_[index];
    connection.reconnect_scheduled = false;
    if (connection.up || !brokers_[connection.dialer].up)
        return;
    if (brokers_[connection.dialed].up && route_up(index))
        establish(index);
    else
        schedule_reconnect(index);
}

void Simulation::establish(int index)
{
    auto& connection = connections_[index];
    connection.up = true;
    connection.reconnect_delay_s = 1.0;

    model::TraceEvent event;
    event.kind = model::TraceKind::BridgeUp;
    event.broker = connection.dialer;
    event.peer = connection.dialed;
    event.count = static_cast<std::uint32_t>(index);
    emit(event);

    // The static subscriptions are back at once; each side learns the other's current
    // consumers, as a new advisory subscriber does.
    for (const int bridge_index : connection.bridges)
        add_static_demand(bridge_index);  // nothing for a bridge without static includes
    for (const int bridge_index : connection.bridges) {
        const auto& bridge = bridges_[bridge_index];
        brokers_[bridge.remote].destinations.for_each(
            [&](DestinationIndex, BrokerDestination& state) {
                for (const auto id : state.consumers) {
                    const auto slot = static_cast<std::uint32_t>(advisories_.size());
                    advisories_.push_back({true, bridge_index, id});
                    wan_->send(advisory_stream(bridge), kAdvisoryBytes, kAdvisoryItem | slot,
                               now_s_);
                }
            });
    }
}

void Simulation::node_group_lost(int group)
{
    auto& link = group_links_[group];
    link.connected = false;
    link.current = (link.current + 1) % link.pool.size();
    schedule_retry(now_s_ + link.reconnect_delay_s,
                   {LocalEvent::Kind::NodeReconnect, static_cast<std::uint32_t>(group), 0});
    link.reconnect_delay_s = std::min(kMaxReconnectDelay_s, link.reconnect_delay_s * 2);
}

void Simulation::try_node_reconnect(int group)
{
    auto& link = group_links_[group];
    const auto broker = link.pool[link.current];
    if (!brokers_[broker].up) {
        node_group_lost(group);  // try the next broker of the pool, after a longer wait
        return;
    }
    link.connected = true;
    nodes_->move_group(group, broker);
    subscribe_group(group);

    model::TraceEvent event;
    event.kind = model::TraceKind::Failover;
    event.broker = broker;
    event.count = static_cast<std::uint32_t>(group);
    emit(event);
}

}  // namespace brokersim::engine
