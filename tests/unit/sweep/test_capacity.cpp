#include "brokersim/sweep/capacity.hpp"

#include <doctest/doctest.h>

using brokersim::sweep::Capacity;
using brokersim::sweep::Deadline;
using brokersim::sweep::find_capacity;
using brokersim::sweep::make_plan;
using brokersim::sweep::Parameter;
using brokersim::sweep::RequestResult;
using brokersim::sweep::RunResult;
using brokersim::sweep::RunStatus;

namespace {

// A run whose only request got `share` of 100 replies.
RunResult run_with(double share)
{
    RequestResult request;
    request.expected = 100;
    request.replying_nodes = static_cast<std::uint64_t>(share * 100);
    request.replies = request.replying_nodes;
    RunResult result;
    result.status = {RunStatus::Ending::Exited, 0};
    result.has_report = true;
    result.requests = {request};
    return result;
}

std::vector<std::string> lines(const std::vector<Parameter>& parameters,
                               const std::vector<double>& shares)
{
    const auto plan = make_plan("s.yaml", parameters);
    std::vector<RunResult> results;
    for (const auto share : shares)
        results.push_back(run_with(share));
    std::vector<std::string> text;
    for (const auto& capacity : find_capacity(plan, results, Deadline{}))
        text.push_back(capacity.line(plan.parameters.front().key));
    return text;
}

} // namespace

TEST_CASE("the capacity is the largest value before the first that misses the deadline")
{
    // Values in any order: they are compared as numbers, 5000 before 10000.
    CHECK(lines({{"nodes", {"10000", "1000", "5000", "20000"}}}, {0.9, 1, 1, 0.5}) ==
          std::vector<std::string>{"largest nodes that still meets the reply deadline: 5000"});
}

TEST_CASE("each value of the second parameter gets its own capacity line")
{
    const std::vector<Parameter> parameters = {{"nodes", {"1000", "5000", "10000"}},
                                               {"links.bandwidth_mbps", {"2", "10"}}};
    // Runs in plan order: (1000, 2), (1000, 10), (5000, 2), (5000, 10), (10000, 2), (10000, 10).
    CHECK(lines(parameters, {1, 1, 0.7, 1, 0.2, 1}) ==
          std::vector<std::string>{
              "largest nodes that still meets the reply deadline with links.bandwidth_mbps=2: "
              "1000",
              "largest nodes that still meets the reply deadline with links.bandwidth_mbps=10: "
              "10000 (every value tried meets it)"});
}

TEST_CASE("when no value meets the deadline the capacity is none")
{
    CHECK(lines({{"nodes", {"1000", "2000"}}}, {0.5, 0.2}) ==
          std::vector<std::string>{
              "largest nodes that still meets the reply deadline: none (no value tried meets "
              "it)"});
}

TEST_CASE("for a parameter where more is better the line names the smallest value that meets")
{
    CHECK(lines({{"links.bandwidth_mbps", {"2", "10", "50"}}}, {0.3, 1, 1}) ==
          std::vector<std::string>{
              "smallest links.bandwidth_mbps that meets the reply deadline: 10"});
}

TEST_CASE("values that meet the deadline on and off have no single threshold")
{
    CHECK(lines({{"seed", {"1", "2", "3", "4"}}}, {1, 0.5, 1, 0.5}) ==
          std::vector<std::string>{
              "values of seed that meet the reply deadline: 1, 3 (no single threshold)"});
}

TEST_CASE("a run that failed misses the deadline whatever its report says")
{
    const auto plan = make_plan("s.yaml", {{"nodes", {"10", "20"}}});
    auto crashed = run_with(1);
    crashed.status = {RunStatus::Ending::Signalled, 9};
    const auto capacities = find_capacity(plan, {run_with(1), crashed}, Deadline{});
    REQUIRE(capacities.size() == 1);
    CHECK(capacities[0].shape == Capacity::Shape::MeetsUpTo);
    CHECK(capacities[0].threshold == "10");
}
