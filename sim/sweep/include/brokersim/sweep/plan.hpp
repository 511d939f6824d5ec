// A sweep on disk: the plan (which run gets which values), one scenario variant per run, and
// where each run's report, log and exit status go. docs/sweeps.md shows the layout.
#pragma once

#include "brokersim/model/scenario.hpp"
#include "brokersim/sweep/parameters.hpp"

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace brokersim::sweep {

// A file of a sweep directory that is there but is not what brokersim, GNU parallel or the Slurm
// script writes: the message names the file, the line when the file has lines, and what is
// wrong. `brokersim sweep` exits with status 1 for it, as for other bad input.
class CollectError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

struct Run
{
    std::string id;                  // "000", "001", ...: names its files
    std::vector<std::string> values; // one per parameter, as typed
};

struct Plan
{
    std::string scenario; // the scenario file, as given
    std::vector<Parameter> parameters;
    std::vector<Run> runs; // combinations() order
};

// Every combination of the parameters' values, numbered from 000 (wider when there are more
// than 1000 runs).
Plan make_plan(std::string scenario, std::vector<Parameter> parameters);

// The files of a sweep directory; every path is absolute.
class SweepDir
{
public:
    explicit SweepDir(const std::filesystem::path& root);

    const std::filesystem::path& root() const { return root_; }
    std::filesystem::path plan_file() const { return root_ / "plan.json"; }
    std::filesystem::path runs() const { return root_ / "runs"; }
    std::filesystem::path variant(const Run& run) const { return run_file(run, ".yaml"); }
    std::filesystem::path report(const Run& run) const { return run_file(run, ".json"); }
    std::filesystem::path log(const Run& run) const { return run_file(run, ".log"); }
    std::filesystem::path status(const Run& run) const { return run_file(run, ".status"); }
    std::filesystem::path csv() const { return root_ / "sweep.csv"; }
    std::filesystem::path plot_script() const { return root_ / "sweep.gp"; }
    std::filesystem::path plot() const { return root_ / "sweep.png"; }
    std::filesystem::path plot_log() const { return root_ / "gnuplot.log"; }
    std::filesystem::path capacity() const { return root_ / "capacity.txt"; }
    std::filesystem::path jobs() const { return root_ / "jobs.txt"; }
    std::filesystem::path joblog() const { return root_ / "joblog.txt"; }
    std::filesystem::path slurm() const { return root_ / "slurm.sh"; }

private:
    std::filesystem::path run_file(const Run& run, std::string_view extension) const;

    std::filesystem::path root_;
};

// Writes plan.json and runs/ID.yaml for every run: `scenario` with the run's values applied.
// A directory that already holds a sweep is reused, its earlier runs and results removed; a
// directory that holds anything else is refused (UsageError), so that no unrelated file is
// overwritten. Throws std::runtime_error naming the path when a file cannot be written.
void write_sweep(const Plan& plan, const model::Scenario& scenario, const SweepDir& dir);

// Reads plan.json back. Throws std::runtime_error naming the directory when there is no
// plan.json, and CollectError naming the file when it is not a plan this program writes: run i
// must be numbered as make_plan() numbers it and hold the i-th combination of the parameters'
// values, so that a run's files are always DIR/runs/ID.* and no other.
Plan read_plan(const SweepDir& dir);

// Writes `text` to `path` whole or not at all; throws std::runtime_error naming the path.
void write_file(const std::filesystem::path& path, const std::string& text);

} // namespace brokersim::sweep
