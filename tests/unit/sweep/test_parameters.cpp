#include "brokersim/io/scenario_loader.hpp"
#include "brokersim/sweep/parameters.hpp"

#include <doctest/doctest.h>

#include <string>

using brokersim::sweep::apply_value;
using brokersim::sweep::check_parameters;
using brokersim::sweep::combinations;
using brokersim::sweep::Parameter;
using brokersim::sweep::parse_vary;
using brokersim::sweep::scale_nodes;
using brokersim::sweep::UsageError;

namespace {

constexpr std::string_view two_countries = R"(name: t
datacenters: [noc, uk, de-north]
brokers:
  - {name: noc, datacenter: noc}
  - {name: uk, datacenter: uk}
  - {name: de, datacenter: de-north}
links:
  - {between: [noc, uk], latency_ms: 5, bandwidth_mbps: 100}
  - {between: [noc, de-north], latency_ms: 8, bandwidth_mbps: 50}
connectors:
  - {on: noc, to: uk, networkTTL: 2}
  - {on: noc, to: de, messageTTL: 3, consumerTTL: 1}
nodes:
  - {name: uk-web, count: 300, broker: uk, identity: "uk-{i}"}
  - {name: de-web, count: 100, broker: de, identity: "de-{i}"}
  - {name: gateway, count: 1, broker: noc, identity: "gateway"}
clients:
  - {name: operator, broker: noc}
requests:
  - {at_s: 1, client: operator, agent: rpcutil, action: ping}
  - {at_s: 20, client: operator, agent: rpcutil, action: ping, timeout_s: 30}
)";

brokersim::model::Scenario scenario()
{
    return brokersim::io::load_scenario_text(two_countries, "t.yaml");
}

std::string usage_error(std::string_view vary)
{
    try {
        parse_vary(vary);
    } catch (const UsageError& error) {
        return error.what();
    }
    return "no error";
}

std::string check_error(const std::vector<std::string>& varies)
{
    std::vector<Parameter> parameters;
    for (const auto& vary : varies)
        parameters.push_back(parse_vary(vary));
    try {
        check_parameters(parameters, scenario());
    } catch (const UsageError& error) {
        return error.what();
    }
    return "no error";
}

} // namespace

TEST_CASE("--vary reads a key and its values in the order given")
{
    const auto parameter = parse_vary("links.bandwidth_mbps=10,2.5,100");
    CHECK(parameter.key == "links.bandwidth_mbps");
    CHECK(parameter.values == std::vector<std::string>{"10", "2.5", "100"});

    CHECK(parse_vary("nodes=1000").values == std::vector<std::string>{"1000"});
    CHECK(parse_vary("link.noc-uk.latency_ms=0,7").key == "link.noc-uk.latency_ms");
    CHECK(parse_vary("connectors.networkTTL=-1,1,4").values.size() == 3);
}

TEST_CASE("--vary errors name the option, the value and what is wrong")
{
    CHECK(usage_error("nodes") ==
          "--vary nodes: expected KEY=V1,V2,... (keys: nodes, links.latency_ms, "
          "links.bandwidth_mbps, link.A-B.latency_ms, link.A-B.bandwidth_mbps, "
          "requests.timeout_s, connectors.networkTTL, brokers.memory_limit_mb, "
          "brokers.memory_budget_mb, brokers.connection_memory_kb, seed)");
    CHECK(usage_error("nodez=10") == "--vary nodez=10: unknown parameter 'nodez' (did you mean "
                                     "'nodes'?)");
    CHECK(usage_error("links.bandwith_mbps=10") ==
          "--vary links.bandwith_mbps=10: unknown parameter 'links.bandwith_mbps' (did you mean "
          "'links.bandwidth_mbps'?)");
    CHECK(usage_error("link.noc.latency_ms=1") ==
          "--vary link.noc.latency_ms=1: unknown parameter 'link.noc.latency_ms' (did you mean "
          "'link.A-B.latency_ms'?)");
    CHECK(usage_error("nodes=1000,abc") == "--vary nodes=1000,abc: 'abc' is not a whole number");
    CHECK(usage_error("nodes=2.5") == "--vary nodes=2.5: '2.5' is not a whole number");
    CHECK(usage_error("nodes=0") == "--vary nodes=0: '0' is out of range (1 to 2147483647)");
    CHECK(usage_error("links.bandwidth_mbps=0") ==
          "--vary links.bandwidth_mbps=0: '0' must be greater than 0");
    CHECK(usage_error("links.latency_ms=-3") == "--vary links.latency_ms=-3: '-3' must be at "
                                                "least 0");
    CHECK(usage_error("requests.timeout_s=inf") ==
          "--vary requests.timeout_s=inf: 'inf' is not a number");
    CHECK(usage_error("connectors.networkTTL=-2") ==
          "--vary connectors.networkTTL=-2: '-2' is out of range (-1 to 2147483647)");
    CHECK(usage_error("seed=1,,2") == "--vary seed=1,,2: empty value");
    CHECK(usage_error("seed=") == "--vary seed=: empty value");
    CHECK(usage_error("seed=4,4") == "--vary seed=4,4: value '4' is given twice");
}

