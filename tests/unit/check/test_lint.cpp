#include "brokersim/check/lint.hpp"
#include "brokersim/io/scenario_loader.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>
#include <vector>

using brokersim::check::Finding;
using brokersim::check::lint;
using brokersim::check::Severity;

namespace {

// Brokers a, b, c, d all in one datacenter (no WAN links needed); `rest` adds connectors,
// nodes, clients and policies.
constexpr std::string_view brokers = R"(name: t
datacenters: [dc, far]
brokers:
  - {name: a, datacenter: dc}
  - {name: b, datacenter: dc}
  - {name: c, datacenter: dc}
)";

std::vector<Finding> lint_yaml(std::string_view rest)
{
    return lint(
        brokersim::io::load_scenario_text(std::string(brokers) + std::string(rest), "t.yaml"));
}

// "BS001 7:5" for each finding with one of `ids`, in order.
std::vector<std::string> found(const std::vector<Finding>& findings,
                               std::vector<std::string> ids = {})
{
    std::vector<std::string> out;
    for (const auto& f : findings)
        if (ids.empty() || std::find(ids.begin(), ids.end(), f.id) != ids.end())
            out.push_back(f.id + " " + std::to_string(f.pos.line) + ":" +
                          std::to_string(f.pos.column));
    return out;
}

// The first finding with this id.
Finding with_id(const std::vector<Finding>& findings, std::string_view id)
{
    for (const auto& f : findings)
        if (f.id == id)
            return f;
    return {};
}

// A finding at column 5 of a line of t.yaml.
Finding finding(std::string id, Severity severity, int line, std::string message, std::string fix)
{
    Finding f;
    f.id = std::move(id);
    f.severity = severity;
    f.pos.file = "t.yaml";
    f.pos.line = line;
    f.pos.column = 5;
    f.message = std::move(message);
    f.fix = std::move(fix);
    return f;
}

const std::vector<std::string> path_rules = {"BS001", "BS002", "BS003", "BS004"};

} // namespace

TEST_CASE("a line at networkTTL 1 cannot carry a request or its reply two hops")
{
    const auto findings = lint_yaml(R"(connectors:
  - {on: a, to: b, duplex: true, excludedDestinations: ["queue:>"]}
  - {on: b, to: c, duplex: true, excludedDestinations: ["queue:>"]}
  - {on: a, to: b, name: ab-queues, duplex: true, conduitSubscriptions: false,
     excludedDestinations: ["topic:>"]}
  - {on: b, to: c, name: bc-queues, duplex: true, conduitSubscriptions: false,
     excludedDestinations: ["topic:>"]}
nodes:
  - {name: web, count: 1, broker: c, identity: web-1, agents: [rpcutil]}
clients:
  - {name: op, broker: a}
)");
    REQUIRE(found(findings) == std::vector<std::string>{"BS001 8:5", "BS003 12:5"});
    CHECK(findings[0].severity == Severity::Error);
    CHECK(findings[0].message ==
          "requests from client 'op' (broker a) cannot reach node group 'web' (broker c): the "
          "bridge chain a > b > c takes 2 hops, more than connectors 'a-b' (networkTTL 1), "
          "'b-c' (networkTTL 1) allow");
    CHECK(findings[0].fix == "set networkTTL: 2 on connectors 'a-b', 'b-c'");
    CHECK(findings[1].message ==
          "replies from node group 'web' (broker c) cannot reach client 'op' (broker a): the "
          "bridge chain c > b > a takes 2 hops, more than connectors 'bc-queues' (networkTTL "
          "1), 'ab-queues' (networkTTL 1) allow");
}

TEST_CASE("networkTTL 2 on the same line lets requests and replies through")
{
    const auto findings = lint_yaml(R"(connectors:
  - {on: a, to: b, duplex: true, networkTTL: 2}
  - {on: b, to: c, duplex: true, networkTTL: 2}
nodes:
  - {name: web, count: 1, broker: c, identity: web-1, agents: [rpcutil]}
clients:
  - {name: op, broker: a}
)");
    CHECK(found(findings, path_rules).empty());
}

