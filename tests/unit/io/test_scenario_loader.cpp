#include "brokersim/io/scenario_loader.hpp"

#include "read_text.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

using brokersim::io::load_scenario;
using brokersim::io::load_scenario_text;
using brokersim::model::InputError;
using brokersim::model::Scenario;

using brokersim::testing::read_text;

namespace {

// The example of docs/scenario-format.md, with the second broker it refers to.
constexpr std::string_view full_scenario = R"(name: noc-four-countries
seed: 7
datacenters:
  - noc
  - {name: uk, lan_latency_ms: 0.5, lan_bandwidth_mbps: 100}
brokers:
  - name: noc
    datacenter: noc
    policies:
      - {topic: ">", enableAudit: true, producerFlowControl: false}
      - {queue: "*.reply.>", memoryLimit: 1 mb}
    memory_limit_mb: 64
  - {name: uk, datacenter: uk}
links:
  - {between: [noc, uk], latency_ms: 14, bandwidth_mbps: 100, transport: tcp}
connectors:
  - on: noc
    to: uk
    name: noc-uk-topics
    duplex: true
    networkTTL: 2
    excludedDestinations: ["queue:>"]
  - {on: uk, to: noc, consumerTTL: 3, networkTTL: 4, prefetchSize: 1}
nodes:
  - name: uk-web
    count: 1000
    broker: uk
    identity: "uk-web-{i:04}"
    facts:
      datacenter: uk
      customer: {acmeinc: 0.3, globex: 0.7}
    classes: {webserver: 0.5, database: 0.5}
    agents: [rpcutil, package]
    collectives: [mcollective, uk]
  - {count: 1, broker: noc, identity: noc-puppet, classes: [puppet::server]}
clients:
  - {name: noc-operator, broker: noc, identity: noc-op}
  - {name: uk-operator, broker: uk}
agents:
  - {name: package, timeout_s: 10, run_time_ms: [50, 400], reply_bytes: 700}
  - {name: rpcutil, run_time_ms: 5}
requests:
  - at_s: 5
    client: noc-operator
    agent: package
    action: status
    filter: "datacenter=uk and /webserver/ and customer=acmeinc"
    timeout_s: 12
    request_bytes: 1200
    collective: uk
  - {at_s: 0.5, client: uk-operator, agent: rpcutil, action: ping}
expect:
  - "every matching node replies within 3 s"
)";

// Every error case starts from this valid scenario (five lines) and adds one section.
constexpr std::string_view base = R"(name: t
datacenters: [noc, uk]
brokers:
  - {name: noc, datacenter: noc}
  - {name: uk, datacenter: uk}
)";

Scenario load(std::string_view text)
{
    return load_scenario_text(text, "t.yaml");
}

// what() of the InputError that loading `text` as t.yaml throws, or "loaded" when it loads.
std::string error_of(std::string_view text)
{
    try {
        load(text);
    } catch (const InputError& error) {
        return error.what();
    }
    return "loaded";
}

std::string error_with(std::string_view section)
{
    return error_of(std::string(base) + std::string(section));
}

} // namespace

TEST_CASE("the example scenario loads with its top-level values")
{
    const auto scenario = load(full_scenario);

    CHECK(scenario.file == "t.yaml");
    CHECK(scenario.name == "noc-four-countries");
    CHECK(scenario.seed == 7);
    CHECK(scenario.expectations.size() == 1);
    CHECK(scenario.expectations[0].first == "every matching node replies within 3 s");
    CHECK(scenario.expectations[0].second.to_string() == "t.yaml:53:5");
}

TEST_CASE("datacenters take plain names or maps, with LAN figures converted to SI units")
{
    const auto scenario = load(full_scenario);

    REQUIRE(scenario.datacenters.size() == 2);
    CHECK(scenario.datacenters[0].name == "noc");
    CHECK(scenario.datacenters[0].lan_latency_s == doctest::Approx(0.0002));
    CHECK(scenario.datacenters[0].lan_bandwidth_bps == doctest::Approx(1e9));
    CHECK(scenario.datacenters[0].pos.to_string() == "t.yaml:4:5");
    CHECK(scenario.datacenters[1].lan_latency_s == doctest::Approx(0.0005));
    CHECK(scenario.datacenters[1].lan_bandwidth_bps == doctest::Approx(1e8));
    CHECK(scenario.datacenters[1].pos.to_string() == "t.yaml:5:5");
}

