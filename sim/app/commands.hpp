// Each `brokersim` subcommand lives in its own file and registers itself here.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <vector>

namespace brokersim::app {

struct Command
{
    CLI::App* subcommand = nullptr;
    std::function<int()> run;  // exit status; may throw model::InputError (-> 1)
};

// Runs `body`; a model::InputError is printed as it is ("file:line:col: error: ...") and gives
// `input_status`, any other error is printed after "brokersim: error: " and gives
// `other_status`.
int report_errors(const std::function<int()>& body, int input_status, int other_status);

// An option's value must be a number greater than 0 ("must be greater than 0, got 0"; CLI11's
// own PositiveNumber prints the whole range of a double instead).
extern const CLI::Validator positive;

// A file path option's value must not be empty (an empty -o would otherwise mean stdout).
extern const CLI::Validator path_given;

Command add_run_command(CLI::App& app);    // cmd_run.cpp
Command add_check_command(CLI::App& app);  // cmd_check.cpp: expectations
Command add_lint_command(CLI::App& app);   // cmd_lint.cpp: topology findings
Command add_diff_command(CLI::App& app);   // cmd_diff.cpp: two topologies compared
Command add_sweep_command(CLI::App& app);  // cmd_sweep.cpp: capacity sweeps

}  // namespace brokersim::app
