// Runs one simulation in a forked child process (check::run_isolated) and returns its JSON
// report. SimGrid keeps a single engine per process, so every engine test case gets a process
// of its own.
#pragma once

#include "brokersim/engine/engine.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace brokersim::testing {

// Loads `yaml` as a scenario named `file_name`, runs it, returns the parsed JSON report.
// Throws model::InputError for a scenario the loader or the engine rejects, and
// std::runtime_error when the child fails otherwise.
nlohmann::json run_scenario_text(const std::string& yaml, const std::string& file_name = "t.yaml");
nlohmann::json run_scenario_file(const std::string& path,
                                 const engine::RunOptions& options = {});
// A scenario built by the program, which the loader's checks have not seen.
nlohmann::json run_scenario(const model::Scenario& scenario,
                            const engine::RunOptions& options = {});

}  // namespace brokersim::testing