TEST_CASE("broker policies keep their destination and flags")
{
    const auto scenario = load(full_scenario);

    REQUIRE(scenario.brokers.size() == 2);
    const auto& policies = scenario.brokers[0].policies;
    REQUIRE(policies.size() == 2);
    CHECK(policies[0].destination.to_string() == "topic:>");
    CHECK(policies[0].enable_audit);
    CHECK_FALSE(policies[0].producer_flow_control);
    CHECK(policies[1].destination.to_string() == "queue:*.reply.>");
    CHECK(policies[1].producer_flow_control);
    CHECK(scenario.brokers[0].pos.to_string() == "t.yaml:7:5");
    CHECK(scenario.brokers[1].datacenter == "uk");
}

TEST_CASE("memory limits: the broker's in MiB, a policy's in ActiveMQ's units, or defaults")
{
    const auto scenario = load(full_scenario);

    CHECK(scenario.brokers[0].memory_limit_bytes == 64ULL * 1024 * 1024);
    CHECK(scenario.brokers[1].memory_limit_bytes == 1024ULL * 1024 * 1024);
    CHECK_FALSE(scenario.brokers[0].policies[0].memory_limit_bytes);
    CHECK(scenario.brokers[0].policies[1].memory_limit_bytes == 1024 * 1024);
}

TEST_CASE("a memory limit must be a positive size")
{
    CHECK(error_of(std::string(full_scenario).replace(
              std::string(full_scenario).find("memory_limit_mb: 64"), 19,
              "memory_limit_mb: -1")) ==
          "t.yaml:12:22: error: 'memory_limit_mb' must be greater than 0, got -1");
    CHECK(error_of(std::string(full_scenario).replace(
              std::string(full_scenario).find("memoryLimit: 1 mb"), 17, "memoryLimit: 0")) ==
          "t.yaml:11:43: error: 'memoryLimit' must be a memory size such as 65536, '512 kb' or "
          "'64 mb', got '0'");
}

TEST_CASE("links convert milliseconds to seconds and megabits to bits per second")
{
    const auto scenario = load(full_scenario);

    REQUIRE(scenario.links.size() == 1);
    CHECK(scenario.links[0].a == "noc");
    CHECK(scenario.links[0].b == "uk");
    CHECK(scenario.links[0].latency_s == doctest::Approx(0.014));
    CHECK(scenario.links[0].bandwidth_bps == doctest::Approx(1e8));
    CHECK(scenario.links[0].transport == brokersim::model::Transport::Tcp);
}

TEST_CASE("connector attributes are read and the rest keep ActiveMQ's defaults")
{
    const auto scenario = load(full_scenario);

    REQUIRE(scenario.connectors.size() == 2);
    const auto& connector = scenario.connectors[0];
    CHECK(connector.name == "noc-uk-topics");
    CHECK(connector.duplex);
    CHECK(connector.message_ttl == 2);
    CHECK(connector.consumer_ttl == 2);
    REQUIRE(connector.excluded_destinations.size() == 1);
    CHECK(connector.excluded_destinations[0].to_string() == "queue:>");
    CHECK(connector.conduit_subscriptions);
    CHECK(connector.consumer_priority_base == -5);
    CHECK(connector.prefetch_size == 1000);
    CHECK(connector.pos.to_string() == "t.yaml:17:5");
}

TEST_CASE("an explicit consumerTTL wins over networkTTL written after it")
{
    const auto scenario = load(full_scenario);

    const auto& connector = scenario.connectors[1];
    CHECK(connector.name == "uk-noc");
    CHECK(connector.message_ttl == 4);
    CHECK(connector.consumer_ttl == 3);
    CHECK(connector.prefetch_size == 1);
    CHECK_FALSE(connector.duplex);
}

