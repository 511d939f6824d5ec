// The GUI against the command line: a run's trace replayed in brokersim-gui must show the
// figures of the same run's JSON report, in every panel; stepping must be exact both ways;
// exports must produce what they promise. Runs with QT_QPA_PLATFORM=offscreen.
#include "charts.hpp"
#include "lifecycle.hpp"
#include "main_window.hpp"
#include "network_view.hpp"
#include "tables.hpp"
#include "teaching_panel.hpp"

#include "brokersim/io/trace_file.hpp"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

namespace gui = brokersim::gui;
using nlohmann::json;

namespace {

QString scenario(const char* name)
{
    return QStringLiteral(BROKERSIM_SOURCE_DIR "/scenarios/") + name;
}

struct CliRun
{
    QString trace;
    json report;
    std::string report_text;
};

// `brokersim run SCENARIO --trace T --json -o R`, as a user would type it.
CliRun run_cli(const QTemporaryDir& dir, const QString& scenario_path, int trace_nodes = 1000)
{
    CliRun run;
    run.trace = dir.filePath(QFileInfo(scenario_path).completeBaseName() + ".bstrace");
    const auto report_path = dir.filePath(QFileInfo(scenario_path).completeBaseName() + ".json");
    QProcess cli;
    cli.start(QStringLiteral(BROKERSIM_CLI),
              {"run", scenario_path, "--trace", run.trace, "--trace-nodes",
               QString::number(trace_nodes), "--json", "-o", report_path});
    REQUIRE(cli.waitForFinished(120000));
    INFO(cli.readAllStandardError().toStdString());
    REQUIRE(cli.exitCode() == 0);
    std::ifstream in(report_path.toStdString());
    run.report_text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    run.report = json::parse(run.report_text);
    return run;
}

// The JSON report rounds seconds to the microsecond.
bool same_seconds(const QVariant& shown, const json& expected)
{
    if (expected.is_null())
        return !shown.isValid();
    return std::abs(std::round(shown.toDouble() * 1e6) / 1e6 - expected.get<double>()) < 1e-9;
}

std::int64_t cell(const QTableWidget& table, int row, int column)
{
    const auto* item = table.item(row, column);
    REQUIRE(item != nullptr);
    return item->data(Qt::UserRole).toLongLong();
}

std::uint64_t count_of(const json& object, const char* key)
{
    return object.contains(key) ? object[key].get<std::uint64_t>() : 0;
}

void check_request_table(const gui::RequestTable& table, const json& report)
{
    const auto& requests = report["requests"];
    REQUIRE(table.rowCount() == static_cast<int>(requests.size()));
    const char* counts[] = {"expected",
                            "delivered_nodes",
                            "matched",
                            "executions",
                            "replies",
                            "replying_nodes",
                            "late_replies",
                            "missing",
                            "duplicate_deliveries",
                            "duplicate_executions"};
    const char* seconds[] = {"first_reply_s", "last_reply_s", "p50_s", "p95_s", "p99_s", "max_s"};
    for (int row = 0; row < table.rowCount(); ++row) {
        const auto& r = requests[row];
        CAPTURE(row);
        CHECK(cell(table, row, 0) == r["index"].get<int>());
        int column = 4;
        for (const auto* key : counts) {
            CAPTURE(key);
            CHECK(cell(table, row, column++) == r[key].get<std::int64_t>());
        }
        for (const auto* key : seconds) {
            CAPTURE(key);
            CHECK(same_seconds(table.item(row, column++)->data(Qt::UserRole), r[key]));
        }
    }
}

void check_conservation_table(const gui::ConservationTable& table, const json& report)
{
    const auto& c = report["conservation"];
    const char* terms[] = {"published",         "arrivals",   "forwards",         "node_deliveries",
                           "client_deliveries", "executions", "replies_published"};
    int row = 0;
    for (const auto* key : terms) {
        CAPTURE(key);
        CHECK(cell(table, row, gui::ConservationTable::kReportColumn) ==
              c[key].get<std::int64_t>());
        // Summed from the replayed records, independently of the report.
        CHECK(cell(table, row, gui::ConservationTable::kSoFarColumn) == c[key].get<std::int64_t>());
        ++row;
    }
    for (const auto& [reason, count] : c["drops"].items()) {
        CAPTURE(reason);
        REQUIRE(table.item(row, 0)->text() ==
                QStringLiteral("dropped: %1").arg(QString::fromStdString(reason)));
        CHECK(cell(table, row, gui::ConservationTable::kReportColumn) == count.get<std::int64_t>());
        CHECK(cell(table, row, gui::ConservationTable::kSoFarColumn) == count.get<std::int64_t>());
        ++row;
    }
    CHECK(table.item(row, gui::ConservationTable::kReportColumn)->data(Qt::UserRole).toBool() ==
          c["holds"].get<bool>());
}

void check_link_table(const QTableWidget& table, const json& report)
{
    const auto& links = report["links"];
    REQUIRE(table.rowCount() == static_cast<int>(links.size()));
    for (int row = 0; row < table.rowCount(); ++row) {
        const auto& l = links[row];
        CAPTURE(row);
        CHECK(table.item(row, 0)->text().toStdString() == l["link"].get<std::string>());
        CHECK(cell(table, row, 1) == l["messages_ab"].get<std::int64_t>());
        CHECK(cell(table, row, 2) == l["bytes_ab"].get<std::int64_t>());
        CHECK(cell(table, row, 3) == l["messages_ba"].get<std::int64_t>());
        CHECK(cell(table, row, 4) == l["bytes_ba"].get<std::int64_t>());
        CHECK(cell(table, row, gui::LinkPanel::kSoFarAbColumn) ==
              l["messages_ab"].get<std::int64_t>());
        CHECK(cell(table, row, gui::LinkPanel::kSoFarBaColumn) ==
              l["messages_ba"].get<std::int64_t>());
    }
}

void check_latency_panel(gui::LatencyPanel& panel, const gui::RunData& run, const json& report)
{
    for (std::size_t r = 0; r < report["requests"].size(); ++r) {
        const auto& expected = report["requests"][r];
        CAPTURE(r);
        panel.show_request(static_cast<int>(r));
        CHECK(panel.histogram_total() == expected["replies"].get<std::uint64_t>());
        const auto& samples = run.latencies()[r];
        const std::pair<double, const char*> percentiles[] = {
            {50, "p50_s"}, {95, "p95_s"}, {99, "p99_s"}, {100, "max_s"}};
        for (const auto& [p, key] : percentiles) {
            CAPTURE(key);
            const auto value = gui::sample_percentile(samples, p);
            CHECK(same_seconds(value ? QVariant(*value) : QVariant(), expected[key]));
        }
    }
}

void check_duplicate_table(const gui::DuplicateTable& table, const json& report)
{
    std::uint64_t duplicates = 0;
    int row = 0;
    for (const auto& r : report["requests"]) {
        duplicates += count_of(r, "duplicate_deliveries");
        // The report lists the first samples of each request; the table lists them all, in
        // the same order.
        for (const auto& sample : r["duplicate_samples"]) {
            REQUIRE(row < table.rowCount());
            CHECK(table.item(row, 1)->text().toStdString() == sample["node"].get<std::string>());
            CHECK(cell(table, row, 2) == sample["copy"].get<std::int64_t>());
            CHECK(table.item(row, 3)->text().toStdString() == sample["path"].get<std::string>());
            CHECK(same_seconds(table.item(row, 4)->data(Qt::UserRole), sample["time_s"]));
            ++row;
        }
    }
    CHECK(static_cast<std::uint64_t>(table.rowCount()) == duplicates);
}

void check_every_panel(gui::MainWindow& window, const json& report)
{
    check_request_table(*window.request_table(), report);
    check_conservation_table(*window.conservation_table(), report);
    check_link_table(*window.link_panel()->table(), report);
    check_latency_panel(*window.latency_panel(), *window.run(), report);
    check_duplicate_table(*window.duplicate_table(), report);
    // Replies received so far, at the end, are the report's replies in time.
    for (int row = 0; row < window.request_table()->rowCount(); ++row)
        CHECK(cell(*window.request_table(), row, gui::RequestTable::kRepliesSoFarColumn) ==
              report["requests"][row]["replies"].get<std::int64_t>());
}

}  // namespace

