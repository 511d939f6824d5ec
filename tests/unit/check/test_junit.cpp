#include "brokersim/check/junit.hpp"

#include <doctest/doctest.h>

using brokersim::check::CheckedScenario;
using brokersim::check::Expectation;
using brokersim::check::Outcome;
using brokersim::check::parse_expectation;

TEST_CASE("JUnit XML: a testsuite per scenario, a testcase per expectation, failures explained")
{
    CheckedScenario mesh{"scenarios/mesh.yaml", "mesh", {}};
    mesh.results.emplace_back(
        parse_expectation("no stranded messages", {"scenarios/mesh.yaml", 40, 6}),
        Outcome{true, "0 stranded messages", "none"});
    mesh.results.emplace_back(
        parse_expectation("at most 0 duplicate deliveries", {"scenarios/mesh.yaml", 41, 6}),
        Outcome{false, "4 duplicate deliveries", "at most 0"});
    const CheckedScenario empty{"scenarios/empty.yaml", "empty", {}};

    CHECK(brokersim::check::junit_xml({mesh, empty}) ==
          R"(<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="brokersim check" tests="2" failures="1" errors="0">
  <testsuite name="scenarios/mesh.yaml" tests="2" failures="1" errors="0" file="scenarios/mesh.yaml">
    <testcase classname="mesh" name="no stranded messages" file="scenarios/mesh.yaml" line="40"/>
    <testcase classname="mesh" name="at most 0 duplicate deliveries" file="scenarios/mesh.yaml" line="41">
      <failure type="expectation" message="measured 4 duplicate deliveries; limit at most 0">scenarios/mesh.yaml:41:6: fail: at most 0 duplicate deliveries: measured 4 duplicate deliveries; limit at most 0</failure>
    </testcase>
  </testsuite>
  <testsuite name="scenarios/empty.yaml" tests="0" failures="0" errors="0" file="scenarios/empty.yaml">
  </testsuite>
</testsuites>
)");
}

TEST_CASE("XML escaping covers markup characters and drops control characters")
{
    CHECK(brokersim::check::xml_escape("a<b & 'c' > \"d\"") ==
          "a&lt;b &amp; &apos;c&apos; &gt; &quot;d&quot;");
    CHECK(brokersim::check::xml_escape("tab\tline\nbell\x07") == "tab\tline\nbell?");
}
