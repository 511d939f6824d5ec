// Whole runs of the shipped scenarios.
#include "run_child.hpp"

#include <doctest/doctest.h>

#include <cmath>

using brokersim::testing::run_scenario_file;

namespace {

std::string scenario(const char* name)
{
    return std::string(BROKERSIM_SOURCE_DIR) + "/scenarios/" + name;
}

}  // namespace

TEST_CASE("the NOC network: every matching node replies once, no duplicates, all accounted")
{
    const auto report = run_scenario_file(scenario("noc-four-countries.yaml"));
    REQUIRE(report["requests"].size() == 2);
    for (const auto& request : report["requests"]) {
        CHECK(request["delivered_nodes"] == 4000);
        CHECK(request["replies"] == request["expected"]);
        CHECK(request["replying_nodes"] == request["expected"]);
        CHECK(request["missing"] == 0);
        CHECK(request["duplicate_deliveries"] == 0);
    }
    CHECK(report["requests"][1]["expected"] == 4000);
    CHECK(report["conservation"]["holds"] == true);
}

TEST_CASE("connectors on the NOC broker or on the country brokers deliver the same copies")
{
    const auto on_hub = run_scenario_file(scenario("noc-four-countries.yaml"));
    const auto on_spokes = run_scenario_file(scenario("noc-four-countries-spoke-connectors.yaml"));
    for (std::size_t i = 0; i < 2; ++i) {
        const auto& a = on_hub["requests"][i];
        const auto& b = on_spokes["requests"][i];
        CHECK(a["deliveries_by_broker"] == b["deliveries_by_broker"]);
        CHECK(a["matched"] == b["matched"]);
        CHECK(a["replies"] == b["replies"]);
        CHECK(a["duplicate_deliveries"] == b["duplicate_deliveries"]);
    }
    // Two requests, each a discovery ping and a broadcast to all 4,000 nodes.
    CHECK(on_hub["conservation"]["node_deliveries"] == 16000);
    CHECK(on_spokes["conservation"]["node_deliveries"] == 16000);
}

TEST_CASE("the same scenario and seed give the same report")
{
    const auto first = run_scenario_file(scenario("noc-four-countries.yaml"));
    const auto second = run_scenario_file(scenario("noc-four-countries.yaml"));
    CHECK(first.dump() == second.dump());
}

TEST_CASE("the triangle scenario shows its duplicates")
{
    const auto report = run_scenario_file(scenario("triangle-duplicates.yaml"));
    CHECK(report["requests"][0]["duplicate_deliveries"] == 2);
    CHECK(report["requests"][0]["deliveries_by_broker"]["tri-b"] == 2);
    CHECK(report["requests"][0]["deliveries_by_broker"]["tri-c"] == 2);
}

TEST_CASE("the default time quantum moves reply latencies by less than 50 us per WAN crossing")
{
    brokersim::engine::RunOptions exact;
    exact.time_quantum_s = 0;
    const auto reference = run_scenario_file(scenario("noc-four-countries.yaml"), exact);
    const auto fast = run_scenario_file(scenario("noc-four-countries.yaml"));
    for (std::size_t i = 0; i < 2; ++i) {
        const auto& a = reference["requests"][i];
        const auto& b = fast["requests"][i];
        CHECK(a["replies"] == b["replies"]);
        CHECK(a["deliveries_by_broker"] == b["deliveries_by_broker"]);
        // A request and its reply each cross one WAN link.
        for (const auto* key : {"first_reply_s", "p50_s", "p95_s", "p99_s", "max_s"})
            CHECK(std::abs(a[key].get<double>() - b[key].get<double>()) < 2 * 50e-6);
    }
}
