// Helpers for the sweep tests: a scratch directory that cleans up after itself, and running
// the brokersim executable as a user would.
#pragma once

#include "read_text.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace brokersim::sweep::testing {

// A fresh directory under the system's temporary directory, removed with everything in it.
class ScratchDir
{
public:
    ScratchDir();
    ~ScratchDir();
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

struct CommandResult
{
    int exit_status = -1;
    std::string out;
    std::string err;
};

// Runs `brokersim ARGUMENTS...` (the executable built with the tests) and waits for it.
CommandResult run_brokersim(const std::vector<std::string>& arguments);

using brokersim::testing::read_text;

// The lines of `text`, without their line breaks.
std::vector<std::string> lines_of(const std::string& text);

// A file of the source tree.
std::filesystem::path source_file(const std::string& relative);

} // namespace brokersim::sweep::testing
