#include "brokersim/check/isolated_run.hpp"
#include "brokersim/io/report_reader.hpp"
#include "brokersim/io/report_writer.hpp"
#include "brokersim/io/scenario_loader.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>

using brokersim::io::report_from_json;
using brokersim::io::report_json;

TEST_CASE("a report with every field set comes back from JSON unchanged")
{
    brokersim::stats::Report report;
    report.scenario = "every-field";
    report.seed = 7;
    report.nodes = 12;
    report.brokers = 3;
    report.end_time_s = 14.25;

    brokersim::stats::RequestReport r;
    r.index = 0;
    r.client = "operator";
    r.agent = "package";
    r.action = "status";
    r.filter = "/web/";
    r.at_s = 2;
    r.timeout_s = 12;
    r.discovery = "mc";
    r.addressing = "direct";
    r.messages_sent = 4;
    r.discovered = 5;
    r.late_pongs = 1;
    r.noresponsefrom = 2;
    r.unexpectedresponsefrom = 1;
    r.noresponse_samples = {"n-1", "n-2"};
    r.unexpected_samples = {"n-9"};
    r.discovery_time_s = 2;
    r.blocktime_s = 0.5;
    r.totaltime_s = 2.5;
    r.ttl_expired = 3;
    r.expected = 6;
    r.delivered_nodes = 5;
    r.matched = 4;
    r.executions = 5;
    r.replies = 5;
    r.replying_nodes = 4;
    r.late_replies = 1;
    r.missing = 2;
    r.duplicate_deliveries = 1;
    r.duplicate_executions = 1;
    r.deliveries_by_broker = {{"a", 2}, {"b", 4}};
    r.first_reply_s = 0.01;
    r.last_reply_s = 0.4;
    r.p50_s = 0.1;
    r.p95_s = 0.3;
    r.p99_s = 0.35;
    r.max_s = 0.4;
    r.duplicate_samples = {{"n-3", 2, "a > b", 0.2}};
    report.requests = {r};
    report.links = {{"a<->b", 1, 2, 3, 4, 0.25, 0.5}};
    report.broker_load = {
        {"b", 6, 9, 0.003, 4096, 3000, 2, 0.97, 1, 1002, 31381638, 536870912, 31384638, false,
         0.0053}};
    report.consumers = {{"audit", 2, {"m1", "m2"}}};
    report.messages = {{"m1", {"audit"}, {"b"}, 3}};
    report.timeline = {{3.5, "fault", "uk <-> noc"}};
    report.conservation = {10, 11, 12, 13, 14, 15, 16, {{"stranded", 1}}, false, {"lost 1"}};

    const auto text = report_json(report);
    CHECK(report_json(report_from_json(text)) == text);
}

TEST_CASE("forked runs' reports read back to the same JSON")
{
    // Duplicates, direct addressing and faults between them set most of the report's fields.
    for (const auto* name :
         {"triangle-duplicates", "direct-addressing-conduit", "broker-failover"}) {
        CAPTURE(name);
        const auto scenario = brokersim::io::load_scenario(
            std::string(BROKERSIM_SOURCE_DIR "/scenarios/") + name + ".yaml");
        const auto text = report_json(brokersim::check::run_isolated(scenario));
        CHECK(report_json(report_from_json(text)) == text);
    }
}

TEST_CASE("a report from before the broker heap figures reads with them at zero")
{
    // Trace files keep the report of the version that wrote them.
    brokersim::stats::Report report;
    report.scenario = "old";
    report.broker_load = {{"b", 6, 9, 0.003, 4096, 3000, 2, 0.97, 1, 1002, 31381638, 536870912,
                           31384638, true, 0.0053}};
    auto json = nlohmann::json::parse(report_json(report));
    for (const auto* key : {"connections", "connection_memory_bytes", "memory_budget_bytes",
                            "estimated_peak_bytes", "over_budget", "keepalive_cpu_fraction"})
        json["broker_load"][0].erase(key);

    const auto old = report_from_json(json.dump());
    REQUIRE(old.broker_load.size() == 1);
    CHECK(old.broker_load[0].memory_limit_bytes == 4096);
    CHECK(old.broker_load[0].connections == 0);
    CHECK(old.broker_load[0].over_budget == false);
    CHECK(old.broker_load[0].keepalive_cpu_fraction == 0.0);
}

TEST_CASE("a report missing a field is refused with the field's name")
{
    CHECK_THROWS_WITH(report_from_json(R"({"scenario": "x"})"),
                      doctest::Contains("unreadable JSON report"));
    CHECK_THROWS_WITH(report_from_json(R"({"scenario": "x"})"), doctest::Contains("'seed'"));
}