TEST_CASE("node groups keep facts, classes, agents and collectives")
{
    const auto scenario = load(full_scenario);

    REQUIRE(scenario.node_groups.size() == 2);
    const auto& group = scenario.node_groups[0];
    CHECK(group.name == "uk-web");
    CHECK(group.count == 1000);
    CHECK(group.identity_pattern == "uk-web-{i:04}");
    REQUIRE(group.facts.size() == 2);
    CHECK(group.facts[0].name == "datacenter");
    CHECK(group.facts[0].values.size() == 1);
    CHECK(group.facts[0].values[0].value == "uk");
    CHECK(group.facts[0].values[0].share == 1.0);
    REQUIRE(group.facts[1].values.size() == 2);
    CHECK(group.facts[1].values[1].value == "globex");
    CHECK(group.facts[1].values[1].share == doctest::Approx(0.7));
    REQUIRE(group.classes.size() == 2);
    CHECK(group.classes[0].name == "webserver");
    CHECK(group.classes[0].probability == doctest::Approx(0.5));
    CHECK(group.agents == std::vector<std::string>{"rpcutil", "package"});
    CHECK(group.collectives == std::vector<std::string>{"mcollective", "uk"});
    CHECK(scenario.node_count() == 1001);
}

TEST_CASE("a node group without a name is named by its identity pattern")
{
    const auto scenario = load(full_scenario);

    const auto& group = scenario.node_groups[1];
    CHECK(group.name == "noc-puppet");
    REQUIRE(group.classes.size() == 1);
    CHECK(group.classes[0].name == "puppet::server");
    CHECK(group.classes[0].probability == 1.0);
    CHECK(group.collectives == std::vector<std::string>{"mcollective"});
}

TEST_CASE("a client's identity defaults to its name")
{
    const auto scenario = load(full_scenario);

    REQUIRE(scenario.clients.size() == 2);
    CHECK(scenario.clients[0].identity == "noc-op");
    CHECK(scenario.clients[1].identity == "uk-operator");
    CHECK(scenario.clients[1].broker == "uk");
}

TEST_CASE("agent run times are a range, or one number for both ends")
{
    const auto scenario = load(full_scenario);

    const auto package = scenario.agent("package");
    CHECK(package.run_time_min_s == doctest::Approx(0.05));
    CHECK(package.run_time_max_s == doctest::Approx(0.4));
    CHECK(package.reply_bytes == 700);
    const auto rpcutil = scenario.agent("rpcutil");
    CHECK(rpcutil.run_time_min_s == doctest::Approx(0.005));
    CHECK(rpcutil.run_time_max_s == doctest::Approx(0.005));
    CHECK(rpcutil.timeout_s == 10);
    CHECK(rpcutil.reply_bytes == 600);
}

TEST_CASE("requests keep their values and default timeout, size and collective")
{
    const auto scenario = load(full_scenario);

    REQUIRE(scenario.requests.size() == 2);
    const auto& status = scenario.requests[0];
    CHECK(status.at_s == 5);
    CHECK(status.filter_text == "datacenter=uk and /webserver/ and customer=acmeinc");
    CHECK(status.timeout_s == 12);
    CHECK(status.request_bytes == 1200);
    CHECK(status.collective == "uk");
    const auto& ping = scenario.requests[1];
    CHECK(ping.at_s == doctest::Approx(0.5));
    CHECK(ping.filter_text.empty());
    CHECK_FALSE(ping.timeout_s.has_value());
    CHECK(ping.request_bytes == 900);
    CHECK(ping.collective == "mcollective");
    CHECK(ping.pos.to_string() == "t.yaml:51:5");
}

TEST_CASE("the seed defaults to 1")
{
    CHECK(load(base).seed == 1);
}

TEST_CASE("a YAML syntax error is reported where the parser found it")
{
    CHECK(error_of("name: t\nbrokers: [noc\n") ==
          "t.yaml:3:1: error: invalid YAML: end of sequence flow not found");
}

TEST_CASE("an empty file or a plain scalar is not a scenario")
{
    CHECK(error_of("") == "t.yaml:1:1: error: the scenario file is empty");
    CHECK(error_of("# nothing\n") == "t.yaml:1:1: error: the scenario file is empty");
    CHECK(error_of("hello") == "t.yaml:1:1: error: expected a map for the scenario, got 'hello'");
}

TEST_CASE("a second YAML document is not ignored")
{
    CHECK(error_of(std::string(base) + "---\nname: u\n") ==
          "t.yaml:7:1: error: unexpected content after the end of the scenario document");
}

