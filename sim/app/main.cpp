// The brokersim command line: parses, dispatches to a subcommand, maps errors to exit codes.
#include "commands.hpp"

int main(int argc, char** argv)
{
    CLI::App app{"brokersim: simulate ActiveMQ networks of brokers carrying MCollective traffic"};
    app.set_version_flag("--version", "brokersim 0.1.0");
    app.require_subcommand(1);

    const std::vector<brokersim::app::Command> commands = {
        brokersim::app::add_run_command(app),
        brokersim::app::add_check_command(app),
        brokersim::app::add_lint_command(app),
        brokersim::app::add_diff_command(app),
        brokersim::app::add_sweep_command(app),
    };

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        return app.exit(error) == 0 ? 0 : 2;
    }

    for (const auto& command : commands)
        if (command.subcommand->parsed())
            return brokersim::app::report_errors(command.run, 1, 1);
    return 0;
}
