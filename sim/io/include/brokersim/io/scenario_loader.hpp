// Reads a scenario YAML file into a model::Scenario, checking every key, type and reference.
#pragma once

#include "brokersim/model/scenario.hpp"

#include <string>
#include <string_view>

namespace brokersim::io {

struct LoadOptions
{
    // A directory of activemq.xml files that replaces the scenario's brokers and connectors
    // (as a `brokers_from:` key would); empty: use the scenario's own.
    std::string brokers_dir;
};

// Throws model::InputError ("file:line:col: error: ...") on the first problem found.
model::Scenario load_scenario(const std::string& path, const LoadOptions& options = {});

// The same from text; `file_name` is used in positions and to resolve relative paths.
model::Scenario load_scenario_text(std::string_view text, const std::string& file_name,
                                   const LoadOptions& options = {});

}  // namespace brokersim::io
