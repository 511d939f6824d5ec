// Faults: broker crashes with node failover, links going silent, bridge reconnection with
// ActiveMQ's back-off, latency changes (shared reference semantics §2.11, §3.6).
#include "run_child.hpp"

#include <doctest/doctest.h>

#include <string>

using brokersim::testing::run_scenario_file;
using brokersim::testing::run_scenario_text;

namespace {

// Client on a, 10 nodes on b, one duplex connector a -> b over a 5 ms link; `extra` adds
// requests and faults.
std::string two_brokers(const std::string& extra)
{
    return "name: t\ndatacenters: [a, b]\nbrokers:\n"
           "  - {name: a, datacenter: a}\n  - {name: b, datacenter: b}\n"
           "links:\n  - {between: [a, b], latency_ms: 5, bandwidth_mbps: 100}\n"
           "connectors:\n  - {on: a, to: b, name: ab, duplex: true, networkTTL: 2}\n"
           "nodes:\n  - {count: 10, broker: b, identity: 'n{i}', agents: [rpcutil]}\n"
           "clients:\n  - {name: op, broker: a}\n" + extra;
}

nlohmann::json timeline_entry(const nlohmann::json& report, const std::string& what)
{
    for (const auto& entry : report["timeline"])
        if (entry["what"] == what)
            return entry;
    return nullptr;
}

}  // namespace

TEST_CASE("a crashed broker's nodes fail over and answer later requests; replies in flight "
          "are lost")
{
    const auto report = run_scenario_file(std::string(BROKERSIM_SOURCE_DIR) +
                                          "/scenarios/broker-failover.yaml");
    const auto& requests = report["requests"];
    const auto lost = report["conservation"]["drops"]["lost-in-flight"].get<int>();
    CHECK(requests[0]["replies"] == 2000);
    CHECK(lost > 0);
    CHECK(requests[1]["replies"] == 2000 - lost);
    CHECK(requests[1]["noresponsefrom"] == lost);
    CHECK(requests[2]["replies"] == 2000);
    // After the failover the UK nodes receive their requests from the NOC broker.
    CHECK(requests[2]["deliveries_by_broker"]["noc"] == 1000);
    CHECK(requests[3]["deliveries_by_broker"]["noc"] == 1000);  // and stay there
    const auto failover = timeline_entry(report, "failover");
    REQUIRE(failover != nullptr);
    CHECK(failover["time_s"].get<double>() == doctest::Approx(30.01));  // first back-off
}

TEST_CASE("a silent link kills its bridge after 30 s; the dialer retries at 1, 2, 4, 8 s")
{
    const auto report = run_scenario_text(two_brokers(
        "faults:\n  - {at_s: 10, link_down: [a, b]}\n  - {at_s: 50, link_up: [a, b]}\n"));
    const auto down = timeline_entry(report, "bridge-down");
    const auto up = timeline_entry(report, "bridge-up");
    REQUIRE(down != nullptr);
    REQUIRE(up != nullptr);
    CHECK(down["time_s"].get<double>() == doctest::Approx(40.0));  // inactivity timeout
    CHECK(up["time_s"].get<double>() == doctest::Approx(55.0));    // attempts 41, 43, 47, 55
}

TEST_CASE("a link back within the inactivity timeout delivers what it held")
{
    const auto report = run_scenario_text(two_brokers(
        "requests:\n  - {at_s: 12, client: op, agent: rpcutil, action: ping, discovery: none,"
        " timeout_s: 20}\nfaults:\n  - {at_s: 10, link_down: [a, b]}\n"
        "  - {at_s: 20, link_up: [a, b]}\n"));
    const auto& request = report["requests"][0];
    CHECK(request["replies"] == 10);
    CHECK(request["first_reply_s"].get<double>() > 8.0);  // held from 12 s until 20 s
    CHECK(timeline_entry(report, "bridge-down") == nullptr);
}

TEST_CASE("a latency change moves every reply by twice the difference")
{
    const std::string request =
        "requests:\n  - {at_s: 20, client: op, agent: rpcutil, action: ping, discovery: none}\n";
    const auto before = run_scenario_text(two_brokers(request));
    const auto after = run_scenario_text(two_brokers(
        request + "faults:\n  - {at_s: 10, link_latency: [a, b], latency_ms: 105}\n"));
    CHECK(after["requests"][0]["first_reply_s"].get<double>() ==
          doctest::Approx(before["requests"][0]["first_reply_s"].get<double>() + 0.200)
              .epsilon(0.001));
}

