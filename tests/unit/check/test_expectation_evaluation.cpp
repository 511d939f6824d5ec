#include "brokersim/check/expectation.hpp"
#include "brokersim/io/scenario_loader.hpp"

#include <doctest/doctest.h>

using brokersim::check::evaluate;
using brokersim::check::Outcome;
using brokersim::check::outcome_line;
using brokersim::check::parse_expectation;
using brokersim::model::Scenario;
using brokersim::stats::Report;
using brokersim::stats::RequestReport;

namespace {

// Two brokers behind a 1 Mbit/s link; web and db nodes share the uk broker, the jp nodes have
// theirs to themselves.
Scenario scenario()
{
    return brokersim::io::load_scenario_text(R"(name: t
datacenters: [noc, uk, jp]
brokers:
  - {name: noc, datacenter: noc}
  - {name: uk, datacenter: uk}
  - {name: jp, datacenter: jp}
links:
  - {between: [noc, uk], latency_ms: 5, bandwidth_mbps: 1}
  - {between: [noc, jp], latency_ms: 100, bandwidth_mbps: 10}
connectors:
  - {on: noc, to: uk, duplex: true}
  - {on: noc, to: jp, duplex: true}
nodes:
  - {name: web, count: 10, broker: uk, identity: "web-{i}", agents: [package]}
  - {name: db, count: 10, broker: uk, identity: "db-{i}", agents: [rpcutil]}
  - {name: jp, count: 10, broker: jp, identity: "jp-{i}", agents: [package]}
clients:
  - {name: operator, broker: noc}
requests:
  - {at_s: 1, client: operator, agent: package, action: status}
  - {at_s: 20, client: operator, agent: rpcutil, action: ping}
)",
                                             "t.yaml");
}

RequestReport request(int index, std::uint64_t expected, std::uint64_t replying,
                      std::optional<double> max_s)
{
    RequestReport r;
    r.index = index;
    r.expected = expected;
    r.replying_nodes = replying;
    r.replies = replying;
    r.missing = expected - replying;
    r.max_s = max_s;
    return r;
}

// Request 0: 20 expected, all replied, the last after 0.8 s. Request 1: 10 expected, 9
// replied, the last after 2.5 s. The run lasted 10 s.
Report report()
{
    Report r;
    r.end_time_s = 10;
    r.requests = {request(0, 20, 20, 0.8), request(1, 10, 9, 2.5)};
    r.links = {{"noc<->uk", 3, 125000, 20, 25000}, {"noc<->jp", 0, 0, 0, 0}};
    return r;
}

Outcome judge(std::string_view text, const Report& run = report())
{
    const auto s = scenario();
    const auto e = parse_expectation(text, {"t.yaml", 30, 6});
    brokersim::check::check_references(e, s);
    return evaluate(e, s, run);
}

} // namespace

TEST_CASE("every matching node replies within T: none missing and the last reply in time")
{
    const auto request_0 = judge("every matching node replies within 1 s for request 0");
    CHECK(request_0.holds);
    CHECK(request_0.measured == "0 of 20 nodes missing, last reply after 0.800 s");
    CHECK(request_0.limit == "none missing, last reply within 1.000 s");

    const auto too_late = judge("every matching node replies within 500 ms for request 0");
    CHECK_FALSE(too_late.holds);
    CHECK(too_late.badness == std::pair<double, double>{0, 0.8});

    const auto all = judge("every matching node replies within 3 s");
    CHECK_FALSE(all.holds);
    CHECK(all.measured == "1 of 30 nodes missing, last reply after 2.500 s (request 1)");
    CHECK(all.badness == std::pair<double, double>{1, 2.5});
}

TEST_CASE("duplicate counts add up over the requests and name the ones that have any")
{
    auto run = report();
    run.requests[0].duplicate_deliveries = 4;
    run.requests[1].duplicate_deliveries = 2;
    run.requests[1].duplicate_executions = 2;

    const auto deliveries = judge("at most 5 duplicate deliveries", run);
    CHECK_FALSE(deliveries.holds);
    CHECK(deliveries.measured == "6 duplicate deliveries (request 0: 4, request 1: 2)");
    CHECK(deliveries.limit == "at most 5");

    CHECK(judge("at most 4 duplicate deliveries for request 0", run).holds);
    CHECK(judge("at most 4 duplicate deliveries for request 0", run).measured ==
          "4 duplicate deliveries");
    CHECK(judge("at most 2 duplicate executions", run).holds);
    CHECK(judge("at most 0 missing replies", run).measured == "1 missing replies (request 1: 1)");
}

