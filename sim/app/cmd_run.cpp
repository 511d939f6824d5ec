// `brokersim run SCENARIO`: simulate and print the report; optionally write a trace file and
// report progress for a front end (the GUI runs this command as a child process).
#include "commands.hpp"
#include "progress.hpp"

#include "brokersim/check/expectation.hpp"
#include "brokersim/engine/engine.hpp"
#include "brokersim/io/output.hpp"
#include "brokersim/io/report_writer.hpp"
#include "brokersim/io/scenario_loader.hpp"
#include "brokersim/io/trace_file.hpp"
#include "brokersim/stats/collector.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace brokersim::app {

namespace {

struct RunArguments
{
    std::string scenario_path;
    std::string brokers_dir;
    std::string output_path;
    std::string trace_path;
    std::uint32_t trace_nodes = io::TraceWriterOptions{}.nodes_per_group;
    bool json = false;
    bool exact = false;
    bool progress = false;     // machine-readable progress lines for a front end
    bool no_progress = false;  // no progress bar on a terminal either
};

// Hands every event to several sinks, in order.
class FanOutSink final : public model::TraceSink
{
public:
    explicit FanOutSink(std::vector<model::TraceSink*> sinks) : sinks_(std::move(sinks)) {}

    void on_start(const model::RunInfo& info) override
    {
        for (auto* sink : sinks_)
            sink->on_start(info);
    }
    void on_event(const model::TraceEvent& event) override
    {
        for (auto* sink : sinks_)
            sink->on_event(event);
    }
    void on_events(std::span<const model::TraceEvent> events) override
    {
        for (auto* sink : sinks_)
            sink->on_events(events);
    }
    void on_finish(double end_time_s) override
    {
        for (auto* sink : sinks_)
            sink->on_finish(end_time_s);
    }

private:
    std::vector<model::TraceSink*> sinks_;
};

// When the run is expected to end: the last client stops listening, the last producer has
// sent, the last fault has happened. The run usually ends close to the latest of these.
double expected_end_s(const model::Scenario& scenario)
{
    double end_s = 0;
    for (const auto& request : scenario.requests)
        end_s = std::max(end_s, request.at_s + request.timeout_s.value_or(
                                                   scenario.agent(request.agent).timeout_s + 2.0));
    for (const auto& producer : scenario.producers)
        end_s = std::max(end_s, producer.at_s + (producer.count - 1) * producer.interval_s);
    for (const auto& fault : scenario.faults)
        end_s = std::max(end_s, fault.at_s);
    return end_s;
}

// Lines for a front end when asked for; otherwise a bar when a person watches stderr.
std::unique_ptr<ThrottledProgress> make_progress(const RunArguments& args, model::TraceSink& next,
                                                 double end_s)
{
    if (args.progress)
        return std::make_unique<ProgressLines>(next, end_s);
    if (!args.no_progress && stderr_is_terminal())
        return std::make_unique<ProgressBar>(next, end_s);
    return nullptr;
}

// True when `path` names the scenario file itself, however it is spelled.
bool is_scenario_file(const std::string& path, const std::string& scenario_path)
{
    std::error_code error;
    return !path.empty() && std::filesystem::equivalent(path, scenario_path, error);
}

// A report or trace written over the scenario would destroy the input: a command-line error.
int refuse_overwriting_scenario(const RunArguments& args)
{
    const std::pair<const char*, const std::string*> outputs[] = {{"--output", &args.output_path},
                                                                  {"--trace", &args.trace_path}};
    for (const auto& [option, path] : outputs) {
        if (!is_scenario_file(*path, args.scenario_path))
            continue;
        std::fprintf(stderr, "%s",
                     fmt::format("brokersim: error: {} '{}' is the scenario file '{}'; writing "
                                 "there would overwrite the scenario\n",
                                 option, *path, args.scenario_path)
                         .c_str());
        return 2;
    }
    // Nor may the trace overwrite the report: the run would end with only one of them.
    // (Made absolute first: a relative path none of whose parts exists stays relative.)
    const auto resolved = [](const std::string& path) {
        return std::filesystem::weakly_canonical(std::filesystem::absolute(path));
    };
    if (!args.output_path.empty() && !args.trace_path.empty() &&
        resolved(args.output_path) == resolved(args.trace_path)) {
        std::fprintf(stderr, "%s",
                     fmt::format("brokersim: error: --output '{}' and --trace '{}' are the same "
                                 "file; the trace would overwrite the report\n",
                                 args.output_path, args.trace_path)
                         .c_str());
        return 2;
    }
    return 0;
}

int run(const RunArguments& args)
{
    if (const int status = refuse_overwriting_scenario(args); status != 0)
        return status;

    const auto scenario = io::load_scenario(args.scenario_path, {args.brokers_dir});
    // Expectations are judged by `check`; a malformed one is still bad input here.
    check::parse_expectations(scenario);
    for (const auto& warning : scenario.warnings)
        std::fprintf(stderr, "%s\n", warning.c_str());
    stats::Collector collector(scenario);
    std::optional<io::TraceWriter> trace;
    std::vector<model::TraceSink*> sinks{&collector};
    if (!args.trace_path.empty()) {
        trace.emplace(args.trace_path, scenario, io::TraceWriterOptions{args.trace_nodes});
        sinks.push_back(&*trace);
    }
    FanOutSink fan_out(std::move(sinks));
    auto progress = make_progress(args, fan_out, expected_end_s(scenario));
    model::TraceSink& sink = progress ? static_cast<model::TraceSink&>(*progress) : fan_out;

    engine::RunOptions options;
    if (args.exact)
        options.time_quantum_s = 0;
    engine::run(scenario, sink, options);
    progress.reset();

    const auto& report = collector.report();
    const auto json = io::report_json(report);
    if (trace)
        trace->finish(json);
    io::write_output(args.output_path, args.json ? json : io::report_text(report));
    return report.conservation.holds ? 0 : 3;
}

}  // namespace

