// The simulation state: brokers with their destinations and consumers, network bridges with
// their demand subscriptions, MCollective nodes and clients. One instance per run.
//
// broker_network.cpp holds ActiveMQ's behaviour (advisories, demand, dispatch, forwarding);
// mcollective.cpp holds the clients' and nodes' behaviour; engine.cpp wires them to SimGrid.
#pragma once

#include "brokersim/engine/event_queue.hpp"
#include "node_table.hpp"
#include "wan.hpp"

#include "brokersim/engine/engine.hpp"
#include "brokersim/model/broker_load.hpp"
#include "brokersim/model/scenario.hpp"
#include "brokersim/model/topology.hpp"
#include "brokersim/model/trace.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace brokersim::engine {

using model::BrokerIndex;
using model::BrokerPath;
using model::MessageIndex;
using model::NodeIndex;
using DestinationIndex = std::uint32_t;
using ConsumerIndex = std::uint32_t;

// Per-message framing on a bridge: OpenWire command and message headers, plus TLS records on
// SSL transports. Modelling assumptions, not measurements.
inline constexpr std::uint32_t kOpenWireFramingBytes = 150;
inline constexpr std::uint32_t kSslFramingBytes = 40;
inline constexpr std::uint32_t kAdvisoryBytes = 350;
// STOMP framing between a broker and its nodes or clients.
inline constexpr std::uint32_t kStompFramingBytes = 120;
// Items on a Wan stream: a copy slot (with its target broker above bit 32) or, with this bit,
// an advisory slot.
inline constexpr std::uint64_t kAdvisoryItem = 1ULL << 63;
// MCollective: expires = msgtime + ttl + 10 s.
inline constexpr double kExpirySlack_s = 10.0;

// The immutable part of a message, shared by all its copies.
struct Message
{
    double msgtime_s = 0;  // the sender's clock when it sent the message
    DestinationIndex destination = 0;
    std::uint32_t request = model::kNone;
    NodeIndex sender_node = model::kNone;  // replies
    // Direct requests: the target node (the mc_identity header); plain messages: the producer
    // whose headers and reply-to they carry. One field, as a message is never both.
    std::uint32_t addressee = model::kNone;
    std::uint32_t body_bytes = 0;
    model::MessageKind kind = model::MessageKind::Request;

    NodeIndex target_node() const
    {
        return kind == model::MessageKind::Request ? addressee : model::kNone;
    }
    std::uint32_t producer() const
    {
        return kind == model::MessageKind::Plain ? addressee : model::kNone;
    }
};

// What a subscription's selector lets through. MCollective's only selector is the nodes
// queue's `mc_identity = '<identity>'`; a node group's subscriptions are kept together, so
// their selector is "the target is one of this group's nodes".
struct Selector
{
    enum class Kind : std::uint8_t
    {
        None,
        TargetInGroup,  // group: the node group
        Headers,        // plain: the scenario consumer whose HeaderSelector applies
    };
    Kind kind = Kind::None;
    int group = -1;
    int plain = -1;
};

struct Copy
{
    MessageIndex message = 0;
    BrokerPath path;
    std::uint32_t wire_bytes = 0;  // what the last bridge hop carried, framing included
    // A queue copy on its way over a bridge: the demand subscription it was dispatched to,
    // whose prefetch slot it holds until the remote broker's response comes back.
    ConsumerIndex unacked_by = model::kNone;
};

enum class ConsumerKind : std::uint8_t
{
    NodeGroup,  // the subscriptions of one node group's nodes (identical, so kept as one)
    Client,     // an MCollective client's reply-queue subscription
    Plain,      // a plain messaging consumer of the scenario
    Demand,     // a bridge's demand subscription on its local broker
};

struct Consumer
{
    ConsumerKind kind = ConsumerKind::Client;
    bool active = true;
    BrokerIndex broker = 0;
    DestinationIndex destination = 0;
    int priority = 0;
    Selector selector;
    std::uint32_t multiplicity = 1;  // identical remote consumers this one stands for
    BrokerPath path;                 // the ConsumerInfo's brokerPath
    std::set<ConsumerIndex> network_consumer_ids;  // the original consumers behind it
    // Demand subscriptions only.
    int bridge = -1;
    bool remote_is_network = false;
    // A statically included destination's standing demand: made when the bridge starts, kept
    // while it is up whatever the remote's consumers do, and joined by them when conduit.
    bool statically_included = false;
    // Queue copies dispatched to it and not yet acknowledged: at the bridge's prefetchSize it
    // is full and the queue dispatches past it.
    std::uint32_t unacked = 0;
    std::set<ConsumerIndex> remote_consumers;
    // NodeGroup: which group; Client: which request's client; Plain: which consumer.
    int group = -1;
    int plain = -1;
    std::uint32_t request = model::kNone;
    bool audit = false;
    std::unordered_set<MessageIndex> audited;
};

