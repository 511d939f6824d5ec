// Builds a Simulation from a scenario and runs it on SimGrid.
#include "brokersim/engine/engine.hpp"

#include "simulation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace brokersim::engine {

Simulation::Simulation(const model::Scenario& scenario, model::TraceSink& sink,
                       const RunOptions& options)
    : scenario_(scenario), sink_(sink), topology_(scenario), quantum_s_(options.time_quantum_s)
{
    topology_.check_connectors();
    build_brokers();

    std::vector<int> broker_datacenter;
    for (const auto& broker : brokers_)
        broker_datacenter.push_back(broker.datacenter);
    wan_ = std::make_unique<Wan>(scenario, topology_, broker_datacenter, options.quiet_simgrid);

    std::vector<BrokerIndex> group_brokers;
    for (const auto& group : scenario.node_groups) {
        const auto* broker = scenario.find_broker(group.broker);
        group_brokers.push_back(static_cast<BrokerIndex>(broker - scenario.brokers.data()));
    }
    nodes_ = std::make_unique<NodeTable>(scenario, group_brokers);

    build_bridges();

    for (const auto& producer : scenario.producers)
        producer_properties_bytes_.push_back(model::marshalled_properties_bytes(producer.headers));
}

namespace {

// Keep-alives take their share of the broker's CPU first and messages get the rest, so each
// message's CPU time stretches by 1 / (1 - share): worked out here once, not per message.
void apply_broker_load(BrokerState& state, const model::Broker& broker,
                       const model::BrokerLoad& load)
{
    const double share = load.keepalive_cpu_fraction;
    if (share > model::kMostKeepaliveShare)
        throw model::InputError(broker.pos,
                                fmt::format("broker '{}' would spend {:.1f} % of its CPU on "
                                            "keep-alives for {} connections, more than {:.0f} %; "
                                            "lower keepalive_cpu_us or raise the heartbeat "
                                            "interval",
                                            broker.name, std::min(share, 9.999e6) * 100,
                                            load.connections, model::kMostKeepaliveShare * 100));
    for (std::size_t type = 0; type < 2; ++type) {
        state.cpu_s_per_message[type] = broker.cpu_s_per_message[type] / (1 - share);
        state.cpu_s_per_byte[type] = broker.cpu_s_per_byte[type] / (1 - share);
    }
    state.memory_limit_bytes = load.memory_limit_bytes;
    state.message_overhead_bytes = broker.message_overhead_bytes;
}

}  // namespace

void Simulation::build_brokers()
{
    if (scenario_.brokers.size() > std::numeric_limits<BrokerIndex>::max())
        throw model::InputError(scenario_.brokers.back().pos, "too many brokers");
    const auto loads = model::broker_loads(scenario_);
    for (std::size_t b = 0; b < scenario_.brokers.size(); ++b) {
        const auto& broker = scenario_.brokers[b];
        BrokerState state;
        state.name = broker.name;
        state.datacenter = topology_.datacenter_index(broker.datacenter);
        const auto& datacenter = scenario_.datacenters[state.datacenter];
        state.lan_latency_s = datacenter.lan_latency_s;
        state.lan_bandwidth_Bps = datacenter.lan_bandwidth_bps / 8.0;
        state.policies = broker.policies;
        state.clock_offset_s = broker.clock_offset_s;
        apply_broker_load(state, broker, loads[b]);
        state.lan_in_lane = events_.add_lane();
        state.lan_out_lane = events_.add_lane();
        state.cpu_lane = events_.add_lane();
        brokers_.push_back(std::move(state));
    }
    bridges_into_.resize(brokers_.size());
}