TEST_CASE("a partitioned datacenter misses requests until the bridge comes back")
{
    const auto report = run_scenario_text(two_brokers(
        "requests:\n"
        "  - {at_s: 45, client: op, agent: rpcutil, action: ping, discovery: none}\n"
        "  - {at_s: 80, client: op, agent: rpcutil, action: ping, discovery: none}\n"
        "faults:\n  - {at_s: 10, partition: b}\n  - {at_s: 60, heal: b}\n"));
    CHECK(report["requests"][0]["replies"] == 0);   // bridge dead since 40 s
    CHECK(report["requests"][1]["replies"] == 10);  // reconnected at 71 s
    CHECK(timeline_entry(report, "bridge-up")["time_s"].get<double>() == doctest::Approx(71.0));
}

namespace {

// Ten nodes on b answer a ping from a client on a within microseconds of each other (the same
// agent run time), over a 5 ms link; broker a's CPU cost per message is `cost`.
std::string ten_replies_into_a(const std::string& cost)
{
    return "name: t\ndatacenters: [a, b]\nbrokers:\n"
           "  - {name: a, datacenter: a, cpu_us_per_message: " + cost + "}\n"
           "  - {name: b, datacenter: b}\n"
           "links:\n  - {between: [a, b], latency_ms: 5, bandwidth_mbps: 100}\n"
           "connectors:\n  - {on: a, to: b, duplex: true, networkTTL: 2}\n"
           "nodes:\n  - {count: 10, broker: b, identity: 'n{i}', agents: [rpcutil]}\n"
           "clients:\n  - {name: op, broker: a}\n"
           "agents:\n  - {name: rpcutil, run_time_ms: 50}\n"
           "requests:\n  - {at_s: 2, client: op, agent: rpcutil, action: ping,"
           " discovery: none}\n";
}

}  // namespace

TEST_CASE("a broker's CPU serves arriving copies one after another")
{
    // At 10 ms of CPU each, the tenth reply waits for the nine before it.
    const auto report = run_scenario_text(ten_replies_into_a("10000"));
    const auto& request = report["requests"][0];
    CHECK(request["replies"] == 10);
    CHECK(report["broker_load"][0]["peak_cpu_wait_s"].get<double>() ==
          doctest::Approx(0.090).epsilon(0.02));
    CHECK(request["last_reply_s"].get<double>() - request["first_reply_s"].get<double>() ==
          doctest::Approx(0.090).epsilon(0.02));
}

TEST_CASE("a broker's CPU cost can differ for topic and queue messages")
{
    // As above; the replies travel on a queue, the request on a topic.
    const auto topics_only = run_scenario_text(ten_replies_into_a("{topic: 10000}"));
    CHECK(topics_only["requests"][0]["replies"] == 10);
    CHECK(topics_only["broker_load"][0]["peak_cpu_wait_s"].get<double>() == 0.0);
    const auto queues_only = run_scenario_text(ten_replies_into_a("{queue: 10000}"));
    CHECK(queues_only["broker_load"][0]["peak_cpu_wait_s"].get<double>() ==
          doctest::Approx(0.090).epsilon(0.02));
}

