// The brokersim command line.
#include "brokersim/engine/engine.hpp"
#include "brokersim/io/report_writer.hpp"
#include "brokersim/io/scenario_loader.hpp"
#include "brokersim/model/source_pos.hpp"
#include "brokersim/stats/collector.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace {

// Writes the whole text or nothing: a temporary file beside the target, renamed into place,
// and removed again should anything fail.
void write_file_atomically(const std::string& path, const std::string& text)
{
    // Devices, pipes and other special files are written in place: renaming over them would
    // replace them.
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status) &&
        !std::filesystem::is_directory(status)) {
        std::ofstream device(path, std::ios::binary);
        device << text;
        device.close();
        if (!device)
            throw std::runtime_error(fmt::format("cannot write report to '{}'", path));
        return;
    }

    const auto temporary = path + ".brokersim-tmp";
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (out)
        std::filesystem::rename(temporary, path, error);
    if (!out || error) {
        std::filesystem::remove(temporary, error);
        throw std::runtime_error(fmt::format("cannot write report to '{}'", path));
    }
}

int run_command(const std::string& scenario_path, bool json, bool exact,
                const std::string& output_path)
{
    const auto scenario = brokersim::io::load_scenario(scenario_path);
    brokersim::stats::Collector collector(scenario);
    brokersim::engine::RunOptions options;
    if (exact)
        options.time_quantum_s = 0;
    brokersim::engine::run(scenario, collector, options);

    const auto& report = collector.report();
    const auto text = json ? brokersim::io::report_json(report)
                           : brokersim::io::report_text(report);
    if (output_path.empty()) {
        if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() ||
            std::fflush(stdout) != 0)
            throw std::runtime_error("cannot write report to standard output");
    } else {
        write_file_atomically(output_path, text);
    }
    return report.conservation.holds ? 0 : 3;
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"brokersim: simulate ActiveMQ networks of brokers carrying MCollective traffic"};
    app.set_version_flag("--version", "brokersim 0.1.0");
    app.require_subcommand(1);

    std::string scenario_path;
    std::string output_path;
    bool json = false;
    bool exact = false;
    auto* run = app.add_subcommand("run", "Run a scenario and print its report");
    run->add_option("scenario", scenario_path, "Scenario YAML file")->required();
    run->add_flag("--json", json, "Print the report as JSON instead of text");
    run->add_flag("--exact", exact,
                  "Reference mode: process every local event at its exact time in SimGrid "
                  "(slower; by default events within 50 us are processed together)");
    run->add_option("-o,--output", output_path,
                    "Write the report to this file (whole or not at all) instead of stdout");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        return app.exit(error) == 0 ? 0 : 2;
    }

    try {
        if (run->parsed())
            return run_command(scenario_path, json, exact, output_path);
    } catch (const brokersim::model::InputError& error) {
        std::cerr << error.what() << "\n";
        return 1;
    } catch (const std::exception& error) {
        std::cerr << "brokersim: error: " << error.what() << "\n";
        return 1;
    }
    return 0;
}
