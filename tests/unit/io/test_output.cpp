#include "brokersim/io/output.hpp"

#include "read_text.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

using brokersim::io::write_output;

using brokersim::testing::read_text;

namespace {

// A fresh, empty directory under the system's temporary directory.
std::filesystem::path empty_directory(const std::string& name)
{
    const auto dir = std::filesystem::temp_directory_path() / ("brokersim-test-output-" + name);
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
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

TEST_CASE("a report written to a symbolic link goes where the link points, and the link stays")
{
    const auto dir = empty_directory("symlink");
    std::ofstream(dir / "target.json") << "old\n";
    std::filesystem::create_symlink("target.json", dir / "link.json");
    std::filesystem::create_symlink("link.json", dir / "link-to-link.json");
    std::filesystem::create_symlink("later.json", dir / "dangling.json");

    write_output((dir / "link-to-link.json").string(), "{}\n");
    CHECK(std::filesystem::is_symlink(std::filesystem::symlink_status(dir / "link.json")));
    CHECK(std::filesystem::is_symlink(std::filesystem::symlink_status(dir / "link-to-link.json")));
    CHECK(read_text(dir / "target.json") == "{}\n");

    write_output((dir / "dangling.json").string(), "[]\n");
    CHECK(std::filesystem::is_symlink(std::filesystem::symlink_status(dir / "dangling.json")));
    CHECK(read_text(dir / "later.json") == "[]\n");
    CHECK(brokersim::io::output_target((dir / "link-to-link.json").string()) ==
          (dir / "target.json").string());
    std::filesystem::remove_all(dir);
}

TEST_CASE("a loop of symbolic links is refused, and a device is written in place, not replaced")
{
    const auto dir = empty_directory("loop");
    std::filesystem::create_symlink("b.json", dir / "a.json");
    std::filesystem::create_symlink("a.json", dir / "b.json");
    CHECK_THROWS_WITH_AS(
        write_output((dir / "a.json").string(), "{}\n"),
        ("cannot write '" + (dir / "a.json").string() + "': Too many levels of symbolic links")
            .c_str(),
        std::runtime_error);
    std::filesystem::remove_all(dir);

    write_output("/dev/null", "{}\n");
    CHECK(std::filesystem::is_character_file("/dev/null"));
}
