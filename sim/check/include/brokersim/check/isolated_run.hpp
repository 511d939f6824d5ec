// Runs a scenario in a child process of its own. SimGrid keeps one simulation per process, so
// a command that runs several scenarios (`check`, `diff`) forks once per run.
#pragma once

#include "brokersim/engine/engine.hpp"
#include "brokersim/model/scenario.hpp"
#include "brokersim/stats/report.hpp"

namespace brokersim::check {

// The run's report. Throws model::InputError when the engine rejects the scenario (the same
// error `brokersim run` prints) and std::runtime_error when the child fails otherwise.
// Must not be called from a process that has already run a simulation.
stats::Report run_isolated(const model::Scenario& scenario, const engine::RunOptions& options = {});

} // namespace brokersim::check
