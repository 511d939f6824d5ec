#include "brokersim/sweep/plan.hpp"

#include "brokersim/io/output.hpp"
#include "brokersim/sweep/yaml_writer.hpp"
#include "input_files.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <stdexcept>

namespace brokersim::sweep {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t narrowest_id = 3;

// Files of an earlier sweep that a new one in the same directory replaces.
const char* const sweep_files[] = {"plan.json", "sweep.csv",   "sweep.gp",
                                   "sweep.png", "gnuplot.log", "capacity.txt",
                                   "jobs.txt",  "joblog.txt",  "slurm.sh"};

bool is_sweep_dir(const fs::path& root)
{
    return fs::exists(root / "plan.json");
}

void clear_earlier_sweep(const SweepDir& dir)
{
    std::error_code error;
    if (!fs::exists(dir.root(), error))
        return;
    if (!fs::is_directory(dir.root(), error))
        throw UsageError(fmt::format("--out {}: not a directory", dir.root().string()));
    if (fs::is_empty(dir.root(), error))
        return;
    if (!is_sweep_dir(dir.root()))
        throw UsageError(fmt::format("--out {}: the directory holds files but no sweep "
                                     "(plan.json); choose an empty or new directory",
                                     dir.root().string()));

    for (const auto* name : sweep_files)
        fs::remove(dir.root() / name, error);
    fs::remove_all(dir.runs(), error);
    if (error)
        throw std::runtime_error(fmt::format("cannot remove the earlier sweep in '{}': {}",
                                             dir.root().string(), error.message()));
}

// "# Run 003 of the sweep of s.yaml: nodes=5000, links.bandwidth_mbps=2"
std::string variant_comment(const Plan& plan, const Run& run)
{
    std::string values;
    for (std::size_t i = 0; i < plan.parameters.size(); ++i)
        values += fmt::format("{}{}={}", i == 0 ? "" : ", ", plan.parameters[i].key, run.values[i]);
    return fmt::format("# Run {} of the sweep of {}: {}\n", run.id, plan.scenario, values);
}

// Values for an error message: quoted, the bytes that may not show escaped.
std::string listed(const std::vector<std::string>& values)
{
    std::string text;
    for (std::size_t i = 0; i < values.size(); ++i)
        text += fmt::format("{}'{}'", i == 0 ? "" : ", ", detail::printable(values[i]));
    return text;
}

nlohmann::json plan_json(const Plan& plan)
{
    auto parameters = nlohmann::json::array();
    for (const auto& parameter : plan.parameters)
        parameters.push_back({{"key", parameter.key}, {"values", parameter.values}});
    auto runs = nlohmann::json::array();
    for (const auto& run : plan.runs)
        runs.push_back({{"id", run.id}, {"values", run.values}});
    return {{"scenario", plan.scenario}, {"parameters", parameters}, {"runs", runs}};
}

} // namespace

Plan make_plan(std::string scenario, std::vector<Parameter> parameters)
{
    Plan plan{std::move(scenario), std::move(parameters), {}};
    const auto all = combinations(plan.parameters);
    const auto width =
        std::max(narrowest_id, fmt::format("{}", all.empty() ? 0 : all.size() - 1).size());
    for (std::size_t i = 0; i < all.size(); ++i)
        plan.runs.push_back(Run{fmt::format("{:0{}}", i, width), all[i]});
    return plan;
}

SweepDir::SweepDir(const fs::path& root) : root_(fs::absolute(root).lexically_normal())
{
    if (!root_.has_filename())
        root_ = root_.parent_path();
}

fs::path SweepDir::run_file(const Run& run, std::string_view extension) const
{
    return runs() / fmt::format("{}{}", run.id, extension);
}

