// Runs a scenario: SimGrid for the brokers and the WAN, the engine's own event queue for each
// broker's local traffic. Emits a TraceEvent stream to the sink.
#pragma once

#include "brokersim/model/scenario.hpp"
#include "brokersim/model/trace.hpp"

namespace brokersim::engine {

struct RunOptions
{
    // SimGrid keeps one engine per process, so a process runs exactly one simulation.
    bool quiet_simgrid = true;
};

// Throws model::InputError for scenarios that cannot be built (e.g. a connector with no WAN
// path to its remote broker).
void run(const model::Scenario& scenario, model::TraceSink& sink, const RunOptions& options = {});

}  // namespace brokersim::engine
