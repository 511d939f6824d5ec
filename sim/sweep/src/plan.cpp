#include "brokersim/sweep/plan.hpp"

#include "brokersim/io/output.hpp"
#include "brokersim/sweep/yaml_writer.hpp"

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
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error(
            fmt::format("'{}': no sweep here (cannot read plan.json)", dir.root().string()));
    try {
        const auto json = nlohmann::json::parse(in);
        Plan plan;
        plan.scenario = json.at("scenario").get<std::string>();
        for (const auto& parameter : json.at("parameters"))
            plan.parameters.push_back(
                Parameter{parameter.at("key").get<std::string>(),
                          parameter.at("values").get<std::vector<std::string>>()});
        for (const auto& run : json.at("runs")) {
            plan.runs.push_back(Run{run.at("id").get<std::string>(),
                                    run.at("values").get<std::vector<std::string>>()});
            if (plan.runs.back().values.size() != plan.parameters.size())
                throw std::runtime_error(
                    fmt::format("run {} has {} values for {} parameters", plan.runs.back().id,
                                plan.runs.back().values.size(), plan.parameters.size()));
        }
        return plan;
    } catch (const std::exception& error) {
        throw std::runtime_error(fmt::format("'{}' is malformed: {}", path.string(), error.what()));
    }
}

void write_file(const fs::path& path, const std::string& text)
{
    io::write_output(path.string(), text);
}

} // namespace brokersim::sweep
