#include "sweep_test_support.hpp"

#include "brokersim/sweep/job_files.hpp"

#include <fmt/format.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace brokersim::sweep::testing {

namespace fs = std::filesystem;

ScratchDir::ScratchDir()
{
    auto pattern = (fs::temp_directory_path() / "brokersim-sweep-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
        throw std::runtime_error("cannot create a scratch directory");
    path_ = pattern;
}

ScratchDir::~ScratchDir()
{
    std::error_code ignored;
    fs::remove_all(path_, ignored);
}

CommandResult run_brokersim(const std::vector<std::string>& arguments)
{
    const ScratchDir output;
    std::string command = shell_quote(BROKERSIM_BINARY);
    for (const auto& argument : arguments) {
        command += ' ';
        command += shell_quote(argument);
    }
    command += fmt::format(" >{} 2>{}", shell_quote((output / "out").string()),
                           shell_quote((output / "err").string()));

    const int status = std::system(command.c_str());
    CommandResult result;
    result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.out = read_text(output / "out");
    result.err = read_text(output / "err");
    return result;
}


std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
        lines.push_back(line);
    return lines;
}

fs::path source_file(const std::string& relative)
{
    return fs::path(BROKERSIM_SOURCE_DIR) / relative;
}

} // namespace brokersim::sweep::testing