TEST_CASE("a vanished broker host: bridges give up after 30 s, nodes after two heartbeats")
{
    const auto yaml = "name: t\ndatacenters: [a, b]\nbrokers:\n"
                      "  - {name: a, datacenter: a}\n  - {name: b, datacenter: b}\n"
                      "links:\n  - {between: [a, b], latency_ms: 5, bandwidth_mbps: 100}\n"
                      "connectors:\n  - {on: a, to: b, name: ab, duplex: true, networkTTL: 2}\n"
                      "nodes:\n"
                      "  - {name: beating, count: 5, broker: b, failover: [a], identity: 'h{i}',"
                      " agents: [rpcutil], heartbeat_interval_s: 30}\n"
                      "  - {name: silent, count: 5, broker: b, failover: [a], identity: 's{i}',"
                      " agents: [rpcutil]}\n"
                      "clients:\n  - {name: op, broker: a}\n"
                      "requests:\n  - {at_s: 100, client: op, agent: rpcutil, action: ping}\n"
                      "faults:\n  - {at_s: 10, broker_lost: b}\n";
    const auto report = run_scenario_text(yaml);
    const auto down = timeline_entry(report, "bridge-down");
    const auto failover = timeline_entry(report, "failover");
    REQUIRE(down != nullptr);
    REQUIRE(failover != nullptr);
    CHECK(down["time_s"].get<double>() == doctest::Approx(40.0));
    CHECK(failover["time_s"].get<double>() == doctest::Approx(70.01));  // 2 x 30 s, then 10 ms
    CHECK(failover["detail"] == "beating to a");
    // Without heartbeats the other nodes never notice and miss the request.
    CHECK(report["requests"][0]["replies"] == 5);
    CHECK(report["requests"][0]["missing"] == 5);
}

namespace {

// a -> b duplex over a 500 ms link; b's consumer `consumer_b` subscribes at once, a's own `cA`
// only at 5 s; 10 messages on `destination` leave a at 2 s, and b crashes at 2.2 s with all
// of them still on the wire.
std::string crash_with_copies_on_the_wire(const std::string& destination)
{
    return "name: t\ndatacenters: [a, b]\nbrokers:\n"
           "  - {name: a, datacenter: a}\n  - {name: b, datacenter: b}\n"
           "links:\n  - {between: [a, b], latency_ms: 500, bandwidth_mbps: 100}\n"
           "connectors:\n  - {on: a, to: b, duplex: true}\n"
           "consumers:\n"
           "  - {name: cB, broker: b, destination: '" + destination + "', at_s: 0}\n"
           "  - {name: cA, broker: a, destination: '" + destination + "', at_s: 5}\n"
           "producers:\n"
           "  - {name: p, broker: a, destination: '" + destination + "', count: 10, at_s: 2}\n"
           "faults:\n  - {at_s: 2.2, broker_down: b}\n";
}

}  // namespace

TEST_CASE("queue messages a failed bridge had not delivered go back to their queue")
{
    // Unconfirmed by b, they are redelivered on a, wait there and go to cA when it subscribes.
    const auto report = run_scenario_text(crash_with_copies_on_the_wire("queue:q"));
    CHECK(report["consumers"][0]["received"] == 0);
    CHECK(report["consumers"][1]["received"] == 10);
    CHECK(report["conservation"]["drops"].value("broker-down", 0) == 0);
}

TEST_CASE("topic messages a failed bridge had not delivered are lost")
{
    const auto report = run_scenario_text(crash_with_copies_on_the_wire("topic:t"));
    CHECK(report["consumers"][0]["received"] == 0);
    CHECK(report["consumers"][1]["received"] == 0);
    CHECK(report["conservation"]["drops"]["broker-down"] == 10);
}

TEST_CASE("queue messages held on a silent link go back to their queue when the bridge dies")
{
    // The link is down from 1 s; the bridge is declared dead at 31 s, and the five messages
    // queued on it since 2 s are redelivered on a, to its only consumer, which came at 20 s.
    const auto report = run_scenario_text(
        "name: t\ndatacenters: [a, b]\nbrokers:\n"
        "  - {name: a, datacenter: a}\n  - {name: b, datacenter: b}\n"
        "links:\n  - {between: [a, b], latency_ms: 5, bandwidth_mbps: 100}\n"
        "connectors:\n  - {on: a, to: b, duplex: true}\n"
        "consumers:\n"
        "  - {name: cB, broker: b, destination: 'queue:q', at_s: 0}\n"
        "  - {name: cA, broker: a, destination: 'queue:q', at_s: 20,"
        " priority: -1}\n"
        "producers:\n  - {name: p, broker: a, destination: 'queue:q', count: 5, at_s: 2}\n"
        "faults:\n  - {at_s: 1, link_down: [a, b]}\n");
    CHECK(report["consumers"][0]["received"] == 0);
    CHECK(report["consumers"][1]["received"] == 5);
    CHECK(report["consumers"][1]["messages"][0] == "m1");
}
