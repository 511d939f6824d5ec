#include "sweep_test_support.hpp"

#include "brokersim/io/scenario_loader.hpp"
#include "brokersim/sweep/yaml_writer.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <string>

using brokersim::io::load_scenario;
using brokersim::io::load_scenario_text;
using brokersim::model::Scenario;
using brokersim::sweep::scenario_yaml;
namespace testing = brokersim::sweep::testing;

namespace {

// Every key the loader reads, most of them away from their defaults, and names that need
// quoting in YAML.
constexpr std::string_view every_key = R"(name: "every key: all of them"
seed: 42
datacenters:
  - noc
  - {name: uk, lan_latency_ms: 0.35, lan_bandwidth_mbps: 100}
  - {name: "on", lan_latency_ms: 0.1, lan_bandwidth_mbps: 1000}
brokers:
  - name: noc
    datacenter: noc
    policies:
      - {topic: ">", enableAudit: false, producerFlowControl: false}
      - {queue: "*.reply.>", memoryLimit: 64 kb}
      - {queue: "work", replayWhenNoConsumers: true, replayDelay: 250, selectorAware: true}
    clock_offset_s: -1.5
    cpu_us_per_message: {topic: 20, queue: 55.5}
    cpu_ns_per_byte: 3
    memory_limit_mb: 64
    message_overhead_bytes: 512
    memory_budget_mb: 2048.5
    connection_memory_kb: 316.75
    keepalive_cpu_us: 80.25
  - {name: uk, datacenter: uk}
  - {name: "broker #3", datacenter: "on"}
links:
  - {between: [noc, uk], latency_ms: 0.3, bandwidth_mbps: 2.5, transport: tcp}
  - {between: [noc, "on"], latency_ms: 118, bandwidth_mbps: 0.128}
connectors:
  - {on: noc, to: uk, name: "noc-uk:topics", duplex: true, messageTTL: 3, consumerTTL: 2,
     conduitSubscriptions: false, dynamicOnly: true, decreaseNetworkConsumerPriority: true,
     consumerPriorityBase: -10, suppressDuplicateTopicSubscriptions: false,
     suppressDuplicateQueueSubscriptions: true, bridgeTempDestinations: false,
     prefetchSize: 10, excludedDestinations: ["queue:>"],
     dynamicallyIncludedDestinations: ["topic:mcollective.*.agent"],
     staticallyIncludedDestinations: ["queue:static.one"]}
  - {on: noc, to: "broker #3", networkTTL: -1}
nodes:
  - name: uk-web
    count: 20
    broker: uk
    identity: "uk-web-{i:03}"
    facts: {datacenter: uk, answer: "007", enabled: "yes", customer: {acme: 0.25, "glo bex": 0.75}}
    classes: {webserver: 0.5, "apache::server": 1}
    agents: [rpcutil, package]
    collectives: [mcollective, ukcollective]
    clock_offset_s: 70
    direct_addressing: false
    failover: [noc, "broker #3"]
  - {count: 1, broker: "broker #3", identity: "lone 'node'", classes: [base, ntp]}
clients:
  - {name: operator, broker: noc, identity: "ops\"1\""}
  - {name: second, broker: uk}
agents:
  - {name: package, timeout_s: 20, run_time_ms: [50, 400.5], reply_bytes: 700}
  - {name: rpcutil, timeout_s: 5, run_time_ms: 7, reply_bytes: 300}
requests:
  - {at_s: 5, client: operator, agent: package, action: status,
     filter: "datacenter=uk and /webserver/ and customer=acme", timeout_s: 12.5,
     request_bytes: 1200, collective: ukcollective, discovery: mc, discovery_timeout_s: 3,
     direct_addressing: false, direct_addressing_threshold: 4, ttl_s: 30}
  - {at_s: 7.25, client: second, agent: rpcutil, action: ping, discovery: none,
     identities: [uk-web-001, "lone 'node'"]}
consumers:
  - {name: c1, broker: uk, destination: "queue:work", selector: "mc_identity = 'n1'",
     priority: 4, at_s: 0.5, reply: true, reply_bytes: 99}
producers:
  - {name: p1, broker: noc, destination: "queue:work", count: 10, at_s: 3, interval_ms: 0.7,
     headers: {mc_identity: n1, "x-trace": "a,b"}, reply_to: "topic:answers", bytes: 250}
faults:
  - {at_s: 30, broker_down: uk}
  - {at_s: 90, broker_up: uk}
  - {at_s: 40, link_down: [noc, uk]}
  - {at_s: 60, link_up: [uk, noc]}
  - {at_s: 70, link_latency: [noc, "on"], latency_ms: 300.1}
  - {at_s: 80, partition: "on"}
  - {at_s: 95, heal: "on"}
expect:
  - "every matching node replies within 3 s"
  - "no duplicates: none"
)";

