// A cursor over a run's records and the counters they add up to at that point of simulated
// time. Every counter is a sum over records, so moving the cursor back subtracts exactly what
// moving it forward added: seeking is exact in both directions and needs no snapshots.
#pragma once

#include "run_data.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace brokersim::gui {

// Request and reply counts leave discovery out: its pings and pongs are counted apart.
struct GroupCounters
{
    std::int64_t deliveries = 0;  // request copies handed to the group's nodes
    std::int64_t duplicates = 0;  // of which second or later copies at a node
    std::int64_t executed = 0;    // filter matched, agent ran
    std::int64_t filtered = 0;    // filter did not match
    std::int64_t replies_sent = 0;
    std::int64_t replies_received = 0;  // by the client, in time
    std::int64_t other_drops = 0;       // agent timeouts, ttl checks
    std::int64_t pings = 0;             // discovery requests delivered
    std::int64_t pongs = 0;             // discovery replies sent
};

struct LinkCounters
{
    std::int64_t messages_ab = 0, bytes_ab = 0;
    std::int64_t messages_ba = 0, bytes_ba = 0;
};

struct RequestCounters
{
    std::int64_t node_deliveries = 0;
    std::int64_t duplicates = 0;
    std::int64_t replies = 0;  // received by the client in time
    std::int64_t late_replies = 0;
};

// The conservation account's terms as far as the replay has come.
struct Totals
{
    std::int64_t events = 0;  // what the engine emitted up to here (tallies count fully)
    std::int64_t published = 0;
    std::int64_t arrivals = 0;
    std::int64_t forwards = 0;
    std::int64_t node_deliveries = 0;
    std::int64_t client_deliveries = 0;
    std::int64_t executions = 0;
    std::int64_t replies_published = 0;
    std::array<std::int64_t, 32> drops{};  // by model::DropReason
};

// What one recorded node has seen of one request so far (wrapping counts: add and subtract
// stay exact).
struct NodeState
{
    std::uint8_t deliveries = 0;
    std::uint8_t executed = 0;
    std::uint8_t filtered = 0;
    std::uint8_t replied = 0;  // replies of this node the client received
};

class Replay
{
public:
    explicit Replay(std::shared_ptr<const RunData> run);

    const RunData& run() const { return *run_; }
    double time_s() const { return time_s_; }
    std::size_t cursor() const { return cursor_; }  // records applied
    bool at_end() const { return cursor_ == run_->records().size() && time_s_ >= end_s(); }
    double end_s() const { return run_->end_time_s(); }

    // Applies every record at or before `time_s`, and nothing after it.
    void seek(double time_s);
    // To the time of the next record (all records at that time applied). False at the end.
    bool step_forward();
    // Back to where the last step started: before the records of the latest applied time.
    bool step_back();

    const Totals& totals() const { return totals_; }
    const GroupCounters& group(std::size_t index) const { return groups_.at(index); }
    const LinkCounters& link(std::size_t index) const { return links_.at(index); }
    const RequestCounters& request(std::size_t index) const { return requests_.at(index); }
    // State of a recorded node (RunData::recorded_slot) for one request.
    NodeState node(std::size_t request, std::size_t slot) const;

    // The request whose traffic is most recent at the current time: the last one published.
    int current_request() const;

    // Calls `visit` for every flight in the air at the current time.
    template <typename Visit> void for_each_flight(Visit&& visit) const
    {
        run_->for_each_flight_at(time_s_, std::forward<Visit>(visit));
    }
    // Calls `visit` for every mark within `window_s` before the current time.
    void for_each_mark(double window_s, const std::function<void(const Mark&)>& visit) const;

private:
    void seek_index(std::size_t index);
    void apply(const io::TraceRecord& record, int sign);

    std::shared_ptr<const RunData> run_;
    double time_s_ = 0;
    std::size_t cursor_ = 0;
    Totals totals_;
    std::vector<GroupCounters> groups_;
    std::vector<LinkCounters> links_;
    std::vector<RequestCounters> requests_;
    std::vector<NodeState> nodes_;            // [request * recorded nodes + slot]
    std::vector<std::int64_t> publications_;  // per request: request messages published
};

}  // namespace brokersim::gui