TEST_CASE("each hop needs messageTTL for the hops behind it and consumerTTL for those ahead")
{
    // Hop 1 of 2 needs messageTTL >= 1 and consumerTTL >= 2; hop 2 messageTTL >= 2 and
    // consumerTTL >= 1: these TTLs just fit.
    const auto fits = lint_yaml(R"(connectors:
  - {on: a, to: b, messageTTL: 1, consumerTTL: 2}
  - {on: b, to: c, messageTTL: 2, consumerTTL: 1}
nodes:
  - {name: web, count: 1, broker: c, identity: web-1, agents: [rpcutil]}
clients:
  - {name: op, broker: a}
)");
    CHECK(found(fits, {"BS001"}).empty());

    const auto short_consumer = lint_yaml(R"(connectors:
  - {on: a, to: b, messageTTL: 2, consumerTTL: 1}
  - {on: b, to: c, networkTTL: 2}
nodes:
  - {name: web, count: 1, broker: c, identity: web-1, agents: [rpcutil]}
clients:
  - {name: op, broker: a}
)");
    REQUIRE(found(short_consumer, {"BS001"}) == std::vector<std::string>{"BS001 8:5"});
    CHECK(with_id(short_consumer, "BS001")
              .message.ends_with("more than connector 'a-b' (messageTTL 2, "
                                 "consumerTTL 1) allows"));
}

TEST_CASE("a longer chain with enough networkTTL reaches a group the short one cannot")
{
    // networkTTL 0 forwards nothing; the way round through b does.
    const auto findings = lint_yaml(R"(connectors:
  - {on: a, to: c, duplex: true, networkTTL: 0}
  - {on: a, to: b, duplex: true, networkTTL: 2}
  - {on: b, to: c, duplex: true, networkTTL: 2}
nodes:
  - {name: web, count: 1, broker: c, identity: web-1, agents: [rpcutil]}
clients:
  - {name: op, broker: a}
)");
    CHECK(found(findings, path_rules).empty());
}

TEST_CASE("a plain connector forwards only from the broker that dials")
{
    const auto findings = lint_yaml(R"(connectors:
  - {on: a, to: b}
nodes:
  - {name: on-b, count: 1, broker: b, identity: b-1, agents: [rpcutil]}
  - {name: on-a, count: 1, broker: a, identity: a-1, agents: [rpcutil]}
clients:
  - {name: op-a, broker: a}
  - {name: op-b, broker: b}
)");
    // op-a's requests reach b but the replies cannot come back; op-b's requests never reach a.
    CHECK(found(findings, path_rules) == std::vector<std::string>{"BS002 11:5", "BS004 13:5"});
    CHECK(with_id(findings, "BS002").message ==
          "requests from client 'op-b' (broker b) cannot reach node "
          "group 'on-a' (broker a): no chain of bridges from b to a lets "
          "topic://mcollective.discovery.agent through");
    CHECK(with_id(findings, "BS004").message ==
          "replies from node group 'on-b' (broker b) cannot reach client "
          "'op-a' (broker a): no chain of bridges from b to a lets "
          "queue://mcollective.reply.op-a_1000.0 through");
}

TEST_CASE("a connector that excludes topics carries no requests")
{
    const auto findings = lint_yaml(R"(connectors:
  - {on: a, to: b, duplex: true, excludedDestinations: ["topic:>"]}
nodes:
  - {name: web, count: 1, broker: b, identity: web-1, agents: [rpcutil]}
clients:
  - {name: op, broker: a}
)");
    CHECK(found(findings, path_rules) == std::vector<std::string>{"BS002 10:5"});
}

