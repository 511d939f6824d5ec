// What connections cost a broker in a run: the share of its CPU keep-alives take stretches
// every message's CPU time, and the report sets connection memory and held messages against
// the broker's heap. One broker, its LAN at 0.2 ms and 1 Gbit/s.
#include "run_child.hpp"

#include "brokersim/model/source_pos.hpp"

#include <doctest/doctest.h>

#include <string>

using brokersim::testing::run_scenario_text;

namespace {

std::string one_broker(const std::string& broker_keys, const std::string& body)
{
    return "name: t\ndatacenters: [a]\nbrokers:\n  - {name: a, datacenter: a" + broker_keys +
           "}\n" + body;
}

// 1000 nodes with a heart-beat every 30 s: 33.3 keep-alives a second.
const std::string heart_beating_nodes =
    "nodes:\n  - {name: n, count: 1000, broker: a, identity: 'n{i}', heartbeat_interval_s: 30}\n";

const std::string two_messages_half_a_millisecond_apart =
    "consumers:\n  - {name: c, broker: a, destination: 'queue:q'}\n"
    "producers:\n  - {name: p, broker: a, destination: 'queue:q', count: 2, at_s: 1, "
    "interval_ms: 0.5}\n";

}  // namespace

TEST_CASE("keep-alives take their share of the CPU and stretch each message's CPU time")
{
    // 33.3 keep-alives a second at 15 ms each: half the CPU. A message's 1 ms then takes 2 ms,
    // so the second message, 0.5 ms behind the first, waits 1.5 ms (0.5 ms without them).
    const auto report =
        run_scenario_text(one_broker(", cpu_us_per_message: 1000, keepalive_cpu_us: 15000",
                                     heart_beating_nodes + two_messages_half_a_millisecond_apart));

    const auto& broker = report["broker_load"][0];
    CHECK(broker["keepalive_cpu_fraction"].get<double>() == doctest::Approx(0.5));
    CHECK(broker["connections"] == 1002);
    CHECK(broker["peak_cpu_wait_s"].get<double>() == doctest::Approx(0.0015).epsilon(1e-3));
}

TEST_CASE("a broker whose keep-alives would take more than 99 % of its CPU is refused")
{
    // 1000 connections beating every 30 s: 30 ms each is all the CPU, 29.85 ms 99.5 %, which
    // would stretch a message's CPU time 200-fold; 29.4 ms (98 %) is accepted.
    CHECK_THROWS_WITH_AS(
        run_scenario_text(
            one_broker(", cpu_us_per_message: 1000, keepalive_cpu_us: 30000", heart_beating_nodes)),
        "t.yaml:4:5: error: broker 'a' would spend 100.0 % of its CPU on keep-alives for 1000 "
        "connections, more than 99 %; lower keepalive_cpu_us or raise the heartbeat interval",
        brokersim::model::InputError);
    CHECK_THROWS_WITH_AS(
        run_scenario_text(
            one_broker(", cpu_us_per_message: 1000, keepalive_cpu_us: 29850", heart_beating_nodes)),
        "t.yaml:4:5: error: broker 'a' would spend 99.5 % of its CPU on keep-alives for 1000 "
        "connections, more than 99 %; lower keepalive_cpu_us or raise the heartbeat interval",
        brokersim::model::InputError);
    const auto report = run_scenario_text(
        one_broker(", cpu_us_per_message: 1000, keepalive_cpu_us: 29400", heart_beating_nodes));
    CHECK(report["broker_load"][0]["keepalive_cpu_fraction"].get<double>() ==
          doctest::Approx(0.98));
}

TEST_CASE("connection memory and held messages are set against the broker's heap")
{
    // Two connections of 1 MiB on a 1 MiB heap; the consumer takes the message at once, so
    // nothing is held. The default 1 GiB memoryUsage becomes 70 % of the heap.
    const auto report = run_scenario_text(
        one_broker(", memory_budget_mb: 1, connection_memory_kb: 1024",
                   "consumers:\n  - {name: c, broker: a, destination: 'queue:q'}\n"
                   "producers:\n  - {name: p, broker: a, destination: 'queue:q', at_s: 1}\n"));

    const auto& broker = report["broker_load"][0];
    CHECK(broker["connections"] == 2);
    CHECK(broker["connection_memory_bytes"] == 2097152);
    CHECK(broker["memory_budget_bytes"] == 1048576);
    CHECK(broker["memory_limit_bytes"] == 734003);
    CHECK(broker["estimated_peak_bytes"] == 2097152);
    CHECK(broker["over_budget"] == true);
}

TEST_CASE("a broker within its heap is not over budget")
{
    // 2 x 31,319 bytes and 10 held messages of 1024 + 200 bytes, far below 512 MiB.
    const auto report = run_scenario_text(one_broker(
        "", "producers:\n  - {name: p, broker: a, destination: 'queue:q', count: 10, at_s: 1}\n"));

    const auto& broker = report["broker_load"][0];
    CHECK(broker["connections"] == 1);
    CHECK(broker["peak_memory_bytes"] == 12240);
    CHECK(broker["estimated_peak_bytes"] == 31319 + 12240);
    CHECK(broker["over_budget"] == false);
}