void Simulation::build_bridges()
{
    const auto broker_index = [&](const std::string& name) {
        return static_cast<BrokerIndex>(scenario_.find_broker(name) - scenario_.brokers.data());
    };
    for (const auto& connector : scenario_.connectors) {
        const auto on = broker_index(connector.on);
        const auto to = broker_index(connector.to);

        // One OpenWire connection, two serial streams; TLS framing when the first WAN link
        // on the way is an SSL transport.
        Connection connection;
        connection.dialer = on;
        connection.dialed = to;
        connection.stream_out = wan_->open_stream(on, to);
        connection.stream_back = wan_->open_stream(to, on);
        stream_lanes_.resize(static_cast<std::size_t>(connection.stream_back) + 1);
        for (const int stream : {connection.stream_out, connection.stream_back}) {
            stream_lanes_[stream].arrivals = events_.add_lane();
            stream_lanes_[stream].acks = events_.add_lane();
        }
        connection.framing_bytes = kOpenWireFramingBytes;
        const auto route = topology_.route(brokers_[on].datacenter, brokers_[to].datacenter);
        if (route && !route->empty() &&
            scenario_.links[route->front().link].transport == model::Transport::Ssl)
            connection.framing_bytes += kSslFramingBytes;
        const int connection_index = static_cast<int>(connections_.size());
        connections_.push_back(connection);

        const auto add_bridge = [&](BrokerIndex local, BrokerIndex remote, bool reverse) {
            bridges_.push_back({&connector, local, remote, connection_index, reverse});
            const int index = static_cast<int>(bridges_.size() - 1);
            bridges_into_[remote].push_back(index);
            connections_[connection_index].bridges.push_back(index);
        };
        add_bridge(on, to, false);
        if (connector.duplex)
            add_bridge(to, on, true);  // built by the remote from this connector's settings
    }
    for (std::size_t b = 0; b < bridges_.size(); ++b)
        if (!bridges_[b].config->statically_included_destinations.empty())
            static_bridges_.push_back(static_cast<int>(b));
}

void Simulation::subscribe_nodes()
{
    for (std::size_t g = 0; g < nodes_->groups().size(); ++g)
        subscribe_group(static_cast<int>(g));
}

void Simulation::subscribe_group(int group_index)
{
    // Every node subscribes to each of its agents' topics in each of its collectives; the
    // nodes of a group subscribe identically, so one consumer stands for all of them.
    const auto& group = nodes_->groups()[group_index];
    {
        for (const auto& collective : group.group->collectives) {
            for (const auto& agent : group.agents) {
                Consumer consumer;
                consumer.kind = ConsumerKind::NodeGroup;
                consumer.broker = group.broker;
                consumer.destination = intern(model::DestinationType::Topic,
                                              fmt::format("{}.{}.agent", collective, agent));
                consumer.multiplicity = group.count;
                consumer.group = group.group_index;
                add_consumer(std::move(consumer));
            }
            if (!group.group->direct_addressing)
                continue;
            // The nodes queue, each node with selector mc_identity = '<its identity>'.
            Consumer direct;
            direct.kind = ConsumerKind::NodeGroup;
            direct.broker = group.broker;
            direct.destination = intern(model::DestinationType::Queue,
                                        fmt::format("{}.nodes", collective));
            direct.selector = {Selector::Kind::TargetInGroup, group.group_index};
            direct.multiplicity = group.count;
            direct.group = group.group_index;
            add_consumer(std::move(direct));
        }
    }
}

model::RunInfo Simulation::run_info() const
{
    model::RunInfo info;
    for (const auto& broker : brokers_)
        info.brokers.push_back(broker.name);
    for (const auto& link : scenario_.links)
        info.links.push_back(fmt::format("{}<->{}", link.a, link.b));
    info.route = [this](BrokerIndex from, BrokerIndex to) {
        std::vector<std::pair<int, int>> hops;
        const auto route = topology_.route(brokers_[from].datacenter, brokers_[to].datacenter);
        if (route)
            for (const auto& hop : *route)
                hops.emplace_back(hop.link, hop.forward ? 1 : -1);
        return hops;
    };
    info.node_identity = [this](NodeIndex node) { return nodes_->identity(node); };
    info.find_node = [this](const std::string& identity) { return nodes_->find(identity); };
    info.node_count = nodes_->size();
    for (const auto& request : scenario_.requests) {
        // Ground truth: the nodes that load the agent, are in the collective and match; or,
        // for a request naming identities, those that exist.
        std::uint64_t expected = 0;
        if (!request.identities.empty()) {
            for (const auto& identity : request.identities)
                expected += nodes_->find(identity) ? 1 : 0;
            info.expected_replies.push_back(expected);
            continue;
        }
        for (const auto& group : nodes_->groups()) {
            const auto& agents = group.agents;
            const auto& collectives = group.group->collectives;
            if (std::find(agents.begin(), agents.end(), request.agent) == agents.end() ||
                std::find(collectives.begin(), collectives.end(), request.collective) ==
                    collectives.end())
                continue;
            for (std::uint32_t i = 0; i < group.count; ++i)
                expected += nodes_->matches(request.filter, group.first + i) ? 1 : 0;
        }
        info.expected_replies.push_back(expected);
    }
    return info;
}

