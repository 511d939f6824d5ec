// Turns the engine's trace into a Report: per request, per WAN link, and the conservation
// account (every message sent is delivered, or dropped with a reason).
#pragma once

#include "brokersim/model/scenario.hpp"
#include "brokersim/model/trace.hpp"
#include "brokersim/stats/report.hpp"

#include <map>
#include <unordered_map>
#include <optional>
#include <string>
#include <vector>

namespace brokersim::stats {

class Collector final : public model::DirectBatchSink<Collector>
{
public:
    explicit Collector(const model::Scenario& scenario);

    void on_start(const model::RunInfo& info) override;
    void on_event(const model::TraceEvent& event) override;
    void on_finish(double end_time_s) override;

    const Report& report() const { return report_; }

    static constexpr std::size_t kDuplicateSamples = 20;

private:
    struct RequestTally
    {
        std::optional<double> started_s;  // discovery or request, whichever came first
        std::optional<double> sent_s;     // the first request message
        std::vector<std::uint8_t> replies_from;  // per node, in time
        std::vector<std::uint8_t> discovered;    // per node
        std::vector<double> latencies_s;
    };

    void on_deliver(const model::TraceEvent& event);
    void on_drop(const model::TraceEvent& event);
    void on_publish(const model::TraceEvent& event);
    void on_client_done(const model::TraceEvent& event);
    void on_reply_in_time(const model::TraceEvent& event);
    void on_plain(const model::TraceEvent& event);
    PlainMessageReport* plain_message(model::MessageIndex message);
    std::string fault_text(std::uint32_t index) const;
    std::string path_names(const model::BrokerPath& path) const;
    void check_conservation();
    void compare_with_discovered(RequestReport& request, const RequestTally& tally) const;
    std::optional<model::NodeIndex> node_by_identity(const std::string& identity) const;

    const model::Scenario& scenario_;
    model::RunInfo info_;
    std::vector<std::vector<std::vector<std::pair<int, int>>>> routes_;  // [from][to]
    Report report_;
    std::vector<RequestTally> tallies_;
    std::unordered_map<model::MessageIndex, std::size_t> plain_index_;  // -> report_.messages
    // Copies of queue messages: how each arrival ended.
    std::uint64_t queue_arrivals_ = 0;
    std::uint64_t queue_forwards_ = 0;
    std::uint64_t queue_handed_ = 0;
    std::uint64_t queue_ended_ = 0;  // stranded or expired
    std::uint64_t node_outcomes_ = 0;  // filtered or executed
    std::uint64_t agent_timeouts_ = 0;
    std::uint64_t lost_in_flight_ = 0;
    std::vector<std::map<std::int64_t, std::uint64_t>> link_bytes_per_s_;  // [link * 2 + dir]
    std::map<std::uint32_t, double> stalled_since_s_;  // per producer held by flow control
    std::vector<std::uint64_t> pending_now_;                               // per broker
    std::uint64_t replies_not_sent_ = 0;
};

}  // namespace brokersim::stats
