// `brokersim sweep SCENARIO --vary KEY=V1,V2,...`: runs a scenario once per combination of
// parameter values, each run in a child process of its own, and collects the reports into
// DIR/sweep.csv, a plot and a capacity line. `--emit-jobs` writes the runs out for GNU parallel
// or Slurm instead; `--collect DIR` gathers what they left. docs/sweeps.md has the details.
// Exit status 0 when every run ended with status 0, 1 for a bad scenario, a corrupt file in
// the sweep directory (sweep::CollectError) or an output that cannot be written, 2 for a bad
// command line, 3 when a run failed, timed out or left no report.
#include "commands.hpp"

#include "brokersim/io/scenario_loader.hpp"
#include "brokersim/sweep/capacity.hpp"
#include "brokersim/sweep/job_files.hpp"
#include "brokersim/sweep/parameters.hpp"
#include "brokersim/sweep/plan.hpp"
#include "brokersim/sweep/plot.hpp"
#include "brokersim/sweep/results.hpp"
#include "brokersim/sweep/runner.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace brokersim::app {

namespace {

namespace fs = std::filesystem;

constexpr int exit_usage = 2;
constexpr int exit_runs_failed = 3;

struct SweepArguments
{
    std::string scenario_path;
    std::vector<std::string> varies;
    unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
    bool jobs_given = false; // -j on the command line: also throttles a Slurm array
    std::string out_dir;
    double timeout_s = 600;
    std::string emit_jobs;
    std::string collect_dir;
    std::optional<double> deadline_s;
    double completeness = 1.0;
    bool no_plot = false;
    std::string brokersim;
};

// A path as short as it can be shown: relative to the working directory when inside it.
std::string shown(const fs::path& path)
{
    std::error_code error;
    const auto relative = fs::relative(path, fs::current_path(error), error);
    if (error || relative.empty() || *relative.begin() == "..")
        return path.string();
    return relative.string();
}

// The executable that is running: each run is the same program's `run` subcommand.
std::string this_program()
{
    std::error_code error;
    const auto path = fs::read_symlink("/proc/self/exe", error);
    return error ? std::string("brokersim") : path.string();
}

// Reads the runs' results, writes sweep.csv, the plot and capacity.txt, prints a summary.
int report(const sweep::Plan& plan, const sweep::SweepDir& dir, const sweep::Deadline& deadline,
           bool draw)
{
    const auto results = sweep::collect_results(plan, dir);
    sweep::write_file(dir.csv(), sweep::results_csv(plan, results, deadline));
    const auto failed = std::count_if(results.begin(), results.end(), [](const auto& result) {
        return !result.status.succeeded() || !result.has_report;
    });

    std::string wrote = shown(dir.csv());
    if (draw) {
        const auto problem = sweep::draw_plot(plan, results, deadline, dir);
        if (problem.empty())
            wrote += " and " + shown(dir.plot());
        else
            std::cerr << "brokersim: " << problem << "\n";
    }

    std::string capacity_text;
    for (const auto& capacity : sweep::find_capacity(plan, results, deadline))
        capacity_text += capacity.line(plan.parameters.front().key) + "\n";
    sweep::write_file(dir.capacity(),
                      fmt::format("reply deadline: {}\n{}", deadline.describe(), capacity_text));

    std::cout << fmt::format("sweep of {}: {} runs, {} failed; wrote {}\n", plan.scenario,
                             plan.runs.size(), failed, wrote);
    std::cout << fmt::format("reply deadline: {}\n", deadline.describe()) << capacity_text;
    return failed == 0 ? 0 : exit_runs_failed;
}

int collect(const SweepArguments& args, const sweep::Deadline& deadline)
{
    if (!args.scenario_path.empty() || !args.varies.empty() || !args.emit_jobs.empty() ||
        !args.out_dir.empty())
        throw sweep::UsageError("--collect DIR takes no scenario, --vary, --emit-jobs or --out: "
                                "the sweep in DIR says what was run");
    const sweep::SweepDir dir(args.collect_dir);
    return report(sweep::read_plan(dir), dir, deadline, !args.no_plot);
}

void emit_jobs(const SweepArguments& args, const sweep::Plan& plan, const sweep::SweepDir& dir)
{
    if (args.emit_jobs == "parallel") {
        sweep::write_parallel_jobs(plan, dir, args.brokersim);
        std::cout << fmt::format("wrote {} variants and {}; run them with\n"
                                 "  parallel --jobs {} --timeout {} --joblog {} < {}\n"
                                 "then collect with\n  brokersim sweep --collect {}\n",
                                 plan.runs.size(), shown(dir.jobs()), args.jobs, args.timeout_s,
                                 shown(dir.joblog()), shown(dir.jobs()), shown(dir.root()));
        return;
    }
    sweep::SlurmOptions options{args.timeout_s, std::nullopt};
    if (args.jobs_given)
        options.most_at_once = args.jobs;
    sweep::write_slurm_script(plan, dir, args.brokersim, options);
    std::cout << fmt::format("wrote {} variants and {}; submit with\n  sbatch {}\n"
                             "then, when every task has ended, collect with\n"
                             "  brokersim sweep --collect {}\n",
                             plan.runs.size(), shown(dir.slurm()), shown(dir.slurm()),
                             shown(dir.root()));
}

int sweep_scenario(const SweepArguments& args, const sweep::Deadline& deadline)
{
    if (args.scenario_path.empty())
        throw sweep::UsageError("a scenario is required (or --collect DIR)");
    if (args.varies.empty())
        throw sweep::UsageError("at least one --vary KEY=V1,V2,... is required");
    std::vector<sweep::Parameter> parameters;
    for (const auto& vary : args.varies)
        parameters.push_back(sweep::parse_vary(vary));

    const auto scenario = io::load_scenario(args.scenario_path);
    sweep::check_parameters(parameters, scenario);
    const auto plan = sweep::make_plan(args.scenario_path, std::move(parameters));
    const sweep::SweepDir dir(args.out_dir.empty()
                                  ? fs::path(args.scenario_path).stem().string() + "-sweep"
                                  : args.out_dir);
    sweep::write_sweep(plan, scenario, dir);

    if (!args.emit_jobs.empty()) {
        emit_jobs(args, plan, dir);
        return 0;
    }

    sweep::RunnerOptions options;
    options.brokersim = this_program();
    options.jobs = args.jobs;
    options.timeout_s = args.timeout_s;
    options.on_finished = [&dir](const sweep::Run& run, const sweep::RunStatus& status) {
        if (!status.succeeded())
            std::cerr << fmt::format("brokersim: run {} ended with {} (see {})\n", run.id,
                                     status.to_string(), shown(dir.log(run)));
    };
    sweep::run_sweep(plan, dir, options);
    return report(plan, dir, deadline, !args.no_plot);
}

int sweep_command(SweepArguments args)
{
    if (args.brokersim.empty())
        args.brokersim = this_program();
    const sweep::Deadline deadline{args.deadline_s, args.completeness};
    try {
        return args.collect_dir.empty() ? sweep_scenario(args, deadline) : collect(args, deadline);
    } catch (const sweep::UsageError& error) {
        std::cerr << "brokersim sweep: error: " << error.what() << "\n";
        return exit_usage;
    }
}

} // namespace

