// `brokersim run SCENARIO`: simulate and print the report.
#include "commands.hpp"

#include "brokersim/engine/engine.hpp"
#include "brokersim/io/output.hpp"
#include "brokersim/io/report_writer.hpp"
#include "brokersim/io/scenario_loader.hpp"
#include "brokersim/stats/collector.hpp"

#include <memory>
#include <string>

namespace brokersim::app {

namespace {

struct RunArguments
{
    std::string scenario_path;
    std::string output_path;
    bool json = false;
    bool exact = false;
};

int run(const RunArguments& args)
{
    const auto scenario = io::load_scenario(args.scenario_path);
    stats::Collector collector(scenario);
    engine::RunOptions options;
    if (args.exact)
        options.time_quantum_s = 0;
    engine::run(scenario, collector, options);

    const auto& report = collector.report();
    io::write_output(args.output_path,
                     args.json ? io::report_json(report) : io::report_text(report));
    return report.conservation.holds ? 0 : 3;
}

}  // namespace

Command add_run_command(CLI::App& app)
{
    auto args = std::make_shared<RunArguments>();
    auto* sub = app.add_subcommand("run", "Run a scenario and print its report");
    sub->add_option("scenario", args->scenario_path, "Scenario YAML file")->required();
    sub->add_flag("--json", args->json, "Print the report as JSON instead of text");
    sub->add_flag("--exact", args->exact,
                  "Reference mode: process every local event at its exact time in SimGrid "
                  "(slower; by default events within 50 us are processed together)");
    sub->add_option("-o,--output", args->output_path,
                    "Write the report to this file (whole or not at all) instead of stdout");
    return {sub, [args] { return run(*args); }};
}

}  // namespace brokersim::app
