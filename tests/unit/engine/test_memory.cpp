// Broker memory and producer flow control (ActiveMQ 5.17: a destination's memory is full once
// the bytes it holds reach its limit; a producer with flow control on is held until they fall
// below it). One broker, its LAN at 0.2 ms and 1 Gbit/s, so a message sent at t reaches the
// broker 0.21 ms later, well before the producer's next send 10 ms on. Every count below
// follows from that: at the k-th send (from 0) the broker holds k messages. ActiveMQ accounts
// each as 1024 bytes (Message.DEFAULT_MINIMUM_MESSAGE_SIZE) plus its body plus its marshalled
// properties, so a 1000-byte message without headers counts 2024 bytes.
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
    // Sends 0 and 1 find 0 and 2024 bytes held, below 3000; send 2 finds 4048 and is held
    // for good.
    const auto report = run_scenario_text(one_broker(
        ", policies: [{queue: '>', memoryLimit: 3000}]", ten_messages_of_1000_bytes));

    CHECK(report["conservation"]["published"] == 2);
    CHECK(report["conservation"]["drops"]["stranded"] == 2);
    CHECK(broker_a(report)["peak_memory_bytes"] == 4048);
    CHECK(broker_a(report)["stalled_sends"] == 1);
    CHECK(broker_a(report)["sends_over_limit"] == 0);
}

TEST_CASE("a consumer subscribing later frees the memory and the held producer carries on")
{
    // Held at 1.02 s, released when the consumer takes the two waiting messages at 2 s;
    // the other eight then go straight to the consumer, so the producer is never held again.
    const auto report = run_scenario_text(one_broker(
        ", policies: [{queue: '>', memoryLimit: 3000}]",
        "consumers:\n  - {name: c, broker: a, destination: 'queue:q', at_s: 2}\n" +
            ten_messages_of_1000_bytes));

    CHECK(report["consumers"][0]["received"] == 10);
    CHECK(broker_a(report)["peak_memory_bytes"] == 4048);
    CHECK(broker_a(report)["stalled_sends"] == 1);
    CHECK(broker_a(report)["stall_time_s"].get<double>() == doctest::Approx(0.98).epsilon(1e-6));
}

TEST_CASE("with producerFlowControl off the sends over the limit are accepted and counted")
{
    // 3 kb is 3072 bytes: sends 2 to 9 find 4048 to 18216 bytes held, eight sends over the
    // limit, none held. The broker's default 1 GiB memoryUsage is more than its default
    // 512 MiB heap, so ActiveMQ resets it to 70 % of the heap: 375,809,638 bytes.
    const auto report = run_scenario_text(one_broker(
        ", policies: [{queue: '>', memoryLimit: '3 kb', producerFlowControl: false}]",
        ten_messages_of_1000_bytes));

    CHECK(report["conservation"]["published"] == 10);
    CHECK(broker_a(report)["peak_memory_bytes"] == 20240);
    CHECK(broker_a(report)["stalled_sends"] == 0);
    CHECK(broker_a(report)["memory_limit_bytes"] == 375809638);
    CHECK(broker_a(report)["sends_over_limit"] == 8);
}

TEST_CASE("the broker's memory limit is shared by all its destinations")
{
    // 0.004 MiB is 4194 bytes. p1 sends at 1.000, 1.010, ...; p2 at 1.005, 1.015, ... to
    // another queue. Held before each send: 0, 2024, 4048 (still below 4194), so three are
    // accepted; p2's send at 1.015 and p1's at 1.020 find 6072 and are held.
    const auto report = run_scenario_text(one_broker(
        ", memory_limit_mb: 0.004",
        "producers:\n"
        "  - {name: p1, broker: a, destination: 'queue:q1', count: 10, bytes: 1000, at_s: 1, "
        "interval_ms: 10}\n"
        "  - {name: p2, broker: a, destination: 'queue:q2', count: 10, bytes: 1000, "
        "at_s: 1.005, interval_ms: 10}\n"));

    CHECK(broker_a(report)["memory_limit_bytes"] == 4194);
    CHECK(report["conservation"]["published"] == 3);
    CHECK(broker_a(report)["peak_memory_bytes"] == 6072);
    CHECK(broker_a(report)["stalled_sends"] == 2);
}

