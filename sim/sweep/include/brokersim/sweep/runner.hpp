// Runs the variants of a sweep, each as `brokersim run --json VARIANT -o REPORT` in a child
// process of its own (SimGrid allows one simulation per process), a bounded number at a time,
// each with a time limit, and records how each one ended.
#pragma once

#include "brokersim/sweep/plan.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace brokersim::sweep {

// How a run ended, as far as anyone recorded it.
struct RunStatus
{
    enum class Ending
    {
        Unknown,    // nobody recorded it
        Exited,     // `code` is the exit status
        Signalled,  // `code` is the signal
        TimedOut,   // killed at the time limit
        NotStarted, // the child could not be started
    };
    Ending ending = Ending::Unknown;
    int code = 0;
    std::optional<double> wall_s;

    bool succeeded() const { return ending == Ending::Exited && code == 0; }
    // For the CSV and the status file: "0", "3", "signal 9", "timeout", "not started", "".
    std::string to_string() const;
    // The reverse; Unknown for anything else, an exit status outside 0 to 255 and a signal
    // outside 1 to 127 included.
    static RunStatus from_string(std::string_view text);
};

struct RunnerOptions
{
    std::string brokersim;  // the executable to run
    unsigned jobs = 1;      // children at once
    double timeout_s = 600; // per run, wall time
    // Called in the parent as each run ends, in the order they end.
    std::function<void(const Run&, const RunStatus&)> on_finished;
};

// Runs every run of `plan` whose variant `dir` holds. The child's standard output and error go
// to runs/ID.log; how it ended goes to runs/ID.status (see write_status). Returns the statuses
// in plan order. Only the children this call started are waited for or killed.
std::vector<RunStatus> run_sweep(const Plan& plan, const SweepDir& dir,
                                 const RunnerOptions& options);

// The status file: "exit_status=TEXT" and "wall_s=SECONDS" lines, TEXT as in to_string(). The
// Slurm script writes the same.
void write_status(const std::filesystem::path& path, const RunStatus& status);
// Nothing when there is no such file. Throws CollectError "PATH:LINE: ..." for a line that is
// neither, a key given twice, an exit_status that from_string() does not read (empty is
// allowed: an unknown ending), a wall_s that is not a finite number of seconds, 0 or more, and
// "PATH: ..." for no exit_status line or a file that is a directory or cannot be read.
std::optional<RunStatus> read_status(const std::filesystem::path& path);

} // namespace brokersim::sweep
