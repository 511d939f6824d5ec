#include "brokersim/check/diff.hpp"
#include "brokersim/io/scenario_loader.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>

using brokersim::check::compare;
using brokersim::check::diff_topology;
using brokersim::check::Expectation;
using brokersim::check::parse_expectations;
using brokersim::check::TopologyChange;
using brokersim::model::Scenario;
using brokersim::stats::Report;
using brokersim::stats::RequestReport;

namespace {

constexpr std::string_view base = R"(name: t
datacenters: [noc, uk]
brokers:
  - {name: noc, datacenter: noc}
  - {name: uk, datacenter: uk}
links:
  - {between: [noc, uk], latency_ms: 5, bandwidth_mbps: 100}
connectors:
  - {on: noc, to: uk, name: topics, duplex: true, networkTTL: 2}
nodes:
  - {name: web, count: 10, broker: uk, identity: "web-{i}", agents: [package]}
clients:
  - {name: operator, broker: noc}
requests:
  - {at_s: 1, client: operator, agent: package, action: status}
)";

Scenario load(std::string_view text, const std::string& file = "new.yaml")
{
    return brokersim::io::load_scenario_text(text, file);
}

// `base` with `from` replaced by `to`.
std::string edited(std::string_view from, std::string_view to)
{
    std::string text(base);
    text.replace(text.find(from), from.size(), to);
    return text;
}

std::string change_line(const TopologyChange& change)
{
    std::string line = change.object + " " + change.name + ":";
    for (const auto& a : change.attributes)
        line += " " + a.name + " '" + a.old_value + "' -> '" + a.new_value + "'";
    return line;
}

Report run(std::uint64_t replying, std::uint64_t duplicates)
{
    RequestReport r;
    r.expected = 10;
    r.replying_nodes = replying;
    r.replies = replying + duplicates;
    r.missing = 10 - replying;
    r.duplicate_deliveries = duplicates;
    r.duplicate_executions = duplicates;
    r.max_s = 0.05;
    r.p50_s = 0.02;
    r.deliveries_by_broker = {{"uk", replying + duplicates}};
    Report report;
    report.end_time_s = 13;
    report.requests = {r};
    report.links = {{"noc<->uk", 1, 1000, 10, 7000}};
    return report;
}

} // namespace

TEST_CASE("a changed attribute is listed with its old and new value")
{
    const auto changes = diff_topology(load(base), load(edited("latency_ms: 5", "latency_ms: 40")));
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].kind == TopologyChange::Kind::Changed);
    CHECK(change_line(changes[0]) == "link noc<->uk: latency_ms '5' -> '40'");
}

TEST_CASE("networkTTL is reported once when it moved messageTTL and consumerTTL together")
{
    const auto together = diff_topology(load(base), load(edited("networkTTL: 2", "networkTTL: 3")));
    REQUIRE(together.size() == 1);
    CHECK(change_line(together[0]) == "connector noc/topics: networkTTL '2' -> '3'");

    const auto apart = diff_topology(load(base), load(edited("networkTTL: 2", "networkTTL: 2, "
                                                                              "consumerTTL: 1")));
    REQUIRE(apart.size() == 1);
    CHECK(change_line(apart[0]) == "connector noc/topics: consumerTTL '2' -> '1'");
}

TEST_CASE("added and removed objects show the attributes written for them")
{
    const auto text = edited("  - {on: noc, to: uk, name: topics, duplex: true, networkTTL: 2}\n",
                             "  - {on: uk, to: noc, name: back, excludedDestinations: "
                             "[\"queue:>\"]}\n");
    const auto changes = diff_topology(load(base), load(text));
    REQUIRE(changes.size() == 2);
    CHECK(changes[0].kind == TopologyChange::Kind::Removed);
    CHECK(change_line(changes[0]) ==
          "connector noc/topics: to 'uk' -> '' duplex 'true' -> '' networkTTL '2' -> ''");
    CHECK(changes[1].kind == TopologyChange::Kind::Added);
    CHECK(change_line(changes[1]) ==
          "connector uk/back: to '' -> 'noc' excludedDestinations '' -> '[queue:>]'");
}

TEST_CASE("a link written the other way round is the same link")
{
    CHECK(diff_topology(load(base), load(edited("[noc, uk]", "[uk, noc]"))).empty());
}

TEST_CASE("NEW is worse when one of its expectations held on OLD and fails on NEW")
{
    const auto text = edited("requests:", "expect:\n  - \"at most 0 duplicate deliveries\"\n"
                                          "  - \"reply completeness >= 50 %\"\nrequests:");
    const auto new_scenario = load(text);
    const auto expectations = parse_expectations(new_scenario, text);

    const auto diff =
        compare(load(base, "old.yaml"), run(10, 0), new_scenario, run(10, 3), expectations);
    REQUIRE(diff.expectations.size() == 2);
    CHECK(diff.expectations[0].worse);
    CHECK_FALSE(diff.expectations[1].worse);
    REQUIRE(diff.regressions.size() == 1);
    CHECK(diff.regressions[0] ==
          "new.yaml:15:6: 'at most 0 duplicate deliveries' fails on NEW: measured 3 duplicate "
          "deliveries (request 0: 3); limit at most 0 (held on OLD: measured 0 duplicate "
          "deliveries)");
}