TEST_CASE("copies waiting for the broker's CPU use its memory")
{
    // 100 ms of CPU per copy: the first is processed until 1.1002 s, by when all five have
    // arrived, so five copies of 2024 bytes are held at once. The default limit (70 % of the
    // 512 MiB heap) is far away.
    const auto report = run_scenario_text(one_broker(
        ", cpu_us_per_message: 100000",
        "consumers:\n  - {name: c, broker: a, destination: 'queue:q', at_s: 0}\n"
        "producers:\n  - {name: p, broker: a, destination: 'queue:q', count: 5, bytes: 1000, "
        "at_s: 1, interval_ms: 10}\n"));

    CHECK(report["consumers"][0]["received"] == 5);
    CHECK(broker_a(report)["memory_limit_bytes"] == 375809638);
    CHECK(broker_a(report)["peak_memory_bytes"] == 10120);
    CHECK(broker_a(report)["stalled_sends"] == 0);
}

TEST_CASE("message_overhead_bytes 0 counts bodies only")
{
    // Sends 0, 1, 2 find 0, 1000, 2000 bytes held, below 3000; send 3 finds 3000.
    const auto report = run_scenario_text(one_broker(
        ", message_overhead_bytes: 0, policies: [{queue: '>', memoryLimit: 3000}]",
        ten_messages_of_1000_bytes));

    CHECK(report["conservation"]["published"] == 3);
    CHECK(broker_a(report)["peak_memory_bytes"] == 3000);
}

TEST_CASE("a producer's headers are accounted as ActiveMQ's marshalled properties")
{
    // mc_identity: n1 marshals to 4 (entry count) + 2 + 11 (name) + 1 (type) + 2 + 2 (value)
    // = 22 bytes, so each message counts 1024 + 1000 + 22 = 2046. Send 2 finds 4092 held,
    // which is the limit: held. Without the header it would find 4048 and be accepted.
    const auto report = run_scenario_text(one_broker(
        ", policies: [{queue: '>', memoryLimit: 4092}]",
        "producers:\n  - {name: p, broker: a, destination: 'queue:q', count: 10, bytes: 1000, "
        "at_s: 1, interval_ms: 10, headers: {mc_identity: n1}}\n"));

    CHECK(report["conservation"]["published"] == 2);
    CHECK(broker_a(report)["peak_memory_bytes"] == 4092);
}

TEST_CASE("a heap smaller than memory_limit_mb resets the limit to 70 % of the heap")
{
    // 10 MiB of heap: 7,340,032 bytes of memoryUsage, as ActiveMQ's BrokerService does.
    const auto report = run_scenario_text(one_broker(
        ", memory_limit_mb: 64, memory_budget_mb: 10", ten_messages_of_1000_bytes));

    CHECK(broker_a(report)["memory_limit_bytes"] == 7340032);
    CHECK(broker_a(report)["memory_budget_bytes"] == 10485760);
}

TEST_CASE("a direct request held by the broker counts its mc_identity property")
{
    // 100 ms of CPU per copy holds the request, then the reply, one at a time. The request
    // counts 1024 + 500 (body) + 4 (entry count) + 2 + 11 + 1 + 2 + the identity's length:
    // "web-1000" (the number outgrows the pattern's 3 digits) is 8 long, "web-00007" 9. The
    // reply, 1024 + 100 with no properties, stays below.
    const auto held = [](const char* pattern, const char* identity) {
        const auto report = run_scenario_text(one_broker(
            ", cpu_us_per_message: 100000",
            std::string("nodes:\n  - {count: 1000, broker: a, identity: '") + pattern +
                "', agents: [rpcutil]}\n"
                "clients:\n  - {name: op, broker: a}\n"
                "agents:\n  - {name: rpcutil, reply_bytes: 100}\n"
                "requests:\n  - {at_s: 1, client: op, agent: rpcutil, action: ping, "
                "request_bytes: 500, identities: [" +
                identity + "]}\n"));
        CHECK(report["requests"][0]["replies"] == 1);
        return broker_a(report)["peak_memory_bytes"].get<std::uint64_t>();
    };
    CHECK(held("web-{i:03}", "web-1000") == 1552);
    CHECK(held("web-{i:05}", "web-00007") == 1553);
}