TEST_CASE("the trace file carries the run's header, every event and the CLI's own report")
{
    QTemporaryDir dir;
    const auto cli = run_cli(dir, scenario("noc-four-countries.yaml"));
    const auto trace = brokersim::io::read_trace(cli.trace.toStdString());

    CHECK(trace.report_json == cli.report_text);
    CHECK(trace.header.scenario_name == "noc-four-countries");
    CHECK(trace.header.brokers.size() == 5);
    CHECK(trace.header.links.size() == 4);
    REQUIRE(trace.header.node_groups.size() == 4);
    for (const auto& group : trace.header.node_groups) {
        CHECK(group.count == 1000);
        CHECK(group.recorded == 1000);
    }
    CHECK(trace.header.complete());
    CHECK(trace.header.identity(1000) == "de-node-0001");
    CHECK(trace.end_time_s ==
          doctest::Approx(cli.report["end_time_s"].get<double>()).epsilon(1e-6));
    CHECK(std::is_sorted(trace.records.begin(), trace.records.end(),
                         [](const auto& a, const auto& b) { return a.time_s < b.time_s; }));
    CHECK(std::none_of(trace.records.begin(), trace.records.end(),
                       [](const auto& r) { return r.tally != 0; }));
}

TEST_CASE("figures recomputed from a complete trace equal the CLI's JSON report byte for byte")
{
    QTemporaryDir dir;
    for (const char* name : {"noc-four-countries.yaml", "triangle-duplicates.yaml"}) {
        CAPTURE(name);
        const auto cli = run_cli(dir, scenario(name));
        const auto run = gui::RunData::load(cli.trace.toStdString());
        CHECK(run->report_replayed());
        CHECK(run->report_matches_run());
    }
}

