// `brokersim sweep` end to end: small real sweeps of tests/unit/sweep/data/tiny.yaml (200
// nodes answering with 5 KB replies over a 1 Mbit/s link, a 3 s receive window), run by the
// brokersim executable, as a user would run them.
#include "sweep_test_support.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cstdlib>
#include <map>

namespace testing = brokersim::sweep::testing;
namespace fs = std::filesystem;

namespace {

const std::string tiny = testing::source_file("tests/unit/sweep/data/tiny.yaml").string();

using Row = std::map<std::string, std::string>;

// sweep.csv as rows of column -> cell (the files hold no quoted cells).
std::vector<Row> read_csv(const fs::path& path)
{
    const auto lines = testing::lines_of(testing::read_text(path));
    const auto split = [](const std::string& line) {
        std::vector<std::string> cells;
        std::size_t start = 0;
        while (true) {
            const auto comma = line.find(',', start);
            cells.push_back(line.substr(start, comma - start));
            if (comma == std::string::npos)
                return cells;
            start = comma + 1;
        }
    };
    std::vector<Row> rows;
    const auto header = split(lines.at(0));
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const auto cells = split(lines[i]);
        Row row;
        for (std::size_t c = 0; c < header.size() && c < cells.size(); ++c)
            row[header[c]] = cells[c];
        rows.push_back(row);
    }
    return rows;
}

double number(const Row& row, const std::string& column)
{
    return std::stod(row.at(column));
}

// The 2 x 2 sweep every test here starts from.
std::vector<std::string> tiny_sweep(const fs::path& dir)
{
    return {"sweep",    tiny,
            "--vary",   "nodes=50,200",
            "--vary",   "links.bandwidth_mbps=1,10",
            "--out",    dir.string(),
            "--jobs",   "2",
            "--no-plot"};
}

// Rows without the columns that differ between two ways of running the same sweep.
std::vector<Row> figures(std::vector<Row> rows)
{
    for (auto& row : rows) {
        row.erase("wall_s");
        row.erase("exit_status");
    }
    return rows;
}

int shell(const std::string& command)
{
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

} // namespace

TEST_CASE("a 2 x 2 sweep runs every combination and the thinner link loses replies")
{
    const testing::ScratchDir scratch;
    const auto dir = scratch / "tiny";
    const auto result = testing::run_brokersim(tiny_sweep(dir));
    CHECK(result.err == "");
    REQUIRE(result.exit_status == 0);
    CHECK(testing::lines_of(result.out) ==
          std::vector<std::string>{
              fmt::format("sweep of {}: 4 runs, 0 failed; wrote {}/sweep.csv", tiny, dir.string()),
              "reply deadline: every request gets 100 % of its expected replies within its "
              "timeout",
              "largest nodes that still meets the reply deadline with links.bandwidth_mbps=1: 50",
              "largest nodes that still meets the reply deadline with links.bandwidth_mbps=10: 200 "
              "(every value tried meets it)"});

    const auto rows = read_csv(dir / "sweep.csv");
    REQUIRE(rows.size() == 4);
    CHECK(rows[0].at("run") == "000");
    CHECK(rows[0].at("nodes") == "50");
    CHECK(rows[0].at("links.bandwidth_mbps") == "1");
    CHECK(rows[3].at("nodes") == "200");
    CHECK(rows[3].at("links.bandwidth_mbps") == "10");
    for (const auto& row : rows) {
        CHECK(row.at("exit_status") == "0");
        CHECK(number(row, "wall_s") > 0);
        CHECK(row.at("duplicates") == "0");
        CHECK(row.at("request0_completeness") == row.at("completeness"));
    }

    // 50 replies of 5 KB take 2 s on 1 Mbit/s and all arrive; 200 would take 8 s, so only
    // those of the first 3 s do.
    CHECK(rows[0].at("completeness") == "1");
    CHECK(rows[1].at("completeness") == "1");
    CHECK(rows[3].at("completeness") == "1");
    const double thin = number(rows[2], "completeness");
    CHECK(thin > 0.2);
    CHECK(thin < 0.4);
    CHECK(number(rows[2], "missing") == doctest::Approx(200 * (1 - thin)));
    CHECK(rows[0].at("meets_deadline") == "yes");
    CHECK(rows[2].at("meets_deadline") == "no");

    // The replies that do arrive on the thin link queue up to the end of the 3 s window.
    CHECK(number(rows[2], "p99_s") > 2.0);
    CHECK(number(rows[2], "max_s") < 3.0);
    CHECK(number(rows[3], "p99_s") < number(rows[2], "p99_s"));
    CHECK(number(rows[0], "p99_s") > number(rows[1], "p99_s"));

    CHECK(
        testing::read_text(dir / "capacity.txt")
            .find("largest nodes that still meets the reply deadline with links.bandwidth_mbps=1: "
                  "50\n") != std::string::npos);
    CHECK(fs::exists(dir / "runs/002.yaml"));
    CHECK(fs::exists(dir / "runs/002.json"));
    CHECK(testing::read_text(dir / "runs/002.status").starts_with("exit_status=0\nwall_s="));
}

