// `--collect` on files that are there but are not what the runs, GNU parallel or the Slurm
// script leave: each is an error naming the file, the line where it has lines, and what is
// wrong; nothing is concluded from it. A file that is missing is a run that has not run or
// failed, as before.
#include "sweep_test_support.hpp"

#include "brokersim/sweep/job_files.hpp"
#include "brokersim/sweep/plan.hpp"
#include "brokersim/sweep/results.hpp"
#include "brokersim/sweep/runner.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <fstream>
#include <functional>

using brokersim::sweep::collect_results;
using brokersim::sweep::CollectError;
using brokersim::sweep::make_plan;
using brokersim::sweep::Parameter;
using brokersim::sweep::Plan;
using brokersim::sweep::read_parallel_joblog;
using brokersim::sweep::read_plan;
using brokersim::sweep::read_status;
using brokersim::sweep::SweepDir;
namespace testing = brokersim::sweep::testing;
namespace fs = std::filesystem;

namespace {

// The message of the CollectError that `body` throws; empty when it throws none.
std::string collect_error(const std::function<void()>& body)
{
    try {
        body();
    } catch (const CollectError& error) {
        return error.what();
    }
    return {};
}

void write(const fs::path& path, const std::string& text)
{
    std::ofstream(path, std::ios::binary) << text;
}

const char* const good_report =
    R"({"requests": [{"expected": 10, "replies": 10, "replying_nodes": 10, "missing": 0,
        "duplicate_deliveries": 0, "timeout_s": 12.0, "p50_s": 0.5, "p95_s": 0.9,
        "p99_s": 1.1, "max_s": 1.2}], "conservation": {"holds": true}})";

// A sweep of two runs with nothing run yet.
struct Sweep
{
    testing::ScratchDir scratch;
    SweepDir dir{scratch.path()};
    Plan plan = make_plan("s.yaml", {Parameter{"seed", {"1", "2"}}});

    Sweep() { fs::create_directories(dir.runs()); }
    fs::path report() const { return dir.report(plan.runs[0]); }
    fs::path status() const { return dir.status(plan.runs[0]); }
    std::string collect() const
    {
        return collect_error([&] { collect_results(plan, dir); });
    }
};

} // namespace

TEST_CASE("a report that is not JSON is an error naming the file and the place")
{
    const Sweep sweep;
    const auto report = sweep.report().string();

    write(report, R"({"requests": [)");
    CHECK(sweep.collect() ==
          report + ":1:15: not valid JSON: syntax error while parsing value - unexpected end of "
                   "input; expected '[', '{', or a literal");
    write(report, "");
    CHECK(sweep.collect() == report + ": empty file");
    write(report, "{\"requests\": [],\n \"conservation\": {\"holds\": \"\xff\"}}");
    CHECK(sweep.collect() == report + ":2:29: not valid JSON: syntax error while parsing value - "
                                      "invalid string: ill-formed UTF-8 byte");
    write(report, std::string(100000, '[') + std::string(100000, ']'));
    CHECK(sweep.collect() == report + ":1:65: nested more than 64 levels deep");
}

TEST_CASE("a report that is JSON but not a report says what is wrong where")
{
    const Sweep sweep;
    const auto report = sweep.report().string();
    const auto error_for = [&](const std::string& text) {
        write(report, text);
        return sweep.collect();
    };

    CHECK(error_for("[1,2]") ==
          report + ": expected a JSON object (a brokersim run --json report), got an array");
    CHECK(error_for("17") == report + ": expected a JSON object (a brokersim run --json report), "
                                      "got a single value");
    CHECK(error_for("{}") == report + ": requests: expected an array, got nothing");
    CHECK(error_for(R"({"requests": []})") ==
          report + ": conservation: expected an object, got nothing");
    CHECK(error_for(R"({"requests": [], "conservation": {"holds": 1}})") ==
          report + ": conservation.holds: expected true or false, got 1");
    CHECK(error_for(R"({"requests": [7], "conservation": {"holds": true}})") ==
          report + ": requests[0]: expected an object, got 7");
    CHECK(error_for(R"({"requests": [{"expected": -5}], "conservation": {"holds": true}})") ==
          report + ": requests[0].expected: expected a whole number, 0 or more, got -5");
    CHECK(error_for(R"({"requests": [{"expected": 1, "replies": 1, "replying_nodes": 1,
        "missing": 0, "duplicate_deliveries": 0, "timeout_s": 12, "p99_s": "soon"}],
        "conservation": {"holds": true}})") ==
          report + ": requests[0].p99_s: expected a number, 0 or more, or null, got 'soon'");
    CHECK(error_for(R"({"requests": [{"expected": 1, "replies": 1, "replying_nodes": 1,
        "missing": 0, "duplicate_deliveries": 0, "timeout_s": 1e999}],
        "conservation": {"holds": true}})") ==
          report + ": not valid JSON: number overflow parsing '1e999'");
    CHECK(error_for(R"({"requests": [], "conservation": {"holds": true},
        "broker_load": [{"peak_pending": 1.5}]})") ==
          report + ": broker_load[0].peak_pending: expected a whole number, 0 or more, got 1.5");
}

