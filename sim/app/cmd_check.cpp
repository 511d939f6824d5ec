// `brokersim check SCENARIO...`: run each scenario in a process of its own and judge its
// `expect:` entries. Exit status 0 when every expectation holds, 1 when one fails, 2 for bad
// input (a bad scenario stops everything before the first run; an unwritable --junit file is
// found at the end), 3 when a simulation fails.
#include "commands.hpp"

#include "brokersim/check/expectation.hpp"
#include "brokersim/check/isolated_run.hpp"
#include "brokersim/check/junit.hpp"
#include "brokersim/io/output.hpp"
#include "brokersim/io/scenario_loader.hpp"
#include "brokersim/model/topology.hpp"

#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace brokersim::app {

namespace {

struct CheckArguments
{
    std::vector<std::string> scenario_paths;
    std::string junit_path;
    bool exact = false;
};

struct Loaded
{
    model::Scenario scenario;
    std::vector<check::Expectation> expectations;
};

// Everything that can be wrong with the input is found before the first simulation starts.
std::vector<Loaded> load_all(const std::vector<std::string>& paths)
{
    std::vector<Loaded> loaded;
    for (const auto& path : paths) {
        auto scenario = io::load_scenario(path);
        model::Topology(scenario).check_connectors();
        auto expectations = check::parse_expectations(scenario);
        loaded.push_back({std::move(scenario), std::move(expectations)});
    }
    return loaded;
}

// Runs and judges one scenario; false when the simulator itself failed.
bool check_one(const Loaded& loaded, const engine::RunOptions& options,
               check::CheckedScenario& checked)
{
    const auto& scenario = loaded.scenario;
    checked.file = scenario.file;
    checked.name = scenario.name;
    if (loaded.expectations.empty()) {
        std::cout << fmt::format("{}: no expectations, not run\n", scenario.file);
        return true;
    }

    const auto report = check::run_isolated(scenario, options);
    if (!report.conservation.holds) {
        std::cerr << fmt::format("brokersim: error: {}: the conservation account does not hold "
                                 "(a simulator bug; please report the scenario)\n",
                                 scenario.file);
        return false;
    }

    std::size_t failed = 0;
    for (const auto& expectation : loaded.expectations) {
        auto outcome = check::evaluate(expectation, scenario, report);
        failed += outcome.holds ? 0 : 1;
        std::cout << check::outcome_line(expectation, outcome) << "\n";
        checked.results.emplace_back(expectation, std::move(outcome));
    }
    std::cout << fmt::format("{}: {} of {} expectations hold\n", scenario.file,
                             loaded.expectations.size() - failed, loaded.expectations.size());
    return true;
}

int run_checks(const CheckArguments& args)
{
    const auto loaded = load_all(args.scenario_paths);
    engine::RunOptions options;
    if (args.exact)
        options.time_quantum_s = 0;

    std::vector<check::CheckedScenario> checked(loaded.size());
    for (std::size_t i = 0; i < loaded.size(); ++i)
        if (!check_one(loaded[i], options, checked[i]))
            return 3;

    std::size_t total = 0, failed = 0;
    for (const auto& scenario : checked)
        for (const auto& [expectation, outcome] : scenario.results) {
            ++total;
            failed += outcome.holds ? 0 : 1;
        }
    std::cout << fmt::format("check: {} scenario{}, {} expectation{}, {} failed\n", checked.size(),
                             checked.size() == 1 ? "" : "s", total, total == 1 ? "" : "s", failed);

    if (!args.junit_path.empty()) {
        try {
            io::write_output(args.junit_path, check::junit_xml(checked));
        } catch (const std::runtime_error& error) {
            std::cerr << "brokersim: error: " << error.what() << "\n";
            return 2;
        }
    }
    return failed == 0 ? 0 : 1;
}

int check_command(const CheckArguments& args)
{
    return report_errors([&] { return run_checks(args); }, 2, 3);
}

} // namespace

Command add_check_command(CLI::App& app)
{
    auto args = std::make_shared<CheckArguments>();
    auto* sub = app.add_subcommand(
        "check", "Run scenarios and check their expectations (exit 1 when one fails)");
    sub->add_option("scenarios", args->scenario_paths, "Scenario YAML files")->required();
    sub->add_option("--junit", args->junit_path,
                    "Also write the results as JUnit XML to this file")
        ->check(path_given);
    sub->add_flag("--exact", args->exact,
                  "Reference mode: process every local event at its exact time (slower)");
    return {sub, [args] { return check_command(*args); }};
}

} // namespace brokersim::app
