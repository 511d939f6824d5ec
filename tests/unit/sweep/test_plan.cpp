#include "sweep_test_support.hpp"

#include "brokersim/io/scenario_loader.hpp"
#include "brokersim/sweep/plan.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fstream>

using brokersim::sweep::make_plan;
using brokersim::sweep::Parameter;
using brokersim::sweep::read_plan;
using brokersim::sweep::SweepDir;
using brokersim::sweep::UsageError;
using brokersim::sweep::write_sweep;
namespace testing = brokersim::sweep::testing;
namespace fs = std::filesystem;

namespace {

brokersim::model::Scenario tiny()
{
    return brokersim::io::load_scenario(testing::source_file("tests/unit/sweep/data/tiny.yaml"));
}

} // namespace

TEST_CASE("a plan numbers the runs from 000 in combination order")
{
    const auto plan = make_plan("tiny.yaml", {Parameter{"nodes", {"50", "200"}},
                                              Parameter{"links.bandwidth_mbps", {"1", "10"}}});
    REQUIRE(plan.runs.size() == 4);
    CHECK(plan.runs[0].id == "000");
    CHECK(plan.runs[0].values == std::vector<std::string>{"50", "1"});
    CHECK(plan.runs[1].values == std::vector<std::string>{"50", "10"});
    CHECK(plan.runs[3].id == "003");
    CHECK(plan.runs[3].values == std::vector<std::string>{"200", "10"});
}

TEST_CASE("run ids widen past 1000 runs so that they still sort in order")
{
    std::vector<std::string> seeds;
    for (int seed = 0; seed < 1001; ++seed)
        seeds.push_back(std::to_string(seed));
    const auto plan = make_plan("x.yaml", {Parameter{"seed", seeds}});
    CHECK(plan.runs.front().id == "0000");
    CHECK(plan.runs.back().id == "1000");
}

TEST_CASE("a sweep directory holds the plan and one variant per run with its values applied")
{
    const testing::ScratchDir scratch;
    const SweepDir dir(scratch / "sweep");
    const auto plan = make_plan("tiny.yaml", {Parameter{"nodes", {"50", "200"}},
                                              Parameter{"links.bandwidth_mbps", {"1", "10"}}});
    write_sweep(plan, tiny(), dir);

    const auto variant = brokersim::io::load_scenario(dir.variant(plan.runs[2]).string());
    CHECK(variant.node_count() == 200);
    CHECK(variant.links[0].bandwidth_bps == 1e6);
    CHECK(variant.links[0].latency_s == 20e-3);
    const auto other = brokersim::io::load_scenario(dir.variant(plan.runs[1]).string());
    CHECK(other.node_count() == 50);
    CHECK(other.links[0].bandwidth_bps == 10e6);

    const auto json = nlohmann::json::parse(testing::read_text(dir.plan_file()));
    CHECK(json["scenario"] == "tiny.yaml");
    CHECK(json["parameters"][1]["key"] == "links.bandwidth_mbps");
    CHECK(json["runs"][3]["values"] == nlohmann::json::array({"200", "10"}));

    const auto again = read_plan(dir);
    CHECK(again.scenario == "tiny.yaml");
    REQUIRE(again.runs.size() == 4);
    CHECK(again.runs[2].id == "002");
    CHECK(again.runs[2].values == plan.runs[2].values);
}

TEST_CASE("a new sweep in the same directory removes the earlier one's runs")
{
    const testing::ScratchDir scratch;
    const SweepDir dir(scratch.path());
    write_sweep(make_plan("tiny.yaml", {Parameter{"seed", {"1", "2", "3"}}}), tiny(), dir);
    std::ofstream(dir.runs() / "002.json") << "{}";

    write_sweep(make_plan("tiny.yaml", {Parameter{"seed", {"7"}}}), tiny(), dir);
    CHECK(fs::exists(dir.runs() / "000.yaml"));
    CHECK_FALSE(fs::exists(dir.runs() / "001.yaml"));
    CHECK_FALSE(fs::exists(dir.runs() / "002.json"));
    CHECK(read_plan(dir).runs.size() == 1);
}

TEST_CASE("a directory that holds something other than a sweep is refused")
{
    const testing::ScratchDir scratch;
    std::ofstream(scratch / "notes.txt") << "mine";
    const SweepDir dir(scratch.path());
    std::string message;
    try {
        write_sweep(make_plan("tiny.yaml", {Parameter{"seed", {"1"}}}), tiny(), dir);
    } catch (const UsageError& error) {
        message = error.what();
    }
    CHECK(message == "--out " + dir.root().string() +
                         ": the directory holds files but no sweep (plan.json); choose an empty "
                         "or new directory");
    CHECK(testing::read_text(scratch / "notes.txt") == "mine");
}

TEST_CASE("reading a plan where there is none names the directory")
{
    const testing::ScratchDir scratch;
    std::string message;
    try {
        read_plan(SweepDir(scratch.path()));
    } catch (const std::runtime_error& error) {
        message = error.what();
    }
    CHECK(message == "'" + scratch.path().string() + "': no sweep here (cannot read plan.json)");
}