TEST_CASE("after replaying to the end every panel shows the CLI's figures")
{
    QTemporaryDir dir;
    for (const char* name : {"noc-four-countries.yaml", "triangle-duplicates.yaml"}) {
        CAPTURE(name);
        const auto cli = run_cli(dir, scenario(name));
        gui::MainWindow window;
        REQUIRE(window.open_trace(cli.trace));
        window.seek(window.replay()->end_s());
        check_every_panel(window, cli.report);
    }
}

TEST_CASE("the triangle's duplicate deliveries are listed with their brokerPaths")
{
    QTemporaryDir dir;
    const auto cli = run_cli(dir, scenario("triangle-duplicates.yaml"));
    gui::MainWindow window;
    REQUIRE(window.open_trace(cli.trace));
    const auto& table = *window.duplicate_table();
    REQUIRE(table.rowCount() == 2);
    CHECK(table.item(0, 1)->text() == "node-c");
    CHECK(table.item(0, 3)->text() == "tri-a > tri-b > tri-c");
    CHECK(table.item(1, 1)->text() == "node-b");
    CHECK(table.item(1, 3)->text() == "tri-a > tri-c > tri-b");
}

TEST_CASE("stepping forward and back moves the displayed time and counters exactly")
{
    QTemporaryDir dir;
    const auto cli = run_cli(dir, scenario("noc-four-countries.yaml"));
    gui::MainWindow window;
    REQUIRE(window.open_trace(cli.trace));
    const auto& records = window.run()->records();
    REQUIRE(records.size() > 10);

    window.seek(0);
    CHECK(window.time_text() == "t = 0.000000 s");
    CHECK(window.replay()->totals().events == 0);

    // Each step lands on the next event time and applies exactly the events at that time.
    std::vector<std::int64_t> events_after_step;
    std::vector<QString> times_after_step;
    for (int step = 0; step < 8; ++step) {
        window.step_forward();
        const auto cursor = window.replay()->cursor();
        CHECK(records[cursor - 1].time_s == window.replay()->time_s());
        CHECK((cursor == records.size() || records[cursor].time_s > window.replay()->time_s()));
        CHECK(window.time_text() ==
              QStringLiteral("t = %1 s").arg(window.replay()->time_s(), 0, 'f', 6));
        CHECK(window.replay()->totals().events == static_cast<std::int64_t>(cursor));
        CHECK(window.events_text().startsWith(QStringLiteral("events %1 / ").arg(cursor)));
        events_after_step.push_back(window.replay()->totals().events);
        times_after_step.push_back(window.time_text());
    }
    // The first events: the client publishes request 0 and its broker receives it.
    CHECK(records[0].kind == brokersim::model::TraceKind::Publish);
    CHECK(window.replay()->totals().published >= 1);

    for (int step = 6; step >= 0; --step) {
        window.step_back();
        CHECK(window.replay()->totals().events == events_after_step[step]);
        CHECK(window.time_text() == times_after_step[step]);
    }
    window.step_back();
    CHECK(window.replay()->totals().events == 0);
    CHECK(window.replay()->totals().published == 0);
    CHECK(window.time_text() == "t = 0.000000 s");

    // Seeking backwards from the end undoes everything: counters are sums over records.
    window.seek(window.replay()->end_s());
    CHECK(window.replay()->totals().client_deliveries ==
          cli.report["conservation"]["client_deliveries"].get<std::int64_t>());
    window.seek(20.0);
    const auto at_20 = window.replay()->totals();
    window.seek(0);
    window.seek(20.0);
    CHECK(window.replay()->totals().events == at_20.events);
    CHECK(window.replay()->totals().forwards == at_20.forwards);
}

