// What each run of a sweep gave: the figures read from its JSON report and how it ended,
// judged against the reply deadline, and the whole sweep as one CSV table.
#pragma once

#include "brokersim/sweep/plan.hpp"
#include "brokersim/sweep/runner.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace brokersim::sweep {

struct RequestResult
{
    std::uint64_t expected = 0;
    std::uint64_t replies = 0;        // received in time, duplicates included
    std::uint64_t replying_nodes = 0; // distinct nodes among them
    std::uint64_t missing = 0;
    std::uint64_t duplicate_deliveries = 0;
    double timeout_s = 0;
    std::optional<double> p50_s, p95_s, p99_s, max_s;

    // replying_nodes / expected; 1 when no node was expected to reply.
    double completeness() const;
};

struct RunResult
{
    RunStatus status;
    bool has_report = false;
    std::vector<RequestResult> requests;
    // Empty when the report does not carry them (older reports).
    std::optional<double> peak_link_utilisation;      // busiest link direction, 0..1
    std::optional<std::uint64_t> peak_broker_pending; // busiest broker
    std::optional<std::uint64_t> peak_broker_memory_bytes; // busiest broker
    std::optional<std::uint64_t> stalled_sends;            // all brokers together
    std::optional<std::uint64_t> peak_broker_estimated_bytes; // connections + held, busiest
    std::optional<std::uint64_t> brokers_over_budget;         // estimate above the heap

    // Worst over requests: the lowest completeness, the highest latencies, sums of counts.
    std::optional<double> completeness() const;
    std::optional<double> worst(std::optional<double> RequestResult::*latency) const;
    std::uint64_t missing() const;
    std::uint64_t duplicate_deliveries() const;
};

// The reply deadline a run must meet. Without `within_s`: every request's completeness is at
// least `completeness` within the request's own timeout. With it: besides, that share of the
// expected replies arrived within `within_s` of the request being sent, judged from the
// report's percentiles (see meets_deadline).
struct Deadline
{
    std::optional<double> within_s;
    double completeness = 1.0;

    std::string describe() const; // "100 % of replies within each request's timeout"
};

// True when the run exited 0, has a report and every request meets `deadline`. With
// `within_s`, the arrival time of the needed replies is bounded by the smallest reported
// percentile (p50, p95, p99, max of the replies received) that covers them; this is exact for
// completeness 1 and conservative otherwise.
bool meets_deadline(const RunResult& result, const Deadline& deadline);

// Reads runs/ID.json and the run's status. The status comes from runs/ID.status when there is
// one, else from GNU parallel's joblog.txt (job n is the nth run), else from the report itself
// (exit 0 when its conservation account holds, 3 when not, as `brokersim run` exits). A missing
// report or status is a run that has not run or failed: its result says so. A file that is there
// but is not what brokersim, GNU parallel or the Slurm script writes throws CollectError naming
// it: a report that is not JSON or lacks or mistypes what is read from it (`requests` with
// each request's counts and timeout_s, `conservation.holds`; the peaks when present).
std::vector<RunResult> collect_results(const Plan& plan, const SweepDir& dir);

// One header line and one row per run, in plan order: run, the parameters, exit_status,
// meets_deadline, the worst over requests (completeness, missing, p50_s, p95_s, p99_s, max_s,
// duplicates), peak_link_utilisation, peak_broker_pending, peak_broker_memory_bytes,
// stalled_sends, peak_broker_estimated_bytes, brokers_over_budget, wall_s, then per request i the
// same figures as request<i>_completeness, ... Empty cells for what is unknown.
std::string results_csv(const Plan& plan, const std::vector<RunResult>& results,
                        const Deadline& deadline);

} // namespace brokersim::sweep