TEST_CASE("--vary refuses values the scenario loader would refuse, before any run")
{
    // 2e13 MiB is more than 4 EiB: cast to bytes it used to wrap to 0 in the variant.
    CHECK(usage_error("brokers.memory_budget_mb=64,2e13") ==
          "--vary brokers.memory_budget_mb=64,2e13: '2e13' must be between 1 byte and 4 EiB (in "
          "MiB)");
    CHECK(usage_error("brokers.memory_limit_mb=1e-7") ==
          "--vary brokers.memory_limit_mb=1e-7: '1e-7' must be between 1 byte and 4 EiB (in MiB)");
    CHECK(usage_error("brokers.connection_memory_kb=1048577") ==
          "--vary brokers.connection_memory_kb=1048577: '1048577' must be at most 1048576 (1 GiB)");
    CHECK(usage_error("nodes=50000001") ==
          "--vary nodes=50000001: '50000001' is more than the 50000000 nodes a scenario may hold");
    CHECK(usage_error("links.bandwidth_mbps=0.0001") ==
          "--vary links.bandwidth_mbps=0.0001: '0.0001' must be between 0.001 (1 kbit/s) and 1e9 "
          "(1 Pbit/s)");
    CHECK(usage_error("links.latency_ms=2e12") ==
          "--vary links.latency_ms=2e12: '2e12' must be at most 1e12 ms");
    CHECK(usage_error("requests.timeout_s=2e9") ==
          "--vary requests.timeout_s=2e9: '2e9' must be at most 1e9 s");
    CHECK(usage_error("brokers.memory_budget_mb=0.5") == "no error");
}

TEST_CASE("parameters are checked against the scenario they change")
{
    CHECK(check_error({"link.noc-fr.latency_ms=1"}) ==
          "--vary link.noc-fr.latency_ms: the scenario has no link 'noc-fr' (its links: noc-uk, "
          "noc-de-north)");
    CHECK(check_error({"link.uk-noc.latency_ms=1", "link.de-north-noc.bandwidth_mbps=5"}) ==
          "no error");
    CHECK(check_error({"nodes=100", "nodes=200"}) ==
          "--vary nodes: the parameter is varied twice; give all its values in one --vary");
    CHECK(check_error({"nodes=3,400"}) == "no error");
    CHECK(check_error({"nodes=2,400"}) == "--vary nodes=2: too few for 2 numbered node groups of "
                                          "at least one node and 1 named nodes; the least is 3");
}

TEST_CASE("a scenario without requests or connectors has nothing for their keys to change")
{
    auto bare = brokersim::io::load_scenario_text(R"(name: bare
datacenters: [noc]
brokers: [{name: noc, datacenter: noc}]
nodes: [{count: 5, broker: noc, identity: "n{i}"}]
)",
                                                  "bare.yaml");
    const auto error_for = [&](std::string_view vary) -> std::string {
        try {
            check_parameters({parse_vary(vary)}, bare);
        } catch (const UsageError& error) {
            return error.what();
        }
        return "no error";
    };
    CHECK(error_for("requests.timeout_s=5") ==
          "--vary requests.timeout_s: the scenario has no requests to change");
    CHECK(error_for("connectors.networkTTL=2") ==
          "--vary connectors.networkTTL: the scenario has no network connectors to change");
    CHECK(error_for("links.latency_ms=2") ==
          "--vary links.latency_ms: the scenario has no WAN links to change");
    CHECK(error_for("seed=9") == "no error");
}

