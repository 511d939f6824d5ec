#include "brokersim/check/junit.hpp"

#include <fmt/format.h>

namespace brokersim::check {

namespace {

std::size_t failures(const CheckedScenario& scenario)
{
    std::size_t count = 0;
    for (const auto& [expectation, outcome] : scenario.results)
        count += outcome.holds ? 0 : 1;
    return count;
}

} // namespace

std::string xml_escape(std::string_view text)
{
    std::string out;
    for (const char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&apos;";
            break;
        default:
            const bool control = static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n';
            out += control ? '?' : c;
        }
    }
    return out;
}

std::string junit_xml(const std::vector<CheckedScenario>& scenarios)
{
    std::size_t tests = 0, failed = 0;
    for (const auto& scenario : scenarios) {
        tests += scenario.results.size();
        failed += failures(scenario);
    }

    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out += fmt::format("<testsuites name=\"brokersim check\" tests=\"{}\" failures=\"{}\" "
                       "errors=\"0\">\n",
                       tests, failed);
    for (const auto& scenario : scenarios) {
        out += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" "
                           "file=\"{}\">\n",
                           xml_escape(scenario.file), scenario.results.size(), failures(scenario),
                           xml_escape(scenario.file));
        for (const auto& [expectation, outcome] : scenario.results) {
            out += fmt::format("    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" "
                               "line=\"{}\"",
                               xml_escape(scenario.name), xml_escape(expectation.text),
                               xml_escape(expectation.pos.file), expectation.pos.line);
            if (outcome.holds) {
                out += "/>\n";
                continue;
            }
            out += fmt::format(">\n      <failure type=\"expectation\" message=\"measured {}; "
                               "limit {}\">{}</failure>\n    </testcase>\n",
                               xml_escape(outcome.measured), xml_escape(outcome.limit),
                               xml_escape(outcome_line(expectation, outcome)));
        }
        out += "  </testsuite>\n";
    }
    out += "</testsuites>\n";
    return out;
}

} // namespace brokersim::check
