#include "brokersim/io/output.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

using brokersim::io::write_output;

namespace {

// A fresh, empty directory under the system's temporary directory.
std::filesystem::path empty_directory(const std::string& name)
{
    const auto dir = std::filesystem::temp_directory_path() / ("brokersim-test-output-" + name);
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

std::string read_text(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace

TEST_CASE("a report is written whole, with no temporary file left beside it")
{
    const auto dir = empty_directory("whole");
    write_output((dir / "report.json").string(), "{}\n");

    CHECK(read_text(dir / "report.json") == "{}\n");
    CHECK(std::distance(std::filesystem::directory_iterator(dir),
                        std::filesystem::directory_iterator()) == 1);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a report that cannot be written names the system's reason")
{
    const auto dir = empty_directory("missing");
    const auto path = (dir / "no-such-folder" / "report.json").string();

    CHECK_THROWS_WITH_AS(write_output(path, "{}\n"),
                         ("cannot write '" + path + "': No such file or directory").c_str(),
                         std::runtime_error);
    CHECK(std::filesystem::is_empty(dir));
    std::filesystem::remove_all(dir);
}

TEST_CASE("a report is not renamed over a directory, and leaves nothing behind")
{
    const auto dir = empty_directory("directory");
    std::filesystem::create_directory(dir / "report.json");

    CHECK_THROWS_WITH_AS(
        write_output((dir / "report.json").string(), "{}\n"),
        ("cannot write '" + (dir / "report.json").string() + "': Is a directory").c_str(),
        std::runtime_error);
    CHECK(std::distance(std::filesystem::directory_iterator(dir),
                        std::filesystem::directory_iterator()) == 1);
    std::filesystem::remove_all(dir);
}