TEST_CASE("playing skips idle time, and run-until stops exactly at its time")
{
    QTemporaryDir dir;
    const auto cli = run_cli(dir, scenario("noc-four-countries.yaml"));
    gui::MainWindow window;
    REQUIRE(window.open_trace(cli.trace));
    const double first_event_s = window.run()->records().front().time_s;
    REQUIRE(first_event_s > 1.0);

    window.set_speed(0.01);
    window.play();
    QTest::qWait(300);
    // A third of a second at 0.01x is 3 ms of simulated time; nothing happens before the first
    // event, so the replay jumped to just before it.
    CHECK(window.replay()->time_s() > first_event_s - 0.01);
    CHECK(window.replay()->time_s() < first_event_s + 0.01);
    window.pause();

    window.set_speed(0.1);
    window.run_until(first_event_s + 0.05);
    CHECK(QTest::qWaitFor([&] { return !window.playing(); }, 10000));
    CHECK(window.replay()->time_s() == first_event_s + 0.05);
    CHECK(window.time_text() == QStringLiteral("t = %1 s").arg(first_event_s + 0.05, 0, 'f', 6));
}

TEST_CASE("the map exports as a non-empty PNG of the requested size")
{
    QTemporaryDir dir;
    const auto cli = run_cli(dir, scenario("noc-four-countries.yaml"));
    gui::MainWindow window;
    window.resize(1400, 900);
    window.show();
    REQUIRE(window.open_trace(cli.trace));
    window.seek(20.05);
    const auto path = dir.filePath("map.png");
    REQUIRE(window.export_map_png(path, QSize(1200, 900)));

    QImage image(path);
    REQUIRE(!image.isNull());
    CHECK(image.size() == QSize(1200, 900));
    int coloured = 0;
    for (int y = 0; y < image.height(); y += 4)
        for (int x = 0; x < image.width(); x += 4)
            coloured += image.pixel(x, y) != qRgb(255, 255, 255) ? 1 : 0;
    CHECK(coloured > 2000);  // regions, groups and links, not a blank page

    REQUIRE(window.export_charts_png(dir.path()));
    for (const char* chart : {"latency-histogram.png", "latency-cdf.png", "link-utilisation.png"}) {
        CAPTURE(chart);
        CHECK(!QImage(dir.filePath(chart)).isNull());
    }
    REQUIRE(window.export_tables_csv(dir.path()));
    QFile requests(dir.filePath("requests.csv"));
    REQUIRE(requests.open(QIODevice::ReadOnly));
    const auto lines = QString::fromUtf8(requests.readAll()).split("\r\n", Qt::SkipEmptyParts);
    CHECK(lines.size() == 3);  // header and two requests
    CHECK(lines[0].startsWith("#,client,agent/action,filter,expected"));
}

