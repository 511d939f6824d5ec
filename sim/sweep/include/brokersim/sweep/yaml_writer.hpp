// A scenario back to the YAML of docs/scenario-format.md, so that a changed model can be run
// by `brokersim run` in a process of its own.
#pragma once

#include "brokersim/model/scenario.hpp"

#include <string>

namespace brokersim::sweep {

// Loading the text gives the same scenario: every number is written so that the loader's
// unit conversion gives back the very same double, and keys at their default are left out.
// Brokers and connectors that came from activemq.xml files (brokers_from:) are written out
// as `brokers:` and `connectors:`; the loader's warnings about those files are not kept.
std::string scenario_yaml(const model::Scenario& scenario);

} // namespace brokersim::sweep