TEST_CASE("a cycle of topic connectors above networkTTL 1 and without audit risks duplicates")
{
    const std::string triangle = R"(connectors:
  - {on: a, to: b, duplex: true, networkTTL: TTL}
  - {on: b, to: c, duplex: true, networkTTL: TTL}
  - {on: a, to: c, duplex: true, networkTTL: TTL}
)";
    const auto with_ttl = [&](std::string ttl) {
        auto text = triangle;
        for (auto at = text.find("TTL}"); at != std::string::npos; at = text.find("TTL}"))
            text.replace(at, 3, ttl);
        return text;
    };

    const auto findings = lint_yaml(with_ttl("2"));
    REQUIRE(found(findings, {"BS005"}) == std::vector<std::string>{"BS005 8:5"});
    const auto cycle = with_id(findings, "BS005");
    CHECK(cycle.severity == Severity::Warning);
    CHECK(cycle.message ==
          "brokers a, b, c form a cycle of topic-carrying connectors and connector 'a-b' has "
          "networkTTL 2: a request can reach a, b, c by two routes, and without a topic "
          "policy's audit their nodes run it twice");
    CHECK(cycle.fix == "add policies: [{topic: \">\", enableAudit: true}] to brokers a, "
                       "b, c, or set networkTTL: 1 on the cycle's connectors");

    CHECK(found(lint_yaml(with_ttl("1")), {"BS005"}).empty());
    CHECK(found(lint_yaml(with_ttl("-1")), {"BS005"}).size() == 1);
}

TEST_CASE("a topic policy with the audit on every broker of the cycle clears the warning")
{
    const auto audited = lint(brokersim::io::load_scenario_text(R"(name: t
datacenters: [dc]
brokers:
  - {name: a, datacenter: dc, policies: [{topic: ">"}]}
  - {name: b, datacenter: dc, policies: [{topic: "mcollective.>"}]}
  - {name: c, datacenter: dc, policies: [{topic: ">", enableAudit: false}]}
connectors:
  - {on: a, to: b, duplex: true, networkTTL: 2}
  - {on: b, to: c, duplex: true, networkTTL: 2}
  - {on: a, to: c, duplex: true, networkTTL: 2}
)",
                                                                "t.yaml"));
    REQUIRE(found(audited, {"BS005"}).size() == 1);
    CHECK(with_id(audited, "BS005").fix ==
          "add policies: [{topic: \">\", enableAudit: true}] to broker c, or "
          "set networkTTL: 1 on the cycle's connectors");
}

TEST_CASE("duplex connectors on both ends of a pair are flagged at the second")
{
    const auto findings = lint_yaml(R"(connectors:
  - {on: a, to: b, duplex: true}
  - {on: b, to: a, duplex: true}
)");
    REQUIRE(found(findings, {"BS006"}) == std::vector<std::string>{"BS006 9:5"});
    CHECK(with_id(findings, "BS006").fix ==
          "remove connector 'b-a' from broker b: 'a-b' on a already carries both directions");

    // One end carries topics, the other queues: two different bridges, as MCollective wants.
    const auto split = lint_yaml(R"(connectors:
  - {on: a, to: b, duplex: true, excludedDestinations: ["queue:>"]}
  - {on: b, to: a, duplex: true, excludedDestinations: ["topic:>"], conduitSubscriptions: false}
)");
    CHECK(found(split, {"BS006"}).empty());
}

TEST_CASE("a queue-carrying connector with conduit subscriptions risks stranded direct requests")
{
    const auto findings = lint_yaml(R"(connectors:
  - {on: a, to: b, duplex: true}
  - {on: a, to: c, duplex: true, conduitSubscriptions: false}
  - {on: b, to: c, duplex: true, excludedDestinations: ["queue:>"]}
nodes:
  - {name: web, count: 1, broker: b, identity: web-1, agents: [rpcutil]}
)");
    REQUIRE(found(findings, {"BS007"}) == std::vector<std::string>{"BS007 8:5"});
    CHECK(with_id(findings, "BS007").fix ==
          "set conduitSubscriptions: false on 'a-b', or split it into a "
          "topics-only connector and a queues-only one without conduit");

    const auto no_direct = lint_yaml(R"(connectors:
  - {on: a, to: b, duplex: true}
nodes:
  - {name: web, count: 1, broker: b, identity: web-1, agents: [rpcutil],
     direct_addressing: false}
)");
    CHECK(found(no_direct, {"BS007"}).empty());
}

TEST_CASE("a broker no bridge leads to from a client's broker is unreachable")
{
    const auto findings = lint_yaml(R"(connectors:
  - {on: a, to: b, duplex: true}
  - {on: c, to: a}
clients:
  - {name: op, broker: a}
)");
    REQUIRE(found(findings, {"BS008"}) == std::vector<std::string>{"BS008 6:5"});
    CHECK(with_id(findings, "BS008").message ==
          "broker c cannot be reached over the network connectors from any client's broker (a)");
}

