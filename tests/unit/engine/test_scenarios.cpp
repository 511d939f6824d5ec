// Whole runs of the shipped scenarios.
#include "run_child.hpp"

#include "brokersim/io/scenario_loader.hpp"

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

TEST_CASE("the default time quantum and transfer start interval leave reply latencies as in exact mode")
{
    // A WAN stream starts a transfer at most once per quantum, or per 2 % of its latency (3 ms
    // on wan-timeout's 150 ms link, 2.36 ms to Tokyo), but each item still leaves at the time a
    // continuously sending stream would send it. Reports give times in whole microseconds. A
    // crash loses whole transfers, so broker-failover's replies show how they were batched
    // (with a 50 us quantum 3 more of them were lost than in exact mode); slow-link's shared
    // slow link shows how finely SimGrid saw the streams share it (at 3 % its p95 moves).
    for (const auto* name :
         {"noc-four-countries.yaml", "wan-timeout.yaml", "capacity-10k.yaml", "clock-skew.yaml",
          "direct-addressing.yaml", "broker-failover.yaml", "regression/slow-link.yaml"}) {
        const std::string scenario_name = name;
        CAPTURE(scenario_name);
        brokersim::engine::RunOptions exact;
        exact.time_quantum_s = 0;
        const auto reference = run_scenario_file(scenario(name), exact);
        const auto fast = run_scenario_file(scenario(name));
        REQUIRE(reference["requests"].size() == fast["requests"].size());
        for (std::size_t i = 0; i < reference["requests"].size(); ++i) {
            const auto& a = reference["requests"][i];
            const auto& b = fast["requests"][i];
            CHECK(a["replies"] == b["replies"]);
            CHECK(a["deliveries_by_broker"] == b["deliveries_by_broker"]);
            for (const auto* key : {"first_reply_s", "p50_s", "p95_s", "p99_s", "max_s"})
                if (a[key].is_number())
                    CHECK(std::abs(a[key].get<double>() - b[key].get<double>()) < 1.5e-6);
        }
    }
}

TEST_CASE("a node group without nodes, as only a program can build it, receives nothing")
{
    // The loader wants at least one node per group; the engine, given a group of none by a
    // program, fans nothing out to it (it used to deliver to a node past the table's end).
    auto built = brokersim::io::load_scenario(scenario("noc-four-countries.yaml"));
    REQUIRE(built.node_groups.size() > 1);
    const auto emptied_broker = built.node_groups.front().broker;
    std::uint32_t nodes_left_there = 0;
    for (auto& group : built.node_groups) {
        if (group.broker == emptied_broker)
            group.count = 0;
        nodes_left_there += group.broker == emptied_broker ? group.count : 0;
    }
    REQUIRE(nodes_left_there == 0);
    const auto report = brokersim::testing::run_scenario(built);
    const auto& ping = report["requests"][1];  // the fleet-wide ping
    CHECK_FALSE(ping["deliveries_by_broker"].contains(emptied_broker));
    const int replies = ping["replies"];
    const int expected = ping["expected"];
    CHECK(replies == expected);  // every node left answers
    CHECK(replies > 0);
}