// Returns the field's name from difference() when `a` and `b` differ in it.
#define SAME(field)                                                                                \
    do {                                                                                           \
        if (!(a.field == b.field))                                                                 \
            return fmt::format("{}[{}].{}", section, i, #field);                                   \
    } while (false)

// The first field in which two scenarios differ, "" when none does. Positions and the file
// name are where the scenario came from, not what it is, and are not compared.
std::string difference(const Scenario& x, const Scenario& y)
{
    if (x.name != y.name || x.seed != y.seed)
        return "name or seed";
    const auto sizes = [&](std::string_view section, std::size_t m, std::size_t n) {
        return m == n ? std::string() : fmt::format("{} count {} vs {}", section, m, n);
    };
    for (const auto& problem : {sizes("datacenters", x.datacenters.size(), y.datacenters.size()),
                                sizes("brokers", x.brokers.size(), y.brokers.size()),
                                sizes("links", x.links.size(), y.links.size()),
                                sizes("connectors", x.connectors.size(), y.connectors.size()),
                                sizes("nodes", x.node_groups.size(), y.node_groups.size()),
                                sizes("clients", x.clients.size(), y.clients.size()),
                                sizes("agents", x.agents.size(), y.agents.size()),
                                sizes("requests", x.requests.size(), y.requests.size()),
                                sizes("consumers", x.consumers.size(), y.consumers.size()),
                                sizes("producers", x.producers.size(), y.producers.size()),
                                sizes("faults", x.faults.size(), y.faults.size()),
                                sizes("expect", x.expectations.size(), y.expectations.size())})
        if (!problem.empty())
            return problem;

    std::string_view section = "datacenters";
    for (std::size_t i = 0; i < x.datacenters.size(); ++i) {
        const auto &a = x.datacenters[i], &b = y.datacenters[i];
        SAME(name);
        SAME(lan_latency_s);
        SAME(lan_bandwidth_bps);
    }
    section = "brokers";
    for (std::size_t i = 0; i < x.brokers.size(); ++i) {
        const auto &a = x.brokers[i], &b = y.brokers[i];
        SAME(name);
        SAME(datacenter);
        SAME(clock_offset_s);
        SAME(policies.size());
        for (std::size_t p = 0; p < a.policies.size(); ++p) {
            SAME(policies[p].destination.type);
            SAME(policies[p].destination.pattern);
            SAME(policies[p].enable_audit);
            SAME(policies[p].producer_flow_control);
            SAME(policies[p].memory_limit_bytes);
            SAME(policies[p].replay_when_no_consumers);
            SAME(policies[p].replay_delay_s);
            SAME(policies[p].selector_aware);
        }
        SAME(cpu_s_per_message);
        SAME(cpu_s_per_byte);
        SAME(memory_limit_bytes);
        SAME(message_overhead_bytes);
        SAME(memory_budget_bytes);
        SAME(connection_memory_bytes);
        SAME(keepalive_cpu_s);
    }
    section = "links";
    for (std::size_t i = 0; i < x.links.size(); ++i) {
        const auto &a = x.links[i], &b = y.links[i];
        SAME(a);
        SAME(b);
        SAME(latency_s);
        SAME(bandwidth_bps);
        SAME(transport);
    }
    section = "connectors";
    const auto same_filters = [](const auto& m, const auto& n) {
        if (m.size() != n.size())
            return false;
        for (std::size_t f = 0; f < m.size(); ++f)
            if (m[f].to_string() != n[f].to_string())
                return false;
        return true;
    };
    for (std::size_t i = 0; i < x.connectors.size(); ++i) {
        const auto &a = x.connectors[i], &b = y.connectors[i];
        SAME(name);
        SAME(on);
        SAME(to);
        SAME(duplex);
        SAME(message_ttl);
        SAME(consumer_ttl);
        SAME(conduit_subscriptions);
        SAME(dynamic_only);
        SAME(decrease_network_consumer_priority);
        SAME(consumer_priority_base);
        SAME(suppress_duplicate_topic_subscriptions);
        SAME(suppress_duplicate_queue_subscriptions);
        SAME(bridge_temp_destinations);
        SAME(prefetch_size);
        if (!same_filters(a.excluded_destinations, b.excluded_destinations) ||
            !same_filters(a.dynamically_included_destinations,
                          b.dynamically_included_destinations) ||
            !same_filters(a.statically_included_destinations, b.statically_included_destinations))
            return fmt::format("connectors[{}] destination filters", i);
    }
    section = "nodes";
    for (std::size_t i = 0; i < x.node_groups.size(); ++i) {
        const auto &a = x.node_groups[i], &b = y.node_groups[i];
        SAME(name);
        SAME(count);
        SAME(broker);
        SAME(identity_pattern);
        SAME(agents);
        SAME(collectives);
        SAME(clock_offset_s);
        SAME(direct_addressing);
        SAME(failover);
        SAME(facts.size());
        SAME(classes.size());
        for (std::size_t f = 0; f < a.facts.size(); ++f) {
            SAME(facts[f].name);
            SAME(facts[f].values.size());
            for (std::size_t v = 0; v < a.facts[f].values.size(); ++v) {
                SAME(facts[f].values[v].value);
                SAME(facts[f].values[v].share);
            }
        }
        for (std::size_t c = 0; c < a.classes.size(); ++c) {
            SAME(classes[c].name);
            SAME(classes[c].probability);
        }
    }
    section = "clients";
    for (std::size_t i = 0; i < x.clients.size(); ++i) {
        const auto &a = x.clients[i], &b = y.clients[i];
        SAME(name);
        SAME(broker);
        SAME(identity);
    }
    section = "agents";
    for (std::size_t i = 0; i < x.agents.size(); ++i) {
        const auto &a = x.agents[i], &b = y.agents[i];
        SAME(name);
        SAME(timeout_s);
        SAME(run_time_min_s);
        SAME(run_time_max_s);
        SAME(reply_bytes);
    }
    section = "requests";
    for (std::size_t i = 0; i < x.requests.size(); ++i) {
        const auto &a = x.requests[i], &b = y.requests[i];
        SAME(at_s);
        SAME(client);
        SAME(agent);
        SAME(action);
        SAME(collective);
        SAME(filter_text);
        SAME(timeout_s);
        SAME(request_bytes);
        SAME(discovery);
        SAME(discovery_timeout_s);
        SAME(direct_addressing);
        SAME(direct_addressing_threshold);
        SAME(ttl_s);
        SAME(identities);
    }
    section = "consumers";
    for (std::size_t i = 0; i < x.consumers.size(); ++i) {
        const auto &a = x.consumers[i], &b = y.consumers[i];
        SAME(name);
        SAME(broker);
        SAME(destination);
        SAME(selector.text);
        SAME(selector.equals);
        SAME(priority);
        SAME(at_s);
        SAME(reply);
        SAME(reply_bytes);
    }
    section = "producers";
    for (std::size_t i = 0; i < x.producers.size(); ++i) {
        const auto &a = x.producers[i], &b = y.producers[i];
        SAME(name);
        SAME(broker);
        SAME(destination);
        SAME(count);
        SAME(at_s);
        SAME(interval_s);
        SAME(headers);
        SAME(reply_to);
        SAME(bytes);
    }
    section = "faults";
    for (std::size_t i = 0; i < x.faults.size(); ++i) {
        const auto &a = x.faults[i], &b = y.faults[i];
        SAME(kind);
        SAME(at_s);
        SAME(target);
        SAME(target2);
        SAME(latency_s);
    }
    for (std::size_t i = 0; i < x.expectations.size(); ++i)
        if (x.expectations[i].first != y.expectations[i].first)
            return fmt::format("expect[{}]", i);
    return "";
}

#undef SAME

Scenario reloaded(const Scenario& scenario)
{
    return load_scenario_text(scenario_yaml(scenario), "written.yaml");
}

std::vector<std::string> shipped_scenarios()
{
    std::vector<std::string> paths;
    for (const auto& entry : std::filesystem::directory_iterator(testing::source_file("scenarios")))
        if (entry.path().extension() == ".yaml")
            paths.push_back(entry.path().string());
    std::sort(paths.begin(), paths.end());
    return paths;
}

} // namespace

