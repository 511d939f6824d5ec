#include "brokersim/check/expectation.hpp"
#include "brokersim/io/scenario_loader.hpp"

#include <doctest/doctest.h>

#include <string>

using brokersim::check::Expectation;
using brokersim::check::ExpectationKind;
using brokersim::check::parse_expectation;
using brokersim::check::parse_expectations;
using brokersim::model::InputError;
using brokersim::model::SourcePos;

namespace {

// Expectations in these tests start at line 3, column 7 of t.yaml.
const SourcePos start{"t.yaml", 3, 7};

Expectation parse(std::string_view text)
{
    return parse_expectation(text, start);
}

// The whole error line, as brokersim prints it.
std::string error_of(std::string_view text)
{
    try {
        parse(text);
    } catch (const InputError& error) {
        return error.what();
    }
    return "no error";
}

constexpr std::string_view scenario_head = R"(name: t
datacenters: [noc, uk, jp]
brokers:
  - {name: noc, datacenter: noc}
  - {name: uk, datacenter: uk}
links:
  - {between: [noc, uk], latency_ms: 5, bandwidth_mbps: 100}
connectors:
  - {on: noc, to: uk, duplex: true}
nodes:
  - {name: uk-web, count: 2, broker: uk, identity: "uk-{i}", agents: [package]}
clients:
  - {name: operator, broker: noc}
  - {name: auditor, broker: noc}
requests:
  - {at_s: 1, client: operator, agent: package, action: status}
expect:
)";

// The error `brokersim check` gives for the scenario above with these `expect:` lines.
std::string scenario_error(std::string_view expect_lines)
{
    const auto text = std::string(scenario_head) + std::string(expect_lines);
    try {
        parse_expectations(brokersim::io::load_scenario_text(text, "s.yaml"), text);
    } catch (const InputError& error) {
        return error.what();
    }
    return "no error";
}

} // namespace

TEST_CASE("every matching node replies within a time, in seconds or milliseconds")
{
    const auto seconds = parse("every matching node replies within 3 s");
    CHECK(seconds.kind == ExpectationKind::RepliesWithin);
    CHECK(seconds.limit == 3.0);
    CHECK_FALSE(seconds.request.has_value());

    CHECK(parse("every matching node replies within 2.5s").limit == 2.5);
    CHECK(parse("every matching node replies within 250 ms").limit == 0.25);
    CHECK(parse("every  matching node   replies within 250ms").limit == 0.25);
}

TEST_CASE("'for request N' narrows an expectation to one request of the report")
{
    const auto e = parse("every matching node replies within 3 s for request 2");
    CHECK(e.request == 2);
    CHECK(e.request_offset == 51);
    CHECK(parse("reply completeness >= 95 % for request 0").request == 0);
    CHECK(parse("at most 3 missing replies for request 1").request == 1);
}

TEST_CASE("counted expectations take a whole number")
{
    const auto deliveries = parse("at most 0 duplicate deliveries");
    CHECK(deliveries.kind == ExpectationKind::MaxDuplicateDeliveries);
    CHECK(deliveries.limit == 0.0);
    CHECK(parse("at most 12 duplicate executions").kind == ExpectationKind::MaxDuplicateExecutions);
    CHECK(parse("at most 12 duplicate executions").limit == 12.0);
    CHECK(parse("at most 5 missing replies").kind == ExpectationKind::MaxMissingReplies);
    CHECK(parse("no stranded messages").kind == ExpectationKind::NoStrandedMessages);
    CHECK(parse("no broker over memory budget").kind == ExpectationKind::NoBrokerOverBudget);
}

TEST_CASE("percentages take the sign attached or apart")
{
    const auto completeness = parse("reply completeness >= 99.5 %");
    CHECK(completeness.kind == ExpectationKind::ReplyCompleteness);
    CHECK(completeness.limit == 99.5);
    CHECK(parse("reply completeness >=99%").limit == 99.0);

    const auto link = parse("link noc<->uk utilisation below 40 %");
    CHECK(link.kind == ExpectationKind::LinkUtilisation);
    CHECK(link.limit == 40.0);
    CHECK(link.first.name == "noc");
    CHECK(link.first.offset == 5);
    CHECK(link.second.name == "uk");
    CHECK(link.second.offset == 11);
    CHECK(parse("link noc <-> uk utilization below 40%").second.name == "uk");
}

TEST_CASE("names with spaces are written in single quotes")
{
    const auto e = parse("node group 'uk web servers' reachable from client operator");
    CHECK(e.kind == ExpectationKind::GroupReachable);
    CHECK(e.first.name == "uk web servers");
    CHECK(e.first.offset == 12);
    CHECK(e.second.name == "operator");
    CHECK(e.second.offset == 50);
}

