// MCollective's request lifecycle, against the rules of MCollective 2.x (shared reference
// semantics §3): discovery, direct versus broadcast addressing, timeouts, clocks.
#include "run_child.hpp"

#include <doctest/doctest.h>

#include <string>

using brokersim::testing::run_scenario_file;
using brokersim::testing::run_scenario_text;

namespace {

std::string scenario(const char* name)
{
    return std::string(BROKERSIM_SOURCE_DIR) + "/scenarios/" + name;
}

// One broker, `count` nodes of the rpcutil agent; `agent` and `request` are YAML flow maps.
std::string one_broker(int count, const std::string& agent, const std::string& request,
                       const std::string& broker_extra = "")
{
    return "name: t\ndatacenters: [a, b]\nbrokers:\n"
           "  - {name: a, datacenter: a}\n  - {name: b, datacenter: b" + broker_extra + "}\n"
           "links:\n  - {between: [a, b], latency_ms: 5, bandwidth_mbps: 100}\n"
           "connectors:\n  - {on: a, to: b, duplex: true, networkTTL: 2}\n"
           "nodes:\n  - {count: " + std::to_string(count) +
           ", broker: b, identity: 'n{i}', agents: [rpcutil]}\n"
           "clients:\n  - {name: op, broker: a}\n"
           "agents:\n  - " + agent + "\nrequests:\n  - " + request + "\n";
}

}  // namespace

TEST_CASE("discovery counts every pong: a duplicating mesh discovers 3 nodes 5 times")
{
    const auto report = run_scenario_file(scenario("triangle-duplicates.yaml"));
    CHECK(report["requests"][0]["discovered"] == 5);
    CHECK(report["requests"][0]["addressing"] == "broadcast");  // direct addressing is off
}

TEST_CASE("at most 10 discovered: one direct message per discovered entry, duplicates too")
{
    const auto report = run_scenario_text(one_broker(
        3, "{name: rpcutil}", "{at_s: 2, client: op, agent: rpcutil, action: ping}"));
    const auto& request = report["requests"][0];
    CHECK(request["discovered"] == 3);
    CHECK(request["addressing"] == "direct");
    CHECK(request["messages_sent"] == 3);
    CHECK(request["replies"] == 3);
}

TEST_CASE("more than the threshold discovered: the request is broadcast once")
{
    const auto report = run_scenario_text(one_broker(
        11, "{name: rpcutil}", "{at_s: 2, client: op, agent: rpcutil, action: ping}"));
    const auto& request = report["requests"][0];
    CHECK(request["discovered"] == 11);
    CHECK(request["addressing"] == "broadcast");
    CHECK(request["messages_sent"] == 1);
    CHECK(request["replies"] == 11);
}

TEST_CASE("the client stops as soon as every discovered node has replied")
{
    const auto report = run_scenario_text(one_broker(
        4, "{name: rpcutil, run_time_ms: 100}",
        "{at_s: 2, client: op, agent: rpcutil, action: ping}"));
    const auto& request = report["requests"][0];
    // 5 ms out, 100 ms agent run, 5 ms back, plus LAN hops: far below the 12 s timeout.
    CHECK(request["blocktime_s"].get<double>() == doctest::Approx(0.1105).epsilon(0.01));
    CHECK(request["totaltime_s"].get<double>() ==
          doctest::Approx(2.0 + request["blocktime_s"].get<double>()));
}

TEST_CASE("an agent that runs past its timeout sends no reply")
{
    const auto report = run_scenario_text(one_broker(
        3, "{name: rpcutil, timeout_s: 1, run_time_ms: 2000}",
        "{at_s: 2, client: op, agent: rpcutil, action: ping}"));
    const auto& request = report["requests"][0];
    CHECK(request["replies"] == 0);
    CHECK(request["noresponsefrom"] == 3);
    CHECK(report["conservation"]["drops"]["agent-timeout"] == 3);
}

TEST_CASE("a broker whose clock is more than ttl + 10 s ahead expires what passes through it")
{
    const auto report = run_scenario_text(one_broker(
        3, "{name: rpcutil}", "{at_s: 2, client: op, agent: rpcutil, action: ping}",
        ", clock_offset_s: 71"));
    CHECK(report["requests"][0]["discovered"] == 0);
    CHECK(report["requests"][0]["addressing"] == "not sent");
    CHECK(report["conservation"]["drops"]["expired"] == 1);  // the ping, on arrival at b
}

