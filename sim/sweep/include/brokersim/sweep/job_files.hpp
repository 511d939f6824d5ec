// Job lists for running a sweep's variants on other machines: a command file for GNU parallel
// and a Slurm job array script. `brokersim sweep --collect DIR` reads what the runs left.
#pragma once

#include "brokersim/sweep/plan.hpp"
#include "brokersim/sweep/runner.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace brokersim::sweep {

// `word` as one word for a POSIX shell: as it is when it holds only safe characters, else in
// single quotes.
std::string shell_quote(std::string_view word);

// "BROKERSIM run --json DIR/runs/ID.yaml -o DIR/runs/ID.json", absolute paths, quoted.
std::string run_command(const std::string& brokersim, const SweepDir& dir, const Run& run);

// DIR/jobs.txt: run_command() of every run, one a line, in plan order, so that line n of the
// file is GNU parallel's job n.
void write_parallel_jobs(const Plan& plan, const SweepDir& dir, const std::string& brokersim);

struct SlurmOptions
{
    double timeout_s = 600;               // per run; the task's time limit adds a minute
    std::optional<unsigned> most_at_once; // the array's %N throttle
};

// DIR/slurm.sh: a job array with one task per run; task i runs the run with index i and
// writes runs/ID.status as the local runner does (a run killed at the time limit is
// "timeout").
void write_slurm_script(const Plan& plan, const SweepDir& dir, const std::string& brokersim,
                        const SlurmOptions& options);

// GNU parallel's --joblog file: the status of each job by its sequence number (1 for the
// first line of jobs.txt, at most `jobs`); for a job logged twice (retried, resumed), the later
// line. Empty when there is no such file. Throws CollectError naming the file and the line when
// it is not a joblog: a directory, an empty file, a header without the Seq, JobRuntime, Exitval
// and Signal columns, a line with fewer fields than the header or without its final line break,
// a job number that is not a job of the sweep, a signal that is not 0 to 127, an exit value that
// is not 0 to 255 (-1 is allowed for a job that a signal ended), a run time that is not a
// finite number of seconds, 0 or more.
std::map<std::size_t, RunStatus> read_parallel_joblog(const std::filesystem::path& path,
                                                      std::size_t jobs);

} // namespace brokersim::sweep