TEST_CASE("a stray comma before the scenario is a syntax error, not an endless parse")
{
    CHECK(error_of(",\nname: t\n") == "t.yaml:1:1: error: invalid YAML: unexpected ','");
}

TEST_CASE("binary garbage is refused at its first byte, not read as UTF-16")
{
    using namespace std::string_literals;
    CHECK(error_of("\x00\x01\x02\xff\xfe"s) ==
          "t.yaml:1:1: error: not a UTF-8 text file (byte 0x00)");
    CHECK(error_of("\xff\xfen\0a\0m\0e\0"s) ==
          "t.yaml:1:1: error: not a UTF-8 text file (byte 0xff)");
}

TEST_CASE("a byte that is not UTF-8 is reported on its line and column")
{
    CHECK(error_of("name: t\ndatacenters: [caf\xe9]\n") ==
          "t.yaml:2:18: error: not a UTF-8 text file (byte 0xe9)");
    CHECK(error_of("name: t\n# \xc0\xaf is an overlong '/'\n") ==
          "t.yaml:2:3: error: not a UTF-8 text file (byte 0xc0)");
    CHECK(error_of("name: \xed\xa0\x80\n") ==
          "t.yaml:1:7: error: not a UTF-8 text file (byte 0xed)");
    CHECK(error_of("name: t\xf0\x9f\x98") ==
          "t.yaml:1:8: error: not a UTF-8 text file (byte 0xf0)");
}

TEST_CASE("UTF-8 text loads, with or without a byte order mark")
{
    CHECK(load("name: caf\xc3\xa9 \xf0\x9f\x98\x80\n" + std::string(base).substr(8)).name ==
          "caf\xc3\xa9 \xf0\x9f\x98\x80");
    CHECK(error_of("\xef\xbb\xbfname: t\n\x80") ==
          "t.yaml:2:1: error: not a UTF-8 text file (byte 0x80)");
}

TEST_CASE("a missing file names the reason")
{
    CHECK_THROWS_WITH_AS(load_scenario("no/such/scenario.yaml"),
                         "no/such/scenario.yaml: error: cannot read scenario file: No such file "
                         "or directory",
                         InputError);
}

TEST_CASE("an unknown attribute differing only in case suggests the right spelling")
{
    CHECK(error_with("connectors:\n  - {on: noc, to: uk, networkTtl: 2}\n") ==
          "t.yaml:7:23: error: unknown connector attribute 'networkTtl' (did you mean "
          "'networkTTL'?)");
}

TEST_CASE("an unknown key far from every valid one lists the few valid keys")
{
    CHECK(error_with("clients:\n  - {name: op, broker: noc, colour: red}\n") ==
          "t.yaml:7:29: error: unknown client key 'colour' (valid: name, broker, identity)");
}

TEST_CASE("an unknown top-level key is neither guessed nor listed among many")
{
    CHECK(error_with("colour: red\n") == "t.yaml:6:1: error: unknown top-level key 'colour'");
}

TEST_CASE("a key given twice in one map is an error, not a silent override")
{
    CHECK(error_with("links:\n  - {between: [noc, uk], latency_ms: 1, latency_ms: 2, "
                     "bandwidth_mbps: 1}\n") ==
          "t.yaml:7:41: error: duplicate key 'latency_ms' (first on line 7)");
}

TEST_CASE("a word where a number belongs names the key and the value")
{
    CHECK(error_with("links:\n  - {between: [noc, uk], latency_ms: fast, bandwidth_mbps: 1}\n") ==
          "t.yaml:7:38: error: expected a number for 'latency_ms', got 'fast'");
}

TEST_CASE("booleans are true or false only")
{
    CHECK(error_with("connectors:\n  - {on: noc, to: uk, duplex: yes}\n") ==
          "t.yaml:7:31: error: expected true or false for 'duplex', got 'yes'");
}

TEST_CASE("a scalar where a list belongs, and an empty value, are type errors")
{
    CHECK(error_of("name: t\ndatacenters: noc\n") ==
          "t.yaml:2:14: error: expected a list for 'datacenters', got 'noc'");
    CHECK(error_of("name:\ndatacenters: [noc]\n") ==
          "t.yaml:1:1: error: expected a string for 'name', got nothing");
    CHECK(error_of("name: t\ndatacenters: [[noc]]\n") ==
          "t.yaml:2:15: error: expected a name or a map for a datacenter, got a list");
}

