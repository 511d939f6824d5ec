// The trace file: a run's event stream on disk, compact and seekable, so that the GUI (or any
// other tool) can replay a run without running the engine again. Layout and field meanings are
// in docs/trace-format.md.
//
// Large runs stay bounded: events about a node are recorded one by one only for the first
// `nodes_per_group` nodes of each node group; the others are folded into tally records (counts
// per millisecond of simulated time), so group counters and link traffic stay exact while the
// file grows with the sample, not with the fleet.
#pragma once

#include "brokersim/model/scenario.hpp"
#include "brokersim/model/trace.hpp"

#include <cstdint>
#include <fstream>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace brokersim::io {

inline constexpr std::uint32_t kTraceFormatVersion = 1;

// One fixed-size record of the event section. An event record is one TraceEvent; a tally record
// (`tally` set) stands for `folded` events with the same kind, reason, message kind, copy,
// request, group, broker and peer that happened within the millisecond before `time_s`.
struct TraceRecord
{
    double time_s = 0;
    std::uint32_t message = model::kNone;
    std::uint32_t request = model::kNone;
    std::uint32_t node = model::kNone;   // as the engine gave it (kNone for tallies)
    std::uint32_t group = model::kNone;  // group of the node the message concerns: the
                                        // receiving node of a request copy, the sender of a reply
    std::uint32_t bytes = 0;             // Forward: bytes on the wire (tallies: their sum)
    std::uint32_t path = 0;              // index into TraceFile::paths (tallies: 0)
    std::uint32_t count = 0;             // the event's own count (Addressed: messages sent)
    std::uint32_t folded = 1;            // events this record stands for
    std::uint32_t consumer = model::kNone;  // Deliver of a plain message: the consumer
    model::BrokerIndex broker = 0;
    model::BrokerIndex peer = 0;
    model::TraceKind kind = model::TraceKind::Publish;
    model::DropReason reason = model::DropReason::None;
    model::MessageKind message_kind = model::MessageKind::Request;
    std::uint8_t copy = 0;
    model::Addressing addressing = model::Addressing::Broadcast;
    std::uint8_t tally = 0;
    std::uint8_t on_queue = 0;  // the message's destination is a queue
    std::uint8_t reserved = 0;
};
static_assert(sizeof(TraceRecord) == 56, "the record layout is part of the file format");

struct TraceDatacenter
{
    std::string name;
    double lan_latency_s = 0;
};

struct TraceBroker
{
    std::string name;
    std::uint32_t datacenter = 0;
};

struct TraceLink
{
    std::string name;            // "a<->b", as in the report
    std::uint32_t a = 0, b = 0;  // datacenter indices
    double latency_s = 0;
    double bandwidth_bps = 0;
};

struct TraceConnector
{
    std::string name;
    model::BrokerIndex on = 0, to = 0;
    bool duplex = false;
    bool conduit_subscriptions = true;
    std::int32_t network_ttl = 1;                    // messageTTL
    std::vector<std::string> excluded_destinations;  // "queue:>", as in the scenario
};

struct TraceClient
{
    std::string name;
    model::BrokerIndex broker = 0;
};

struct TraceNodeGroup
{
    std::string name;
    model::BrokerIndex broker = 0;
    std::uint32_t first = 0;  // global index of its first node
    std::uint32_t count = 0;
    std::uint32_t recorded = 0;  // its first `recorded` nodes have event records
    std::vector<std::pair<std::string, std::vector<std::pair<std::string, double>>>> facts;
    std::vector<std::pair<std::string, double>> classes;  // class, probability
    std::vector<std::string> agents;
    std::vector<std::string> identities;  // of the recorded nodes
};

struct TraceRequest
{
    std::uint32_t client = 0;
    std::string agent;
    std::string action;
    std::string collective;
    std::string filter;
    double at_s = 0;
    double timeout_s = 0;
    std::uint64_t expected = 0;
};

