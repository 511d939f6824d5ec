// Copy counts of a broadcast across small broker networks, against the counts real ActiveMQ
// 5.17 gives (shared/reference semantics, examples E1-E3 and E5b, observed on 5.17.2).
#include "run_child.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <map>
#include <string>
#include <vector>

using brokersim::testing::run_scenario_text;
using Counts = std::map<std::string, int>;

namespace {

struct Net
{
    std::vector<std::string> brokers;
    std::vector<std::pair<std::string, std::string>> links;
    std::vector<std::string> connectors;  // YAML flow maps
    std::string client_broker;
    std::string policies_on_every_broker;
    double request_at_s = 2;
};

// One datacenter, one node and nothing else per broker; the client pings every node.
std::string scenario_yaml(const Net& net)
{
    std::string yaml = "name: t\ndatacenters: [";
    for (std::size_t i = 0; i < net.brokers.size(); ++i)
        yaml += (i ? ", " : "") + net.brokers[i];
    yaml += "]\nbrokers:\n";
    for (const auto& b : net.brokers)
        yaml += fmt::format("  - {{name: {0}, datacenter: {0}{1}}}\n", b,
                            net.policies_on_every_broker);
    yaml += "links:\n";
    for (const auto& [a, b] : net.links)
        yaml += fmt::format("  - {{between: [{}, {}], latency_ms: 5, bandwidth_mbps: 100}}\n", a,
                            b);
    yaml += "connectors:\n";
    for (const auto& c : net.connectors)
        yaml += "  - " + c + "\n";
    yaml += "nodes:\n";
    for (const auto& b : net.brokers)
        yaml += fmt::format("  - {{count: 1, broker: {0}, identity: node-{0}, agents: [rpcutil]}}\n",
                            b);
    yaml += fmt::format("clients:\n  - {{name: op, broker: {}}}\n", net.client_broker);
    // A plain broadcast: no discovery, so the copy counts are those of one topic message.
    yaml += fmt::format("requests:\n  - {{at_s: {}, client: op, agent: rpcutil, action: ping, "
                        "discovery: none}}\n",
                        net.request_at_s);
    return yaml;
}

Counts copies_per_broker(const nlohmann::json& report)
{
    Counts counts;
    for (const auto& [broker, n] : report["requests"][0]["deliveries_by_broker"].items())
        counts[broker] = n.get<int>();
    return counts;
}

Net line(int ttl, bool duplex = true)
{
    const auto d = duplex ? "true" : "false";
    return {{"a", "b", "c"},
            {{"a", "b"}, {"b", "c"}},
            {fmt::format("{{on: a, to: b, duplex: {}, networkTTL: {}}}", d, ttl),
             fmt::format("{{on: b, to: c, duplex: {}, networkTTL: {}}}", d, ttl)},
            "a"};
}

Net hub_with_three_spokes(int ttl)
{
    Net net{{"hub", "s1", "s2", "s3"}, {{"hub", "s1"}, {"hub", "s2"}, {"hub", "s3"}}, {}, "s1"};
    for (const auto* spoke : {"s1", "s2", "s3"})
        net.connectors.push_back(
            fmt::format("{{on: hub, to: {}, duplex: true, networkTTL: {}}}", spoke, ttl));
    return net;
}

Net triangle(int ttl)
{
    return {{"a", "b", "c"},
            {{"a", "b"}, {"b", "c"}, {"a", "c"}},
            {fmt::format("{{on: a, to: b, duplex: true, networkTTL: {}}}", ttl),
             fmt::format("{{on: b, to: c, duplex: true, networkTTL: {}}}", ttl),
             fmt::format("{{on: a, to: c, duplex: true, networkTTL: {}}}", ttl)},
            "a"};
}

}  // namespace

TEST_CASE("line A-B-C with networkTTL 1: C gets nothing from A")
{
    const auto report = run_scenario_text(scenario_yaml(line(1)));
    CHECK(copies_per_broker(report) == Counts{{"a", 1}, {"b", 1}});
    CHECK(report["requests"][0]["missing"] == 1);
    CHECK(report["conservation"]["holds"] == true);
}

TEST_CASE("line A-B-C with networkTTL 2: one copy at every broker")
{
    const auto report = run_scenario_text(scenario_yaml(line(2)));
    CHECK(copies_per_broker(report) == Counts{{"a", 1}, {"b", 1}, {"c", 1}});
    CHECK(report["requests"][0]["replies"] == 3);
    CHECK(report["requests"][0]["missing"] == 0);
}

TEST_CASE("a plain connector forwards only from the dialling broker towards the dialled one")
{
    auto net = line(2, false);
    net.client_broker = "c";
    const auto report = run_scenario_text(scenario_yaml(net));
    CHECK(copies_per_broker(report) == Counts{{"c", 1}});
}

TEST_CASE("hub with three spokes, networkTTL 1: a spoke's broadcast stops at the hub")
{
    const auto report = run_scenario_text(scenario_yaml(hub_with_three_spokes(1)));
    CHECK(copies_per_broker(report) == Counts{{"hub", 1}, {"s1", 1}});
}

TEST_CASE("hub with three spokes, networkTTL 2: one copy at every broker, no duplicates")
{
    const auto report = run_scenario_text(scenario_yaml(hub_with_three_spokes(2)));
    CHECK(copies_per_broker(report) == Counts{{"hub", 1}, {"s1", 1}, {"s2", 1}, {"s3", 1}});
    CHECK(report["requests"][0]["duplicate_deliveries"] == 0);
    CHECK(report["requests"][0]["replies"] == 4);
}

TEST_CASE("triangle with networkTTL 1: one copy each")
{
    const auto report = run_scenario_text(scenario_yaml(triangle(1)));
    CHECK(copies_per_broker(report) == Counts{{"a", 1}, {"b", 1}, {"c", 1}});
}

TEST_CASE("triangle with networkTTL 2 and no topic policy: 1, 2, 2 and duplicate replies")
{
    const auto report = run_scenario_text(scenario_yaml(triangle(2)));
    const auto& request = report["requests"][0];
    CHECK(copies_per_broker(report) == Counts{{"a", 1}, {"b", 2}, {"c", 2}});
    CHECK(request["duplicate_deliveries"] == 2);
    CHECK(request["duplicate_executions"] == 2);
    CHECK(request["replies"] == 5);
    CHECK(request["replying_nodes"] == 3);
    REQUIRE(request["duplicate_samples"].size() == 2);
    CHECK(request["duplicate_samples"][0]["path"] == "a > b > c");
}

TEST_CASE("triangle with networkTTL 2 and a topic policy entry: the audit drops the copies")
{
    auto net = triangle(2);
    net.policies_on_every_broker = ", policies: [{topic: \">\"}]";
    const auto report = run_scenario_text(scenario_yaml(net));
    CHECK(copies_per_broker(report) == Counts{{"a", 1}, {"b", 1}, {"c", 1}});
    CHECK(report["conservation"]["drops"]["duplicate-audit"] == 2);
}

TEST_CASE("a request published before the nodes' demand has crossed the WAN is not forwarded")
{
    auto net = line(2);
    net.request_at_s = 0;  // the nodes subscribe at 0; their advisories need 5 ms per hop
    const auto report = run_scenario_text(scenario_yaml(net));
    CHECK(copies_per_broker(report) == Counts{{"a", 1}});
}
