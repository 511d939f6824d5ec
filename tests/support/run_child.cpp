#include "run_child.hpp"

#include "brokersim/engine/engine.hpp"
#include "brokersim/io/report_writer.hpp"
#include "brokersim/io/scenario_loader.hpp"
#include "brokersim/stats/collector.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <stdexcept>

namespace brokersim::testing {

namespace {

nlohmann::json run_in_child(const std::function<model::Scenario()>& load,
                            const engine::RunOptions& options = {})
{
    int fds[2];
    if (pipe(fds) != 0)
        throw std::runtime_error("pipe failed");
    std::fflush(stdout);  // the child must not repeat what the parent has buffered
    std::fflush(stderr);
    const pid_t pid = fork();
    if (pid < 0)
        throw std::runtime_error("fork failed");

    if (pid == 0) {
        close(fds[0]);
        std::string out;
        int status = 0;
        try {
            const auto scenario = load();
            stats::Collector collector(scenario);
            engine::run(scenario, collector, options);
            out = io::report_json(collector.report());
        } catch (const std::exception& error) {
            out = std::string("ERROR ") + error.what();
            status = 1;
        }
        for (std::size_t written = 0; written < out.size();) {
            const auto n = write(fds[1], out.data() + written, out.size() - written);
            if (n <= 0)
                break;
            written += static_cast<std::size_t>(n);
        }
        close(fds[1]);
        _exit(status);
    }

    close(fds[1]);
    std::string text;
    char buffer[65536];
    for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;)
        text.append(buffer, static_cast<std::size_t>(n));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw std::runtime_error(text.empty() ? "simulation child crashed" : text);
    return nlohmann::json::parse(text);
}

}  // namespace

nlohmann::json run_scenario_text(const std::string& yaml, const std::string& file_name)
{
    return run_in_child([&] { return io::load_scenario_text(yaml, file_name); });
}

nlohmann::json run_scenario_file(const std::string& path, const engine::RunOptions& options)
{
    return run_in_child([&] { return io::load_scenario(path); }, options);
}

}  // namespace brokersim::testing