TEST_CASE("teaching mode tells request 1 from publication to the reply at the client")
{
    QTemporaryDir dir;
    const auto cli = run_cli(dir, scenario("noc-four-countries.yaml"));
    const auto run = gui::RunData::load(cli.trace.toStdString());
    const auto steps = gui::request_lifecycle(*run, 1);
    REQUIRE(steps.size() >= 8);

    const auto& records = run->records();
    using brokersim::model::MessageKind;
    using brokersim::model::TraceKind;
    // Discovery comes first (the client's default), then the request's own publication.
    CHECK(records[steps[0].record].message_kind == MessageKind::Discovery);
    CHECK(steps[0].caption.contains("first discovers"));
    CHECK(steps[0].caption.contains("4000 node(s) answer"));
    CHECK(records[steps[1].record].kind == TraceKind::Publish);
    CHECK(steps[1].caption.startsWith("+0.000 ms"));
    CHECK(steps[1].caption.contains("publishes the request (rpcutil/ping)"));
    CHECK(records[steps.back().record].kind == TraceKind::Deliver);
    CHECK(steps.back().caption.contains("delivers the reply to noc-operator"));
    const auto has = [&](const char* words) {
        return std::any_of(steps.begin(), steps.end(),
                           [&](const auto& step) { return step.caption.contains(words); });
    };
    CHECK(has("forwards a copy to"));
    CHECK(has("hands the request to"));
    CHECK(has("matches the filter"));
    CHECK(has("sends one reply"));
    CHECK(has("forwards the reply to noc"));
    for (std::size_t i = 1; i < steps.size(); ++i)
        CHECK(steps[i - 1].time_s <= steps[i].time_s);

    // Choosing a step moves the replay there and rings the hop on the map.
    gui::MainWindow window;
    REQUIRE(window.open_trace(cli.trace));
    window.teaching_panel()->show_run(window.run());
    window.teaching_panel()->go_to_step(0);  // request 0 is shown first
    const auto first = window.teaching_panel()->steps().front();
    CHECK(window.network_view()->highlighted_record() == first.record);
    CHECK(window.replay()->time_s() == doctest::Approx(first.time_s).epsilon(1e-9));
}

TEST_CASE("clicking details: a message lists its hops with brokerPaths")
{
    QTemporaryDir dir;
    const auto cli = run_cli(dir, scenario("triangle-duplicates.yaml"));
    gui::MainWindow window;
    REQUIRE(window.open_trace(cli.trace));
    const auto& duplicate = window.run()->duplicates().front();
    emit window.network_view()->messageClicked(duplicate.record);
    const auto html = window.details()->toPlainText();
    CHECK(html.contains("tri-a > tri-b"));
    CHECK(html.contains("forward"));
    CHECK(html.contains("copy 2"));
}