TEST_CASE("clock skew: nodes ahead refuse requests, nodes behind have their replies expired")
{
    const auto report = run_scenario_file(scenario("clock-skew.yaml"));
    const auto& request = report["requests"][0];
    CHECK(request["discovered"] == 500);     // only the German nodes
    CHECK(request["replies"] == 500);
    CHECK(request["missing"] == 1000);
    CHECK(request["ttl_expired"] == 500);    // the UK nodes refuse the request...
    CHECK(report["conservation"]["drops"]["ttl-expired"] == 1000);  // ...and the ping
    CHECK(report["conservation"]["drops"]["expired"] == 1000);      // Japan's pongs and replies
}

TEST_CASE("replies that the WAN cannot carry within the timeout are noresponsefrom")
{
    const auto report = run_scenario_file(scenario("wan-timeout.yaml"));
    const auto& short_wait = report["requests"][0];
    const auto& long_wait = report["requests"][1];

    // 4 Mbit/s carries 500,000 bytes/s; a reply is 5,000 bytes plus 190 of framing; the first
    // can arrive 0.4 s after publishing (two 150 ms crossings and 100 ms of agent run).
    const double capacity = (12.0 - 0.4) * 500000.0 / 5190.0;
    CHECK(short_wait["discovered"] == 4000);
    CHECK(short_wait["replies"].get<double>() <= capacity);
    CHECK(short_wait["replies"].get<double>() >= 0.95 * capacity);
    CHECK(short_wait["noresponsefrom"].get<int>() == 4000 - short_wait["replies"].get<int>());
    CHECK(long_wait["replies"] == 4000);
    CHECK(long_wait["noresponsefrom"] == 0);
    // The replies keep the link full: its busiest second carries its whole bandwidth.
    CHECK(report["links"][0]["peak_utilisation_ba"].get<double>() ==
          doctest::Approx(1.0).epsilon(0.02));
    // The queue connector's bridge takes 1,000 replies (its prefetchSize) without an
    // acknowledgement; the rest wait on the remote broker's reply queue. When the client
    // leaves, the 1,000 on their way end up waiting on the NOC broker, and the remaining
    // 4000 - replies - 1000 stay on the remote one, where the second request's backlog of
    // 4000 - 1000 joins them.
    const int late = 4000 - short_wait["replies"].get<int>();
    CHECK(report["broker_load"][0]["name"] == "noc");
    CHECK(report["broker_load"][0]["peak_pending"] == 1000);
    CHECK(report["broker_load"][1]["peak_pending"] == (late - 1000) + (4000 - 1000));
    CHECK(report["conservation"]["drops"]["stranded"] == late);
}

TEST_CASE("named identities go direct through the hub and all answer with conduit off")
{
    const auto report = run_scenario_file(scenario("direct-addressing.yaml"));
    const auto& named = report["requests"][0];
    CHECK(named["discovery"] == "identities");
    CHECK(named["addressing"] == "direct");
    CHECK(named["messages_sent"] == 6);
    CHECK(named["replies"] == 6);
    const auto& filtered = report["requests"][1];
    CHECK(filtered["discovered"] == 40);
    CHECK(filtered["addressing"] == "broadcast");
    CHECK(filtered["replies"] == 40);
}

TEST_CASE("conduit subscriptions on the queue connectors strand direct requests at the hub")
{
    // The hub's two selector-less demand subscriptions take the six messages in turn (uk, de,
    // uk, de, ...): uk-node-0002's goes to Germany and de-node-0002's to the UK.
    const auto report = run_scenario_file(scenario("direct-addressing-conduit.yaml"));
    const auto& named = report["requests"][0];
    CHECK(named["replies"] == 4);
    CHECK(named["noresponsefrom_samples"] ==
          nlohmann::json::array({"uk-node-0002", "de-node-0002"}));
    CHECK(report["conservation"]["drops"]["stranded"] == 2);
    CHECK(report["broker_load"][1]["peak_pending"] == 1);  // uk holds de-node-0002's
    CHECK(report["broker_load"][2]["peak_pending"] == 1);  // de holds uk-node-0002's
}
