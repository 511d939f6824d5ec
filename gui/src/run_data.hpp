// A finished run as the GUI sees it: the trace file and what is derived from it once, on load —
// the report figures, the messages' flights between places, link traffic per interval, reply
// latencies and duplicate deliveries. Immutable after load; Replay walks over it.
#pragma once

#include "brokersim/io/trace_file.hpp"
#include "brokersim/stats/report.hpp"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace brokersim::gui {

// Where a message is: at a broker, a client, or a node of a node group.
struct Place
{
    enum class Kind : std::uint8_t
    {
        Broker,
        Client,
        Group,
    };
    Kind kind = Kind::Broker;
    std::uint32_t index = 0;
    std::uint32_t node = model::kNone;  // Group: the global node index, when known
};

enum class FlightKind : std::uint8_t
{
    Request,    // a request published: client -> broker
    Forward,    // a request copy over a bridge: broker -> broker
    Delivery,   // a request copy handed to a node: broker -> node
    Duplicate,  // a second (third...) copy of a request reaching the same node
    Discovery,  // the discovery ping and its pongs, every hop
    Reply,      // a node's reply on its way to the client, every hop
    LateReply,  // a reply the client no longer waited for
};
inline constexpr int kFlightKinds = static_cast<int>(FlightKind::LateReply) + 1;

// One hop of one message copy, from the event that started it to the event that ended it.
struct Flight
{
    double start_s = 0;
    double end_s = 0;
    Place from;
    Place to;
    FlightKind kind = FlightKind::Request;
    std::uint32_t record = 0;  // the record of the hop's end (arrival or delivery)
};

// A copy that ended without delivery, shown where it ended.
struct Mark
{
    double time_s = 0;
    Place at;
    std::uint32_t record = 0;
};

struct LatencySample
{
    double latency_s = 0;
    std::uint32_t count = 0;  // tally records stand for several replies
};

struct DuplicateRow
{
    std::uint32_t request = 0;
    std::string node;
    int copy = 0;
    std::string path;
    double after_s = 0;  // after the request was sent
    std::uint32_t record = 0;
};

// Bytes over each WAN link per interval of simulated time, each direction, counted when they
// reach the far end: a bridge hands copies to its connection in bursts, the link delivers them
// at its bandwidth. (Tally records, which have no arrival of their own, count when forwarded.)
struct LinkTraffic
{
    double interval_s = 0;
    std::vector<std::vector<double>> bytes_ab;  // [link][interval]
    std::vector<std::vector<double>> bytes_ba;
};

class RunData
{
public:
    // Reads and indexes a trace file. Throws std::runtime_error naming the file.
    static std::shared_ptr<const RunData> load(const std::string& trace_path);
    explicit RunData(io::TraceFile trace);

    const io::TraceFile& trace() const { return trace_; }
    const io::TraceHeader& header() const { return trace_.header; }
    const std::vector<io::TraceRecord>& records() const { return trace_.records; }
    double end_time_s() const { return trace_.end_time_s; }

    // The report's figures. For a complete trace they are recomputed here from the events
    // with stats::Collector; a sampled trace carries the run's own report, which is used.
    const stats::Report& report() const { return report_; }
    bool report_replayed() const { return report_replayed_; }
    // The recomputed figures equal the run's own report, byte for byte as JSON.
    bool report_matches_run() const { return report_matches_run_; }

    const std::vector<Flight>& flights() const { return flights_; }  // by start time
    // Flights in the air at `time_s`, in start order.
    template <typename Visit> void for_each_flight_at(double time_s, Visit&& visit) const
    {
        if (flight_slots_.empty() || time_s < 0)
            return;
        const auto slot =
            std::min(flight_slots_.size() - 2, static_cast<std::size_t>(time_s / flight_slot_s_));
        for (auto i = flight_slots_[slot]; i < flight_slots_[slot + 1]; ++i) {
            const auto& flight = flights_[slot_flights_[i]];
            if (flight.start_s <= time_s && time_s < flight.end_s)
                visit(flight);
        }
    }
    const std::vector<Mark>& marks() const { return marks_; }  // by time
    const LinkTraffic& link_traffic() const { return link_traffic_; }
    // Replies that reached their client in time, per request, by latency.
    const std::vector<std::vector<LatencySample>>& latencies() const { return latencies_; }
    const std::vector<DuplicateRow>& duplicates() const { return duplicates_; }
    // When each request was published (the last publication of a request message), or -1.
    double request_sent_s(std::uint32_t request) const;

    // Records about one message, in time order.
    std::vector<std::uint32_t> records_of_message(std::uint32_t message) const;
    // First record at or after `time_s`.
    std::size_t lower_bound(double time_s) const;
    std::size_t upper_bound(double time_s) const;

    // Index into per-recorded-node arrays, or -1 for nodes without records of their own.
    std::int64_t recorded_slot(std::uint32_t node) const;
    std::size_t recorded_nodes() const { return recorded_nodes_; }

private:
    void derive_flights();
    void index_flights();
    void derive_link_traffic();
    void derive_latencies_and_duplicates();
    void derive_report();

    io::TraceFile trace_;
    stats::Report report_;
    bool report_replayed_ = false;
    bool report_matches_run_ = false;
    std::vector<Flight> flights_;
    // Which flights overlap each slot of simulated time (offsets into slot_flights_), so a
    // frame looks only at flights near its time, however long some flights wait in queues.
    double flight_slot_s_ = 1;
    std::vector<std::size_t> flight_slots_;
    std::vector<std::uint32_t> slot_flights_;
    std::vector<Mark> marks_;
    LinkTraffic link_traffic_;
    std::vector<std::vector<LatencySample>> latencies_;
    std::vector<DuplicateRow> duplicates_;
    std::vector<double> request_sent_s_;
    std::vector<std::uint32_t> by_message_;  // record indices ordered by (message, time)
    std::vector<std::pair<double, std::uint32_t>> on_wire_;  // (arrival, Forward record)
    std::vector<std::size_t> slot_base_;  // per group: first slot of its recorded nodes
    std::size_t recorded_nodes_ = 0;
};

}  // namespace brokersim::gui
