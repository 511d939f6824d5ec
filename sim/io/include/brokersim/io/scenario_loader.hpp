// Reads a scenario YAML file into a model::Scenario, checking every key, type and reference.
#pragma once

#include "brokersim/model/scenario.hpp"

#include <string>
#include <string_view>

namespace brokersim::io {

// Throws model::InputError ("file:line:col: error: ...") on the first problem found.
model::Scenario load_scenario(const std::string& path);

// The same from text; `file_name` is used in positions.
model::Scenario load_scenario_text(std::string_view text, const std::string& file_name);

}  // namespace brokersim::io