// Everything known before the first event: the scenario's shape as the engine ran it.
struct TraceHeader
{
    std::string scenario_name;
    std::string scenario_file;
    std::string scenario_text;  // the scenario file's contents, so the run can be re-read
    std::uint64_t seed = 0;
    std::uint64_t node_count = 0;
    std::uint32_t nodes_per_group = 0;  // the sampling limit the writer used
    std::vector<TraceDatacenter> datacenters;
    std::vector<TraceBroker> brokers;
    std::vector<TraceLink> links;
    std::vector<TraceConnector> connectors;
    std::vector<TraceClient> clients;
    std::vector<TraceNodeGroup> node_groups;
    std::vector<TraceRequest> requests;
    // routes[from * brokers + to]: WAN links crossed, with +1 for a->b and -1 for b->a.
    std::vector<std::vector<std::pair<int, int>>> routes;

    // True when every node's events are recorded one by one (no tally records).
    bool complete() const;
    // The group holding global node index `node`, or -1.
    int group_of(std::uint32_t node) const;
    // Identity of a recorded node; "" for nodes outside the sample.
    std::string identity(std::uint32_t node) const;
    const std::vector<std::pair<int, int>>& route(model::BrokerIndex from,
                                                  model::BrokerIndex to) const;
};

struct TraceWriterOptions
{
    std::uint32_t nodes_per_group = 1000;
    double tally_interval_s = 0.001;
};

// A TraceSink that writes the trace file. The file appears at `path` only once finish() has
// written its last byte; until then it is written beside it, so a cancelled or failed run
// leaves no half trace behind.
class TraceWriter final : public model::DirectBatchSink<TraceWriter>
{
public:
    TraceWriter(std::string path, const model::Scenario& scenario, TraceWriterOptions options = {});
    ~TraceWriter() override;
    TraceWriter(const TraceWriter&) = delete;
    TraceWriter& operator=(const TraceWriter&) = delete;

    void on_start(const model::RunInfo& info) override;
    void on_event(const model::TraceEvent& event) override;
    void on_finish(double end_time_s) override;

    // Appends the run's report (the JSON of report_json) and the index, and moves the file
    // into place. Throws std::runtime_error naming the path when writing fails.
    void finish(const std::string& report_json);

private:
    using TallyKey = std::tuple<std::uint8_t, std::uint8_t, std::uint8_t, std::uint8_t,
                                std::uint32_t, std::uint32_t, std::uint16_t, std::uint16_t>;
    struct Tally
    {
        std::uint32_t count = 0;
        std::uint64_t bytes = 0;
    };

    std::uint32_t path_id(const model::BrokerPath& path);
    void write_record(const TraceRecord& record);
    void add_to_tally(const TraceRecord& record);
    void flush_tallies(double time_s);

    std::string path_;
    std::string temporary_path_;
    const model::Scenario& scenario_;
    TraceWriterOptions options_;
    TraceHeader header_;
    std::ofstream out_;
    std::uint64_t events_offset_ = 0;
    std::uint64_t record_count_ = 0;
    double end_time_s_ = 0;
    double last_time_s_ = 0;
    bool finished_ = false;

    std::map<std::vector<model::BrokerIndex>, std::uint32_t> path_ids_;
    std::vector<std::vector<model::BrokerIndex>> paths_;
    std::vector<std::uint32_t> group_of_node_;  // only built for sampled runs
    std::vector<std::uint32_t> reply_sender_;   // reply message -> sender node
    std::map<TallyKey, Tally> tallies_;
    double tally_until_s_ = -1;  // end of the interval the open tallies belong to
};

// A trace file read whole into memory.
struct TraceFile
{
    TraceHeader header;
    std::vector<TraceRecord> records;  // in time order
    std::vector<std::vector<model::BrokerIndex>> paths;
    double end_time_s = 0;
    std::string report_json;  // the report of the run, as `brokersim run --json` prints it

    // The event a record stands for (tally records give one representative event).
    model::TraceEvent event(const TraceRecord& record) const;
    std::string path_names(std::uint32_t path) const;  // "noc > uk"
};

// Throws std::runtime_error ("PATH: not a brokersim trace file", "PATH: truncated ...").
TraceFile read_trace(const std::string& path);

}  // namespace brokersim::io