TEST_CASE("a scenario with every key reads back the same")
{
    const auto original = load_scenario_text(every_key, "every.yaml");
    const auto again = reloaded(original);
    CHECK(difference(original, again) == "");
    CHECK(scenario_yaml(again) == scenario_yaml(original));
    auto changed = again;
    changed.connectors[0].prefetch_size = 11;
    CHECK(difference(original, changed) == "connectors[0].prefetch_size");

    // Spot checks of values that are easy to lose on the way.
    CHECK(again.name == "every key: all of them");
    CHECK(again.datacenters[2].name == "on");
    CHECK(again.clients[0].identity == "ops\"1\"");
    CHECK(again.node_groups[0].facts[1].values[0].value == "007");
    CHECK(again.node_groups[0].facts[3].values[1].value == "glo bex");
    CHECK(again.connectors[0].message_ttl == 3);
    CHECK(again.connectors[0].consumer_ttl == 2);
    CHECK(again.connectors[1].message_ttl == -1);
    CHECK(again.links[1].bandwidth_bps == 0.128e6);
    CHECK(again.producers[0].headers[1].second == "a,b");
}

TEST_CASE("numbers come back as the very same doubles after the unit conversion")
{
    auto scenario = load_scenario_text(every_key, "every.yaml");
    scenario.links[0].latency_s = 0.1 + 0.2; // not a multiple of 1 ms in binary
    scenario.links[0].bandwidth_bps = 1.0 / 3.0 * 1e7;
    scenario.agents[0].run_time_min_s = 1e-7;
    scenario.producers[0].interval_s = 0.000123456789;
    scenario.requests[0].at_s = 1.0 / 7.0;
    const auto again = reloaded(scenario);
    CHECK(again.links[0].latency_s == scenario.links[0].latency_s);
    CHECK(again.links[0].bandwidth_bps == scenario.links[0].bandwidth_bps);
    CHECK(again.agents[0].run_time_min_s == scenario.agents[0].run_time_min_s);
    CHECK(again.producers[0].interval_s == scenario.producers[0].interval_s);
    CHECK(again.requests[0].at_s == scenario.requests[0].at_s);
}