TEST_CASE("nodes scales the numbered groups in proportion and keeps named nodes")
{
    auto s = scenario();
    scale_nodes(s, 801);
    CHECK(s.node_groups[0].count == 600);
    CHECK(s.node_groups[1].count == 200);
    CHECK(s.node_groups[2].count == 1);
    CHECK(s.node_count() == 801);

    // 1,001 numbered nodes make shares of 750.75 and 250.25: the node left over goes to the
    // larger fraction.
    scale_nodes(s, 1002);
    CHECK(s.node_groups[0].count == 751);
    CHECK(s.node_groups[1].count == 250);
    CHECK(s.node_count() == 1002);

    // The unchanged total gives back the scenario's own counts.
    auto same = scenario();
    scale_nodes(same, 401);
    CHECK(same.node_groups[0].count == 300);
    CHECK(same.node_groups[1].count == 100);
}

TEST_CASE("a group whose share rounds to nothing keeps one node")
{
    // 3 numbered nodes: shares 2.25 and 0.75 round to 2 and 1.
    auto s = scenario();
    scale_nodes(s, 4);
    CHECK(s.node_groups[0].count == 2);
    CHECK(s.node_groups[1].count == 1);
    CHECK(s.node_groups[2].count == 1);

    // 2 numbered nodes: shares 1.5 and 0.5 tie, the earlier group takes the node left over
    // (2 and 0), and the empty group gets one from the larger.
    auto fresh = scenario();
    scale_nodes(fresh, 3);
    CHECK(fresh.node_groups[0].count == 1);
    CHECK(fresh.node_groups[1].count == 1);
    CHECK(fresh.node_groups[2].count == 1);
}

TEST_CASE("each key changes exactly what it names")
{
    auto s = scenario();
    apply_value(s, "links.latency_ms", "12.5");
    CHECK(s.links[0].latency_s == 12.5e-3);
    CHECK(s.links[1].latency_s == 12.5e-3);

    apply_value(s, "link.de-north-noc.bandwidth_mbps", "2");
    CHECK(s.links[0].bandwidth_bps == 100e6);
    CHECK(s.links[1].bandwidth_bps == 2e6);
    apply_value(s, "links.bandwidth_mbps", "7");
    CHECK(s.links[0].bandwidth_bps == 7e6);

    apply_value(s, "link.noc-uk.latency_ms", "40");
    CHECK(s.links[0].latency_s == 40e-3);
    CHECK(s.links[1].latency_s == 12.5e-3);

    apply_value(s, "requests.timeout_s", "4");
    CHECK(s.requests[0].timeout_s == 4.0);
    CHECK(s.requests[1].timeout_s == 4.0);

    apply_value(s, "connectors.networkTTL", "5");
    CHECK(s.connectors[1].message_ttl == 5);
    CHECK(s.connectors[1].consumer_ttl == 5);

    apply_value(s, "brokers.memory_limit_mb", "0.5");
    for (const auto& broker : s.brokers)
        CHECK(broker.memory_limit_bytes == 512 * 1024);

    apply_value(s, "brokers.memory_budget_mb", "2048");
    apply_value(s, "brokers.connection_memory_kb", "316.5");
    for (const auto& broker : s.brokers) {
        CHECK(broker.memory_budget_bytes == 2048ULL * 1024 * 1024);
        CHECK(broker.connection_memory_bytes == 324096);
    }

    apply_value(s, "seed", "123");
    CHECK(s.seed == 123);
}

TEST_CASE("combinations turn the last parameter fastest")
{
    const std::vector<Parameter> parameters = {{"nodes", {"1000", "5000"}},
                                               {"links.bandwidth_mbps", {"2", "10", "50"}}};
    const auto all = combinations(parameters);
    REQUIRE(all.size() == 6);
    CHECK(all[0] == std::vector<std::string>{"1000", "2"});
    CHECK(all[1] == std::vector<std::string>{"1000", "10"});
    CHECK(all[2] == std::vector<std::string>{"1000", "50"});
    CHECK(all[3] == std::vector<std::string>{"5000", "2"});
    CHECK(all[5] == std::vector<std::string>{"5000", "50"});

    CHECK(combinations({{"seed", {"1", "2", "3"}}}).size() == 3);
    CHECK(combinations({{"seed", {"1", "2"}}, {"nodes", {"5", "6"}}, {"links.latency_ms", {"0"}}})
              .size() == 4);
}
