// `brokersim run SCENARIO`: simulate and print the report; optionally write a trace file and
// report progress for a front end (the GUI runs this command as a child process).
#include "commands.hpp"

#include "brokersim/engine/engine.hpp"
#include "brokersim/io/output.hpp"
#include "brokersim/io/report_writer.hpp"
#include "brokersim/io/scenario_loader.hpp"
#include "brokersim/io/trace_file.hpp"
#include "brokersim/stats/collector.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
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
    bool progress = false;
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
    void on_finish(double end_time_s) override
    {
        for (auto* sink : sinks_)
            sink->on_finish(end_time_s);
    }

private:
    std::vector<model::TraceSink*> sinks_;
};

// Prints "progress: time_s=T end_s=E events=N" on stderr at most four times a second of wall
// time, so a front end can draw a progress bar without the output slowing the run down. The
// engine is not asked: the sink counts the events it passes on and looks at the clock every
// few thousand of them.
class ProgressSink final : public model::TraceSink
{
public:
    ProgressSink(model::TraceSink& next, double expected_end_s)
        : next_(next), expected_end_s_(expected_end_s)
    {}

    void on_start(const model::RunInfo& info) override
    {
        last_print_ = Clock::now();
        print(0);
        next_.on_start(info);
    }
    void on_event(const model::TraceEvent& event) override
    {
        next_.on_event(event);
        if (++events_ % kEventsPerClockLook != 0)
            return;
        const auto now = Clock::now();
        if (now - last_print_ < kInterval)
            return;
        last_print_ = now;
        print(event.time_s);
    }
    void on_finish(double end_time_s) override
    {
        next_.on_finish(end_time_s);
        expected_end_s_ = end_time_s;
        print(end_time_s);
    }

private:
    using Clock = std::chrono::steady_clock;
    static constexpr std::uint64_t kEventsPerClockLook = 4096;
    static constexpr auto kInterval = std::chrono::milliseconds(250);

    void print(double time_s) const
    {
        std::fputs(fmt::format("progress: time_s={:.6f} end_s={:.6f} events={}\n", time_s,
                               expected_end_s_, events_)
                       .c_str(),
                   stderr);
        std::fflush(stderr);
    }

    model::TraceSink& next_;
    double expected_end_s_;
    std::uint64_t events_ = 0;
    Clock::time_point last_print_;
};

// When the last client stops listening; the run usually ends close to it.
double expected_end_s(const model::Scenario& scenario)
{
    double end_s = 0;
    for (const auto& request : scenario.requests)
        end_s = std::max(end_s, request.at_s + request.timeout_s.value_or(
                                                   scenario.agent(request.agent).timeout_s + 2.0));
    return end_s;
}

int run(const RunArguments& args)
{
    const auto scenario = io::load_scenario(args.scenario_path, {args.brokers_dir});
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
    std::optional<ProgressSink> progress;
    if (args.progress)
        progress.emplace(fan_out, expected_end_s(scenario));
    model::TraceSink& sink = progress ? static_cast<model::TraceSink&>(*progress) : fan_out;

    engine::RunOptions options;
    if (args.exact)
        options.time_quantum_s = 0;
    engine::run(scenario, sink, options);

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
                  "(slower; by default events within 50 us are processed together)");
    sub->add_option("-o,--output", args->output_path,
                    "Write the report to this file (whole or not at all) instead of stdout");
    sub->add_option("--trace", args->trace_path,
                    "Also write the run's events to this trace file (docs/trace-format.md), "
                    "for brokersim-gui");
    sub->add_option("--trace-nodes", args->trace_nodes,
                    "Record events one by one for at most this many nodes per node group; "
                    "the others are counted per millisecond")
        ->default_val(args->trace_nodes)
        ->check(CLI::PositiveNumber);
    sub->add_flag("--progress", args->progress,
                  "Print 'progress: time_s=T end_s=E events=N' lines on stderr while running");
    return {sub, [args] { return run(*args); }};
}

}  // namespace brokersim::app
