// `brokersim lint SCENARIO...`: configuration mistakes in the broker network, found without
// running anything. Exit status 1 when a finding is an error, 2 for bad input, else 0.
#include "commands.hpp"

#include "brokersim/check/expectation.hpp"
#include "brokersim/check/lint.hpp"
#include "brokersim/io/scenario_loader.hpp"

#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace brokersim::app {

namespace {

struct LintArguments
{
    std::vector<std::string> scenario_paths;
    std::string format = "text";
};

int run_lint(const LintArguments& args)
{
    std::vector<check::Finding> findings;
    for (const auto& path : args.scenario_paths) {
        const auto scenario = io::load_scenario(path);
        check::parse_expectations(scenario); // a bad expectation is bad input here too
        auto found = check::lint(scenario);
        findings.insert(findings.end(), found.begin(), found.end());
    }
    std::cout << (args.format == "json" ? check::findings_json(findings)
                                        : check::findings_text(findings));
    return check::has_errors(findings) ? 1 : 0;
}

int lint_command(const LintArguments& args)
{
    return report_errors([&] { return run_lint(args); }, 2, 2);
}

} // namespace

Command add_lint_command(CLI::App& app)
{
    auto args = std::make_shared<LintArguments>();
    auto* sub = app.add_subcommand(
        "lint", "Check scenarios' broker networks for configuration mistakes, without running");
    sub->add_option("scenarios", args->scenario_paths, "Scenario YAML files")->required();
    sub->add_option("--format", args->format, "Output format")
        ->check(CLI::IsMember({"text", "json"}))
        ->default_val("text");
    return {sub, [args] { return lint_command(*args); }};
}

} // namespace brokersim::app
