// The scenario: everything a run needs to know about brokers, links, network connectors,
// MCollective nodes, clients and requests. Plain data, shared by the loader, the engine,
// the linter, the GUI and the tests. Units are in every name.
#pragma once

#include "brokersim/model/destination.hpp"
#include "brokersim/model/filter.hpp"
#include "brokersim/model/source_pos.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace brokersim::model {

struct Datacenter
{
    std::string name;
    double lan_latency_s = 0.0002;     // broker <-> node, one way
    double lan_bandwidth_bps = 1e9;    // the broker's NIC towards its nodes, each direction
    SourcePos pos;
};

// ActiveMQ 5.17's memoryUsage limit when a broker configures none (BrokerService). Debian's
// shipped activemq.xml sets 64 mb instead.
inline constexpr std::uint64_t kDefaultBrokerMemoryLimitBytes = 1024ULL * 1024 * 1024;

// What ActiveMQ's memory accounting adds to every message besides its body and properties:
// Message.DEFAULT_MINIMUM_MESSAGE_SIZE in 5.17. Measured on 5.17.2 (tests/oracle, broker_load).
inline constexpr std::uint32_t kDefaultMessageOverheadBytes = 1024;

// The JVM heap a broker runs in: -Xmx512M in Debian's /usr/share/activemq/activemq-options.
inline constexpr std::uint64_t kDefaultMemoryBudgetBytes = 512ULL * 1024 * 1024;

// Live JVM heap per idle STOMP connection: (18,212 - 5,978) KiB / 400 connections, measured
// on ActiveMQ 5.17.2 under Debian's JVM options (tests/oracle/out/broker_load). The process's
// resident size grew by 316 KiB per connection, mostly two threads' stacks outside the heap.
inline constexpr std::uint64_t kDefaultConnectionMemoryBytes = 31319;

// Broker CPU per keep-alive exchange on one connection (a heart-beat each way, with the
// inactivity monitor's checks): (0.660 - 0.030) s over 200 connections x 20 one-second
// exchanges, measured on ActiveMQ 5.17.2 (tests/oracle/out/broker_load).
inline constexpr double kDefaultKeepaliveCpuS = 157.5e-6;

// A <policyEntry> of a broker's destinationPolicy. A matching topic entry switches the
// per-subscription duplicate audit on (its enableAudit defaults to true). The first matching
// entry also gives a destination its memory limit (none: the broker's whole limit) and says
// whether producers are held when that memory is full.
//
// On a queue entry, a <conditionalNetworkBridgeFilterFactory> with replayWhenNoConsumers lets
// the broker's bridges send a message back towards a broker already on its brokerPath, as
// long as this broker has no consumer of its own on the queue (with selectorAware: none whose
// selector accepts the message) and the message has been here longer than the replay delay.
// The factory's defaults are ActiveMQ 5.17's: replay off, no delay, not selector aware.
struct PolicyEntry
{
    DestinationFilter destination;
    bool enable_audit = true;
    bool producer_flow_control = true;
    std::optional<std::uint64_t> memory_limit_bytes;
    bool replay_when_no_consumers = false;
    double replay_delay_s = 0;
    bool selector_aware = false;
    SourcePos pos;
};

struct Broker
{
    std::string name;
    std::string datacenter;
    std::vector<PolicyEntry> policies;
    double clock_offset_s = 0;  // ahead (+) or behind (-) true time; expiry uses this clock
    // Processing cost of each message copy that reaches the broker, by the type of its
    // destination (indexed by DestinationType: topic, queue), served first come first served by
    // one CPU; 0 (the default) makes the broker infinitely fast.
    std::array<double, 2> cpu_s_per_message{};
    std::array<double, 2> cpu_s_per_byte{};
    // systemUsage/memoryUsage: the bytes of messages all its destinations may hold together
    // before producers with flow control are held.
    std::uint64_t memory_limit_bytes = kDefaultBrokerMemoryLimitBytes;
    // Bytes ActiveMQ accounts per message besides body and properties (minimumMessageSize).
    std::uint32_t message_overhead_bytes = kDefaultMessageOverheadBytes;
    // The JVM's heap (-Xmx): connections and held messages must fit in it. A memoryUsage limit
    // above it is reset to 70 % of it when the broker starts, as ActiveMQ does.
    std::uint64_t memory_budget_bytes = kDefaultMemoryBudgetBytes;
    std::uint64_t connection_memory_bytes = kDefaultConnectionMemoryBytes;
    double keepalive_cpu_s = kDefaultKeepaliveCpuS;
    SourcePos pos;
};