// A queue copy waiting at a broker for a consumer, since it arrived there.
struct PendingCopy
{
    Copy copy;
    double since_s = 0;
};

struct BrokerDestination
{
    std::vector<ConsumerIndex> consumers;  // queues: priority order, rotation within a band
    std::deque<PendingCopy> pending;       // queue copies waiting for a consumer
};

// A broker's destinations by DestinationIndex, each made the first time it is used there: an
// index lookup on every dispatch, where a tree cost a descent. Slots never move, so a reference
// stays good while others are made; visiting goes in destination order (deterministic).
class BrokerDestinations
{
public:
    BrokerDestination& operator[](DestinationIndex destination)
    {
        if (destination >= slot_of_.size())
            slot_of_.resize(destination + 1, kAbsent);
        auto& slot = slot_of_[destination];
        if (slot == kAbsent) {
            slot = static_cast<std::uint32_t>(slots_.size());
            slots_.emplace_back();
        }
        return slots_[slot];
    }
    const BrokerDestination* find(DestinationIndex destination) const
    {
        if (destination >= slot_of_.size() || slot_of_[destination] == kAbsent)
            return nullptr;
        return &slots_[slot_of_[destination]];
    }
    // visit(DestinationIndex, BrokerDestination&) for each destination used here.
    template <typename Visit>
    void for_each(Visit&& visit)
    {
        for (DestinationIndex d = 0; d < slot_of_.size(); ++d)
            if (slot_of_[d] != kAbsent)
                visit(d, slots_[slot_of_[d]]);
    }
    void clear()
    {
        slot_of_.clear();
        slots_.clear();
    }

private:
    static constexpr std::uint32_t kAbsent = 0xffffffffu;
    std::vector<std::uint32_t> slot_of_;
    std::deque<BrokerDestination> slots_;
};

// A plain producer's send held by producer flow control until memory frees.
struct StalledSend
{
    int producer = 0;
    std::uint32_t number = 0;  // the message's number within the producer
    DestinationIndex destination = 0;
};

struct BrokerState
{
    std::string name;
    int datacenter = 0;
    double lan_latency_s = 0;
    double lan_bandwidth_Bps = 0;  // bytes per second
    double nic_out_free_s = 0;     // the broker's NIC towards its nodes and clients
    double nic_in_free_s = 0;      // and from them
    double clock_offset_s = 0;
    bool up = true;
    std::array<double, 2> cpu_s_per_message{};  // by DestinationType
    std::array<double, 2> cpu_s_per_byte{};
    double cpu_free_s = 0;  // when its CPU has worked through what has arrived
    // The event queue's lanes for frames in from the LAN, frames out to the LAN and copies
    // through the CPU: each a stream whose times never decrease.
    EventLane lan_in_lane = 0;
    EventLane lan_out_lane = 0;
    EventLane cpu_lane = 0;
    BrokerDestinations destinations;
    std::vector<model::PolicyEntry> policies;

    // Memory (systemUsage memoryUsage): the bytes ActiveMQ accounts for the copies it holds,
    // waiting for its CPU or for a queue consumer (overhead, body and properties); per
    // destination as well, kept apart from `destinations` because copies waiting for the CPU
    // outlive a crash that clears those.
    std::uint64_t memory_limit_bytes = 0;
    std::uint32_t message_overhead_bytes = 0;
    std::uint64_t memory_bytes = 0;
    std::uint64_t memory_peak_bytes = 0;
    std::vector<std::uint64_t> destination_memory_bytes;  // by DestinationIndex
    std::uint32_t sends_over_limit = 0;  // accepted while full, producerFlowControl off
    std::vector<StalledSend> stalled;    // in the order they stalled

    // When the last byte of a frame sent over the LAN at `now_s` has reached the broker.
    double receive_from_lan(double now_s, double bytes)
    {
        nic_in_free_s = std::max(nic_in_free_s, now_s + lan_latency_s) + bytes / lan_bandwidth_Bps;
        return nic_in_free_s;
    }
    // When the last of `count` frames handed to the NIC at `now_s` has left it.
    double send_to_lan(double now_s, double bytes, std::uint32_t count = 1)
    {
        nic_out_free_s = std::max(nic_out_free_s, now_s) + count * bytes / lan_bandwidth_Bps;
        return nic_out_free_s;
    }
};