void write_sweep(const Plan& plan, const model::Scenario& scenario, const SweepDir& dir)
{
    clear_earlier_sweep(dir);
    std::error_code error;
    fs::create_directories(dir.runs(), error);
    if (error)
        throw std::runtime_error(
            fmt::format("cannot create '{}': {}", dir.runs().string(), error.message()));

    for (const auto& run : plan.runs) {
        auto variant = scenario;
        for (std::size_t i = 0; i < plan.parameters.size(); ++i)
            apply_value(variant, plan.parameters[i].key, run.values[i]);
        write_file(dir.variant(run), variant_comment(plan, run) + scenario_yaml(variant));
    }
    write_file(dir.plan_file(), plan_json(plan).dump(2) + "\n");
}

Plan read_plan(const SweepDir& dir)
{
    const auto path = dir.plan_file();
    const auto text = detail::read_input_file(path);
    if (!text)
        throw std::runtime_error(
            fmt::format("'{}': no sweep here (cannot read plan.json)", dir.root().string()));
    const auto json = detail::parse_input_json(path, *text);
    const detail::JsonChecker check(path);
    using detail::JsonChecker;

    Plan plan;
    check.object(&json, "");
    plan.scenario = check.string(JsonChecker::member(json, "scenario"), "scenario");

    const auto& parameters = check.array(JsonChecker::member(json, "parameters"), "parameters");
    if (parameters.empty())
        check.fail("parameters", "no parameter; a sweep varies at least one");
    const auto& runs = check.array(JsonChecker::member(json, "runs"), "runs");
    // The number of runs the parameters make, counted only as far as the runs listed.
    std::size_t combination_count = 1;
    for (std::size_t i = 0; i < parameters.size(); ++i) {
        const auto where = fmt::format("parameters[{}]", i);
        const auto& parameter = check.object(&parameters[i], where);
        Parameter read{check.string(JsonChecker::member(parameter, "key"), where + ".key"), {}};
        if (read.key.empty())
            check.fail(where + ".key", "an empty key");
        for (std::size_t earlier = 0; earlier < plan.parameters.size(); ++earlier)
            if (plan.parameters[earlier].key == read.key)
                check.fail(where + ".key",
                           fmt::format("'{}' again (parameters[{}] has it)",
                                       detail::printable(read.key), earlier));
        const auto& values = check.array(JsonChecker::member(parameter, "values"), where + ".values");
        if (values.empty())
            check.fail(where + ".values", "no values");
        for (std::size_t v = 0; v < values.size(); ++v)
            read.values.push_back(check.string(&values[v], fmt::format("{}.values[{}]", where, v)));
        if (combination_count <= runs.size())
            combination_count *= values.size();
        plan.parameters.push_back(std::move(read));
    }
    if (combination_count != runs.size())
        check.fail("runs", combination_count > runs.size()
                               ? fmt::format("{} runs; the parameters' values make more",
                                             runs.size())
                               : fmt::format("{} runs; the parameters' values make {}",
                                             runs.size(), combination_count));

    // Each run must be what make_plan() made: its number as its id, so that its files are
    // DIR/runs/ID.* and nothing else, and its combination of values.
    const auto expected = make_plan(plan.scenario, plan.parameters);
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const auto where = fmt::format("runs[{}]", i);
        const auto& run = check.object(&runs[i], where);
        Run read{check.string(JsonChecker::member(run, "id"), where + ".id"), {}};
        if (read.id != expected.runs[i].id)
            check.fail(where + ".id", fmt::format("expected '{}' (the run's number), got '{}'",
                                                  expected.runs[i].id, detail::printable(read.id)));
        const auto& values = check.array(JsonChecker::member(run, "values"), where + ".values");
        for (std::size_t v = 0; v < values.size(); ++v)
            read.values.push_back(check.string(&values[v], fmt::format("{}.values[{}]", where, v)));
        if (read.values != expected.runs[i].values)
            check.fail(where + ".values",
                       fmt::format("expected [{}] (combination {} of the parameters' values), "
                                   "got [{}]",
                                   listed(expected.runs[i].values), i, listed(read.values)));
        plan.runs.push_back(std::move(read));
    }
    return plan;
}

void write_file(const fs::path& path, const std::string& text)
{
    io::write_output(path.string(), text);
}

} // namespace brokersim::sweep
