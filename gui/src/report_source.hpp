// Where the GUI's figures come from: recomputed from a complete trace with the same
// stats::Collector the command line uses, or read from the JSON report the run wrote
// (io::report_from_json).
#pragma once

#include "brokersim/io/trace_file.hpp"
#include "brokersim/stats/report.hpp"

namespace brokersim::gui {

// Feeds every record of a complete trace to a stats::Collector, as the engine fed the run's,
// with the scenario re-read from the copy the trace carries. Throws model::InputError when that
// copy no longer loads (e.g. it refers to files beside the original).
stats::Report replay_report(const io::TraceFile& trace);

}  // namespace brokersim::gui