// One network connector's OpenWire connection. The connector's broker dials it and, once it
// is lost, redials with back-off (static: discovery: 1 s, doubling, at most 30 s).
struct Connection
{
    int stream_out = -1;  // from the connector's broker to the remote
    int stream_back = -1;
    std::uint32_t framing_bytes = 0;
    BrokerIndex dialer = 0;
    BrokerIndex dialed = 0;
    bool up = true;
    std::uint32_t epoch = 0;  // bumped whenever it is lost
    double reconnect_delay_s = 1.0;
    bool reconnect_scheduled = false;
    std::vector<int> bridges;
};

// A node group's STOMP connection to its broker, with the stomp gem's failover pool.
struct NodeGroupLink
{
    std::vector<BrokerIndex> pool;  // the group's broker first, then its failover list
    std::size_t current = 0;        // index into pool
    bool connected = true;
    double reconnect_delay_s = 0.01;  // doubled per failed attempt, at most 30 s, never reset
};

struct Bridge
{
    const model::Connector* config = nullptr;
    BrokerIndex local = 0;   // forwards from here
    BrokerIndex remote = 0;  // to here
    int connection = 0;
    bool reverse = false;  // the duplex half built by the remote broker
};

struct Advisory
{
    bool added = true;
    int bridge = 0;
    ConsumerIndex consumer = 0;  // on the bridge's remote broker
};

// What a local event does.
struct LocalEvent
{
    enum class Kind : std::uint8_t
    {
        BrokerArrive,   // a: copy slot, b: broker
        FanOut,         // a: fan-out slot
        NodeReply,      // a: node, b: request
        ClientDeliver,  // a: copy slot, b: consumer
        RequestStart,   // a: request
        RequestEnd,     // a: request
        Advisory,       // a: advisory slot
        DiscoveryEnd,   // a: request
        NodeDeliver,    // a: copy slot, b: node (a direct request)
        BrokerDispatch,   // a: copy slot, b: broker (after the broker's CPU)
        Fault,            // a: index into the scenario's faults
        ConnectionLost,   // a: connection, b: its epoch when the loss was scheduled
        Reconnect,        // a: connection
        NodeReconnect,    // a: node group
        NodeHeartbeatLost,  // a: node group, b: the broker it was connected to
        PlainSubscribe, // a: scenario consumer
        ProducerSend,   // a: producer, b: message number within the producer
        PlainDeliver,   // a: copy slot, b: consumer
        BridgeAck,      // a: demand subscription whose queue copy the remote confirmed
    };
    Kind kind;
    std::uint32_t a = 0;
    std::uint32_t b = 0;
};

// Deliveries of one copy to the nodes of one group, one NIC slot after another.
struct FanOut
{
    Copy copy;
    BrokerIndex broker = 0;
    int group = 0;
    std::uint32_t next = 0;  // index within the group
    double first_s = 0;      // arrival at the group's first node
    double spacing_s = 0;    // NIC time per copy
};

// One MCollective RPC call: discovery (optional), then the request and its receive window.
struct RequestState
{
    const model::Request* spec = nullptr;
    int client = 0;
    BrokerIndex broker = 0;
    DestinationIndex topic = 0;            // <collective>.<agent>.agent
    DestinationIndex discovery_topic = 0;  // <collective>.discovery.agent
    DestinationIndex nodes_queue = 0;      // <collective>.nodes
    DestinationIndex discovery_reply_queue = 0;
    DestinationIndex reply_queue = 0;
    ConsumerIndex reply_consumer = model::kNone;
    ConsumerIndex discovery_consumer = model::kNone;
    double deadline_s = 0;
    bool listening = false;
    bool discovering = false;
    double agent_timeout_s = 10;
    double run_min_s = 0;
    double run_max_s = 0;
    std::uint32_t reply_bytes = 0;
    std::vector<std::uint8_t> copies_at_node;  // request copies per node
    std::vector<std::uint8_t> discovered;      // times each node was discovered
    std::vector<std::uint8_t> answered;        // replies counted per node
    std::vector<NodeIndex> targets;            // discovered list, duplicates kept
    std::uint64_t outstanding = 0;             // discovered occurrences without a reply
};

class Simulation
{
public:
    Simulation(const model::Scenario& scenario, model::TraceSink& sink, const RunOptions& options);
    void run();

private:
    // Setup (engine.cpp)
    void build_brokers();
    void build_bridges();
    void subscribe_nodes();
    model::RunInfo run_info() const;
    double retry_horizon_s() const;
    void reserve_messages();