TEST_CASE("parse errors point at the column inside the expectation")
{
    CHECK(error_of("at most two duplicate deliveries") ==
          "t.yaml:3:15: error: bad expectation: expected a whole number, got 'two'");
    CHECK(error_of("evry matching node replies within 3 s") ==
          "t.yaml:3:7: error: bad expectation: unknown expectation starting with 'evry' (did "
          "you mean 'every'?)");
    CHECK(error_of("every matching node replies within 3 hours") ==
          "t.yaml:3:44: error: bad expectation: expected a unit 's' or 'ms' after 3, got "
          "'hours'");
    CHECK(error_of("every matching node replies within") ==
          "t.yaml:3:41: error: bad expectation: expected a number of seconds, got the end of "
          "the expectation");
    CHECK(error_of("at most 1 duplicate copies") ==
          "t.yaml:3:27: error: bad expectation: expected 'deliveries' or 'executions' after "
          "'duplicate', got 'copies'");
    CHECK(error_of("every matching node replies within 2e12 ms") ==
          "t.yaml:3:42: error: bad expectation: a time is at most 1e9 s, got 2000000000000 ms");
    // Just over a limit reads as written, not rounded back onto it.
    CHECK(error_of("every matching node replies within 1000000001 s") ==
          "t.yaml:3:42: error: bad expectation: a time is at most 1e9 s, got 1000000001 s");
    CHECK(error_of("reply completeness >= 100.0001 %") ==
          "t.yaml:3:29: error: bad expectation: a percentage is at most 100, got 100.0001");
    CHECK(error_of("reply completeness >= 120 %") ==
          "t.yaml:3:29: error: bad expectation: a percentage is at most 100, got 120");
    CHECK(error_of("link noc uk utilisation below 5 %") ==
          "t.yaml:3:16: error: bad expectation: expected '<->' between the link's "
          "datacenters, got 'uk'");
    CHECK(error_of("no stranded messages for request 1") ==
          "t.yaml:3:28: error: bad expectation: 'for request' does not apply to 'no stranded "
          "messages', which covers the whole run");
    CHECK(error_of("no brokers over budget") ==
          "t.yaml:3:10: error: bad expectation: expected 'stranded messages' or 'broker over "
          "memory budget' after 'no', got 'brokers'");
    CHECK(error_of("no broker over memory budget for request 0") ==
          "t.yaml:3:36: error: bad expectation: 'for request' does not apply to 'no broker over "
          "memory budget', which covers the whole run");
    CHECK(error_of("no stranded messages please") ==
          "t.yaml:3:28: error: bad expectation: unexpected 'please' after the expectation");
    CHECK(error_of("node group 'uk web reachable from client operator") ==
          "t.yaml:3:18: error: bad expectation: unterminated quote");
    CHECK(error_of("  ") ==
          "t.yaml:3:9: error: bad expectation: empty expectation (expectations start with "
          "every, at, no, reply, link, node)");
}

TEST_CASE("positions step past the opening quote of the YAML string")
{
    // `  - "at most x ..."`: the dash at column 3, the quote at 5, the text from column 6.
    CHECK(scenario_error("  - \"at most x duplicate deliveries\"\n") ==
          "s.yaml:18:14: error: bad expectation: expected a whole number, got 'x'");
    CHECK(scenario_error("  - 'at most x duplicate deliveries'\n") ==
          "s.yaml:18:14: error: bad expectation: expected a whole number, got 'x'");
    CHECK(scenario_error("  - at most x duplicate deliveries\n") ==
          "s.yaml:18:13: error: bad expectation: expected a whole number, got 'x'");
}

TEST_CASE("names and request numbers must exist in the scenario")
{
    CHECK(scenario_error("  - \"every matching node replies within 1 s for request 1\"\n") ==
          "s.yaml:18:57: error: no request 1: requests are numbered 0 to 0, as in the report");
    CHECK(scenario_error("  - \"node group uk-wbe reachable from client operator\"\n") ==
          "s.yaml:18:17: error: unknown node group 'uk-wbe' (did you mean 'uk-web'?)");
    CHECK(scenario_error("  - \"node group uk-web reachable from client operater\"\n") ==
          "s.yaml:18:46: error: unknown client 'operater' (did you mean 'operator'?)");
    CHECK(scenario_error("  - \"node group uk-web reachable from client auditor\"\n") ==
          "s.yaml:18:46: error: client 'auditor' sends no request that node group 'uk-web' "
          "subscribes to (agents package, collectives mcollective), so its reach cannot be "
          "measured");
    CHECK(scenario_error("  - \"link noc<->jp utilisation below 5 %\"\n") ==
          "s.yaml:18:11: error: no WAN link between datacenters 'noc' and 'jp' (links: "
          "noc<->uk)");
    CHECK(scenario_error("  - \"link noc<->de utilisation below 5 %\"\n") ==
          "s.yaml:18:17: error: unknown datacenter 'de' (valid: noc, uk, jp)");
    CHECK(scenario_error("  - \"link uk<->noc utilisation below 5 %\"\n") == "no error");
}
