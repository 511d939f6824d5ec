#include "sweep_test_support.hpp"

#include "brokersim/sweep/results.hpp"

#include <doctest/doctest.h>

#include <fstream>

using brokersim::sweep::collect_results;
using brokersim::sweep::Deadline;
using brokersim::sweep::make_plan;
using brokersim::sweep::meets_deadline;
using brokersim::sweep::Parameter;
using brokersim::sweep::RequestResult;
using brokersim::sweep::results_csv;
using brokersim::sweep::RunResult;
using brokersim::sweep::RunStatus;
using brokersim::sweep::SweepDir;
using brokersim::sweep::write_status;
namespace testing = brokersim::sweep::testing;

namespace {

RequestResult request(std::uint64_t expected, std::uint64_t replying, double p50_s, double p95_s,
                      double p99_s, double max_s)
{
    RequestResult result;
    result.expected = expected;
    result.replies = replying;
    result.replying_nodes = replying;
    result.missing = expected - replying;
    result.timeout_s = 12;
    result.p50_s = p50_s;
    result.p95_s = p95_s;
    result.p99_s = p99_s;
    result.max_s = max_s;
    return result;
}

RunResult run(std::vector<RequestResult> requests)
{
    RunResult result;
    result.status = {RunStatus::Ending::Exited, 0, 0.25};
    result.has_report = true;
    result.requests = std::move(requests);
    return result;
}

} // namespace

TEST_CASE("a run's figures are the worst over its requests")
{
    const auto result =
        run({request(100, 100, 0.2, 0.5, 0.9, 1.0), request(400, 300, 0.1, 0.3, 2.5, 2.7)});
    CHECK(result.completeness() == 0.75);
    CHECK(result.worst(&RequestResult::p50_s) == 0.2);
    CHECK(result.worst(&RequestResult::p99_s) == 2.5);
    CHECK(result.worst(&RequestResult::max_s) == 2.7);
    CHECK(result.missing() == 100);
}

TEST_CASE("a request nobody should answer is complete")
{
    RequestResult nobody;
    CHECK(nobody.completeness() == 1.0);
    CHECK(meets_deadline(run({nobody}), Deadline{}));
}

TEST_CASE("the default deadline is every expected reply within the request's timeout")
{
    CHECK(meets_deadline(run({request(100, 100, 1, 5, 9, 11.9)}), Deadline{}));
    CHECK_FALSE(meets_deadline(run({request(100, 99, 1, 5, 9, 11.9)}), Deadline{}));

    auto failed = run({request(100, 100, 1, 5, 9, 11.9)});
    failed.status = {RunStatus::Ending::Exited, 3};
    CHECK_FALSE(meets_deadline(failed, Deadline{}));
    failed.status = {RunStatus::Ending::TimedOut};
    CHECK_FALSE(meets_deadline(failed, Deadline{}));
}

TEST_CASE("a completeness below 1 counts whole replies")
{
    const Deadline ninety_nine{std::nullopt, 0.99};
    CHECK(meets_deadline(run({request(100, 99, 1, 2, 3, 4)}), ninety_nine));
    CHECK_FALSE(meets_deadline(run({request(100, 98, 1, 2, 3, 4)}), ninety_nine));
    // 0.99 of 150 is 148.5: 149 replies are needed.
    CHECK_FALSE(meets_deadline(run({request(150, 148, 1, 2, 3, 4)}), ninety_nine));
    CHECK(meets_deadline(run({request(150, 149, 1, 2, 3, 4)}), ninety_nine));
}

TEST_CASE("a deadline in seconds is judged by the percentile that covers the replies needed")
{
    // All 100 replies needed: the slowest must be within the deadline.
    CHECK(meets_deadline(run({request(100, 100, 1, 2, 2.5, 2.9)}), Deadline{3.0, 1.0}));
    CHECK_FALSE(meets_deadline(run({request(100, 100, 1, 2, 2.5, 3.1)}), Deadline{3.0, 1.0}));

    // 99 of 100: p99 covers them; the slowest reply may be late.
    CHECK(meets_deadline(run({request(100, 100, 1, 2, 2.5, 9)}), Deadline{3.0, 0.99}));
    CHECK_FALSE(meets_deadline(run({request(100, 100, 1, 2, 3.5, 9)}), Deadline{3.0, 0.99}));

    // 95 of 100 needed from 96 received: 0.99 of the received, so p99 decides, not p95.
    CHECK_FALSE(meets_deadline(run({request(100, 96, 1, 2, 3.5, 9)}), Deadline{3.0, 0.95}));
    CHECK(meets_deadline(run({request(100, 96, 1, 2, 2.9, 9)}), Deadline{3.0, 0.95}));
}

