// The brokersim command line: parses, dispatches to a subcommand, maps errors to exit codes.
#include "commands.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

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

    // A word where the command goes that is none of them: CLI11 would only say that a
    // subcommand is required.
    if (argc > 1 && argv[1][0] != '-' &&
        std::none_of(commands.begin(), commands.end(), [&](const auto& command) {
            return command.subcommand->get_name() == argv[1];
        })) {
        std::string names;
        for (std::size_t i = 0; i < commands.size(); ++i)
            names += (i == 0 ? "" : i + 1 == commands.size() ? " or " : ", ") +
                     commands[i].subcommand->get_name();
        std::fprintf(stderr,
                     "brokersim: error: unknown command '%s' (%s)\n"
                     "Run with --help for more information.\n",
                     argv[1], names.c_str());
        return 2;
    }

    // Command-line errors read like the others: "brokersim: error: ...".
    app.failure_message([](const CLI::App*, const CLI::Error& error) {
        return std::string("brokersim: error: ") + error.what() +
               "\nRun with --help for more information.\n";
    });
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