TEST_CASE("--emit-jobs parallel writes the commands, and --collect gathers what they left")
{
    const testing::ScratchDir scratch;
    const auto direct = scratch / "direct";
    const auto emitted = scratch / "emitted";
    REQUIRE(testing::run_brokersim(tiny_sweep(direct)).exit_status == 0);

    auto arguments = tiny_sweep(emitted);
    arguments.insert(arguments.end(), {"--emit-jobs", "parallel"});
    const auto emit = testing::run_brokersim(arguments);
    REQUIRE(emit.exit_status == 0);
    CHECK(testing::lines_of(emit.out).front() ==
          fmt::format("wrote 4 variants and {}/jobs.txt; run them with", emitted.string()));
    const auto jobs = testing::lines_of(testing::read_text(emitted / "jobs.txt"));
    REQUIRE(jobs.size() == 4);
    CHECK(jobs[2] == fmt::format("{} run --json {}/runs/002.yaml -o {}/runs/002.json",
                                 BROKERSIM_BINARY, emitted.string(), emitted.string()));
    CHECK_FALSE(fs::exists(emitted / "runs/000.json"));

    // What GNU parallel would do, one job after the other.
    for (const auto& job : jobs)
        REQUIRE(shell(job) == 0);
    const auto collected =
        testing::run_brokersim({"sweep", "--collect", emitted.string(), "--no-plot"});
    CHECK(collected.exit_status == 0);
    CHECK(testing::lines_of(collected.out).at(2) ==
          "largest nodes that still meets the reply deadline with links.bandwidth_mbps=1: 50");

    // The same figures as the sweep that ran its runs itself; the exit status comes from each
    // report's conservation account, and no wall time is known.
    const auto rows = read_csv(emitted / "sweep.csv");
    CHECK(figures(rows) == figures(read_csv(direct / "sweep.csv")));
    CHECK(rows[1].at("exit_status") == "0");
    CHECK(rows[1].at("wall_s") == "");
}

TEST_CASE("--emit-jobs slurm writes a job array whose tasks leave what --collect reads")
{
    const testing::ScratchDir scratch;
    const auto dir = scratch / "slurm";
    auto arguments = tiny_sweep(dir);
    arguments.insert(arguments.end(), {"--emit-jobs", "slurm", "--timeout-s", "120"});
    const auto emit = testing::run_brokersim(arguments);
    REQUIRE(emit.exit_status == 0);
    CHECK(testing::lines_of(emit.out).at(1) == fmt::format("  sbatch {}/slurm.sh", dir.string()));

    // What Slurm would do: each array task with its SLURM_ARRAY_TASK_ID.
    for (int task = 0; task < 4; ++task)
        REQUIRE(shell(fmt::format("SLURM_ARRAY_TASK_ID={} bash {}/slurm.sh", task, dir.string())) ==
                0);
    CHECK(testing::read_text(dir / "runs/003.status").starts_with("exit_status=0\nwall_s="));

    const auto collected =
        testing::run_brokersim({"sweep", "--collect", dir.string(), "--no-plot"});
    CHECK(collected.exit_status == 0);
    const auto rows = read_csv(dir / "sweep.csv");
    REQUIRE(rows.size() == 4);
    CHECK(rows[3].at("exit_status") == "0");
    CHECK(number(rows[3], "wall_s") > 0);
    CHECK(rows[2].at("meets_deadline") == "no");
}

TEST_CASE("a run that exceeds its time limit is killed and reported as a timeout")
{
    const testing::ScratchDir scratch;
    const auto dir = scratch / "slow";
    // The scenario may follow the options.
    const auto result =
        testing::run_brokersim({"sweep", "--vary", "seed=1", tiny, "--out", dir.string(),
                                "--timeout-s", "0.000001", "--no-plot"});
    CHECK(result.exit_status == 3);
    CHECK(result.err == fmt::format("brokersim: run 000 ended with timeout (see {}/runs/000.log)\n",
                                    dir.string()));
    const auto rows = read_csv(dir / "sweep.csv");
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].at("exit_status") == "timeout");
    CHECK(rows[0].at("meets_deadline") == "no");
    CHECK(rows[0].at("completeness") == "");
    CHECK(testing::lines_of(result.out).at(2) ==
          "largest seed that still meets the reply deadline: none (no value tried meets it)");
}