TEST_CASE("a node group whose datacenter fact names another datacenter than its broker's")
{
    const auto findings = lint_yaml(R"(nodes:
  - {name: moved, count: 1, broker: a, identity: m-1, facts: {datacenter: far}}
  - {name: local, count: 1, broker: a, identity: l-1, facts: {datacenter: dc}}
  - {name: other, count: 1, broker: a, identity: o-1, facts: {datacenter: london}}
)");
    REQUIRE(found(findings) == std::vector<std::string>{"BS009 8:5"});
    CHECK(findings[0].message == "node group 'moved' has datacenter fact 'far' but its broker a "
                                 "is in datacenter dc");
}

TEST_CASE("a client on a broker with nodes reaches them without the broker network")
{
    const auto findings = lint_yaml(R"(nodes:
  - {name: web, count: 1, broker: a, identity: web-1}
clients:
  - {name: op, broker: a}
)");
    REQUIRE(found(findings, {"BS010"}) == std::vector<std::string>{"BS010 10:5"});
    CHECK(with_id(findings, "BS010").severity == Severity::Info);
    CHECK(with_id(findings, "BS010").message ==
          "client 'op' shares broker a with node group 'web': its requests and their replies "
          "never cross a bridge, so their results do not test the broker network");
}

TEST_CASE("a broker with more nodes than the guide's 800 per broker is named")
{
    // 500 + 301 on a; 800 exactly on b.
    const auto findings = lint_yaml(R"(nodes:
  - {name: web, count: 500, broker: a, identity: "web-{i}"}
  - {name: db, count: 301, broker: a, identity: "db-{i}"}
  - {name: app, count: 800, broker: b, identity: "app-{i}"}
)");
    REQUIRE(found(findings, {"BS011"}) == std::vector<std::string>{"BS011 4:5"});
    CHECK(with_id(findings, "BS011").severity == Severity::Info);
    CHECK(with_id(findings, "BS011").message ==
          "broker a has 801 nodes connected; MCollective's ActiveMQ deployment guide suggests "
          "about 800 per broker, and brokersim models only the memory and keep-alive CPU of "
          "each connection, so its results may not show that limit");
}

TEST_CASE("a broker whose connections and memoryUsage limit exceed its heap is named")
{
    // x: 400 connections of 100 KiB = 39.0625 MiB, plus the 32 MiB limit = 71.06 MiB > 64 MiB.
    // y: 300 connections = 29.3 MiB + 32 MiB = 61.3 MiB fits.
    const auto findings = lint(brokersim::io::load_scenario_text(R"(name: t
datacenters: [dc]
brokers:
  - {name: x, datacenter: dc, memory_budget_mb: 64, memory_limit_mb: 32,
     connection_memory_kb: 100}
  - {name: y, datacenter: dc, memory_budget_mb: 64, memory_limit_mb: 32,
     connection_memory_kb: 100}
nodes:
  - {name: nx, count: 400, broker: x, identity: "x-{i}"}
  - {name: ny, count: 300, broker: y, identity: "y-{i}"}
)",
                                                                 "t.yaml"));
    REQUIRE(found(findings, {"BS012"}) == std::vector<std::string>{"BS012 4:5"});
    CHECK(with_id(findings, "BS012").severity == Severity::Warning);
    CHECK(with_id(findings, "BS012").message ==
          "broker x needs 39.1 MiB of heap for 400 connections and 32.0 MiB for its memoryUsage "
          "limit, more than its 64.0 MiB budget: when memory fills it runs out of heap before "
          "producer flow control holds its producers");
    CHECK(with_id(findings, "BS012").fix ==
          "raise x's memory_budget_mb (the JVM's -Xmx) to at least 72, lower its "
          "memory_limit_mb, or spread its connections over more brokers");
}