    // ActiveMQ (broker_network.cpp)
    DestinationIndex intern(model::DestinationType type, const std::string& name);
    ConsumerIndex add_consumer(Consumer consumer);
    void remove_consumer(ConsumerIndex id);
    void announce(ConsumerIndex id, bool added);
    void on_advisory(const Advisory& advisory);
    void add_demand(int bridge_index, ConsumerIndex remote_id);
    void add_static_demand(int bridge_index);
    void add_static_demand(int bridge_index, DestinationIndex destination);
    void remove_demand(int bridge_index, ConsumerIndex remote_id);
    bool permissible(const model::Connector& config, DestinationIndex destination) const;
    bool audit_enabled(BrokerIndex broker, DestinationIndex destination) const;
    const model::PolicyEntry* policy_for(BrokerIndex broker, DestinationIndex destination) const;
    bool may_replay(const Consumer& demand, const Copy& copy, double arrived_s) const;
    bool replay_delayed(BrokerIndex broker, DestinationIndex destination) const;
    void arrive(const Copy& copy, BrokerIndex broker);
    // MCollective's expires stamp, msgtime + ttl + 10 s in the sender's clock (kept out of
    // Message: there is one per reply); plain messages never expire.
    double expires_s(const Message& message) const;
    void dispatch_arrived(const Copy& copy, BrokerIndex broker);
    void dispatch_topic(const Copy& copy, BrokerIndex broker);
    // arrived_s: when the copy reached this broker (a replay waits for its delay from then).
    bool dispatch_queue(const Copy& copy, BrokerIndex broker, double arrived_s);
    void dispatch_pending(BrokerIndex broker, DestinationIndex destination);
    void dispatch_one_pending(BrokerIndex broker, DestinationIndex destination);
    bool accepts(const Consumer& consumer, const Copy& copy, double arrived_s) const;
    bool prefetch_full(const Consumer& consumer) const;
    void forward(const Copy& copy, ConsumerIndex demand_id);
    void bridge_ack(ConsumerIndex demand_id);
    void hand_to_local(const Copy& copy, ConsumerIndex consumer_id);
    void rotate(BrokerDestination& destination, std::size_t position);

    // MCollective (mcollective.cpp)
    void start_request(std::uint32_t request);
    void start_discovery(std::uint32_t request);
    void end_discovery(std::uint32_t request);
    void send_request(std::uint32_t request);
    void end_request(std::uint32_t request);
    ConsumerIndex subscribe_reply_queue(std::uint32_t request, DestinationIndex queue);
    MessageIndex new_message(model::MessageKind kind, DestinationIndex destination,
                             std::uint32_t request, std::uint32_t body_bytes, double clock_s);
    void client_publish(std::uint32_t request, MessageIndex message);
    void emit_client_done(std::uint32_t request);
    void start_fan_out(const Copy& copy, BrokerIndex broker, const Consumer& group_consumer);
    void fan_out_step(std::uint32_t slot);
    void node_receives(const Copy& copy, NodeIndex node, double now_s, BrokerIndex broker);
    void node_replies(NodeIndex node, std::uint32_t request_and_kind);
    void node_delivery(std::uint32_t copy_slot, NodeIndex node);
    void client_receives(std::uint32_t copy_slot, ConsumerIndex consumer);
    void publish(MessageIndex message, BrokerIndex broker, double at_broker_s);

    // Faults and failover (faults.cpp)
    void schedule_faults();
    void apply_fault(std::uint32_t index);
    void broker_down(BrokerIndex broker, bool silently);
    void broker_up(BrokerIndex broker);
    void set_link(int link, bool up);
    void lose_connection(int connection);
    void schedule_reconnect(int connection);
    void try_reconnect(int connection);
    void establish(int connection);
    bool route_up(int connection) const;
    void node_group_lost(int group);
    void try_node_reconnect(int group);
    void subscribe_group(int group);
    void lose_copy(const Copy& copy, BrokerIndex broker, model::DropReason reason);
    void give_back(const Copy& sent);
    bool connection_up(int bridge) const { return connections_[bridges_[bridge].connection].up; }
    // The stream a bridge forwards messages on, and the one its remote's advisories come back
    // on: the two directions of its connection.
    int forward_stream(const Bridge& bridge) const;
    int advisory_stream(const Bridge& bridge) const;

    // Broker memory and producer flow control (memory.cpp)
    bool memory_full(BrokerIndex broker, DestinationIndex destination) const;
    std::uint64_t accounted_bytes(const Message& message, BrokerIndex broker) const;
    void hold(const Copy& copy, BrokerIndex broker);
    void release(const Copy& copy, BrokerIndex broker);
    bool admit_send(int producer, std::uint32_t number);
    void resume_stalled(BrokerIndex broker);
    void emit_memory_peaks();