TEST_CASE("an empty list entry is reported at its own dash")
{
    CHECK(error_with("clients:\n  -\n  - {name: op, broker: noc}\n") ==
          "t.yaml:7:3: error: expected a map for a client, got nothing");
}

TEST_CASE("a missing required key points at the map that lacks it")
{
    CHECK(error_with("links:\n  - {between: [noc, uk], bandwidth_mbps: 100}\n") ==
          "t.yaml:7:5: error: link is missing 'latency_ms'");
    CHECK(error_of("datacenters: [noc]\n") == "t.yaml:1:1: error: scenario is missing 'name'");
}

TEST_CASE("numbers out of their range name the bound")
{
    CHECK(error_with("links:\n  - {between: [noc, uk], latency_ms: -3, bandwidth_mbps: 1}\n") ==
          "t.yaml:7:38: error: 'latency_ms' must be at least 0, got -3");
    CHECK(error_with("links:\n  - {between: [noc, uk], latency_ms: 1, bandwidth_mbps: 0}\n") ==
          "t.yaml:7:57: error: 'bandwidth_mbps' must be greater than 0, got 0");
    CHECK(error_with("connectors:\n  - {on: noc, to: uk, networkTTL: -2}\n") ==
          "t.yaml:7:35: error: 'networkTTL' must be at least -1, got -2");
    CHECK(error_with("nodes:\n  - {count: 0, broker: uk, identity: n}\n") ==
          "t.yaml:7:13: error: 'count' must be at least 1, got 0");
}

TEST_CASE("huge numbers are range errors, not overflows")
{
    CHECK(error_with("nodes:\n  - {count: 99999999999999999999999, broker: uk, identity: "
                     "'n{i}'}\n") ==
          "t.yaml:7:13: error: 'count' must be at most 50000000, got 99999999999999999999999: "
          "brokersim simulates at most 50000000 nodes in a scenario (they take about 1 KiB of "
          "memory each)");
    CHECK(error_with("links:\n  - {between: [noc, uk], latency_ms: 1, bandwidth_mbps: 1e400}\n") ==
          "t.yaml:7:57: error: 'bandwidth_mbps' is out of range, got 1e400");
    CHECK(error_of("name: t\nseed: -1\n") ==
          "t.yaml:2:7: error: 'seed' must be at least 0, got -1");
}

TEST_CASE("a node group may hold at most the 50 million nodes the engine can keep")
{
    CHECK(error_with("nodes:\n  - {count: 2147483647, broker: uk, identity: 'n{i}'}\n") ==
          "t.yaml:7:13: error: 'count' must be at most 50000000, got 2147483647: brokersim "
          "simulates at most 50000000 nodes in a scenario (they take about 1 KiB of memory "
          "each)");
    CHECK(load(std::string(base) + "nodes:\n  - {count: 50000000, broker: uk, identity: "
                                   "'n{i}'}\n")
              .node_groups[0]
              .count == 50000000);
}

TEST_CASE("the node groups together may hold at most 50 million nodes")
{
    CHECK(error_with("nodes:\n  - {count: 30000000, broker: uk, identity: 'a{i}'}\n"
                     "  - {count: 20000000, broker: uk, identity: 'b{i}'}\n"
                     "  - {count: 1, broker: noc, identity: c}\n") ==
          "t.yaml:9:13: error: 'count' brings the scenario to 50000001 nodes: brokersim "
          "simulates at most 50000000 nodes in a scenario (they take about 1 KiB of memory "
          "each)");
}

