// Broker memory and producer flow control (ActiveMQ 5.17: a destination's memory is full once
// the bytes it holds reach its limit; a producer with flow control on is held until they fall
// below it). One broker, its LAN at 0.2 ms and 1 Gbit/s, so a message sent at t reaches the
// broker 0.21 ms later, well before the producer's next send 10 ms on. Every count below
// follows from that: at the k-th send (from 0) the broker holds k messages of 1000 bytes.
#include "run_child.hpp"

#include <doctest/doctest.h>

#include <string>

using brokersim::testing::run_scenario_text;

namespace {

// Broker a with `broker_keys`, and `body` for its consumers and producers.
std::string one_broker(const std::string& broker_keys, const std::string& body)
{
    return "name: t\ndatacenters: [a]\nbrokers:\n  - {name: a, datacenter: a" + broker_keys +
           "}\n" + body;
}

const std::string ten_messages_of_1000_bytes =
    "producers:\n  - {name: p, broker: a, destination: 'queue:q', count: 10, bytes: 1000, "
    "at_s: 1, interval_ms: 10}\n";

const nlohmann::json& broker_a(const nlohmann::json& report)
{
    return report["broker_load"][0];
}

}  // namespace

TEST_CASE("a producer into a queue nobody consumes is held once the policy's memoryLimit is "
          "reached")
{
    // Sends 0, 1, 2 find 0, 1000, 2000 bytes held, below 3000; send 3 finds 3000 and is held
    // for good.
    const auto report = run_scenario_text(one_broker(
        ", policies: [{queue: '>', memoryLimit: 3000}]", ten_messages_of_1000_bytes));

    CHECK(report["conservation"]["published"] == 3);
    CHECK(report["conservation"]["drops"]["stranded"] == 3);
    CHECK(broker_a(report)["peak_memory_bytes"] == 3000);
    CHECK(broker_a(report)["stalled_sends"] == 1);
    CHECK(broker_a(report)["sends_over_limit"] == 0);
}

TEST_CASE("a consumer subscribing later frees the memory and the held producer carries on")
{
    // Held at 1.03 s, released when the consumer takes the three waiting messages at 2 s;
    // the other seven then go straight to the consumer, so the producer is never held again.
    const auto report = run_scenario_text(one_broker(
        ", policies: [{queue: '>', memoryLimit: 3000}]",
        "consumers:\n  - {name: c, broker: a, destination: 'queue:q', at_s: 2}\n" +
            ten_messages_of_1000_bytes));

    CHECK(report["consumers"][0]["received"] == 10);
    CHECK(broker_a(report)["peak_memory_bytes"] == 3000);
    CHECK(broker_a(report)["stalled_sends"] == 1);
    CHECK(broker_a(report)["stall_time_s"].get<double>() == doctest::Approx(0.97).epsilon(1e-6));
}

TEST_CASE("with producerFlowControl off the sends over the limit are accepted and counted")
{
    // 3 kb is 3072 bytes: sends 4 to 9 find 4000 to 9000 bytes held, six sends over the
    // limit, none held.
    const auto report = run_scenario_text(one_broker(
        ", policies: [{queue: '>', memoryLimit: '3 kb', producerFlowControl: false}]",
        ten_messages_of_1000_bytes));

    CHECK(report["conservation"]["published"] == 10);
    CHECK(broker_a(report)["peak_memory_bytes"] == 10000);
    CHECK(broker_a(report)["stalled_sends"] == 0);
    CHECK(broker_a(report)["memory_limit_bytes"] == 1024 * 1024 * 1024);
    CHECK(broker_a(report)["sends_over_limit"] == 6);
}

TEST_CASE("the broker's memory limit is shared by all its destinations")
{
    // 0.004 MiB is 4194 bytes. p1 sends at 1.000, 1.010, ...; p2 at 1.005, 1.015, ... to
    // another queue. Held before each send: 0, 1000, 2000, 3000, 4000 (still below 4194), so
    // five are accepted; p2's send at 1.025 and p1's at 1.030 find 5000 and are held.
    const auto report = run_scenario_text(one_broker(
        ", memory_limit_mb: 0.004",
        "producers:\n"
        "  - {name: p1, broker: a, destination: 'queue:q1', count: 10, bytes: 1000, at_s: 1, "
        "interval_ms: 10}\n"
        "  - {name: p2, broker: a, destination: 'queue:q2', count: 10, bytes: 1000, "
        "at_s: 1.005, interval_ms: 10}\n"));

    CHECK(broker_a(report)["memory_limit_bytes"] == 4194);
    CHECK(report["conservation"]["published"] == 5);
    CHECK(broker_a(report)["peak_memory_bytes"] == 5000);
    CHECK(broker_a(report)["stalled_sends"] == 2);
}

TEST_CASE("copies waiting for the broker's CPU use its memory")
{
    // 100 ms of CPU per copy: the first is processed until 1.1002 s, by when all five have
    // arrived, so five copies of 1000 bytes are held at once. The default limit (1 GiB) is
    // far away.
    const auto report = run_scenario_text(one_broker(
        ", cpu_us_per_message: 100000",
        "consumers:\n  - {name: c, broker: a, destination: 'queue:q', at_s: 0}\n"
        "producers:\n  - {name: p, broker: a, destination: 'queue:q', count: 5, bytes: 1000, "
        "at_s: 1, interval_ms: 10}\n"));

    CHECK(report["consumers"][0]["received"] == 5);
    CHECK(broker_a(report)["memory_limit_bytes"] == 1024 * 1024 * 1024);
    CHECK(broker_a(report)["peak_memory_bytes"] == 5000);
    CHECK(broker_a(report)["stalled_sends"] == 0);
}
