// The sweep's picture: reply completeness and p99 reply latency against the first parameter,
// one curve per combination of the others, drawn by gnuplot into a PNG.
#pragma once

#include "brokersim/sweep/plan.hpp"
#include "brokersim/sweep/results.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace brokersim::sweep {

// A gnuplot script, data included, that draws both panels into `png`. Completeness and
// latency are the worst over the run's requests; runs without a report leave a gap. The
// latency panel marks the deadline when there is one, else the requests' timeout when every
// run has the same.
std::string gnuplot_script(const Plan& plan, const std::vector<RunResult>& results,
                           const Deadline& deadline, const std::filesystem::path& png);

// Writes DIR/sweep.gp and runs gnuplot on it (its output goes to DIR/gnuplot.log). Returns
// empty when DIR/sweep.png was drawn, else one line saying why not ("gnuplot not found ...",
// or no request in any run, when there is nothing to draw).
std::string draw_plot(const Plan& plan, const std::vector<RunResult>& results,
                      const Deadline& deadline, const SweepDir& dir);

} // namespace brokersim::sweep
