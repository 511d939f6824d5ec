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

Command add_run_command(CLI::App& app);

}  // namespace brokersim::app