TEST_CASE("a failure NEW shares with OLD counts only when NEW fails by more")
{
    const auto text = edited("requests:", "expect:\n  - \"at most 0 duplicate deliveries\"\n"
                                          "requests:");
    const auto new_scenario = load(text);
    const auto expectations = parse_expectations(new_scenario, text);
    const auto old_scenario = load(base, "old.yaml");

    CHECK(compare(old_scenario, run(10, 3), new_scenario, run(10, 3), expectations)
              .regressions.empty());
    CHECK(compare(old_scenario, run(10, 3), new_scenario, run(10, 2), expectations)
              .regressions.empty());
    const auto more = compare(old_scenario, run(10, 3), new_scenario, run(10, 5), expectations);
    REQUIRE(more.regressions.size() == 1);
    CHECK(more.regressions[0].ends_with("(failed by less on OLD: measured 3 duplicate "
                                        "deliveries (request 0: 3))"));
}

TEST_CASE("an expectation that names what OLD does not have counts as not holding there")
{
    const auto text = edited("requests:", "expect:\n  - \"node group web reachable from client "
                                          "operator\"\nrequests:");
    const auto new_scenario = load(text);
    const auto old_scenario = load(edited("name: web", "name: www"), "old.yaml");

    const auto diff = compare(old_scenario, run(10, 0), new_scenario, run(0, 0),
                              parse_expectations(new_scenario, text));
    REQUIRE(diff.expectations.size() == 1);
    CHECK_FALSE(diff.expectations[0].old_outcome.has_value());
    CHECK(diff.expectations[0].old_note == "unknown node group 'web' (valid: www)");
    CHECK(diff.expectations[0].worse);
}

TEST_CASE("without expectations, fewer replying nodes or more duplicates make NEW worse")
{
    const auto old_scenario = load(base, "old.yaml");
    const auto new_scenario = load(base);
    CHECK(compare(old_scenario, run(10, 0), new_scenario, run(10, 0), {}).regressions.empty());

    const auto fewer = compare(old_scenario, run(10, 0), new_scenario, run(8, 0), {});
    CHECK(fewer.regressions == std::vector<std::string>{"request 0: fewer replying nodes (10 -> 8)",
                                                        "request 0: more missing nodes (0 -> 2)"});

    const auto doubled = compare(old_scenario, run(10, 0), new_scenario, run(10, 4), {});
    CHECK(doubled.regressions ==
          std::vector<std::string>{"request 0: more duplicate deliveries (0 -> 4)",
                                   "request 0: more duplicate executions (0 -> 4)"});

    // Fewer duplicates means fewer replies, but not fewer replying nodes: better, not worse.
    CHECK(compare(old_scenario, run(10, 4), new_scenario, run(10, 0), {}).regressions.empty());
}

TEST_CASE("the text diff puts OLD and NEW side by side with the change")
{
    const auto diff = compare(load(base, "old.yaml"), run(10, 0),
                              load(edited("latency_ms: 5", "latency_ms: 40")), run(8, 0), {});
    const auto text = brokersim::check::diff_text(diff);
    CHECK(text.starts_with("brokersim diff: OLD old.yaml -> NEW new.yaml\n\ntopology:\n"
                           "  changed link noc<->uk: latency_ms 5 -> 40\n"));
    CHECK(text.find("  replying nodes                         10            8           -2\n") !=
          std::string::npos);
    CHECK(text.find("  latency p50                       20.0 ms      20.0 ms\n") !=
          std::string::npos);
    CHECK(text.find("  deliveries on uk                       10            8           -2\n") !=
          std::string::npos);
    CHECK(text.find("  uk->noc                              7000         7000\n") !=
          std::string::npos);
    CHECK(text.ends_with("verdict: NEW is worse than OLD\n"
                         "  request 0: fewer replying nodes (10 -> 8)\n"
                         "  request 0: more missing nodes (0 -> 2)\n"));
}

TEST_CASE("the JSON diff gives both sides of every request and link, and the verdict")
{
    const auto diff = compare(load(base, "old.yaml"), run(10, 0), load(base), run(10, 0), {});
    const auto json = nlohmann::json::parse(brokersim::check::diff_json(diff));
    CHECK(json["old"] == "old.yaml");
    CHECK(json["topology"].empty());
    CHECK(json["requests"][0]["old"]["replying_nodes"] == 10);
    CHECK(json["requests"][0]["new"]["p50_s"] == 0.02);
    CHECK(json["links"][0]["link"] == "noc<->uk");
    CHECK(json["links"][0]["new"]["bytes_ba"] == 7000);
    CHECK(json["worse"] == false);
    CHECK(json["regressions"].empty());
}