TEST_CASE("a report, status file or joblog that is a directory is named as one")
{
    const Sweep sweep;
    fs::create_directories(sweep.report());
    CHECK(sweep.collect() == sweep.report().string() + ": a directory, not a file");
    fs::remove(sweep.report());
    fs::create_directories(sweep.status());
    CHECK(sweep.collect() == sweep.status().string() + ": a directory, not a file");
    fs::remove(sweep.status());
    fs::create_directories(sweep.dir.joblog());
    CHECK(sweep.collect() == sweep.dir.joblog().string() + ": a directory, not a file");
}

TEST_CASE("a missing report or status is still a run that has not run or failed")
{
    const Sweep sweep;
    write(sweep.dir.status(sweep.plan.runs[1]), "exit_status=1\nwall_s=0.250\n");
    const auto results = collect_results(sweep.plan, sweep.dir);
    REQUIRE(results.size() == 2);
    CHECK_FALSE(results[0].has_report);
    CHECK(results[0].status.to_string() == "");
    CHECK_FALSE(results[1].has_report);
    CHECK(results[1].status.to_string() == "1");
    CHECK(results[1].status.wall_s == 0.25);
}

TEST_CASE("a status file must say how the run ended, in the words brokersim writes")
{
    const Sweep sweep;
    const auto path = sweep.status();
    const auto error_for = [&](const std::string& text) {
        write(path, text);
        return collect_error([&] { read_status(path); });
    };
    const auto exit_status_error = [&](int line, const std::string& value) {
        return fmt::format("{}:{}: exit_status '{}' is not an exit status (0 to 255), 'signal N' "
                           "(1 to 127), 'timeout' or 'not started'",
                           path.string(), line, value);
    };

    CHECK(error_for("exit_status=abc\n") == exit_status_error(1, "abc"));
    CHECK(error_for("wall_s=1.5\nexit_status=99999999999999999999\n") ==
          exit_status_error(2, "99999999999999999999"));
    CHECK(error_for("exit_status=-5\n") == exit_status_error(1, "-5"));
    CHECK(error_for("exit_status=256\n") == exit_status_error(1, "256"));
    CHECK(error_for("exit_status=signal 0\n") == exit_status_error(1, "signal 0"));
    CHECK(error_for("exit_status=0\nwall_s=1e999\n") ==
          path.string() + ":2: wall_s '1e999' is not a number of seconds, 0 or more");
    CHECK(error_for("exit_status=0\nwall_s=nan\n") ==
          path.string() + ":2: wall_s 'nan' is not a number of seconds, 0 or more");
    CHECK(error_for("exit_status=0\nwall_s=-1\n") ==
          path.string() + ":2: wall_s '-1' is not a number of seconds, 0 or more");
    CHECK(error_for("exit_status=0\nwall_s=\n") ==
          path.string() + ":2: wall_s '' is not a number of seconds, 0 or more");
    CHECK(error_for("exit_status=0\nexit_status=3\n") ==
          path.string() + ":2: a second exit_status line");
    CHECK(error_for("exit_status=0\nhello \x01\n") ==
          path.string() + ":2: expected exit_status=... or wall_s=..., got 'hello \\x01'");
    CHECK(error_for("") == path.string() + ": no exit_status line");
    CHECK(error_for("wall_s=2\n") == path.string() + ": no exit_status line");

    // What the runner and the Slurm script write reads back.
    write(path, "exit_status=signal 9\nwall_s=600.001\n");
    CHECK(read_status(path)->to_string() == "signal 9");
    write(path, "exit_status=timeout\nwall_s=60.000");
    CHECK(read_status(path)->to_string() == "timeout");
    CHECK(read_status(path)->wall_s == 60.0);
    write(path, "exit_status=\n");
    CHECK(read_status(path)->to_string() == "");
    CHECK_FALSE(read_status(sweep.dir.status(sweep.plan.runs[1])).has_value());

    // collect_results() lets it through: no row is written from a corrupt status.
    write(path, "exit_status=abc\n");
    CHECK(sweep.collect() == exit_status_error(1, "abc"));
}