    // Plain messaging workloads (plain.cpp)
    void schedule_plain_workload();
    BrokerIndex broker_index(const std::string& name) const;
    void plain_subscribe(int consumer);
    void producer_send(int producer, std::uint32_t number);
    void plain_receives(std::uint32_t copy_slot, ConsumerIndex consumer);
    bool headers_match(const model::HeaderSelector& selector, const Message& message) const;
    MessageIndex new_plain_message(model::MessageKind kind, DestinationIndex destination,
                                   std::uint32_t body_bytes);
    DestinationIndex intern(const model::Destination& destination)
    {
        return intern(destination.type, destination.name);
    }

    // Events and slots
    void schedule(double time_s, LocalEvent event) { events_.push(time_s, event); }
    // An event of a stream whose times never decrease (see EventQueue).
    void schedule(EventLane lane, double time_s, LocalEvent event)
    {
        events_.push(lane, time_s, event);
    }
    // Retries that go on for ever against a broker that stays down: once nothing but these is
    // left, the run ends at the retry horizon (a minute past the scenario's last fault,
    // request or message).
    void schedule_retry(double time_s, LocalEvent event)
    {
        ++retries_pending_;
        events_.push(time_s, event);
    }
    void process(const LocalEvent& event);
    std::uint32_t store_copy(const Copy& copy);
    Copy take_copy(std::uint32_t slot);
    // Events go to the sink in batches of kTraceBatch, in order; the last batch before
    // on_finish.
    void emit(const model::TraceEvent& event);
    // The next event of the batch, as event_for makes it, to be filled in where it lies; it
    // goes with the batch, and the reference is good until the next call. Frequent events are
    // made this way: an event built on the stack and then copied into the batch is read back
    // before its bytes have left the store buffer, which stalls the copy.
    model::TraceEvent& add_event(model::TraceKind kind, const Copy& copy, BrokerIndex broker);
    // As add_event, for `copy` as `broker` hands it to a local consumer (a node, a client, a
    // plain consumer): the path ends with that broker.
    model::TraceEvent& add_handover_event(model::TraceKind kind, model::DropReason reason,
                                          const Copy& copy, BrokerIndex broker);
    model::TraceEvent& next_event();  // a blank one at the batch's end, sent with it
    void flush_trace();
    static constexpr std::size_t kTraceBatch = 256;
    model::TraceEvent event_for(model::TraceKind kind, const Copy& copy, BrokerIndex broker) const;
    // What every event about `copy` at `broker` says: time, kind, message and path.
    void describe(model::TraceEvent& event, model::TraceKind kind, const Copy& copy,
                  BrokerIndex broker) const;

    const model::Scenario& scenario_;
    model::TraceSink& sink_;
    model::Topology topology_;
    std::unique_ptr<Wan> wan_;
    std::unique_ptr<NodeTable> nodes_;
    double now_s_ = 0;
    double quantum_s_ = 0;

    std::vector<BrokerState> brokers_;
    std::vector<model::Destination> destinations_;
    std::map<std::pair<model::DestinationType, std::string>, DestinationIndex> destination_ids_;
    std::vector<Consumer> consumers_;
    std::vector<Connection> connections_;
    std::vector<Bridge> bridges_;
    std::vector<std::vector<int>> bridges_into_;  // per broker: bridges whose remote it is
    std::vector<int> static_bridges_;  // bridges with staticallyIncludedDestinations

    std::vector<model::TraceEvent> trace_batch_;
    std::vector<Message> messages_;
    std::vector<std::uint32_t> producer_properties_bytes_;  // their headers, marshalled
    std::vector<RequestState> requests_;
    EventQueue<LocalEvent> events_;
    // Per WAN stream: the lanes of what arrives over it and of the bridge acknowledgements
    // coming back for what it carried.
    struct StreamLanes
    {
        EventLane arrivals = 0;
        EventLane acks = 0;
    };
    std::vector<StreamLanes> stream_lanes_;
    std::vector<Copy> copy_slots_;
    std::vector<std::uint32_t> free_copy_slots_;
    std::vector<FanOut> fan_outs_;
    std::vector<std::uint32_t> free_fan_outs_;
    std::vector<Advisory> advisories_;
    std::uint32_t plain_published_ = 0;
    std::size_t retries_pending_ = 0;
    double retry_horizon_s_ = 0;  // retries stop after this, once nothing else is pending
    std::vector<NodeGroupLink> group_links_;
    std::vector<bool> link_up_;
    std::vector<double> link_latency_s_;
    std::uint32_t plain_replies_published_ = 0;
};

}  // namespace brokersim::engine
