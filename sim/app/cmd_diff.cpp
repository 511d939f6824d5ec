// `brokersim diff OLD NEW`: what changed between two scenarios and what that did to a run.
// Exit status 1 when NEW is worse (see check::compare), 2 for bad input, 3 when a simulation
// fails, else 0.
#include "commands.hpp"

#include "brokersim/check/diff.hpp"
#include "brokersim/check/isolated_run.hpp"
#include "brokersim/io/scenario_loader.hpp"
#include "brokersim/model/topology.hpp"

#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <string>

namespace brokersim::app {

namespace {

struct DiffArguments
{
    std::string old_path;
    std::string new_path;
    std::string format = "text";
    bool exact = false;
};

int run_diff(const DiffArguments& args)
{
    const auto old_scenario = io::load_scenario(args.old_path);
    const auto new_scenario = io::load_scenario(args.new_path);
    model::Topology(old_scenario).check_connectors();
    model::Topology(new_scenario).check_connectors();
    const auto expectations = check::parse_expectations(new_scenario);

    engine::RunOptions options;
    if (args.exact)
        options.time_quantum_s = 0;
    const auto old_report = check::run_isolated(old_scenario, options);
    const auto new_report = check::run_isolated(new_scenario, options);
    for (const auto* report : {&old_report, &new_report})
        if (!report->conservation.holds) {
            std::cerr << fmt::format("brokersim: error: {}: the conservation account does not "
                                     "hold (a simulator bug; please report the scenario)\n",
                                     report == &old_report ? args.old_path : args.new_path);
            return 3;
        }

    const auto diff =
        check::compare(old_scenario, old_report, new_scenario, new_report, expectations);
    std::cout << (args.format == "json" ? check::diff_json(diff) : check::diff_text(diff));
    return diff.regressions.empty() ? 0 : 1;
}

int diff_command(const DiffArguments& args)
{
    return report_errors([&] { return run_diff(args); }, 2, 3);
}

} // namespace

Command add_diff_command(CLI::App& app)
{
    auto args = std::make_shared<DiffArguments>();
    auto* sub = app.add_subcommand(
        "diff", "Compare two scenarios' networks and runs (exit 1 when NEW is worse)");
    sub->add_option("old", args->old_path, "The scenario before the change")->required();
    sub->add_option("new", args->new_path, "The scenario after the change")->required();
    sub->add_option("--format", args->format, "Output format")
        ->check(CLI::IsMember({"text", "json"}))
        ->default_val("text");
    sub->add_flag("--exact", args->exact,
                  "Reference mode: process every local event at its exact time (slower)");
    return {sub, [args] { return diff_command(*args); }};
}

} // namespace brokersim::app
