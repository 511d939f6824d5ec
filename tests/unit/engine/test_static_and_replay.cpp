// Two bridge behaviours beyond demand that follows consumers: the standing demand of
// staticallyIncludedDestinations, and replayWhenNoConsumers, which lets a queue message go back
// along its path. Expected counts are ActiveMQ 5.17's (DemandForwardingBridgeSupport,
// ConduitBridge, ConditionalNetworkBridgeFilterFactory), and the oracle's static_* and replay_*
// cases reproduce several of them on real brokers.
#include "run_child.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>

using brokersim::testing::run_scenario_text;

namespace {

// a -> b -> c, plain connectors with `attributes`; `body` adds consumers, producers, faults.
std::string line(const std::string& attributes, const std::string& body)
{
    return "name: t\ndatacenters: [a, b, c]\nbrokers:\n"
           "  - {name: a, datacenter: a}\n  - {name: b, datacenter: b}\n"
           "  - {name: c, datacenter: c}\n"
           "links:\n  - {between: [a, b], latency_ms: 1, bandwidth_mbps: 1000}\n"
           "  - {between: [b, c], latency_ms: 1, bandwidth_mbps: 1000}\n"
           "connectors:\n  - {on: a, to: b" +
           attributes +
           "}\n"
           "  - {on: b, to: c" +
           attributes + "}\n" + body;
}

// a <-> b, one duplex connector; both brokers carry the queue policy `policy`.
std::string pair_with_policy(const std::string& policy, const std::string& body)
{
    const std::string policies = policy.empty() ? "" : ", policies: [{queue: '>'" + policy + "}]";
    return "name: t\ndatacenters: [a, b]\nbrokers:\n"
           "  - {name: a, datacenter: a" +
           policies +
           "}\n"
           "  - {name: b, datacenter: b" +
           policies +
           "}\n"
           "links:\n  - {between: [a, b], latency_ms: 1, bandwidth_mbps: 1000}\n"
           "connectors:\n  - {on: a, to: b, duplex: true}\n" +
           body;
}

std::map<std::string, int> received(const nlohmann::json& report)
{
    std::map<std::string, int> counts;
    for (const auto& consumer : report["consumers"])
        counts[consumer["name"]] = consumer["received"];
    return counts;
}

std::map<std::string, int> left_on(const nlohmann::json& report)
{
    std::map<std::string, int> counts;
    for (const auto& message : report["messages"])
        for (const auto& broker : message["left_on"])
            ++counts[broker.get<std::string>()];
    return counts;
}

const std::string static_q = ", staticallyIncludedDestinations: ['queue:q']";
const std::string static_t = ", staticallyIncludedDestinations: ['topic:t']";
const std::string ten_on_q =
    "producers:\n  - {name: p, broker: a, destination: 'queue:q', count: 10, at_s: 2}\n";
const std::string ten_on_t =
    "producers:\n  - {name: p, broker: a, destination: 'topic:t', count: 10, at_s: 2}\n";

// b's consumer only takes messages for x, so a's conduit demand strands messages for y on b;
// cA subscribes on a only after they have crossed.
const std::string stranded_then_consumer_on_a =
    "consumers:\n"
    "  - {name: cB, broker: b, destination: 'queue:q', selector: \"mc_identity = 'x'\", "
    "at_s: 0}\n"
    "  - {name: cA, broker: a, destination: 'queue:q', at_s: 3}\n"
    "producers:\n"
    "  - {name: p, broker: a, destination: 'queue:q', count: 5, at_s: 1, "
    "headers: {mc_identity: y}}\n";

} // namespace

TEST_CASE("a statically included queue crosses with no consumer anywhere and waits there")
{
    const auto report = run_scenario_text(line(static_q, ten_on_q));
    // networkTTL 1 stops them at b although b's own bridge also includes the queue.
    CHECK(left_on(report) == std::map<std::string, int>{{"b", 10}});
}

TEST_CASE("networkTTL 2 lets a static queue's messages go on over the next static bridge")
{
    const auto report = run_scenario_text(line(static_q + ", networkTTL: 2", ten_on_q));
    CHECK(left_on(report) == std::map<std::string, int>{{"c", 10}});
}

TEST_CASE("a statically included wildcard covers destinations named later")
{
    const auto report = run_scenario_text(line(
        ", staticallyIncludedDestinations: ['queue:q.>']",
        "producers:\n  - {name: p, broker: a, destination: 'queue:q.x', count: 4, at_s: 2}\n"));
    CHECK(left_on(report) == std::map<std::string, int>{{"b", 4}});
}

TEST_CASE("an excluded destination gets no static demand")
{
    const auto report =
        run_scenario_text(line(static_q + ", excludedDestinations: ['queue:q']", ten_on_q));
    CHECK(left_on(report) == std::map<std::string, int>{{"a", 10}});
}