TEST_CASE("a GNU parallel joblog must be one, line by line")
{
    const testing::ScratchDir scratch;
    const auto path = scratch / "joblog.txt";
    const std::string header =
        "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n";
    const auto error_for = [&](const std::string& text) {
        write(path, text);
        return collect_error([&] { read_parallel_joblog(path, 4); });
    };
    const auto at = [&](int line, const std::string& message) {
        return fmt::format("{}:{}: {}", path.string(), line, message);
    };

    CHECK(error_for(header + "1\t:\t0\t1.0\t0\t0\t0\t0\tx\ngarbage line\n") ==
          at(3, "1 tab-separated fields where the header has 9"));
    CHECK(error_for(header + "1\t:\t0\t1.0\t0\t0\t0\t0\tx\n2\t:\t0\t1.0\t0\t0\t0\t0\tbroker") ==
          at(3, "incomplete line: the file ends without a line break"));
    CHECK(error_for(header + "1\t:\t0\t1.0\t0\t0\t0\t0\tx\n2\t:\t0\t1.0\t0") ==
          at(3, "incomplete line: the file ends without a line break"));
    CHECK(error_for("") == path.string() + ": empty file; GNU parallel's joblog starts with a "
                                           "header line");
    CHECK(error_for("Seq\tHost\tCommand\n") ==
          at(1, "not a GNU parallel joblog header: no JobRuntime column"));
    CHECK(error_for(header + "5\t:\t0\t1.0\t0\t0\t0\t0\tx\n") ==
          at(2, "Seq '5' is not a job of this sweep (1 to 4)"));
    CHECK(error_for(header + "0\t:\t0\t1.0\t0\t0\t0\t0\tx\n") ==
          at(2, "Seq '0' is not a job of this sweep (1 to 4)"));
    CHECK(error_for(header + "one\t:\t0\t1.0\t0\t0\t0\t0\tx\n") ==
          at(2, "Seq 'one' is not a job of this sweep (1 to 4)"));
    CHECK(error_for(header + "1\t:\t0\t1.0\t0\t0\t-1\t0\tx\n") ==
          at(2, "Exitval '-1' is not an exit status (0 to 255)"));
    CHECK(error_for(header + "1\t:\t0\t1.0\t0\t0\t99999999999\t0\tx\n") ==
          at(2, "Exitval '99999999999' is not an exit status (0 to 255)"));
    CHECK(error_for(header + "1\t:\t0\t1.0\t0\t0\t0\t200\tx\n") ==
          at(2, "Signal '200' is not a signal number (0 to 127)"));
    CHECK(error_for(header + "1\t:\t0\t nan\t0\t0\t0\t0\tx\n") ==
          at(2, "JobRuntime ' nan' is not a number of seconds, 0 or more"));

    // A job killed by a signal may log -1; a job logged again (retried) takes its last line;
    // a command with tabs of its own has more fields.
    write(path, header + "1\t:\t0\t 60.000\t0\t0\t-1\t15\tx\n2\t:\t0\t1.0\t0\t0\t3\t0\tx\n"
                         "2\t:\t0\t2.5\t0\t0\t0\t0\tx\ty\n");
    const auto statuses = read_parallel_joblog(path, 4);
    REQUIRE(statuses.size() == 2);
    CHECK(statuses.at(1).to_string() == "signal 15");
    CHECK(statuses.at(2).to_string() == "0");
    CHECK(statuses.at(2).wall_s == 2.5);
}