enum class Transport
{
    Tcp,
    Ssl
};

// A WAN link between two datacenters; symmetric, each direction has the full bandwidth.
struct Link
{
    std::string a;
    std::string b;
    double latency_s = 0;
    double bandwidth_bps = 0;
    Transport transport = Transport::Ssl;
    SourcePos pos;
};

// A <networkConnector> on broker `on` dialling broker `to`. Attribute defaults are
// ActiveMQ 5.17's (NetworkBridgeConfiguration).
struct Connector
{
    std::string name;
    std::string on;
    std::string to;
    bool duplex = false;
    int message_ttl = 1;  // networkTTL sets both TTLs
    int consumer_ttl = 1;
    bool conduit_subscriptions = true;
    bool dynamic_only = false;
    bool decrease_network_consumer_priority = false;
    int consumer_priority_base = -5;
    bool suppress_duplicate_topic_subscriptions = true;
    bool suppress_duplicate_queue_subscriptions = false;
    bool bridge_temp_destinations = true;
    int prefetch_size = 1000;
    std::vector<DestinationFilter> excluded_destinations;
    std::vector<DestinationFilter> dynamically_included_destinations;
    std::vector<DestinationFilter> statically_included_destinations;
    SourcePos pos;

    // ActiveMQ's isPermissableDestination: whether its bridges (both halves of a duplex one)
    // let `destination` through: not excluded, and statically included, or dynamically
    // included when the connector lists any (exclusions win).
    bool carries(const Destination& destination) const;
};

// One value of a fact and the share of the group's nodes that have it.
struct FactValue
{
    std::string value;
    double share = 1.0;
};

struct FactDistribution
{
    std::string name;
    std::vector<FactValue> values;  // shares sum to 1
};

// A Puppet class and the probability that a node of the group has it (independent per class).
struct ClassShare
{
    std::string name;
    double probability = 1.0;
};

// `count` identical-by-construction managed nodes on one broker. Node i's identity is the
// pattern with `{i}` (or `{i:04}`, zero padded) replaced by i, counting from 1; its fact values
// and classes are drawn from the distributions with the scenario seed, so they are stable.
struct NodeGroup
{
    std::string name;  // defaults to the identity pattern
    int count = 0;
    std::string broker;
    std::string identity_pattern;
    std::vector<FactDistribution> facts;
    std::vector<ClassShare> classes;
    std::vector<std::string> agents;  // the discovery agent is always loaded as well
    std::vector<std::string> collectives = {"mcollective"};
    double clock_offset_s = 0;      // the nodes' clocks against true time
    bool direct_addressing = true;  // subscribe to <collective>.nodes for direct requests
    // Further brokers of the node's failover pool, tried in order after `broker`.
    std::vector<std::string> failover;
    // STOMP heartbeats (plugin.activemq.heartbeat_interval): 0 is off, and then a broker host
    // that vanishes is never noticed; otherwise at least 30 s, and two missed heartbeats make
    // the node reconnect.
    double heartbeat_interval_s = 0;
    SourcePos pos;
};

struct Client
{
    std::string name;
    std::string broker;
    std::string identity;  // defaults to name
    SourcePos pos;
};

// An agent's DDL facts and its cost on a node.
struct Agent
{
    std::string name;
    double timeout_s = 10;       // DDL :timeout, MCollective's default
    double run_time_min_s = 0.05;
    double run_time_max_s = 0.2;
    int reply_bytes = 600;
    SourcePos pos;
};

