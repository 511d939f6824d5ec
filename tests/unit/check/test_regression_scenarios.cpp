// The example pairs of scenarios/regression: the clean star passes lint, check and diff; each
// variant fails exactly where its comment says it does.
#include "brokersim/check/diff.hpp"
#include "brokersim/check/expectation.hpp"
#include "brokersim/check/isolated_run.hpp"
#include "brokersim/check/lint.hpp"
#include "brokersim/io/scenario_loader.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

using brokersim::model::Scenario;
using brokersim::stats::Report;

namespace {

const Scenario& scenario(const std::string& name)
{
    static std::map<std::string, Scenario> loaded;
    auto it = loaded.find(name);
    if (it == loaded.end())
        it = loaded
                 .emplace(name, brokersim::io::load_scenario(
                                    BROKERSIM_SOURCE_DIR "/scenarios/regression/" + name + ".yaml"))
                 .first;
    return it->second;
}

// Each scenario runs once, in a child process, however many cases look at it.
const Report& report(const std::string& name)
{
    static std::map<std::string, Report> reports;
    auto it = reports.find(name);
    if (it == reports.end())
        it = reports.emplace(name, brokersim::check::run_isolated(scenario(name))).first;
    return it->second;
}

// "BS001 line" for each lint finding.
std::vector<std::string> lint_findings(const std::string& name)
{
    std::vector<std::string> found;
    for (const auto& f : brokersim::check::lint(scenario(name)))
        found.push_back(f.id + " " + std::to_string(f.pos.line));
    return found;
}

// The expectations that fail on the scenario's run, by their text.
std::vector<std::string> failed_expectations(const std::string& name)
{
    std::vector<std::string> failed;
    for (const auto& e : brokersim::check::parse_expectations(scenario(name))) {
        const auto outcome = brokersim::check::evaluate(e, scenario(name), report(name));
        CHECK(report(name).conservation.holds);
        if (!outcome.holds)
            failed.push_back(e.text);
    }
    return failed;
}

brokersim::check::Diff diff_with_clean(const std::string& name)
{
    return brokersim::check::compare(scenario("clean"), report("clean"), scenario(name),
                                     report(name),
                                     brokersim::check::parse_expectations(scenario(name)));
}

} // namespace

TEST_CASE("the clean star passes lint, check and diff against itself")
{
    CHECK(lint_findings("clean").empty());
    CHECK(failed_expectations("clean").empty());
    CHECK(report("clean").requests.at(0).replying_nodes == 600);

    const auto diff = diff_with_clean("clean");
    CHECK(diff.topology.empty());
    CHECK(diff.regressions.empty());
}

TEST_CASE("networkTTL 1 towards Japan: lint errors on both connectors, Japan unreachable")
{
    CHECK(lint_findings("unreachable-country") == std::vector<std::string>{"BS001 34", "BS003 36"});
    CHECK(failed_expectations("unreachable-country") ==
          std::vector<std::string>{"every matching node replies within 1.5 s",
                                   "reply completeness >= 100 %",
                                   "node group jp-nodes reachable from client operator"});
    CHECK(report("unreachable-country").requests.at(0).deliveries_by_broker.count("jp") == 0);

    const auto diff = diff_with_clean("unreachable-country");
    REQUIRE(diff.topology.size() == 2);
    CHECK(diff.topology[0].name == "noc/noc-jp-topics");
    CHECK(diff.topology[1].name == "noc/noc-jp-queues");
    CHECK(diff.regressions.size() == 3);
}

TEST_CASE("a mesh without audit: lint warns about the cycle, check and diff see duplicates")
{
    CHECK(lint_findings("mesh-duplicates") == std::vector<std::string>{"BS005 27"});
    CHECK(failed_expectations("mesh-duplicates") ==
          std::vector<std::string>{"at most 0 duplicate deliveries",
                                   "at most 0 duplicate executions"});
    // The UK and German nodes get each broadcast twice; Japan's, outside the cycle, once.
    CHECK(report("mesh-duplicates").requests.at(0).duplicate_deliveries == 400);
    CHECK(report("mesh-duplicates").requests.at(0).deliveries_by_broker.at("jp") == 200);

    const auto diff = diff_with_clean("mesh-duplicates");
    CHECK(diff.topology.size() == 6);
    CHECK(diff.regressions.size() == 2);
}

TEST_CASE("a slower link moves latency only: lint and check pass, diff is not worse")
{
    CHECK(lint_findings("slow-link").empty());
    CHECK(failed_expectations("slow-link").empty());

    const auto diff = diff_with_clean("slow-link");
    REQUIRE(diff.topology.size() == 1);
    CHECK(diff.topology[0].name == "noc<->jp");
    CHECK(diff.regressions.empty());
    // Request 1 goes to Japanese nodes only: the 182 ms of extra one-way latency, twice.
    const auto old_p50 = report("clean").requests.at(1).p50_s.value();
    const auto new_p50 = report("slow-link").requests.at(1).p50_s.value();
    CHECK(new_p50 - old_p50 == doctest::Approx(0.364).epsilon(0.01));
}