TEST_CASE("times, latencies and timeouts are at most 1e9 seconds, in any unit")
{
    const std::string request = "clients: [{name: op, broker: noc}]\n"
                                "nodes: [{count: 1, broker: uk, identity: n}]\n"
                                "requests:\n  - {client: op, agent: a, action: b, ";
    CHECK(error_with(request + "at_s: 1e300}\n") ==
          "t.yaml:9:45: error: 'at_s' must be at most 1e9 s, got 1e300");
    CHECK(error_with(request + "at_s: 0, timeout_s: 1e300}\n") ==
          "t.yaml:9:59: error: 'timeout_s' must be at most 1e9 s, got 1e300");
    CHECK(error_with(request + "at_s: 0, ttl_s: 1000000001}\n") ==
          "t.yaml:9:55: error: 'ttl_s' must be at most 1e9 s, got 1000000001");
    CHECK(error_with("links:\n  - {between: [noc, uk], latency_ms: 1e308, bandwidth_mbps: 1}\n") ==
          "t.yaml:7:38: error: 'latency_ms' must be at most 1e12 ms (1e9 s), got 1e308");
    CHECK(
        error_with("agents:\n  - {name: a, run_time_ms: [1, 2e12]}\n") ==
        "t.yaml:7:32: error: an entry of 'run_time_ms' must be at most 1e12 ms (1e9 s), got 2e12");
    CHECK(error_with("nodes:\n  - {count: 1, broker: uk, identity: n, clock_offset_s: -2e9}\n") ==
          "t.yaml:7:57: error: 'clock_offset_s' must be between -1e9 and 1e9 s, got -2e9");
    CHECK(error_of(std::string(full_scenario)
                       .replace(std::string(full_scenario).find("memory_limit_mb: 64"), 19,
                                "cpu_ns_per_byte: 1e19")) ==
          "t.yaml:12:22: error: 'cpu_ns_per_byte' must be at most 1e18 ns (1e9 s), got 1e19");
}

TEST_CASE("1e9 seconds itself is a valid time")
{
    const auto scenario = load(std::string(base) + "faults:\n  - {at_s: 1e9, broker_down: uk}\n"
                                                   "  - {at_s: 1, link_latency: [noc, uk], "
                                                   "latency_ms: 1e12}\n"
                                                   "links:\n  - {between: [noc, uk], "
                                                   "latency_ms: 1, bandwidth_mbps: 1}\n");
    CHECK(scenario.faults[0].at_s == 1e9);
    CHECK(scenario.faults[1].latency_s == doctest::Approx(1e9));
}

TEST_CASE("a producer's last message must be sent within 1e9 seconds")
{
    CHECK(error_with("producers:\n  - {name: p, broker: noc, destination: 'queue:q', count: "
                     "2000000, interval_ms: 1e9}\n") ==
          "t.yaml:7:81: error: the producer's last message would be sent at 1999999000000 s, after the "
          "latest time, 1e9 s");
}

TEST_CASE("bandwidths are at most 1e9 Mbit/s, with the same wording as times")
{
    CHECK(error_with("links:\n  - {between: [noc, uk], latency_ms: 1, bandwidth_mbps: 1e308}\n") ==
          "t.yaml:7:57: error: 'bandwidth_mbps' must be at most 1e9 (1 Pbit/s), got 1e308");
    CHECK(error_of("name: t\ndatacenters: [{name: a, lan_bandwidth_mbps: 2e9}]\n") ==
          "t.yaml:2:45: error: 'lan_bandwidth_mbps' must be at most 1e9 (1 Pbit/s), got 2e9");
}

TEST_CASE("a name used twice points at the second one")
{
    CHECK(error_with("clients:\n  - {name: op, broker: noc}\n  - {name: op, broker: uk}\n") ==
          "t.yaml:8:12: error: duplicate client name 'op' (first defined on line 7)");
    CHECK(error_with("connectors:\n  - {on: noc, to: uk}\n  - {on: noc, to: uk}\n") ==
          "t.yaml:8:5: error: duplicate connector name 'noc-uk' on broker 'noc' (first defined "
          "on line 7)");
}

TEST_CASE("a reference to an unknown broker suggests the closest name")
{
    CHECK(error_with("clients:\n  - {name: op, broker: ukk}\n") ==
          "t.yaml:7:24: error: unknown broker 'ukk' (did you mean 'uk'?)");
}

TEST_CASE("a reference far from every name lists the names")
{
    CHECK(error_with("clients:\n  - {name: op, broker: de}\n") ==
          "t.yaml:7:24: error: unknown broker 'de' (valid: noc, uk)");
}