TEST_CASE("the static demand predates a local consumer: the queue alternates from m1 on")
{
    const auto report = run_scenario_text(
        line(static_q, "consumers:\n  - {name: cA, broker: a, destination: 'queue:q', at_s: 0}\n" +
                           ten_on_q));
    CHECK(received(report) == std::map<std::string, int>{{"cA", 5}});
    CHECK(left_on(report) == std::map<std::string, int>{{"b", 5}});
    CHECK(report["messages"][0]["left_on"][0] == "b"); // m1 crossed
}

TEST_CASE("decreaseNetworkConsumerPriority puts the static demand behind a local consumer")
{
    const auto report = run_scenario_text(line(
        static_q + ", decreaseNetworkConsumerPriority: true",
        "consumers:\n  - {name: cA, broker: a, destination: 'queue:q', at_s: 0}\n" + ten_on_q));
    CHECK(received(report) == std::map<std::string, int>{{"cA", 10}});
    CHECK(left_on(report).empty());
}

TEST_CASE("a conduit bridge merges a remote topic consumer into the static demand")
{
    const auto report = run_scenario_text(
        line(static_t, "consumers:\n  - {name: cB, broker: b, destination: 'topic:t', at_s: 0}\n" +
                           ten_on_t));
    CHECK(received(report) == std::map<std::string, int>{{"cB", 10}});
}

TEST_CASE("without conduit the static and the dynamic topic demand each forward a copy")
{
    const auto report = run_scenario_text(line(
        static_t + ", conduitSubscriptions: false",
        "consumers:\n  - {name: cB, broker: b, destination: 'topic:t', at_s: 0}\n" + ten_on_t));
    CHECK(received(report) == std::map<std::string, int>{{"cB", 20}});
}

TEST_CASE("a static topic's messages cross and are dropped where nobody subscribes")
{
    const auto report = run_scenario_text(line(static_t, ten_on_t));
    CHECK(report["links"][0]["messages_ab"] == 10);
    CHECK(report["links"][1]["messages_ab"] == 0); // networkTTL 1
}

TEST_CASE("the static demand is back as soon as the bridge reconnects")
{
    // The link is down from 1 s to 40 s; the connection is declared lost at 31 s and redialled
    // 1, 2, 4 and 8 s later, at 46 s.
    const auto report = run_scenario_text(
        line(static_q,
             "faults:\n  - {at_s: 1, link_down: [a, b]}\n  - {at_s: 40, link_up: [a, b]}\n"
             "producers:\n  - {name: p, broker: a, destination: 'queue:q', count: 5, at_s: 50}\n"));
    CHECK(left_on(report) == std::map<std::string, int>{{"b", 5}});
}

TEST_CASE("without replay a queue message stranded on b stays there")
{
    const auto report = run_scenario_text(pair_with_policy("", stranded_then_consumer_on_a));
    CHECK(received(report) == std::map<std::string, int>{{"cA", 0}, {"cB", 0}});
    CHECK(left_on(report) == std::map<std::string, int>{{"b", 5}});
}

TEST_CASE("replay is blocked by any consumer of b's own unless the filter is selector aware")
{
    const auto report = run_scenario_text(
        pair_with_policy(", replayWhenNoConsumers: true", stranded_then_consumer_on_a));
    CHECK(received(report) == std::map<std::string, int>{{"cA", 0}, {"cB", 0}});
    CHECK(left_on(report) == std::map<std::string, int>{{"b", 5}});
}

TEST_CASE("selector-aware replay sends stranded messages back to a's new consumer")
{
    const auto report = run_scenario_text(pair_with_policy(
        ", replayWhenNoConsumers: true, selectorAware: true", stranded_then_consumer_on_a));
    CHECK(received(report) == std::map<std::string, int>{{"cA", 5}, {"cB", 0}});
    CHECK(left_on(report).empty());
    CHECK(report["links"][0]["messages_ab"] == 5);
    CHECK(report["links"][0]["messages_ba"] == 5);
}

TEST_CASE("a replay delay is only noticed when the queue next dispatches")
{
    // cA's demand reaches b at 3 s, 2 s after the messages: too early for a 5 s delay, and no
    // timer retries. p2's message arrives at b at 9 s and wakes the queue: the five go back;
    // p2's own message has only just arrived and stays.
    const auto report = run_scenario_text(
        pair_with_policy(", replayWhenNoConsumers: true, selectorAware: true, replayDelay: 5000",
                         stranded_then_consumer_on_a +
                             "  - {name: p2, broker: a, destination: 'queue:q', count: 1, at_s: 9, "
                             "headers: {mc_identity: y}}\n"));
    CHECK(received(report) == std::map<std::string, int>{{"cA", 5}, {"cB", 0}});
    CHECK(left_on(report) == std::map<std::string, int>{{"b", 1}});
    CHECK(report["messages"][5]["left_on"][0] == "b");
}