void Simulation::reserve_messages()
{
    // Every request, pong and reply is a Message kept for the whole run: a million of them for
    // ten requests to 100 k nodes. Room for as many as the scenario can make is taken at once
    // (pages untouched cost no memory); growing by doubling copied the vector each time and
    // made the system zero twice the pages it ends with. Capped at 16 M: beyond, it grows.
    constexpr std::uint64_t most = std::uint64_t{1} << 24;
    std::uint64_t expected = 0;
    for (const auto& request : scenario_.requests) {
        const std::uint64_t nodes =
            request.identities.empty() ? nodes_->size() : request.identities.size();
        // A ping, a pong per node, the request (once, or per node when addressed directly)
        // and a reply per node.
        expected += 2 + nodes * (request.discovery == model::Discovery::Mc ? 3 : 2);
    }
    for (const auto& producer : scenario_.producers)
        expected += static_cast<std::uint64_t>(producer.count) * (producer.reply_to ? 2 : 1);
    messages_.reserve(static_cast<std::size_t>(std::min(expected, most)));
}

double Simulation::retry_horizon_s() const
{
    // Twice the longest back-off (30 s) past the last thing the scenario does.
    double last_s = 0;
    for (const auto& fault : scenario_.faults)
        last_s = std::max(last_s, fault.at_s);
    for (const auto& request : scenario_.requests)
        last_s = std::max(last_s, request.at_s + request.discovery_timeout_s +
                                      request.timeout_s.value_or(
                                          scenario_.agent(request.agent).timeout_s +
                                          request.discovery_timeout_s));
    for (const auto& consumer : scenario_.consumers)
        last_s = std::max(last_s, consumer.at_s);
    for (const auto& producer : scenario_.producers)
        last_s = std::max(last_s, producer.at_s + producer.count * producer.interval_s);
    return last_s + 60.0;
}

std::uint32_t Simulation::store_copy(const Copy& copy)
{
    if (free_copy_slots_.empty()) {
        copy_slots_.push_back(copy);
        return static_cast<std::uint32_t>(copy_slots_.size() - 1);
    }
    const auto slot = free_copy_slots_.back();
    free_copy_slots_.pop_back();
    copy_slots_[slot] = copy;
    return slot;
}

Copy Simulation::take_copy(std::uint32_t slot)
{
    free_copy_slots_.push_back(slot);
    return copy_slots_[slot];
}

void Simulation::describe(model::TraceEvent& event, model::TraceKind kind, const Copy& copy,
                          BrokerIndex broker) const
{
    const auto& message = messages_[copy.message];
    event.time_s = now_s_;
    event.kind = kind;
    event.message_kind = message.kind;
    event.on_queue = !destinations_[message.destination].is_topic();
    event.message = copy.message;
    event.request = message.request;
    event.broker = broker;
    event.path = copy.path;
}

model::TraceEvent Simulation::event_for(model::TraceKind kind, const Copy& copy,
                                        BrokerIndex broker) const
{
    model::TraceEvent event;
    describe(event, kind, copy, broker);
    return event;
}

