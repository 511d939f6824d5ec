#include "sweep_test_support.hpp"

#include "brokersim/sweep/job_files.hpp"

#include <doctest/doctest.h>

#include <fstream>

using brokersim::sweep::make_plan;
using brokersim::sweep::Parameter;
using brokersim::sweep::read_parallel_joblog;
using brokersim::sweep::RunStatus;
using brokersim::sweep::shell_quote;
using brokersim::sweep::SlurmOptions;
using brokersim::sweep::SweepDir;
using brokersim::sweep::write_parallel_jobs;
using brokersim::sweep::write_slurm_script;
namespace testing = brokersim::sweep::testing;

TEST_CASE("shell words are quoted only when they need it")
{
    CHECK(shell_quote("/opt/brokersim/bin/brokersim") == "/opt/brokersim/bin/brokersim");
    CHECK(shell_quote("my sweep/runs/000.yaml") == "'my sweep/runs/000.yaml'");
    CHECK(shell_quote("it's") == "'it'\\''s'");
    CHECK(shell_quote("$HOME") == "'$HOME'");
    CHECK(shell_quote("") == "''");
}

TEST_CASE("jobs.txt has one brokersim run command per run, in plan order")
{
    const testing::ScratchDir scratch;
    const SweepDir dir(scratch / "my sweep");
    const auto plan = make_plan("s.yaml", {Parameter{"seed", {"1", "2"}}});
    std::filesystem::create_directories(dir.root());
    write_parallel_jobs(plan, dir, "/usr/bin/brokersim");

    const auto root = dir.root().string();
    CHECK(testing::read_text(dir.jobs()) ==
          "/usr/bin/brokersim run --json '" + root + "/runs/000.yaml' -o '" + root +
              "/runs/000.json'\n" + "/usr/bin/brokersim run --json '" + root +
              "/runs/001.yaml' -o '" + root + "/runs/001.json'\n");
}

TEST_CASE("the Slurm script is a job array with one task per run")
{
    const testing::ScratchDir scratch;
    const SweepDir dir(scratch.path());
    const auto plan =
        make_plan("s.yaml", {Parameter{"seed", {"1", "2", "3"}}, Parameter{"nodes", {"10", "20"}}});
    write_slurm_script(plan, dir, "/usr/bin/brokersim", SlurmOptions{300, 4});

    const auto lines = testing::lines_of(testing::read_text(dir.slurm()));
    const auto has = [&](const std::string& line) {
        return std::find(lines.begin(), lines.end(), line) != lines.end();
    };
    CHECK(lines.front() == "#!/bin/bash");
    CHECK(has("#SBATCH --array=0-5%4"));
    CHECK(has("#SBATCH --time=0:06:00"));
    CHECK(has("dir=" + dir.root().string()));
    CHECK(has("brokersim=/usr/bin/brokersim"));
    CHECK(has("run=$(printf '%03d' \"$SLURM_ARRAY_TASK_ID\")"));
    CHECK(has("timeout 300s \"$brokersim\" run --json \"$dir/runs/$run.yaml\" -o "
              "\"$dir/runs/$run.json\" \\"));
    CHECK((std::filesystem::status(dir.slurm()).permissions() &
           std::filesystem::perms::owner_exec) != std::filesystem::perms::none);

    write_slurm_script(plan, dir, "/usr/bin/brokersim", SlurmOptions{600, std::nullopt});
    const auto unthrottled = testing::lines_of(testing::read_text(dir.slurm()));
    CHECK(std::find(unthrottled.begin(), unthrottled.end(), "#SBATCH --array=0-5") !=
          unthrottled.end());
    CHECK(std::find(unthrottled.begin(), unthrottled.end(), "#SBATCH --time=0:11:00") !=
          unthrottled.end());
}

TEST_CASE("GNU parallel's joblog gives each job's exit status and run time by its number")
{
    const testing::ScratchDir scratch;
    const auto path = scratch / "joblog.txt";
    std::ofstream(path) << "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\t"
                           "Command\n"
                           "2\t:\t1700000000.100\t   0.412\t0\t0\t0\t0\tbrokersim run a\n"
                           "1\t:\t1700000000.000\t   1.250\t0\t0\t3\t0\tbrokersim run b\n"
                           "3\t:\t1700000000.200\t  60.001\t0\t0\t0\t15\tbrokersim run c\n";
    const auto statuses = read_parallel_joblog(path, 3);
    REQUIRE(statuses.size() == 3);
    CHECK(statuses.at(1).to_string() == "3");
    CHECK(statuses.at(1).wall_s.value_or(0) == doctest::Approx(1.25));
    CHECK(statuses.at(2).succeeded());
    CHECK(statuses.at(2).wall_s.value_or(0) == doctest::Approx(0.412));
    CHECK(statuses.at(3).to_string() == "signal 15");

    CHECK(read_parallel_joblog(scratch / "missing.txt", 3).empty());
}

TEST_CASE("run statuses read back from their text")
{
    CHECK(RunStatus::from_string("0").succeeded());
    CHECK(RunStatus::from_string("3").to_string() == "3");
    CHECK(RunStatus::from_string("signal 9").to_string() == "signal 9");
    CHECK(RunStatus::from_string("timeout").ending == RunStatus::Ending::TimedOut);
    CHECK(RunStatus::from_string("not started").ending == RunStatus::Ending::NotStarted);
    CHECK(RunStatus::from_string("?").ending == RunStatus::Ending::Unknown);
    CHECK(RunStatus::from_string("-5").ending == RunStatus::Ending::Unknown);
    CHECK(RunStatus::from_string("256").ending == RunStatus::Ending::Unknown);
    CHECK(RunStatus::from_string("signal 128").ending == RunStatus::Ending::Unknown);
}
