// `brokersim lint`: configuration mistakes a scenario's broker network shows before anything
// runs, found on the graph of its network connectors. The rules are listed in docs/ci.md.
#pragma once

#include "brokersim/model/scenario.hpp"
#include "brokersim/model/source_pos.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace brokersim::check {

enum class Severity
{
    Error,   // requests or replies cannot get through
    Warning, // a known way to get duplicates, stranded messages or a dead broker
    Info,    // worth knowing when reading the scenario's results
};

std::string_view to_string(Severity severity);

struct Finding
{
    std::string id; // "BS001"
    Severity severity = Severity::Warning;
    model::SourcePos pos; // the connector, broker, node group or client at fault
    std::string message;
    std::string fix; // one line
};

// Every finding for the scenario, ordered by position. Throws model::InputError when the
// scenario cannot be simulated at all (a connector between datacenters with no WAN path).
std::vector<Finding> lint(const model::Scenario& scenario);

// "file:line:col: error: BS001 message" and an indented "fix:" line per finding, then a count.
std::string findings_text(const std::vector<Finding>& findings);
std::string findings_json(const std::vector<Finding>& findings);

bool has_errors(const std::vector<Finding>& findings);

} // namespace brokersim::check