TEST_CASE("the CSV has a row per run with parameters, worst figures and per-request figures")
{
    const auto plan = make_plan("s.yaml", {Parameter{"nodes", {"10", "20"}}});
    auto second = run({request(20, 15, 0.5, 1.5, 2.25, 2.5)});
    second.peak_link_utilisation = 0.875;
    second.peak_broker_pending = 31;
    second.peak_broker_memory_bytes = 65536;
    second.stalled_sends = 2;
    second.peak_broker_estimated_bytes = 3200000;
    second.brokers_over_budget = 0;
    RunResult missing;
    missing.status = {RunStatus::Ending::TimedOut, 0, 600.0};

    const auto lines = testing::lines_of(results_csv(plan, {second, missing}, Deadline{}));
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] ==
          "run,nodes,exit_status,meets_deadline,completeness,missing,p50_s,p95_s,p99_s,max_s,"
          "duplicates,peak_link_utilisation,peak_broker_pending,peak_broker_memory_bytes,"
          "stalled_sends,peak_broker_estimated_bytes,brokers_over_budget,wall_s,"
          "request0_completeness,request0_missing,request0_p50_s,"
          "request0_p95_s,request0_p99_s,request0_max_s,request0_duplicates");
    CHECK(lines[1] == "000,10,0,no,0.75,5,0.5,1.5,2.25,2.5,0,0.875,31,65536,2,3200000,0,0.250,"
                      "0.75,5,0.5,1.5,2.25,2.5,0");
    CHECK(lines[2] == "001,20,timeout,no,,,,,,,,,,,,,,600.000,,,,,,,");
}

TEST_CASE("results are read from the run's report and status files")
{
    const testing::ScratchDir scratch;
    const SweepDir dir(scratch.path());
    const auto plan = make_plan("s.yaml", {Parameter{"seed", {"1", "2", "3", "4"}}});
    std::filesystem::create_directories(dir.runs());

    const auto report = [](bool holds) {
        return std::string(R"({"requests": [{"expected": 10, "replies": 9, "replying_nodes": 9,
            "missing": 1, "duplicate_deliveries": 2, "timeout_s": 12.0, "p50_s": 0.5,
            "p95_s": 0.9, "p99_s": 1.1, "max_s": 1.2}],
            "links": [{"link": "a<->b", "peak_utilisation_ab": 0.25,
                       "peak_utilisation_ba": 0.5}],
            "broker_load": [{"name": "a", "peak_pending": 7, "peak_memory_bytes": 9000,
                             "stalled_sends": 2, "estimated_peak_bytes": 40000,
                             "over_budget": false},
                            {"name": "b", "peak_pending": 12, "peak_memory_bytes": 4000,
                             "stalled_sends": 3, "estimated_peak_bytes": 90000,
                             "over_budget": true}],
            "conservation": {"holds": )") +
               (holds ? "true" : "false") + "}}";
    };
    // 000: report and status file; 001: report, status from GNU parallel's joblog; 002: report
    // only, whose conservation account does not hold; 003: nothing at all.
    std::ofstream(dir.report(plan.runs[0])) << report(true);
    write_status(dir.status(plan.runs[0]), {RunStatus::Ending::Exited, 0, 1.5});
    std::ofstream(dir.report(plan.runs[1])) << report(true);
    std::ofstream(dir.joblog()) << "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\t"
                                   "Signal\tCommand\n2\t:\t0\t2.000\t0\t0\t0\t0\tx\n";
    std::ofstream(dir.report(plan.runs[2])) << report(false);

    const auto results = collect_results(plan, dir);
    REQUIRE(results.size() == 4);
    CHECK(results[0].status.to_string() == "0");
    CHECK(results[0].status.wall_s == 1.5);
    CHECK(results[0].completeness() == 0.9);
    CHECK(results[0].duplicate_deliveries() == 2);
    CHECK(results[0].peak_link_utilisation == 0.5);
    CHECK(results[0].peak_broker_pending == 12u);
    CHECK(results[0].peak_broker_memory_bytes == 9000u);  // the busiest broker's
    CHECK(results[0].stalled_sends == 5u);                // both brokers'
    CHECK(results[0].peak_broker_estimated_bytes == 90000u);
    CHECK(results[0].brokers_over_budget == 1u);
    CHECK(results[1].status.wall_s == 2.0);
    CHECK(results[1].status.succeeded());
    CHECK(results[2].status.to_string() == "3");
    CHECK_FALSE(results[2].status.wall_s.has_value());
    CHECK_FALSE(results[3].has_report);
    CHECK(results[3].status.to_string() == "");
}

TEST_CASE("a report without link and broker peaks leaves their cells empty")
{
    const testing::ScratchDir scratch;
    const SweepDir dir(scratch.path());
    const auto plan = make_plan("s.yaml", {Parameter{"seed", {"1"}}});
    std::filesystem::create_directories(dir.runs());
    std::ofstream(dir.report(plan.runs[0]))
        << R"({"brokers": 2, "links": [{"link": "a<->b", "bytes_ab": 10}], "requests": [],
              "conservation": {"holds": true}})";

    const auto results = collect_results(plan, dir);
    CHECK_FALSE(results[0].peak_link_utilisation.has_value());
    CHECK_FALSE(results[0].peak_broker_pending.has_value());
    CHECK_FALSE(results[0].stalled_sends.has_value());
    CHECK(testing::lines_of(results_csv(plan, results, Deadline{}))[1] ==
          "000,1,0,yes,,0,,,,,0,,,,,,,");
}
