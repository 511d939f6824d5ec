#include "run_child.hpp"

#include "brokersim/check/isolated_run.hpp"
#include "brokersim/io/report_writer.hpp"
#include "brokersim/io/scenario_loader.hpp"

namespace brokersim::testing {

namespace {

nlohmann::json run_in_child(const model::Scenario& scenario, const engine::RunOptions& options)
{
    return nlohmann::json::parse(io::report_json(check::run_isolated(scenario, options)));
}

}  // namespace

nlohmann::json run_scenario_text(const std::string& yaml, const std::string& file_name)
{
    return run_in_child(io::load_scenario_text(yaml, file_name), {});
}

nlohmann::json run_scenario_file(const std::string& path, const engine::RunOptions& options)
{
    return run_in_child(io::load_scenario(path), options);
}

nlohmann::json run_scenario(const model::Scenario& scenario, const engine::RunOptions& options)
{
    return run_in_child(scenario, options);
}

}  // namespace brokersim::testing