TEST_CASE("clicking a node group, a link or a broker on the map shows its details")
{
    QTemporaryDir dir;
    const auto cli = run_cli(dir, scenario("noc-four-countries.yaml"));
    gui::MainWindow window;
    window.resize(1400, 900);
    window.show();
    REQUIRE(QTest::qWaitForWindowExposed(&window));
    REQUIRE(window.open_trace(cli.trace));
    window.seek(window.replay()->end_s());
    auto* view = window.network_view();
    const auto click = [view](QPointF scene_pos) {
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->mapFromScene(scene_pos));
    };

    click(view->layout().groups[0].rect.topLeft() + QPointF(20, 8));
    CHECK(window.details()->toPlainText().contains("Node group uk-node-{i:04}"));
    CHECK(window.details()->toPlainText().contains("customer: acmeinc 30%, globex 70%"));

    click(view->layout().brokers[1]);
    CHECK(window.details()->toPlainText().contains("Broker uk"));
    CHECK(window.details()->toPlainText().contains("noc-uk-topics"));
    // Its load, as the CLI's report gives it: the 1,000 nodes and both connectors' ends.
    const auto& uk_load = cli.report["broker_load"][1];
    REQUIRE(uk_load["name"] == "uk");
    CHECK(window.details()->toPlainText().contains(
        QStringLiteral("%1 message copies arrived").arg(uk_load["arrivals"].get<int>())));
    CHECK(window.details()->toPlainText().contains("1002 connections taking 29.9 MiB of heap"));
    CHECK(window.details()->toPlainText().contains("of a 512.0 MiB heap"));

    // The noc<->jp link, a third of the way from noc.
    const auto noc = view->layout().brokers[0];
    const auto jp = view->layout().brokers[4];
    click(noc + (jp - noc) / 3);
    CHECK(window.details()->toPlainText().contains("WAN link noc<->jp"));
    CHECK(window.details()->toPlainText().contains("118 ms"));
}

TEST_CASE("a sampled trace keeps group and link counters exact and uses the run's report")
{
    QTemporaryDir dir;
    const auto cli = run_cli(dir, scenario("noc-four-countries.yaml"), 10);
    const auto trace = brokersim::io::read_trace(cli.trace.toStdString());
    CHECK(!trace.header.complete());
    CHECK(trace.header.node_groups[0].recorded == 10);
    CHECK(std::any_of(trace.records.begin(), trace.records.end(),
                      [](const auto& r) { return r.tally != 0; }));

    gui::MainWindow window;
    REQUIRE(window.open_trace(cli.trace));
    CHECK(!window.run()->report_replayed());
    window.seek(window.replay()->end_s());
    check_request_table(*window.request_table(), cli.report);
    check_conservation_table(*window.conservation_table(), cli.report);
    check_link_table(*window.link_panel()->table(), cli.report);
    // Replies of nodes outside the sample are counted per millisecond: all of them are there,
    // at that resolution.
    for (std::size_t r = 0; r < cli.report["requests"].size(); ++r) {
        window.latency_panel()->show_request(static_cast<int>(r));
        CHECK(window.latency_panel()->histogram_total() ==
              cli.report["requests"][r]["replies"].get<std::uint64_t>());
    }
    std::int64_t received = 0;
    for (std::size_t g = 0; g < 4; ++g)
        received += window.replay()->group(g).replies_received;
    std::int64_t replies = 0;
    for (const auto& r : cli.report["requests"])
        replies += r["replies"].get<std::int64_t>();
    CHECK(received == replies);  // 174 + 4000: every node's reply, sampled or not
}

TEST_CASE("opening a scenario runs the command line in the background and loads its trace")
{
    gui::MainWindow window;
    QSignalSpy loaded(&window, &gui::MainWindow::runLoaded);
    QSignalSpy progress(&window.launcher(), &gui::RunLauncher::progressed);
    window.launcher().set_program(QStringLiteral(BROKERSIM_CLI));
    window.open_scenario(scenario("triangle-duplicates.yaml"));
    CHECK(window.launcher().running());
    REQUIRE(loaded.wait(60000));
    CHECK(progress.count() >= 1);
    REQUIRE(window.run() != nullptr);
    CHECK(window.run()->header().scenario_name == "triangle-duplicates");
}