model::TraceEvent& Simulation::next_event()
{
    if (trace_batch_.size() == kTraceBatch)
        flush_trace();
    return trace_batch_.emplace_back();
}

model::TraceEvent& Simulation::add_event(model::TraceKind kind, const Copy& copy,
                                         BrokerIndex broker)
{
    auto& event = next_event();
    describe(event, kind, copy, broker);
    return event;
}

model::TraceEvent& Simulation::add_handover_event(model::TraceKind kind,
                                                  model::DropReason reason, const Copy& copy,
                                                  BrokerIndex broker)
{
    auto& event = add_event(kind, copy, broker);
    event.path = copy.path.plus(broker);
    event.reason = reason;
    return event;
}

void Simulation::emit(const model::TraceEvent& event)
{
    auto& sent = next_event();
    sent = event;
    sent.time_s = now_s_;
}

void Simulation::flush_trace()
{
    sink_.on_events(trace_batch_);
    trace_batch_.clear();
}

void Simulation::process(const LocalEvent& event)
{
    switch (event.kind) {
    case LocalEvent::Kind::BrokerArrive:
        arrive(take_copy(event.a), static_cast<BrokerIndex>(event.b));
        break;
    case LocalEvent::Kind::FanOut:
        fan_out_step(event.a);
        break;
    case LocalEvent::Kind::NodeReply:
        node_replies(event.a, event.b);
        break;
    case LocalEvent::Kind::ClientDeliver:
        client_receives(event.a, event.b);
        break;
    case LocalEvent::Kind::RequestStart:
        start_request(event.a);
        break;
    case LocalEvent::Kind::RequestEnd:
        end_request(event.a);
        break;
    case LocalEvent::Kind::Advisory:
        on_advisory(advisories_[event.a]);
        break;
    case LocalEvent::Kind::DiscoveryEnd:
        end_discovery(event.a);
        break;
    case LocalEvent::Kind::NodeDeliver:
        node_delivery(event.a, event.b);
        break;
    case LocalEvent::Kind::BrokerDispatch: {
        const auto copy = take_copy(event.a);
        release(copy, static_cast<BrokerIndex>(event.b));
        dispatch_arrived(copy, static_cast<BrokerIndex>(event.b));
        break;
    }
    case LocalEvent::Kind::Fault:
        apply_fault(event.a);
        break;
    case LocalEvent::Kind::ConnectionLost: {
        const auto& connection = connections_[event.a];
        const bool silent = !route_up(static_cast<int>(event.a)) ||
                            !brokers_[connection.dialer].up || !brokers_[connection.dialed].up;
        if (connection.up && connection.epoch == event.b && silent)
            lose_connection(static_cast<int>(event.a));
        break;
    }
    case LocalEvent::Kind::NodeHeartbeatLost: {
        const auto& link = group_links_[event.a];
        if (link.connected && link.pool[link.current] == event.b && !brokers_[event.b].up)
            node_group_lost(static_cast<int>(event.a));
        break;
    }
    case LocalEvent::Kind::Reconnect:
        --retries_pending_;
        try_reconnect(static_cast<int>(event.a));
        break;
    case LocalEvent::Kind::NodeReconnect:
        --retries_pending_;
        try_node_reconnect(static_cast<int>(event.a));
        break;
    case LocalEvent::Kind::PlainSubscribe:
        plain_subscribe(static_cast<int>(event.a));
        break;
    case LocalEvent::Kind::ProducerSend:
        producer_send(static_cast<int>(event.a), event.b);
        break;
    case LocalEvent::Kind::PlainDeliver:
        plain_receives(event.a, event.b);
        break;
    case LocalEvent::Kind::BridgeAck:
        bridge_ack(event.a);
        break;
    }
}