enum class Discovery
{
    Mc,    // broadcast a ping to the discovery agent and wait the discovery timeout
    None,  // no discovery: broadcast the request straight away
};

struct Request
{
    double at_s = 0;
    std::string client;
    std::string agent;
    std::string action;
    std::string collective = "mcollective";
    std::string filter_text;
    Filter filter;
    // Receive window after publishing; default: the agent's timeout plus the discovery
    // timeout (2 s), as an MCollective SimpleRPC client computes it.
    std::optional<double> timeout_s;
    int request_bytes = 900;
    Discovery discovery = Discovery::Mc;
    double discovery_timeout_s = 2.0;       // the mc discovery DDL's timeout
    bool direct_addressing = true;          // the client's direct_addressing setting
    int direct_addressing_threshold = 10;   // direct when at most this many were discovered
    double ttl_s = 60;                      // nodes refuse requests older than this
    // Explicit identities (mco -I): no discovery, one direct message per identity.
    std::vector<std::string> identities;
    SourcePos pos;
};

// A JMS message selector restricted to what brokersim evaluates: equalities of a header with
// a string literal, joined by AND (`mc_identity = 'n1'`). Empty: every message passes.
struct HeaderSelector
{
    std::string text;
    std::vector<std::pair<std::string, std::string>> equals;  // header, value

    bool empty() const { return equals.empty(); }
};

// A plain messaging consumer (not MCollective): subscribes at `at_s` and, with `reply`, sends
// one message back to each received message's reply-to destination.
struct PlainConsumer
{
    std::string name;
    std::string broker;
    Destination destination;
    HeaderSelector selector;
    int priority = 0;
    double at_s = 0;
    bool reply = false;
    int reply_bytes = 200;
    SourcePos pos;
};

// A plain producer: `count` messages from `at_s`, `interval_s` apart.
struct Producer
{
    std::string name;
    std::string broker;
    Destination destination;
    int count = 1;
    double at_s = 0;
    double interval_s = 0.001;
    std::vector<std::pair<std::string, std::string>> headers;
    std::optional<Destination> reply_to;
    int bytes = 200;
    SourcePos pos;
};

// A scheduled fault. Brokers crash and restart empty (MCollective traffic is not persistent);
// a link down silences every connection routed over it; a partition takes down every link of
// a datacenter.
struct Fault
{
    enum class Kind
    {
        BrokerDown,  // the broker process dies: peers see the connections close at once
        BrokerLost,  // the broker's host vanishes: connections just go silent
        BrokerUp,
        LinkDown,
        LinkUp,
        LinkLatency,
        Partition,
        Heal,
    };
    Kind kind = Kind::BrokerDown;
    double at_s = 0;
    std::string target;   // broker, or datacenter for Partition / Heal, or link end a
    std::string target2;  // link end b
    double latency_s = 0; // LinkLatency
    SourcePos pos;
};

struct Scenario
{
    std::string file;  // where it was loaded from
    std::string name;
    std::uint64_t seed = 1;
    std::vector<Datacenter> datacenters;
    std::vector<Broker> brokers;
    std::vector<Link> links;
    std::vector<Connector> connectors;
    std::vector<NodeGroup> node_groups;
    std::vector<Client> clients;
    std::vector<Agent> agents;  // agents not listed here get Agent{} defaults
    std::vector<Request> requests;
    std::vector<PlainConsumer> consumers;
    std::vector<Producer> producers;
    std::vector<Fault> faults;
    std::vector<std::pair<std::string, SourcePos>> expectations;  // checked by `brokersim check`
    // "file:line:col: warning: ..." for what the loader read but brokersim does not model
    // (elements of imported activemq.xml files).
    std::vector<std::string> warnings;

    const Broker* find_broker(std::string_view name) const;
    const Datacenter* find_datacenter(std::string_view name) const;
    const Client* find_client(std::string_view name) const;
    Agent agent(std::string_view name) const;  // the listed one, or defaults
    std::uint64_t node_count() const;
};

}  // namespace brokersim::model
