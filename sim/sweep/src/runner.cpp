#include "brokersim/sweep/runner.hpp"

#include "input_files.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <chrono>
#include <thread>

extern char** environ;

namespace brokersim::sweep {

namespace {

using Clock = std::chrono::steady_clock;

// How long the parent sleeps when no child has ended; runs last tenths of a second or more.
constexpr auto poll_interval = std::chrono::milliseconds(2);

// Exit statuses a process can have, and signals that can end one.
constexpr int highest_exit_status = 255;
constexpr int highest_signal = 127;

// A whole number from `lowest` to `highest`, digits only (a sign only for a negative number).
std::optional<int> parse_int(std::string_view text, int lowest, int highest)
{
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < lowest ||
        value > highest)
        return std::nullopt;
    return value;
}

double seconds_since(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Child
{
    std::size_t index = 0;
    pid_t pid = 0;
    Clock::time_point started;
};

// The children started by one run_sweep call. Whatever happens to the parent, none is left
// running or unreaped.
class Children
{
public:
    Children() = default;
    Children(const Children&) = delete;
    Children& operator=(const Children&) = delete;
    ~Children()
    {
        for (const auto& child : running_) {
            ::kill(child.pid, SIGKILL);
            int status = 0;
            ::waitpid(child.pid, &status, 0);
        }
    }

    std::vector<Child>& running() { return running_; }

private:
    std::vector<Child> running_;
};

// Starts `brokersim run --json VARIANT -o REPORT` with its output going to the log file.
std::optional<pid_t> spawn_run(const std::string& brokersim, const SweepDir& dir, const Run& run)
{
    const auto variant = dir.variant(run).string();
    const auto report = dir.report(run).string();
    const auto log = dir.log(run).string();
    std::vector<std::string> arguments = {brokersim, "run", "--json", variant, "-o", report};
    std::vector<char*> argv;
    for (auto& argument : arguments)
        argv.push_back(argument.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    pid_t pid = 0;
    const int error =
        ::posix_spawn(&pid, brokersim.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (error != 0)
        return std::nullopt;
    return pid;
}

RunStatus status_of(int wait_status)
{
    if (WIFEXITED(wait_status))
        return {RunStatus::Ending::Exited, WEXITSTATUS(wait_status)};
    if (WIFSIGNALED(wait_status))
        return {RunStatus::Ending::Signalled, WTERMSIG(wait_status)};
    return {};
}

} // namespace

std::string RunStatus::to_string() const
{
    switch (ending) {
    case Ending::Unknown:
        return "";
    case Ending::Exited:
        return fmt::format("{}", code);
    case Ending::Signalled:
        return fmt::format("signal {}", code);
    case Ending::TimedOut:
        return "timeout";
    case Ending::NotStarted:
        return "not started";
    }
    return "";
}

RunStatus RunStatus::from_string(std::string_view text)
{
    constexpr std::string_view signal_prefix = "signal ";
    if (const auto code = parse_int(text, 0, highest_exit_status))
        return {Ending::Exited, *code};
    if (text.starts_with(signal_prefix))
        if (const auto code = parse_int(text.substr(signal_prefix.size()), 1, highest_signal))
            return {Ending::Signalled, *code};
    if (text == "timeout")
        return {Ending::TimedOut};
    if (text == "not started")
        return {Ending::NotStarted};
    return {};
}

std::vector<RunStatus> run_sweep(const Plan& plan, const SweepDir& dir,
                                 const RunnerOptions& options)
{
    std::vector<RunStatus> statuses(plan.runs.size());
    const auto finish = [&](std::size_t index, RunStatus status) {
        statuses[index] = status;
        write_status(dir.status(plan.runs[index]), status);
        if (options.on_finished)
            options.on_finished(plan.runs[index], status);
    };

    Children children;
    auto& running = children.running();
    const std::size_t most = std::max(1u, options.jobs);
    std::size_t next = 0;
    while (next < plan.runs.size() || !running.empty()) {
        while (running.size() < most && next < plan.runs.size()) {
            const auto& run = plan.runs[next];
            std::error_code ignored;
            std::filesystem::remove(dir.report(run), ignored);
            std::filesystem::remove(dir.status(run), ignored);
            const auto started = Clock::now();
            if (const auto pid = spawn_run(options.brokersim, dir, run))
                running.push_back(Child{next, *pid, started});
            else
                finish(next, RunStatus{RunStatus::Ending::NotStarted});
            ++next;
        }

        bool any_ended = false;
        for (auto child = running.begin(); child != running.end();) {
            int wait_status = 0;
            RunStatus status;
            if (::waitpid(child->pid, &wait_status, WNOHANG) == child->pid) {
                status = status_of(wait_status);
            } else if (seconds_since(child->started) > options.timeout_s) {
                ::kill(child->pid, SIGKILL);
                ::waitpid(child->pid, &wait_status, 0);
                status.ending = RunStatus::Ending::TimedOut;
            } else {
                ++child;
                continue;
            }
            status.wall_s = seconds_since(child->started);
            const auto index = child->index;
            child = running.erase(child);
            finish(index, status);
            any_ended = true;
        }
        if (!any_ended && !running.empty())
            std::this_thread::sleep_for(poll_interval);
    }
    return statuses;
}

void write_status(const std::filesystem::path& path, const RunStatus& status)
{
    auto text = fmt::format("exit_status={}\n", status.to_string());
    if (status.wall_s)
        text += fmt::format("wall_s={:.3f}\n", *status.wall_s);
    write_file(path, text);
}

std::optional<RunStatus> read_status(const std::filesystem::path& path)
{
    const auto text = detail::read_input_file(path);
    if (!text)
        return std::nullopt;
    const auto fail = [&](std::size_t line, const std::string& message) {
        throw CollectError(fmt::format("{}:{}: {}", path.string(), line, message));
    };

    std::optional<RunStatus> status;
    std::optional<double> wall_s;
    std::size_t number = 0;
    std::size_t start = 0;
    while (start < text->size()) {
        const auto end = std::min(text->find('\n', start), text->size());
        const std::string_view line(text->data() + start, end - start);
        start = end + 1;
        ++number;
        const auto equals = line.find('=');
        const auto key = line.substr(0, equals);
        const auto value = equals == std::string_view::npos ? "" : line.substr(equals + 1);
        if (equals != std::string_view::npos && key == "exit_status") {
            if (status)
                fail(number, "a second exit_status line");
            status = RunStatus::from_string(value);
            // An empty status is what write_status() writes when nobody knows how the run
            // ended; anything else must read back.
            if (status->ending == RunStatus::Ending::Unknown && !value.empty())
                fail(number, fmt::format("exit_status '{}' is not an exit status (0 to {}), "
                                         "'signal N' (1 to {}), 'timeout' or 'not started'",
                                         detail::printable(value), highest_exit_status,
                                         highest_signal));
        } else if (equals != std::string_view::npos && key == "wall_s") {
            if (wall_s)
                fail(number, "a second wall_s line");
            double seconds = 0;
            const auto [stop, error] =
                std::from_chars(value.data(), value.data() + value.size(), seconds);
            if (value.empty() || error != std::errc() || stop != value.data() + value.size() ||
                !std::isfinite(seconds) || seconds < 0)
                fail(number, fmt::format("wall_s '{}' is not a number of seconds, 0 or more",
                                         detail::printable(value)));
            wall_s = seconds;
        } else {
            fail(number, fmt::format("expected exit_status=... or wall_s=..., got '{}'",
                                     detail::printable(line)));
        }
    }
    if (!status)
        throw CollectError(fmt::format("{}: no exit_status line", path.string()));
    status->wall_s = wall_s;
    return status;
}

} // namespace brokersim::sweep