TEST_CASE("no stranded messages reads the conservation account's stranded drops")
{
    auto run = report();
    CHECK(judge("no stranded messages", run).holds);

    run.conservation.drops = {{"stranded", 3}, {"filtered", 50}};
    const auto stranded = judge("no stranded messages", run);
    CHECK_FALSE(stranded.holds);
    CHECK(stranded.measured == "3 stranded messages");
    CHECK(stranded.limit == "none");
}

TEST_CASE("no broker over memory budget names the brokers whose estimate exceeds their heap")
{
    auto run = report();
    run.broker_load = {{.name = "noc", .memory_budget_bytes = 536870912,
                        .estimated_peak_bytes = 1048576}};
    CHECK(judge("no broker over memory budget", run).holds);
    CHECK(judge("no broker over memory budget", run).measured ==
          "0 brokers over their memory budget");

    run.broker_load.push_back({.name = "uk", .memory_budget_bytes = 536870912,
                               .estimated_peak_bytes = 587202560, .over_budget = true});
    const auto over = judge("no broker over memory budget", run);
    CHECK_FALSE(over.holds);
    CHECK(over.measured == "1 broker over its memory budget (uk: 560.0 MiB of 512.0 MiB)");
    CHECK(over.limit == "none");
    CHECK(over.badness == std::pair<double, double>{1, 0});

    // A budget under a MiB keeps its digits: 0.1 of 0.0 MiB said nothing.
    run.broker_load = {{.name = "ba", .memory_budget_bytes = 1000,
                        .estimated_peak_bytes = 100000, .over_budget = true}};
    CHECK(judge("no broker over memory budget", run).measured ==
          "1 broker over its memory budget (ba: 97.7 KiB of 1000 bytes)");
}

TEST_CASE("reply completeness is replying nodes over expected nodes, the worst request deciding")
{
    const auto all = judge("reply completeness >= 95 %");
    CHECK_FALSE(all.holds);
    CHECK(all.measured == "90 % (9 of 10 nodes replied, request 1)");
    CHECK(all.limit == ">= 95 %");
    CHECK(judge("reply completeness >= 90 %").holds);
    CHECK(judge("reply completeness >= 100 % for request 0").measured ==
          "100 % (20 of 20 nodes replied)");

    auto nobody = report();
    nobody.requests[1] = request(1, 0, 0, std::nullopt);
    CHECK(judge("reply completeness >= 100 % for request 1", nobody).holds);
}

TEST_CASE("link utilisation is each direction's bytes over bandwidth times the run's length")
{
    // 125,000 bytes noc->uk in 10 s over 1 Mbit/s is 10 %; 25,000 bytes back is 2 %.
    const auto link = judge("link uk<->noc utilisation below 10 %");
    CHECK_FALSE(link.holds);
    CHECK(link.measured == "10 % (uk->noc 2 %, noc->uk 10 %, over 10.000 s)");
    CHECK(link.limit == "below 10 %");
    CHECK(judge("link noc<->uk utilisation below 10.5 %").holds);
    CHECK(judge("link jp<->noc utilisation below 0.1 %").measured ==
          "0 % (jp->noc 0 %, noc->jp 0 %, over 10.000 s)");
}

TEST_CASE("a node group is reachable when a request of the client reached its broker's nodes")
{
    auto run = report();
    run.requests[0].deliveries_by_broker = {{"uk", 10}};
    run.requests[1].deliveries_by_broker = {{"uk", 10}};

    const auto jp = judge("node group jp reachable from client operator", run);
    CHECK_FALSE(jp.holds);
    CHECK(jp.measured == "0 request copies delivered to nodes on broker jp");
    CHECK(jp.limit == "at least 1");

    // Only request 0 (package) is for the web nodes, and the db nodes beside them do not
    // load package: the count is theirs alone.
    const auto web = judge("node group web reachable from client operator", run);
    CHECK(web.holds);
    CHECK(web.measured == "10 request copies delivered to nodes on broker uk");
}

TEST_CASE("deliveries to a broker shared by groups taking the same request are flagged")
{
    auto s = scenario();
    s.node_groups[1].agents.push_back("package");
    auto run = report();
    run.requests[0].deliveries_by_broker = {{"uk", 20}};
    const auto e =
        parse_expectation("node group web reachable from client operator", {"t.yaml", 30, 6});

    const auto outcome = evaluate(e, s, run);
    CHECK(outcome.measured == "20 request copies delivered to nodes on broker uk (shared with "
                              "node groups db: the report counts deliveries per broker)");
}

TEST_CASE("an outcome is one line: position, verdict, expectation, measured value and limit")
{
    const auto e = parse_expectation("at most 0 missing replies", {"t.yaml", 30, 6});
    const auto outcome = evaluate(e, scenario(), report());
    CHECK(outcome_line(e, outcome) == "t.yaml:30:6: fail: at most 0 missing replies: measured 1 "
                                      "missing replies (request 1: 1); limit at most 0");
}