TEST_CASE("keys at their defaults are left out")
{
    const auto text = scenario_yaml(load_scenario_text(R"(name: small
datacenters: [noc]
brokers: [{name: noc, datacenter: noc}]
nodes: [{count: 2, broker: noc, identity: "n{i}"}]
clients: [{name: op, broker: noc}]
requests: [{at_s: 1, client: op, agent: rpcutil, action: ping}]
)",
                                                       "small.yaml"));
    CHECK(text == R"(name: small
seed: 1
datacenters:
  - noc
brokers:
  - {name: noc, datacenter: noc}
nodes:
  - {count: 2, broker: noc, identity: "n{i}"}
clients:
  - {name: op, broker: noc}
requests:
  - {at_s: 1, client: op, agent: rpcutil, action: ping}
)");
}

TEST_CASE("brokers imported from activemq.xml files are written out as brokers and connectors")
{
    const auto dir = testing::source_file("tests/data/activemq/star").string();
    const auto original = load_scenario_text(fmt::format(R"(name: imported
datacenters: [star-hub, star-spoke1, star-spoke2]
brokers_from: {}
links:
  - {{between: [star-hub, star-spoke1], latency_ms: 5, bandwidth_mbps: 100}}
  - {{between: [star-hub, star-spoke2], latency_ms: 5, bandwidth_mbps: 100}}
)",
                                                         dir),
                                             "imported.yaml");
    const auto text = scenario_yaml(original);
    CHECK(text.find("brokers_from") == std::string::npos);
    // "on" is quoted: YAML 1.1 readers take a plain on for true.
    CHECK(text.find("  - {\"on\": star-hub, to: star-spoke1, name: hub-spoke1-topics") !=
          std::string::npos);
    const auto again = reloaded(original);
    CHECK(difference(original, again) == "");
    CHECK(again.connectors.size() == 4);
}

TEST_CASE("every shipped scenario reads back the same and runs to the same report")
{
    const testing::ScratchDir scratch;
    const auto scenarios = shipped_scenarios();
    REQUIRE(scenarios.size() >= 9);
    for (const auto& path : scenarios) {
        CAPTURE(path);
        const auto original = load_scenario(path);
        const auto written = scratch / std::filesystem::path(path).filename().string();
        {
            std::ofstream out(written);
            out << scenario_yaml(original);
        }
        CHECK(difference(original, load_scenario(written.string())) == "");

        const auto before = testing::run_brokersim({"run", "--json", path});
        const auto after = testing::run_brokersim({"run", "--json", written.string()});
        REQUIRE(before.exit_status == 0);
        REQUIRE(after.exit_status == 0);
        CHECK(nlohmann::json::parse(after.out) == nlohmann::json::parse(before.out));
    }
}