Command add_sweep_command(CLI::App& app)
{
    auto args = std::make_shared<SweepArguments>();
    auto* sub = app.add_subcommand(
        "sweep", "Run a scenario over combinations of parameter values and collect the results");
    sub->add_option("scenario", args->scenario_path, "Scenario YAML file");
    sub->add_option("--vary", args->varies,
                    fmt::format("KEY=V1,V2,...: a parameter and its values (repeatable); keys: {}",
                                fmt::join(sweep::parameter_keys(), ", ")))
        ->expected(1)
        ->allow_extra_args(false)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    auto* jobs =
        sub->add_option("-j,--jobs", args->jobs, "Runs at once (default: the number of CPUs)")
            ->check(positive);
    sub->add_option("-o,--out", args->out_dir,
                    "Directory for the variants, reports and results (default: NAME-sweep for "
                    "NAME.yaml)")
        ->check(path_given);
    sub->add_option("--timeout-s", args->timeout_s, "Wall-time limit per run, in seconds")
        ->default_val(args->timeout_s)
        ->check(positive);
    sub->add_option("--emit-jobs", args->emit_jobs,
                    "Write the runs as a job list instead of running them: 'parallel' "
                    "(DIR/jobs.txt for GNU parallel) or 'slurm' (DIR/slurm.sh, a job array)")
        ->check(CLI::IsMember({"parallel", "slurm"}));
    sub->add_option("--collect", args->collect_dir,
                    "Collect the runs of the sweep in DIR (after --emit-jobs) into sweep.csv")
        ->check(path_given);
    sub->add_option("--deadline-s", args->deadline_s,
                    "Reply deadline: the share --completeness of every request's expected "
                    "replies must arrive within this many seconds of the request")
        ->check(positive);
    sub->add_option("--completeness", args->completeness,
                    "Share of expected replies the deadline asks for, 0 < C <= 1")
        ->default_val(args->completeness)
        ->check(CLI::Range(0.0, 1.0))
        ->check(positive);
    sub->add_flag("--no-plot", args->no_plot, "Do not draw DIR/sweep.png");
    sub->add_option("--brokersim", args->brokersim,
                    "The brokersim executable the job lists name (default: this one)");
    return {sub, [args, jobs] {
                args->jobs_given = jobs->count() > 0;
                return sweep_command(*args);
            }};
}

} // namespace brokersim::app