TEST_CASE("a link needs two known, distinct datacenters")
{
    CHECK(error_with("links:\n  - {between: [noc, ukk], latency_ms: 1, bandwidth_mbps: 1}\n") ==
          "t.yaml:7:21: error: unknown datacenter 'ukk' (did you mean 'uk'?)");
    CHECK(error_with("links:\n  - {between: [uk, uk], latency_ms: 1, bandwidth_mbps: 1}\n") ==
          "t.yaml:7:20: error: 'between' names datacenter 'uk' twice");
    CHECK(error_with("links:\n  - {between: [uk], latency_ms: 1, bandwidth_mbps: 1}\n") ==
          "t.yaml:7:15: error: 'between' must name exactly two datacenters, got 1");
}

TEST_CASE("a connector must dial another broker")
{
    CHECK(error_with("connectors:\n  - {on: uk, to: uk}\n") ==
          "t.yaml:7:18: error: 'on' and 'to' are both 'uk': a connector dials another broker");
}

TEST_CASE("fact shares must sum to 1")
{
    CHECK(error_with("nodes:\n  - count: 1\n    broker: uk\n    identity: n\n    facts:\n"
                     "      customer: {acme: 0.3, globex: 0.6}\n") ==
          "t.yaml:11:7: error: shares of fact 'customer' sum to 0.9, not 1");
}

TEST_CASE("a fact share must lie in (0, 1]")
{
    CHECK(error_with("nodes:\n  - count: 1\n    broker: uk\n    identity: n\n    facts:\n"
                     "      customer: {acme: 1.5, globex: -0.5}\n") ==
          "t.yaml:11:24: error: share of 'acme' in fact 'customer' must be greater than 0 and at "
          "most 1, got 1.5");
}

TEST_CASE("a node group of more than one node needs {i} in its identity")
{
    CHECK(error_with("nodes:\n  - {count: 3, broker: uk, identity: web}\n") ==
          "t.yaml:7:38: error: identity 'web' must contain {i} or {i:0N} when count is 3");
    CHECK(error_with("nodes:\n  - {count: 3, broker: uk, identity: 'web-{n}'}\n") ==
          "t.yaml:7:43: error: bad placeholder '{n}' in identity (use {i} or {i:0N})");
}

TEST_CASE("destination filters name their type")
{
    CHECK(error_with("connectors:\n  - {on: noc, to: uk, excludedDestinations: [queue>]}\n") ==
          "t.yaml:7:46: error: bad destination filter 'queue>' (expected 'topic:PATTERN' or "
          "'queue:PATTERN')");
    CHECK(error_with("connectors:\n  - {on: noc, to: uk, excludedDestinations: ['topic:a.>.b']}"
                     "\n") ==
          "t.yaml:7:46: error: bad destination filter 'topic:a.>.b' ('>' must be the last "
          "segment)");
}

TEST_CASE("a policy names exactly one of topic or queue")
{
    CHECK(error_of("name: t\ndatacenters: [noc]\nbrokers:\n  - name: noc\n    datacenter: noc\n"
                   "    policies: [{topic: '>', queue: '>'}]\n") ==
          "t.yaml:6:36: error: policy has both 'topic' and 'queue' (it takes exactly one)");
}

namespace {

// One broker with the policy entry written between the braces.
std::string with_policy(std::string_view entry)
{
    return "name: t\ndatacenters: [noc]\nbrokers:\n  - name: noc\n    datacenter: noc\n"
           "    policies: [{" +
           std::string(entry) + "}]\n";
}

} // namespace

TEST_CASE("a queue policy reads the replay settings, the delay in milliseconds as ActiveMQ's")
{
    const auto scenario = load(with_policy(
        "queue: '>', replayWhenNoConsumers: true, replayDelay: 1500, selectorAware: true"));
    const auto& policy = scenario.brokers[0].policies.at(0);
    CHECK(policy.replay_when_no_consumers);
    CHECK(policy.replay_delay_s == doctest::Approx(1.5));
    CHECK(policy.selector_aware);

    const auto plain = load(with_policy("queue: '>'")).brokers[0].policies.at(0);
    CHECK_FALSE(plain.replay_when_no_consumers);
    CHECK(plain.replay_delay_s == 0);
    CHECK_FALSE(plain.selector_aware);
}

