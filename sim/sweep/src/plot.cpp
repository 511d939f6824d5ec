#include "brokersim/sweep/plot.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

extern char** environ;

namespace brokersim::sweep {

namespace {

// Values of the first parameter spanning this ratio or more get a logarithmic axis.
constexpr double log_axis_span = 10;

// A gnuplot string literal: single quotes, a quote doubled.
std::string gnuplot_string(std::string_view text)
{
    std::string quoted = "'";
    for (const char c : text)
        quoted += c == '\'' ? std::string("''") : std::string(1, c);
    return quoted + "'";
}

std::string data_cell(std::optional<double> value)
{
    return value ? fmt::format("{}", *value) : "?";
}

struct Curve
{
    // The other parameters' values, "links.bandwidth_mbps=2"; empty when there are none.
    std::string title;
    std::vector<std::size_t> runs; // by the first parameter's value
};

std::string curve_title(const Plan& plan, const Run& run)
{
    std::vector<std::string> parts;
    for (std::size_t p = 1; p < plan.parameters.size(); ++p)
        parts.push_back(fmt::format("{}={}", plan.parameters[p].key, run.values[p]));
    return fmt::format("{}", fmt::join(parts, ", "));
}

std::vector<Curve> curves_of(const Plan& plan)
{
    std::vector<Curve> curves;
    std::map<std::string, std::size_t> by_title;
    for (std::size_t i = 0; i < plan.runs.size(); ++i) {
        auto title = curve_title(plan, plan.runs[i]);
        const auto [found, added] = by_title.try_emplace(title, curves.size());
        if (added)
            curves.push_back(Curve{std::move(title), {}});
        curves[found->second].runs.push_back(i);
    }
    for (auto& curve : curves)
        std::stable_sort(curve.runs.begin(), curve.runs.end(), [&](std::size_t a, std::size_t b) {
            return numeric_value(plan.runs[a].values[0]) < numeric_value(plan.runs[b].values[0]);
        });
    return curves;
}

// The request timeout shared by every request of every run, if there is one.
std::optional<double> common_timeout_s(const std::vector<RunResult>& results)
{
    std::set<double> timeouts;
    for (const auto& result : results)
        for (const auto& request : result.requests)
            timeouts.insert(request.timeout_s);
    if (timeouts.size() != 1)
        return std::nullopt;
    return *timeouts.begin();
}

std::string x_axis(const Plan& plan)
{
    const auto& first = plan.parameters.front();
    std::vector<std::string> tics;
    double low = 0;
    double high = 0;
    for (const auto& value : first.values) {
        const double x = numeric_value(value);
        low = tics.empty() ? x : std::min(low, x);
        high = tics.empty() ? x : std::max(high, x);
        tics.push_back(fmt::format("{} {}", gnuplot_string(value), x));
    }
    auto text = fmt::format("set xlabel {}\nset xtics ({})\n", gnuplot_string(first.key),
                            fmt::join(tics, ", "));
    if (low > 0 && high / low >= log_axis_span)
        text += "set logscale x\n";
    // A little room either side so that the first and last points are not on the frame.
    const double margin = low > 0 && high / low >= log_axis_span ? 0 : (high - low) * 0.05;
    if (high > low)
        text += low > 0 && high / low >= log_axis_span
                    ? fmt::format("set xrange [{}:{}]\n", low / 1.2, high * 1.2)
                    : fmt::format("set xrange [{}:{}]\n", low - margin, high + margin);
    return text;
}

} // namespace

std::string gnuplot_script(const Plan& plan, const std::vector<RunResult>& results,
                           const Deadline& deadline, const std::filesystem::path& png)
{
    const auto curves = curves_of(plan);
    const auto scenario_name = std::filesystem::path(plan.scenario).filename().string();
    // The key sits under each panel in two columns (the reference line and the curves); the
    // bottom margin makes room for its rows below the axis label.
    const auto key_rows = (curves.size() + 2) / 2;
    auto text = fmt::format(
        "# Drawn by `brokersim sweep`: reply completeness and p99 reply latency (the worst\n"
        "# request of each run) against {}.\n"
        "set terminal pngcairo noenhanced size 1400,{} font 'Sans,11'\n"
        "set output {}\n"
        "set datafile missing '?'\n"
        "set grid\n"
        "set key outside bottom center horizontal maxrows {}\n"
        "set bmargin {}\n",
        plan.parameters.front().key, 540 + 20 * key_rows, gnuplot_string(png.string()), key_rows,
        5 + key_rows);
    text += x_axis(plan);

    // One data block per curve: x, completeness %, p99 s.
    double highest_latency_s = 0;
    for (std::size_t c = 0; c < curves.size(); ++c) {
        text += fmt::format("$curve{} << EOD\n", c);
        for (const auto index : curves[c].runs) {
            const auto& result = results[index];
            const auto completeness = result.completeness();
            const auto p99_s = result.worst(&RequestResult::p99_s);
            highest_latency_s = std::max(highest_latency_s, p99_s.value_or(0));
            text += fmt::format(
                "{} {} {}\n", numeric_value(plan.runs[index].values[0]),
                data_cell(completeness ? std::optional(*completeness * 100) : std::nullopt),
                data_cell(p99_s));
        }
        text += "EOD\n";
    }

    // The reference line first, so that the curves are drawn over it.
    const auto plot = [&](int column, std::optional<double> reference,
                          const std::string& reference_title) {
        std::vector<std::string> parts;
        if (reference)
            parts.push_back(fmt::format("{} with lines dt 2 lw 2 lc 'gray40' title {}", *reference,
                                        gnuplot_string(reference_title)));
        for (std::size_t c = 0; c < curves.size(); ++c)
            parts.push_back(
                fmt::format("$curve{} using 1:{} with linespoints lw 2 pt 7 ps 1.2 {}", c, column,
                            curves[c].title.empty() ? std::string("notitle")
                                                    : "title " + gnuplot_string(curves[c].title)));
        return fmt::format("plot {}\n", fmt::join(parts, ", \\\n     "));
    };

    text += fmt::format("set multiplot layout 1,2 title {}\n",
                        gnuplot_string(fmt::format("{}: {}", scenario_name, deadline.describe())));
    text += "set ylabel 'reply completeness, worst request (%)'\nset yrange [0:105]\n";
    text += plot(2, deadline.completeness * 100,
                 fmt::format("required {:g} %", deadline.completeness * 100));

    // The deadline when there is one, else the timeout when every request has the same.
    text += "set ylabel 'p99 reply latency, worst request (s)'\n";
    const auto timeout_s = common_timeout_s(results);
    const auto reference_s = deadline.within_s ? deadline.within_s : timeout_s;
    const auto top_s = std::max(highest_latency_s, reference_s.value_or(0));
    text += top_s > 0 ? fmt::format("set yrange [0:{:g}]\n", top_s * 1.1) : "set yrange [0:*]\n";
    text += plot(3, reference_s,
                 fmt::format("{} {:g} s", deadline.within_s ? "deadline" : "timeout",
                             reference_s.value_or(0)));
    text += "unset multiplot\n";
    return text;
}

std::string draw_plot(const Plan& plan, const std::vector<RunResult>& results,
                      const Deadline& deadline, const SweepDir& dir)
{
    if (std::none_of(results.begin(), results.end(),
                     [](const RunResult& result) { return !result.requests.empty(); }))
        return "no plot: the runs sent no MCollective request, so there is no reply "
               "completeness or latency to draw; the CSV is complete";
    write_file(dir.plot_script(), gnuplot_script(plan, results, deadline, dir.plot()));

    const auto script = dir.plot_script().string();
    const auto log = dir.plot_log().string();
    std::string program = "gnuplot";
    std::vector<char*> argv = {program.data(), const_cast<char*>(script.c_str()), nullptr};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    pid_t pid = 0;
    const int error = ::posix_spawnp(&pid, "gnuplot", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (error != 0)
        return fmt::format("gnuplot not found: no plot (install gnuplot-nox, then run "
                           "`gnuplot {}`); the CSV is complete",
                           script);

    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return fmt::format("gnuplot failed: no plot (see {})", log);
    return {};
}

} // namespace brokersim::sweep