Command add_run_command(CLI::App& app)
{
    auto args = std::make_shared<RunArguments>();
    auto* sub = app.add_subcommand("run", "Run a scenario and print its report");
    sub->add_option("scenario", args->scenario_path, "Scenario YAML file")->required();
    sub->add_flag("--json", args->json, "Print the report as JSON instead of text");
    sub->add_option("--brokers", args->brokers_dir,
                    "Read brokers, network connectors and policies from the activemq.xml files "
                    "in this directory instead of the scenario's (as brokers_from: does)");
    sub->add_flag("--exact", args->exact,
                  "Reference mode: process every local event at its exact time in SimGrid "
                  "(slower; by default events within 100 us are processed together and a WAN "
                  "stream starts a transfer at most every 100 us or 2 % of its latency, whichever "
                  "is longer)");
    sub->add_option("-o,--output", args->output_path,
                    "Write the report to this file (whole or not at all) instead of stdout; "
                    "never the scenario file itself")
        ->check(path_given);
    sub->add_option("--trace", args->trace_path,
                    "Also write the run's events to this trace file (docs/trace-format.md), "
                    "for brokersim-gui")
        ->check(path_given);
    sub->add_option("--trace-nodes", args->trace_nodes,
                    "Record events one by one for at most this many nodes per node group; "
                    "the others are counted per millisecond")
        ->default_val(args->trace_nodes)
        ->check(positive);
    sub->add_flag("--progress", args->progress,
                  "Print 'progress: time_s=T end_s=E events=N' lines on stderr while running, "
                  "for a front end");
    sub->add_flag("--no-progress", args->no_progress,
                  "Draw no progress bar (by default one is drawn on stderr when it is a "
                  "terminal: simulated time against the expected end, wall time, events and "
                  "deliveries)");
    return {sub, [args] { return run(*args); }};
}

}  // namespace brokersim::app
