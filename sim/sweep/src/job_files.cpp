#include "brokersim/sweep/job_files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <vector>

namespace brokersim::sweep {

namespace {

constexpr double seconds_per_minute = 60;

bool is_safe_shell_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("_-+./:=@%,").find(c) != std::string_view::npos;
}

std::vector<std::string> split_tabs(const std::string& line)
{
    std::vector<std::string> fields;
    std::size_t start = 0;
    while (true) {
        const auto tab = line.find('\t', start);
        fields.push_back(line.substr(start, tab - start));
        if (tab == std::string::npos)
            return fields;
        start = tab + 1;
    }
}

// A number in a joblog column; GNU parallel pads the run time with spaces.
template <typename T> std::optional<T> parse(std::string_view text)
{
    while (!text.empty() && text.front() == ' ')
        text.remove_prefix(1);
    T value{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

// "H:MM:SS", Slurm's time limit syntax.
std::string slurm_time(double seconds)
{
    const auto minutes = static_cast<long>(std::ceil(seconds / seconds_per_minute));
    return fmt::format("{}:{:02}:00", minutes / 60, minutes % 60);
}

} // namespace

std::string shell_quote(std::string_view word)
{
    if (!word.empty() && std::all_of(word.begin(), word.end(), is_safe_shell_char))
        return std::string(word);
    std::string quoted = "'";
    for (const char c : word)
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

std::string run_command(const std::string& brokersim, const SweepDir& dir, const Run& run)
{
    return fmt::format("{} run --json {} -o {}", shell_quote(brokersim),
                       shell_quote(dir.variant(run).string()),
                       shell_quote(dir.report(run).string()));
}

void write_parallel_jobs(const Plan& plan, const SweepDir& dir, const std::string& brokersim)
{
    std::string text;
    for (const auto& run : plan.runs)
        text += run_command(brokersim, dir, run) + "\n";
    write_file(dir.jobs(), text);
}

void write_slurm_script(const Plan& plan, const SweepDir& dir, const std::string& brokersim,
                        const SlurmOptions& options)
{
    const auto last = plan.runs.empty() ? 0 : plan.runs.size() - 1;
    const auto width = plan.runs.empty() ? 3 : plan.runs.front().id.size();
    const auto throttle =
        options.most_at_once ? fmt::format("%{}", *options.most_at_once) : std::string();
    const auto timeout_s = static_cast<long>(std::ceil(options.timeout_s));

    const auto text = fmt::format(
        R"(#!/bin/bash
# brokersim sweep of {scenario}: {count} runs, one per array task. Submit with
#   sbatch {script}
# and, when every task has ended, write sweep.csv with
#   brokersim sweep --collect {dir}
# Task i runs runs/ID.yaml (ID = i, zero padded) and writes runs/ID.json, runs/ID.log and
# runs/ID.status.
#SBATCH --job-name=brokersim-sweep
#SBATCH --array=0-{last}{throttle}
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=1
#SBATCH --time={time}
#SBATCH --output={runs}/slurm-%A_%a.out
set -u
dir={dir}
brokersim={brokersim}
run=$(printf '%0{width}d' "$SLURM_ARRAY_TASK_ID")
start=$(date +%s.%N)
timeout {timeout_s}s "$brokersim" run --json "$dir/runs/$run.yaml" -o "$dir/runs/$run.json" \
    >"$dir/runs/$run.log" 2>&1
status=$?
end=$(date +%s.%N)
[ "$status" -eq 124 ] && status=timeout
wall_s=$(awk -v a="$start" -v b="$end" 'BEGIN {{ printf "%.3f", b - a }}')
printf 'exit_status=%s\nwall_s=%s\n' "$status" "$wall_s" >"$dir/runs/$run.status"
[ "$status" = 0 ]
)",
        fmt::arg("scenario", plan.scenario), fmt::arg("count", plan.runs.size()),
        fmt::arg("script", shell_quote(dir.slurm().string())),
        fmt::arg("dir", shell_quote(dir.root().string())), fmt::arg("last", last),
        fmt::arg("throttle", throttle),
        fmt::arg("time", slurm_time(options.timeout_s + seconds_per_minute)),
        fmt::arg("runs", dir.runs().string()), fmt::arg("brokersim", shell_quote(brokersim)),
        fmt::arg("width", width), fmt::arg("timeout_s", timeout_s));
    write_file(dir.slurm(), text);
    std::error_code ignored;
    std::filesystem::permissions(dir.slurm(),
                                 std::filesystem::perms::owner_exec |
                                     std::filesystem::perms::group_exec |
                                     std::filesystem::perms::others_exec,
                                 std::filesystem::perm_options::add, ignored);
}

std::map<std::size_t, RunStatus> read_parallel_joblog(const std::filesystem::path& path)
{
    std::map<std::size_t, RunStatus> statuses;
    std::ifstream in(path);
    std::string line;
    if (!in || !std::getline(in, line))
        return statuses;

    // Columns by their header names: Seq, JobRuntime, Exitval, Signal.
    const auto header = split_tabs(line);
    const auto column = [&](std::string_view name) {
        return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) -
                                        header.begin());
    };
    const auto seq = column("Seq");
    const auto runtime = column("JobRuntime");
    const auto exit_value = column("Exitval");
    const auto signal = column("Signal");
    const auto needed = std::max({seq, runtime, exit_value, signal});
    if (needed >= header.size())
        return statuses;

    while (std::getline(in, line)) {
        const auto fields = split_tabs(line);
        if (fields.size() <= needed)
            continue;
        const auto number = parse<std::size_t>(fields[seq]);
        const auto code = parse<int>(fields[exit_value]);
        const auto signal_number = parse<int>(fields[signal]);
        if (!number || !code || !signal_number)
            continue;
        RunStatus status = *signal_number != 0
                               ? RunStatus{RunStatus::Ending::Signalled, *signal_number}
                               : RunStatus{RunStatus::Ending::Exited, *code};
        status.wall_s = parse<double>(fields[runtime]);
        statuses[*number] = status;
    }
    return statuses;
}

} // namespace brokersim::sweep