TEST_CASE("the plot script draws completeness and p99 latency against the first parameter")
{
    const testing::ScratchDir scratch;
    const auto dir = scratch / "plot";
    auto arguments = tiny_sweep(dir);
    arguments.pop_back(); // --no-plot
    const auto result = testing::run_brokersim(arguments);
    CHECK(result.exit_status == 0);
    const auto script = testing::read_text(dir / "sweep.gp");
    CHECK(script.find("set xlabel 'nodes'\n") != std::string::npos);
    CHECK(script.find("set xtics ('50' 50, '200' 200)\n") != std::string::npos);
    CHECK(script.find("title 'links.bandwidth_mbps=1'") != std::string::npos);
    CHECK(script.find("plot 12") == std::string::npos);
    CHECK(script.find("plot 3 with lines dt 2 lw 2 lc 'gray40' title 'timeout 3 s'") !=
          std::string::npos);
    // Either gnuplot drew the picture, or one line says why not.
    CHECK((fs::exists(dir / "sweep.png") ||
           result.err.starts_with("brokersim: gnuplot not found: no plot")));
}

TEST_CASE("bad command lines exit with status 2 and say what is wrong")
{
    const testing::ScratchDir scratch;
    const auto error_of = [](const std::vector<std::string>& arguments) {
        const auto result = testing::run_brokersim(arguments);
        CHECK(result.exit_status == 2);
        return result.err;
    };
    CHECK(error_of({"sweep", tiny}) ==
          "brokersim sweep: error: at least one --vary KEY=V1,V2,... is required\n");
    CHECK(error_of({"sweep", tiny, "--vary", "nodez=1"}) ==
          "brokersim sweep: error: --vary nodez=1: unknown parameter 'nodez' (did you mean "
          "'nodes'?)\n");
    CHECK(error_of({"sweep", tiny, "--vary", "link.noc-fr.latency_ms=1"}) ==
          "brokersim sweep: error: --vary link.noc-fr.latency_ms: the scenario has no link "
          "'noc-fr' (its links: noc-remote)\n");
    CHECK(error_of({"sweep", "--collect", scratch.path().string(), tiny}) ==
          "brokersim sweep: error: --collect DIR takes no scenario, --vary, --emit-jobs or "
          "--out: the sweep in DIR says what was run\n");
    CHECK(error_of({"sweep", tiny, "--vary", "seed=1", "--emit-jobs", "pbs"}).find("--emit-jobs") !=
          std::string::npos);
    CHECK(error_of({"sweep", tiny, "--vary", "seed=1", "--completeness", "1.5"})
              .find("--completeness") != std::string::npos);
    CHECK(fs::is_empty(scratch.path()));
}

TEST_CASE("a bad scenario exits with status 1 and the loader's error line")
{
    const auto result = testing::run_brokersim(
        {"sweep", testing::source_file("tests/golden/bad/missing_key.yaml").string(), "--vary",
         "seed=1,2"});
    CHECK(result.exit_status == 1);
    const auto expected =
        testing::read_text(testing::source_file("tests/golden/bad/missing_key.err"));
    CHECK(testing::lines_of(result.err).at(0).ends_with(testing::lines_of(expected).at(0)));
}

TEST_CASE("--collect on a directory without a sweep names it")
{
    const testing::ScratchDir scratch;
    const auto result = testing::run_brokersim({"sweep", "--collect", scratch.path().string()});
    CHECK(result.exit_status == 1);
    CHECK(result.err == fmt::format("brokersim: error: '{}': no sweep here (cannot read "
                                    "plan.json)\n",
                                    scratch.path().string()));
}

TEST_CASE("a sweep of a scenario without requests says why it draws no plot")
{
    const testing::ScratchDir scratch;
    const auto dir = scratch / "flow";
    const auto scenario = testing::source_file("scenarios/producer-flow-control.yaml").string();
    const auto result = testing::run_brokersim({"sweep", scenario, "--vary",
                                                "brokers.memory_limit_mb=1,2", "--out",
                                                dir.string(), "--jobs", "2"});
    CHECK(result.exit_status == 0);
    CHECK(result.err == "brokersim: no plot: the runs sent no MCollective request, so there is "
                        "no reply completeness or latency to draw; the CSV is complete\n");
    CHECK(fs::exists(dir / "sweep.csv"));
    CHECK(!fs::exists(dir / "sweep.png"));
    CHECK(!fs::exists(dir / "gnuplot.log"));
}
