// `brokersim diff OLD NEW`: what changed between two scenarios (brokers, links, connectors and
// their attributes) and what that did to a run (per request, per broker, per WAN link), with
// a verdict: is NEW worse?
#pragma once

#include "brokersim/check/expectation.hpp"
#include "brokersim/model/scenario.hpp"
#include "brokersim/stats/report.hpp"

#include <optional>
#include <string>
#include <vector>

namespace brokersim::check {

struct AttributeChange
{
    std::string name; // the scenario file's key: "networkTTL", "latency_ms"
    std::string old_value;
    std::string new_value;
};

struct TopologyChange
{
    enum class Kind
    {
        Added,
        Removed,
        Changed,
    };
    Kind kind = Kind::Changed;
    std::string object; // "datacenter", "broker", "link", "connector", "node group", "client"
    std::string name;   // connectors as "on/name", links as "a<->b" in name order
    // Changed: what differs; Added and Removed: the attributes not at their defaults.
    std::vector<AttributeChange> attributes;
};

// Objects are matched by name (connectors by their broker and name, links by their two
// datacenters in either order); everything else about them is an attribute.
std::vector<TopologyChange> diff_topology(const model::Scenario& old_scenario,
                                          const model::Scenario& new_scenario);

// One expectation of NEW, judged on both runs.
struct ExpectationComparison
{
    Expectation expectation;
    std::optional<Outcome> old_outcome; // none when it does not apply to OLD (see old_note)
    std::string old_note;
    Outcome new_outcome;
    bool worse = false;
};

struct Diff
{
    std::string old_file;
    std::string new_file;
    std::vector<TopologyChange> topology;
    stats::Report old_report;
    stats::Report new_report;
    std::vector<ExpectationComparison> expectations;
    std::vector<std::string> regressions; // why NEW is worse; empty when it is not
};

// NEW is worse when one of its expectations fails on NEW and held on OLD, did not apply to
// OLD, or failed there by less. Without expectations, NEW is worse when a request (matched
// by number) has fewer replying nodes, more missing nodes, or more duplicate deliveries or
// executions.
Diff compare(const model::Scenario& old_scenario, const stats::Report& old_report,
             const model::Scenario& new_scenario, const stats::Report& new_report,
             const std::vector<Expectation>& new_expectations);

std::string diff_text(const Diff& diff);
std::string diff_json(const Diff& diff);

} // namespace brokersim::check