TEST_CASE("a failing scenario reports the command line's first error line")
{
    QTemporaryDir dir;
    const auto path = dir.filePath("broken.yaml");
    QFile file(path);
    REQUIRE(file.open(QIODevice::WriteOnly));
    file.write("name: broken\nbrokers: 3\n");
    file.close();

    gui::RunLauncher launcher;
    launcher.set_program(QStringLiteral(BROKERSIM_CLI));
    QSignalSpy failed(&launcher, &gui::RunLauncher::runFailed);
    REQUIRE(launcher.start(path, dir.filePath("broken.bstrace")));
    REQUIRE(failed.wait(30000));
    CHECK(failed.front().front().toString().contains("broken.yaml:"));
    CHECK(!QFile::exists(dir.filePath("broken.bstrace")));
}

TEST_CASE("cancelling a run kills the child and leaves no trace behind")
{
    QTemporaryDir dir;
    // Large enough to take a while, so there is something to cancel.
    const auto path = dir.filePath("big.yaml");
    QFile file(path);
    REQUIRE(file.open(QIODevice::WriteOnly));
    file.write("name: big\ndatacenters: [a, b]\nbrokers:\n  - {name: a, datacenter: a}\n"
               "  - {name: b, datacenter: b}\nlinks:\n"
               "  - {between: [a, b], latency_ms: 10, bandwidth_mbps: 100}\n"
               "connectors:\n  - {on: a, to: b, name: ab, duplex: true}\n"
               "nodes:\n  - {count: 400000, broker: b, identity: \"n{i}\", agents: [rpcutil]}\n"
               "clients:\n  - {name: op, broker: a}\n"
               "requests:\n");
    for (int i = 0; i < 5; ++i)
        file.write(QStringLiteral("  - {at_s: %1, client: op, agent: rpcutil, action: ping}\n")
                       .arg(1 + i)
                       .toUtf8());
    file.close();

    gui::RunLauncher launcher;
    launcher.set_program(QStringLiteral(BROKERSIM_CLI));
    QSignalSpy progress(&launcher, &gui::RunLauncher::progressed);
    QSignalSpy cancelled(&launcher, &gui::RunLauncher::runCancelled);
    QSignalSpy finished(&launcher, &gui::RunLauncher::runFinished);
    const auto trace = dir.filePath("big.bstrace");
    REQUIRE(launcher.start(path, trace));
    REQUIRE(progress.wait(30000));
    launcher.cancel();
    REQUIRE(cancelled.wait(30000));
    CHECK(finished.isEmpty());
    CHECK(!launcher.running());
    CHECK(!QFile::exists(trace));
    // Nor the run's temporary file, FILE.brokersim-tmp.PID.
    const QFileInfo info(trace);
    CHECK(info.dir().entryList({info.fileName() + ".brokersim-tmp.*"}, QDir::Files).isEmpty());
}

TEST_CASE("a file that is not a trace is refused with its name")
{
    QTemporaryDir dir;
    const auto path = dir.filePath("not-a-trace.bstrace");
    QFile file(path);
    REQUIRE(file.open(QIODevice::WriteOnly));
    file.write(QByteArray(200, 'x'));
    file.close();
    gui::MainWindow window;
    QString error;
    CHECK(!window.open_trace(path, &error));
    CHECK(error.endsWith("not-a-trace.bstrace: not a brokersim trace file"));

    const auto cli = run_cli(dir, scenario("triangle-duplicates.yaml"));
    QFile full(cli.trace);
    REQUIRE(full.open(QIODevice::ReadOnly));
    const auto bytes = full.readAll();
    QFile cut(dir.filePath("cut.bstrace"));
    REQUIRE(cut.open(QIODevice::WriteOnly));
    cut.write(bytes.left(bytes.size() - 100));
    cut.close();
    CHECK(!window.open_trace(cut.fileName(), &error));
    CHECK(error.contains("truncated"));
}