TEST_CASE("a heap that resets the memoryUsage limit must leave 30 % for the connections")
{
    // The default 1 GiB limit over a 64 MiB heap becomes 44.8 MiB; with 39.0625 MiB of
    // connections the heap must be 39.0625 / 0.3 = 130.2 MiB, where the reset limit is 91.1.
    const auto findings = lint(brokersim::io::load_scenario_text(R"(name: t
datacenters: [dc]
brokers:
  - {name: x, datacenter: dc, memory_budget_mb: 64, connection_memory_kb: 100}
nodes:
  - {name: nx, count: 400, broker: x, identity: "x-{i}"}
)",
                                                                 "t.yaml"));
    REQUIRE(found(findings, {"BS012"}) == std::vector<std::string>{"BS012 4:5"});
    CHECK(with_id(findings, "BS012").message ==
          "broker x needs 39.1 MiB of heap for 400 connections and 44.8 MiB for its memoryUsage "
          "limit, more than its 64.0 MiB budget: when memory fills it runs out of heap before "
          "producer flow control holds its producers");
    CHECK(with_id(findings, "BS012").fix ==
          "raise x's memory_budget_mb (the JVM's -Xmx) to at least 131, lower its "
          "memory_limit_mb, or spread its connections over more brokers");
}

TEST_CASE("keep-alives that take all of a broker's CPU are an error")
{
    // 1000 nodes with a heart-beat every 30 s at 30 ms each: 1000 / 30 x 0.03 = 1.0 of the CPU.
    const auto findings = lint(brokersim::io::load_scenario_text(R"(name: t
datacenters: [dc]
brokers:
  - {name: x, datacenter: dc, keepalive_cpu_us: 30000}
nodes:
  - {name: nx, count: 1000, broker: x, identity: "x-{i}", heartbeat_interval_s: 30}
)",
                                                                 "t.yaml"));
    REQUIRE(found(findings, {"BS012"}) == std::vector<std::string>{"BS012 4:5"});
    CHECK(with_id(findings, "BS012").severity == Severity::Error);
    CHECK(with_id(findings, "BS012").message ==
          "broker x's 1000 connections would spend 100.0 % of its CPU on keep-alives, more than "
          "the 99 % brokersim allows");
}

TEST_CASE("lint refuses a connector between datacenters with no WAN path")
{
    CHECK_THROWS_WITH_AS(lint_yaml(R"(  - {name: d, datacenter: far}
connectors:
  - {on: a, to: d}
)"),
                         "t.yaml:9:5: error: connector 'a-d' cannot reach broker 'd': no WAN "
                         "link path between datacenters 'dc' and 'far'",
                         brokersim::model::InputError);
}

TEST_CASE("text output: one line per finding, its fix indented below, then the counts")
{
    const std::vector<Finding> findings = {
        finding("BS001", Severity::Error, 8, "requests cannot get there", "raise it"),
        finding("BS010", Severity::Info, 10, "the client is local", "move it"),
    };
    CHECK(brokersim::check::findings_text(findings) ==
          "t.yaml:8:5: error: BS001 requests cannot get there\n"
          "    fix: raise it\n"
          "t.yaml:10:5: info: BS010 the client is local\n"
          "    fix: move it\n"
          "lint: 1 error, 0 warnings, 1 info\n");
    CHECK(brokersim::check::findings_text({}) == "lint: 0 errors, 0 warnings, 0 info\n");
    CHECK(brokersim::check::has_errors(findings));
    CHECK_FALSE(brokersim::check::has_errors({findings[1]}));
}

TEST_CASE("JSON output carries every field of a finding and the counts")
{
    const std::vector<Finding> findings = {
        finding("BS005", Severity::Warning, 8, "a cycle", "audit"),
    };
    const auto json = nlohmann::json::parse(brokersim::check::findings_json(findings));
    REQUIRE(json["findings"].size() == 1);
    CHECK(json["findings"][0]["id"] == "BS005");
    CHECK(json["findings"][0]["severity"] == "warning");
    CHECK(json["findings"][0]["file"] == "t.yaml");
    CHECK(json["findings"][0]["line"] == 8);
    CHECK(json["findings"][0]["column"] == 5);
    CHECK(json["findings"][0]["message"] == "a cycle");
    CHECK(json["findings"][0]["fix"] == "audit");
    CHECK(json["errors"] == 0);
    CHECK(json["warnings"] == 1);
    CHECK(json["info"] == 0);
}