TEST_CASE("a plan.json that is not a plan this program wrote is refused")
{
    const testing::ScratchDir scratch;
    const SweepDir dir(scratch.path());
    const auto path = dir.plan_file().string();
    const auto error_for = [&](const std::string& text) {
        write(dir.plan_file(), text);
        return collect_error([&] { read_plan(dir); });
    };
    const std::string parameters =
        R"("scenario": "s.yaml", "parameters": [{"key": "seed", "values": ["1", "2"]}])";

    CHECK(error_for("{}") == path + ": scenario: expected a string, got nothing");
    CHECK(error_for("{\"scenario\"") ==
          path + ":1:12: not valid JSON: syntax error while parsing object separator - "
                 "unexpected end of input; expected ':'");
    CHECK(error_for(R"({"scenario": "s.yaml", "parameters": []})") ==
          path + ": parameters: no parameter; a sweep varies at least one");
    CHECK(error_for(R"({"scenario": "s.yaml", "parameters": [{"key": "seed", "values": []}],
                        "runs": []})") ==
          path + ": parameters[0].values: no values");
    CHECK(error_for(R"({"scenario": "s.yaml", "parameters": [{"key": "seed", "values": ["1"]},
                        {"key": "seed", "values": ["2"]}], "runs": []})") ==
          path + ": parameters[1].key: 'seed' again (parameters[0] has it)");
    CHECK(error_for("{" + parameters + R"(, "runs": [{"id": "000", "values": ["1"]}]})") ==
          path + ": runs: 1 runs; the parameters' values make more");
    CHECK(error_for("{" + parameters + R"(, "runs": [{"id": "000", "values": ["1"]},
        {"id": "/etc/passwd", "values": ["2"]}]})") ==
          path + ": runs[1].id: expected '001' (the run's number), got '/etc/passwd'");
    CHECK(error_for("{" + parameters + R"(, "runs": [{"id": "000", "values": ["1"]},
        {"id": "../001", "values": ["2"]}]})") ==
          path + ": runs[1].id: expected '001' (the run's number), got '../001'");
    CHECK(error_for("{" + parameters + R"(, "runs": [{"id": "000", "values": ["2"]},
        {"id": "001", "values": ["1"]}]})") ==
          path + ": runs[0].values: expected ['1'] (combination 0 of the parameters' values), "
                 "got ['2']");

    fs::remove(dir.plan_file());
    fs::create_directories(dir.plan_file());
    CHECK(collect_error([&] { read_plan(dir); }) == path + ": a directory, not a file");
}

TEST_CASE("--collect exits with status 1 for a corrupt file, and 3 for a run that left nothing")
{
    const testing::ScratchDir scratch;
    const SweepDir dir(scratch.path());
    fs::create_directories(dir.runs());
    write(dir.plan_file(), R"({"scenario": "s.yaml", "parameters": [{"key": "seed",
        "values": ["1", "2"]}], "runs": [{"id": "000", "values": ["1"]},
        {"id": "001", "values": ["2"]}]})");
    write(dir.runs() / "000.json", good_report);

    // Run 001 has not run: a failed run, reported as before.
    const auto missing = testing::run_brokersim({"sweep", "--collect", dir.root().string(),
                                                 "--no-plot"});
    CHECK(missing.exit_status == 3);
    CHECK(missing.err == "");
    const auto rows = testing::lines_of(testing::read_text(dir.csv()));
    REQUIRE(rows.size() == 3);
    CHECK(rows[2].starts_with("001,2,,no,"));

    // Its report is there but cut short: an error, and no sweep.csv from it.
    fs::remove(dir.csv());
    const auto report = dir.runs() / "001.json";
    write(report, "{\"requests\": [], \"conserv");
    const auto corrupt = testing::run_brokersim({"sweep", "--collect", dir.root().string(),
                                                 "--no-plot"});
    CHECK(corrupt.exit_status == 1);
    CHECK(corrupt.out == "");
    CHECK(corrupt.err == fmt::format("brokersim: error: {}:1:26: not valid JSON: syntax error "
                                     "while parsing object key - invalid string: missing "
                                     "closing quote\n",
                                     report.string()));
    CHECK_FALSE(fs::exists(dir.csv()));
}
