#include "brokersim/sweep/job_files.hpp"

#include "input_files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

namespace brokersim::sweep {

namespace {

constexpr double seconds_per_minute = 60;
constexpr int highest_exit_status = 255;
constexpr int highest_signal = 127;

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

std::map<std::size_t, RunStatus> read_parallel_joblog(const std::filesystem::path& path,
                                                      std::size_t jobs)
{
    std::map<std::size_t, RunStatus> statuses;
    const auto text = detail::read_input_file(path);
    if (!text)
        return statuses;
    if (text->empty())
        throw CollectError(fmt::format("{}: empty file; GNU parallel's joblog starts with a header "
                                       "line",
                                       path.string()));
    const auto fail = [&](std::size_t line, const std::string& message) {
        throw CollectError(fmt::format("{}:{}: {}", path.string(), line, message));
    };

    std::vector<std::string> lines;
    for (std::size_t start = 0; start < text->size();) {
        const auto end = text->find('\n', start);
        if (end == std::string::npos)
            fail(lines.size() + 1, "incomplete line: the file ends without a line break");
        lines.push_back(text->substr(start, end - start));
        start = end + 1;
    }

    // Columns by their header names: Seq, JobRuntime, Exitval, Signal.
    const auto header = split_tabs(lines.front());
    const auto column = [&](std::string_view name) {
        const auto found = std::find(header.begin(), header.end(), name);
        if (found == header.end())
            fail(1, fmt::format("not a GNU parallel joblog header: no {} column", name));
        return static_cast<std::size_t>(found - header.begin());
    };
    const auto seq = column("Seq");
    const auto runtime = column("JobRuntime");
    const auto exit_value = column("Exitval");
    const auto signal = column("Signal");

    for (std::size_t i = 1; i < lines.size(); ++i) {
        const auto number = i + 1;
        // The command, last, may hold tabs of its own: more fields are fine, fewer are not.
        const auto fields = split_tabs(lines[i]);
        if (fields.size() < header.size())
            fail(number, fmt::format("{} tab-separated fields where the header has {}",
                                     fields.size(), header.size()));
        const auto job = parse<std::size_t>(fields[seq]);
        if (!job || *job < 1 || *job > jobs)
            fail(number, fmt::format("Seq '{}' is not a job of this sweep (1 to {})",
                                     detail::printable(fields[seq]), jobs));
        const auto signal_number = parse<int>(fields[signal]);
        if (!signal_number || *signal_number < 0 || *signal_number > highest_signal)
            fail(number, fmt::format("Signal '{}' is not a signal number (0 to {})",
                                     detail::printable(fields[signal]), highest_signal));
        // A job that a signal ended may have no exit value: GNU parallel logs -1 for it.
        const auto code = parse<int>(fields[exit_value]);
        const int lowest_code = *signal_number != 0 ? -1 : 0;
        if (!code || *code < lowest_code || *code > highest_exit_status)
            fail(number, fmt::format("Exitval '{}' is not an exit status ({} to {})",
                                     detail::printable(fields[exit_value]), lowest_code,
                                     highest_exit_status));
        const auto wall_s = parse<double>(fields[runtime]);
        if (!wall_s || !std::isfinite(*wall_s) || *wall_s < 0)
            fail(number, fmt::format("JobRuntime '{}' is not a number of seconds, 0 or more",
                                     detail::printable(fields[runtime])));
        RunStatus status = *signal_number != 0
                               ? RunStatus{RunStatus::Ending::Signalled, *signal_number}
                               : RunStatus{RunStatus::Ending::Exited, *code};
        status.wall_s = wall_s;
        // A job retried or resumed is logged again; its last line tells how it ended.
        statuses[*job] = status;
    }
    return statuses;
}

} // namespace brokersim::sweep