void Simulation::run()
{
    // The bridges are up from the start, and their static subscriptions come first.
    for (const int bridge : static_bridges_)
        add_static_demand(bridge);

    for (std::size_t i = 0; i < scenario_.requests.size(); ++i) {
        const auto& spec = scenario_.requests[i];
        const auto* client = scenario_.find_client(spec.client);
        const auto agent = scenario_.agent(spec.agent);

        RequestState request;
        request.spec = &spec;
        request.client = static_cast<int>(client - scenario_.clients.data());
        request.broker = static_cast<BrokerIndex>(scenario_.find_broker(client->broker) -
                                                  scenario_.brokers.data());
        const auto& collective = spec.collective;
        request.topic = intern(model::DestinationType::Topic,
                               fmt::format("{}.{}.agent", collective, spec.agent));
        request.discovery_topic = intern(model::DestinationType::Topic,
                                         fmt::format("{}.discovery.agent", collective));
        request.nodes_queue = intern(model::DestinationType::Queue,
                                     fmt::format("{}.nodes", collective));
        // <collective>.reply.<identity>_<pid>.<seq>: one process per client, and a fresh
        // sequence number for discovery and for the request itself.
        const auto reply_queue = [&](std::size_t seq) {
            return intern(model::DestinationType::Queue,
                          fmt::format("{}.reply.{}_{}.{}", collective, client->identity,
                                      1000 + request.client, seq));
        };
        request.discovery_reply_queue = reply_queue(2 * i);
        request.reply_queue = reply_queue(2 * i + 1);
        request.agent_timeout_s = agent.timeout_s;
        request.run_min_s = agent.run_time_min_s;
        request.run_max_s = agent.run_time_max_s;
        request.reply_bytes = static_cast<std::uint32_t>(agent.reply_bytes);
        requests_.push_back(std::move(request));
        schedule(spec.at_s, {LocalEvent::Kind::RequestStart, static_cast<std::uint32_t>(i), 0});
    }

    reserve_messages();
    schedule_plain_workload();
    schedule_faults();
    retry_horizon_s_ = retry_horizon_s();
    trace_batch_.reserve(kTraceBatch);
    sink_.on_start(run_info());
    subscribe_nodes();

    const auto next_local = [this] {
        const bool give_up = events_.empty() || (events_.size() == retries_pending_ &&
                                                 events_.next_time_s() > retry_horizon_s_);
        return give_up ? std::numeric_limits<double>::infinity() : events_.next_time_s();
    };
    const auto process_due = [this](double until_s) {
        double time_s = 0;
        LocalEvent event{};
        while (events_.pop_due(until_s, time_s, event)) {
            now_s_ = std::max(now_s_, time_s);
            process(event);
        }
        return now_s_;
    };
    const auto arrived = [this](double at_s, int stream, std::uint64_t item, bool lost) {
        const bool advisory = (item & kAdvisoryItem) != 0;
        if (lost) {
            if (!advisory)
                give_back(take_copy(static_cast<std::uint32_t>(item & 0xffffffffu)));
            return;
        }
        if (advisory)
            schedule(stream_lanes_[stream].arrivals, at_s, {LocalEvent::Kind::Advisory,
                            static_cast<std::uint32_t>(item & 0xffffffffu), 0});
        else
            schedule(stream_lanes_[stream].arrivals, at_s, {LocalEvent::Kind::BrokerArrive,
                            static_cast<std::uint32_t>(item & 0xffffffffu),
                            static_cast<std::uint32_t>((item >> 32) & 0xffffu)});
    };
    wan_->run(quantum_s_, next_local, process_due, arrived);

    // What is still waiting on a queue at the end is stranded there.
    for (BrokerIndex b = 0; b < brokers_.size(); ++b)
        brokers_[b].destinations.for_each([&](DestinationIndex, BrokerDestination& state) {
            for (const auto& [copy, since_s] : state.pending) {
                auto event = event_for(model::TraceKind::Drop, copy, b);
                event.reason = model::DropReason::Stranded;
                emit(event);
            }
        });
    emit_memory_peaks();
    flush_trace();
    sink_.on_finish(now_s_);
}

void run(const model::Scenario& scenario, model::TraceSink& sink, const RunOptions& options)
{
    Simulation simulation(scenario, sink, options);
    simulation.run();
}

}  // namespace brokersim::engine