TEST_CASE("replay settings are errors on a topic policy, without replay, or out of range")
{
    CHECK(error_of(with_policy("topic: '>', replayWhenNoConsumers: true")) ==
          "t.yaml:6:52: error: 'replayWhenNoConsumers' applies to queue policies only; topic "
          "messages are never replayed");
    CHECK(error_of(with_policy("queue: '>', replayDelay: 500")) ==
          "t.yaml:6:42: error: 'replayDelay' has no effect without 'replayWhenNoConsumers: "
          "true'");
    CHECK(error_of(with_policy("queue: '>', replayWhenNoConsumers: true, replayDelay: -1")) ==
          "t.yaml:6:71: error: 'replayDelay' must be at least 0, got -1");
    CHECK(error_of(with_policy("queue: '>', replayWhenNoConsumers: yes please")) ==
          "t.yaml:6:52: error: expected true or false for 'replayWhenNoConsumers', got 'yes "
          "please'");
    CHECK(error_of(with_policy("queue: '>', replayWhenNoConsumer: true")) ==
          "t.yaml:6:29: error: unknown policy key 'replayWhenNoConsumer' (did you mean "
          "'replayWhenNoConsumers'?)");
}

TEST_CASE("a filter error points into the filter, past the opening quote")
{
    const std::string filter = "datacenter=uk and (customer=acme";
    int column = 0;
    std::string message;
    try {
        brokersim::model::Filter::parse(filter);
    } catch (const brokersim::model::FilterParseError& error) {
        column = error.column();
        message = error.what();
    }
    REQUIRE(column > 0);

    const std::string nodes = "nodes:\n  - {count: 1, broker: uk, identity: n}\n";
    const std::string clients = "clients:\n  - {name: op, broker: noc}\n";
    const std::string quoted_request = "requests:\n  - {at_s: 1, client: op, agent: a, action: b, "
                                       "filter: \"" +
                                       filter + "\"}\n";
    // The quote is at column 56, so the filter's first character is at column 57.
    CHECK(error_with(nodes + clients + quoted_request) ==
          "t.yaml:11:" + std::to_string(56 + column) + ": error: bad filter: " + message);

    const std::string plain_request = "requests:\n  - at_s: 1\n    client: op\n    agent: a\n"
                                      "    action: b\n    filter: " +
                                      filter + "\n";
    CHECK(error_with(nodes + clients + plain_request) ==
          "t.yaml:15:" + std::to_string(12 + column) + ": error: bad filter: " + message);
}

TEST_CASE("a request's collective must be one some node group is in")
{
    const std::string nodes = "nodes:\n  - {count: 1, broker: uk, identity: n}\n";
    const std::string clients = "clients:\n  - {name: op, broker: noc}\n";
    CHECK(error_with(nodes + clients +
                     "requests:\n  - {at_s: 1, client: op, agent: a, action: b, "
                     "collective: mcolective}\n") ==
          "t.yaml:11:60: error: no node group is in collective 'mcolective' (did you mean "
          "'mcollective'?)");
}

TEST_CASE("an agent's run time range runs from minimum to maximum")
{
    CHECK(error_with("agents:\n  - {name: a, run_time_ms: [400, 50]}\n") ==
          "t.yaml:7:34: error: 'run_time_ms' maximum 50 is below its minimum 400");
}

TEST_CASE("aliases that make a list contain itself do not hang or crash the loader")
{
    CHECK(error_of("name: t\ndatacenters: &a [*a]\n") ==
          "t.yaml:2:14: error: expected a name or a map for a datacenter, got a list");
}

TEST_CASE("every bad golden scenario fails with its expected first line")
{
    const std::filesystem::path source_dir = BROKERSIM_SOURCE_DIR;
    int checked = 0;
    for (const auto& entry : std::filesystem::directory_iterator(source_dir / "tests/golden/bad")) {
        if (entry.path().extension() != ".yaml")
            continue;
        const auto relative = "tests/golden/bad/" + entry.path().filename().string();
        auto expected = read_text(std::filesystem::path(entry.path()).replace_extension(".err"));
        expected = expected.substr(0, expected.find('\n'));
        CAPTURE(relative);
        CHECK_THROWS_WITH_AS(load_scenario_text(read_text(entry.path()), relative),
                             expected.c_str(), InputError);
        ++checked;
    }
    CHECK(checked >= 10);
}
