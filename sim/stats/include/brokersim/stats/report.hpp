// The figures of one run, as the report writers print them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace brokersim::stats {

struct DuplicateDelivery
{
    std::string node;
    int copy = 0;      // 2 for the second copy at that node, ...
    std::string path;  // brokers the copy went through, "noc > uk"
    double time_s = 0;
};

struct RequestReport
{
    int index = 0;
    std::string client;
    std::string agent;
    std::string action;
    std::string filter;
    double at_s = 0;
    double timeout_s = 0;
    std::string discovery;               // "mc", "none" or "identities"
    std::string addressing;              // "broadcast", "direct" or "not sent"
    std::uint64_t messages_sent = 0;     // request messages the client published
    std::uint64_t discovered = 0;        // pongs counted in time, duplicates included
    std::uint64_t late_pongs = 0;        // pongs after the discovery window
    std::uint64_t noresponsefrom = 0;    // discovered, never replied in time
    std::uint64_t unexpectedresponsefrom = 0;  // replied in time, not discovered
    std::vector<std::string> noresponse_samples;  // the first 20 identities
    std::vector<std::string> unexpected_samples;
    std::optional<double> discovery_time_s;
    std::optional<double> blocktime_s;   // from publishing the request to the client stopping
    std::optional<double> totaltime_s;   // discovery time + blocktime
    std::uint64_t ttl_expired = 0;       // copies refused by a node's age check
    std::uint64_t expected = 0;          // nodes that should answer
    std::uint64_t delivered_nodes = 0;   // nodes that received at least one copy
    std::uint64_t matched = 0;           // nodes whose filter matched
    std::uint64_t executions = 0;        // agent runs, duplicates included
    std::uint64_t replies = 0;           // replies the client received in time
    std::uint64_t replying_nodes = 0;    // distinct nodes among them
    std::uint64_t late_replies = 0;      // reached the client's broker or the client too late
    std::uint64_t missing = 0;           // expected nodes with no reply in time
    std::uint64_t duplicate_deliveries = 0;
    std::uint64_t duplicate_executions = 0;
    std::map<std::string, std::uint64_t> deliveries_by_broker;  // copies to nodes, per broker
    std::optional<double> first_reply_s;  // after the request was sent
    std::optional<double> last_reply_s;
    std::optional<double> p50_s, p95_s, p99_s, max_s;
    std::vector<DuplicateDelivery> duplicate_samples;  // the first 20
};

struct LinkReport
{
    std::string name;  // "a<->b"
    std::uint64_t messages_ab = 0, bytes_ab = 0;
    std::uint64_t messages_ba = 0, bytes_ba = 0;
    // Bridged bytes arriving in the busiest one-second window over the bandwidth, 0..1 (a
    // message counts in the second its last byte arrives; capped at 1).
    double peak_utilisation_ab = 0, peak_utilisation_ba = 0;
};

struct BrokerReport
{
    std::string name;
    std::uint64_t peak_pending = 0;  // most queue messages waiting for a consumer at once
    std::uint64_t arrivals = 0;      // message copies that reached it
    double peak_cpu_wait_s = 0;      // longest a copy waited for the broker's CPU
    // Memory: the bytes ActiveMQ accounts for the copies it held (waiting for its CPU or for a
    // queue consumer: per-message overhead, body and properties) against its memoryUsage
    // limit (after ActiveMQ's reset to 70 % of a smaller heap), and what producer flow control
    // did about it.
    std::uint64_t memory_limit_bytes = 0;
    std::uint64_t peak_memory_bytes = 0;
    std::uint64_t stalled_sends = 0;     // plain producers' sends held until memory freed
    double stall_time_s = 0;             // how long they were held, summed; a send still held
                                         // at the end counts until the end
    std::uint64_t sends_over_limit = 0;  // accepted while full, producerFlowControl off
    // Connections (model::broker_loads) and what the broker's heap must hold: the connections'
    // memory plus the peak of held messages, against the JVM heap (memory_budget_mb).
    std::uint64_t connections = 0;
    std::uint64_t connection_memory_bytes = 0;
    std::uint64_t memory_budget_bytes = 0;
    std::uint64_t estimated_peak_bytes = 0;
    bool over_budget = false;
    double keepalive_cpu_fraction = 0;  // of its CPU, taken before messages get theirs
};

// A plain messaging workload: who received which message, and what was left where. Producers'
// messages are named m1, m2, ... and consumers' replies r1, r2, ... in the order they were
// published.
struct PlainConsumerReport
{
    std::string name;
    std::uint64_t received = 0;
    std::vector<std::string> messages;
};

struct PlainMessageReport
{
    std::string id;
    std::vector<std::string> delivered_to;  // consumer names, in delivery order
    std::vector<std::string> left_on;       // brokers where a copy was still queued at the end
    std::uint64_t forwarded = 0;            // bridge hops of all its copies
};

// Faults and what the network did about them, in time order.
struct TimelineEntry
{
    double time_s = 0;
    std::string what;    // "fault", "bridge-down", "bridge-up", "failover"
    std::string detail;  // "uk <-> noc", "uk-{i:04} to noc", ...
};

struct Conservation
{
    std::uint64_t published = 0;
    std::uint64_t arrivals = 0;
    std::uint64_t forwards = 0;
    std::uint64_t node_deliveries = 0;
    std::uint64_t client_deliveries = 0;
    std::uint64_t executions = 0;
    std::uint64_t replies_published = 0;
    std::map<std::string, std::uint64_t> drops;  // by reason
    bool holds = false;
    std::vector<std::string> violations;
};

struct Report
{
    std::string scenario;
    std::uint64_t seed = 0;
    std::uint64_t nodes = 0;
    std::uint64_t brokers = 0;
    double end_time_s = 0;
    std::vector<RequestReport> requests;
    std::vector<LinkReport> links;
    std::vector<BrokerReport> broker_load;
    std::vector<PlainConsumerReport> consumers;
    std::vector<PlainMessageReport> messages;  // plain messages only
    std::vector<TimelineEntry> timeline;
    Conservation conservation;
};

// A size as reports show it in prose: bytes below 1 KiB, else one decimal in the largest
// binary unit it fills ("512 bytes", "30.6 KiB", "512.0 MiB").
std::string bytes_text(std::uint64_t bytes);

}  // namespace brokersim::stats
