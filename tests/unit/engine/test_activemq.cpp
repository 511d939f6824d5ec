// Network-of-brokers behaviours, one per case, with plain consumers and producers; expected
// counts are those of ActiveMQ 5.17 (shared reference semantics §2, examples E5 and E6, and
// the oracle's runs on real brokers).
#include "run_child.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>

using brokersim::testing::run_scenario_text;

namespace {

// Brokers a and b joined by one duplex connector with `attributes`; `body` adds consumers and
// producers.
std::string pair(const std::string& attributes, const std::string& body,
                 const std::string& extra_connector = "")
{
    return "name: t\ndatacenters: [a, b]\nbrokers:\n"
           "  - {name: a, datacenter: a}\n  - {name: b, datacenter: b}\n"
           "links:\n  - {between: [a, b], latency_ms: 1, bandwidth_mbps: 1000}\n"
           "connectors:\n  - {on: a, to: b, duplex: true" + attributes + "}\n" +
           extra_connector + body;
}

std::map<std::string, int> received(const nlohmann::json& report)
{
    std::map<std::string, int> counts;
    for (const auto& consumer : report["consumers"])
        counts[consumer["name"]] = consumer["received"];
    return counts;
}

const std::string queue_consumers_and_20_messages =
    "consumers:\n"
    "  - {name: cA, broker: a, destination: 'queue:q', at_s: 0}\n"
    "  - {name: cB, broker: b, destination: 'queue:q', at_s: 0.3}\n"
    "producers:\n  - {name: p, broker: a, destination: 'queue:q', count: 20, at_s: 2}\n";

}  // namespace

TEST_CASE("queue messages alternate between a local and a network consumer of equal priority")
{
    const auto report = run_scenario_text(pair("", queue_consumers_and_20_messages));
    CHECK(received(report) == std::map<std::string, int>{{"cA", 10}, {"cB", 10}});
}

TEST_CASE("decreaseNetworkConsumerPriority keeps queue messages with the local consumer")
{
    const auto report = run_scenario_text(
        pair(", decreaseNetworkConsumerPriority: true", queue_consumers_and_20_messages));
    CHECK(received(report) == std::map<std::string, int>{{"cA", 20}, {"cB", 0}});
}

TEST_CASE("a non-conduit topic bridge forwards one copy per remote consumer")
{
    const auto report = run_scenario_text(pair(
        ", conduitSubscriptions: false",
        "consumers:\n"
        "  - {name: b1, broker: b, destination: 'topic:t', at_s: 0}\n"
        "  - {name: b2, broker: b, destination: 'topic:t', at_s: 0.3}\n"
        "  - {name: b3, broker: b, destination: 'topic:t', at_s: 0.6}\n"
        "producers:\n  - {name: p, broker: a, destination: 'topic:t', count: 10, at_s: 2}\n"));
    // Three demand subscriptions at a: each of b's consumers gets every message three times.
    CHECK(received(report) == std::map<std::string, int>{{"b1", 30}, {"b2", 30}, {"b3", 30}});
}

TEST_CASE("a conduit topic bridge forwards one copy whatever the number of remote consumers")
{
    const auto report = run_scenario_text(pair(
        "",
        "consumers:\n"
        "  - {name: b1, broker: b, destination: 'topic:t', at_s: 0}\n"
        "  - {name: b2, broker: b, destination: 'topic:t', at_s: 0.3}\n"
        "producers:\n  - {name: p, broker: a, destination: 'topic:t', count: 10, at_s: 2}\n"));
    CHECK(received(report) == std::map<std::string, int>{{"b1", 10}, {"b2", 10}});
    CHECK(report["links"][0]["messages_ab"] == 10);
}

TEST_CASE("a duplex connector on both ends: the second topic demand is a suppressed duplicate")
{
    const auto report = run_scenario_text(pair(
        "",
        "consumers:\n  - {name: cB, broker: b, destination: 'topic:t', at_s: 0}\n"
        "producers:\n  - {name: p, broker: a, destination: 'topic:t', count: 10, at_s: 2}\n",
        "  - {on: b, to: a, name: ba, duplex: true}\n"));
    CHECK(received(report) == std::map<std::string, int>{{"cB", 10}});
}

