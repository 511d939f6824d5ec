#include "brokersim/check/isolated_run.hpp"

#include "brokersim/io/report_reader.hpp"
#include "brokersim/io/report_writer.hpp"
#include "brokersim/stats/collector.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>

namespace brokersim::check {

namespace {

// What the child sends back: the first byte says what follows. 'R': the JSON report; 'I': an
// input error as JSON (file, line, column, message); 'E': any other error's text.
std::string child_answer(const model::Scenario& scenario, const engine::RunOptions& options)
{
    try {
        stats::Collector collector(scenario);
        engine::run(scenario, collector, options);
        return fmt::format("R{}", io::report_json(collector.report()));
    } catch (const model::InputError& error) {
        const nlohmann::json j = {{"file", error.pos().file},
                                  {"line", error.pos().line},
                                  {"column", error.pos().column},
                                  {"message", error.message()}};
        return fmt::format("I{}", j.dump());
    } catch (const std::exception& error) {
        return fmt::format("E{}", error.what());
    }
}

void write_all(int fd, const std::string& text)
{
    for (std::size_t written = 0; written < text.size();) {
        const auto n = write(fd, text.data() + written, text.size() - written);
        if (n <= 0)
            return;
        written += static_cast<std::size_t>(n);
    }
}

std::string read_all(int fd)
{
    std::string text;
    char buffer[65536];
    for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) > 0;)
        text.append(buffer, static_cast<std::size_t>(n));
    return text;
}

stats::Report decode(const model::Scenario& scenario, const std::string& answer, int status)
{
    if (answer.starts_with('R') && WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return io::report_from_json(std::string_view(answer).substr(1));
    if (answer.starts_with('I')) {
        const auto j = nlohmann::json::parse(answer.substr(1));
        throw model::InputError(
            {j.at("file").get<std::string>(), j.at("line").get<int>(), j.at("column").get<int>()},
            j.at("message").get<std::string>());
    }
    if (answer.starts_with('E'))
        throw std::runtime_error(
            fmt::format("simulating {} failed: {}", scenario.file, answer.substr(1)));
    if (WIFSIGNALED(status))
        throw std::runtime_error(
            fmt::format("simulating {} crashed (signal {})", scenario.file, WTERMSIG(status)));
    throw std::runtime_error(fmt::format("simulating {} ended without a report", scenario.file));
}

} // namespace

stats::Report run_isolated(const model::Scenario& scenario, const engine::RunOptions& options)
{
    int fds[2];
    if (pipe(fds) != 0)
        throw std::runtime_error("cannot create a pipe for the simulation process");
    // The child must not print again what this process still holds in its buffers.
    std::fflush(stdout);
    std::fflush(stderr);
    const pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        throw std::runtime_error("cannot fork a simulation process");
    }

    if (pid == 0) {
        close(fds[0]);
        write_all(fds[1], child_answer(scenario, options));
        close(fds[1]);
        _exit(0);
    }

    close(fds[1]);
    const auto answer = read_all(fds[0]);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return decode(scenario, answer, status);
}

} // namespace brokersim::check
