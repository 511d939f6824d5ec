// JUnit XML for `brokersim check --junit`: one testsuite per scenario, one testcase per
// expectation, a failure carrying the measured value and the limit. GitLab CI, GitHub Actions
// reporters and Jenkins all read this shape.
#pragma once

#include "brokersim/check/expectation.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace brokersim::check {

struct CheckedScenario
{
    std::string file; // the scenario file, as given on the command line
    std::string name; // the scenario's name
    std::vector<std::pair<Expectation, Outcome>> results;
};

// Deterministic: no timestamps or durations, so the same runs give the same bytes.
std::string junit_xml(const std::vector<CheckedScenario>& scenarios);

// XML text with &, <, >, " and ' escaped, and control characters other than tab and newline
// (not allowed in XML 1.0) replaced by '?'.
std::string xml_escape(std::string_view text);

} // namespace brokersim::check