TEST_CASE("without duplicate suppression both bridges carry the topic: two copies each")
{
    // Derived from the suppression mechanism (reference §2.5, E5); not yet run on real brokers.
    const auto report = run_scenario_text(pair(
        ", suppressDuplicateTopicSubscriptions: false",
        "consumers:\n  - {name: cB, broker: b, destination: 'topic:t', at_s: 0}\n"
        "producers:\n  - {name: p, broker: a, destination: 'topic:t', count: 10, at_s: 2}\n",
        "  - {on: b, to: a, name: ba, duplex: true, suppressDuplicateTopicSubscriptions: false}\n"));
    CHECK(received(report) == std::map<std::string, int>{{"cB", 20}});
}

TEST_CASE("dynamicallyIncludedDestinations limits demand to the listed destinations")
{
    const auto report = run_scenario_text(pair(
        ", dynamicallyIncludedDestinations: ['topic:wanted.>']",
        "consumers:\n"
        "  - {name: wanted, broker: b, destination: 'topic:wanted.x', at_s: 0}\n"
        "  - {name: other, broker: b, destination: 'topic:other.x', at_s: 0}\n"
        "producers:\n"
        "  - {name: p1, broker: a, destination: 'topic:wanted.x', count: 5, at_s: 2}\n"
        "  - {name: p2, broker: a, destination: 'topic:other.x', count: 5, at_s: 2}\n"));
    CHECK(received(report) == std::map<std::string, int>{{"other", 0}, {"wanted", 5}});
}

TEST_CASE("a queue message waits for demand that appears later, then crosses")
{
    const auto report = run_scenario_text(pair(
        "",
        "consumers:\n  - {name: late, broker: a, destination: 'queue:q', at_s: 5}\n"
        "producers:\n  - {name: p, broker: b, destination: 'queue:q', count: 5, at_s: 1}\n"));
    CHECK(received(report) == std::map<std::string, int>{{"late", 5}});
    CHECK(report["broker_load"][1]["peak_pending"] == 5);
}

namespace {

// Brokers a and b 50 ms apart, one duplex connector with `attributes`.
std::string distant_pair(const std::string& attributes, const std::string& body)
{
    return "name: t\ndatacenters: [a, b]\nbrokers:\n"
           "  - {name: a, datacenter: a}\n  - {name: b, datacenter: b}\n"
           "links:\n  - {between: [a, b], latency_ms: 50, bandwidth_mbps: 1000}\n"
           "connectors:\n  - {on: a, to: b, duplex: true" + attributes + "}\n" + body;
}

}  // namespace

TEST_CASE("a bridge takes at most prefetchSize queue messages per round trip; the rest wait")
{
    // Ten messages 1 ms apart; the bridge's window of 2 frees a slot only when the remote
    // broker's response to a message comes back, a 100 ms round trip later, so 8 wait on a at
    // the peak.
    const auto report = run_scenario_text(distant_pair(
        ", prefetchSize: 2",
        "consumers:\n  - {name: cB, broker: b, destination: 'queue:q', at_s: 0}\n"
        "producers:\n  - {name: p, broker: a, destination: 'queue:q', count: 10, at_s: 2}\n"));
    CHECK(received(report) == std::map<std::string, int>{{"cB", 10}});
    CHECK(report["broker_load"][0]["name"] == "a");
    CHECK(report["broker_load"][0]["peak_pending"] == 8);
    CHECK(report["broker_load"][1]["peak_pending"] == 0);
    CHECK(report["conservation"]["holds"] == true);
}

TEST_CASE("a full prefetch window sends queue messages past the bridge to the local consumer")
{
    // Round robin between cA and the bridge, but the bridge's window of 1 is full from the
    // second message until its response comes back 100 ms later: the other 8 of the 10
    // messages, 1 ms apart, all go to cA. With the default window of 1,000 they alternate.
    const std::string body =
        "consumers:\n"
        "  - {name: cA, broker: a, destination: 'queue:q', at_s: 0}\n"
        "  - {name: cB, broker: b, destination: 'queue:q', at_s: 0}\n"
        "producers:\n  - {name: p, broker: a, destination: 'queue:q', count: 10, at_s: 2}\n";
    CHECK(received(run_scenario_text(distant_pair(", prefetchSize: 1", body))) ==
          std::map<std::string, int>{{"cA", 9}, {"cB", 1}});
    CHECK(received(run_scenario_text(distant_pair("", body))) ==
          std::map<std::string, int>{{"cA", 5}, {"cB", 5}});
}
