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
    // Local events within this much of SimGrid's clock are processed together. 0 is the exact
    // reference mode: every local event is its own step in SimGrid's time, which is slow when
    // WAN transfers are in flight. The default lets the engine's own events run at most 100 us
    // ahead of SimGrid's clock between two looks at the transfers in flight; messages are still
    // timed as of their own events, and every shipped scenario's report equals the exact
    // mode's (at 200 us broker-failover.yaml's does not).
    double time_quantum_s = 100e-6;
};

// Throws model::InputError for scenarios that cannot be built (e.g. a connector with no WAN
// path to its remote broker).
void run(const model::Scenario& scenario, model::TraceSink& sink, const RunOptions& options = {});

}  // namespace brokersim::engine
