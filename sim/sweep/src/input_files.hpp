// Reading the files a sweep's runs left behind for `--collect`: a file may be missing (its run
// has not run, or failed before writing it), but a file that is there must be what brokersim,
// GNU parallel or the Slurm script wrote. Anything else is a CollectError naming the file, the
// line where the file has lines, and what is wrong.
#pragma once

#include "brokersim/sweep/plan.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace brokersim::sweep::detail {

// The whole of `path`, or nothing when there is no such file. Throws CollectError when it is a
// directory or anything else than a regular file (a pipe is never opened), or cannot be read.
std::optional<std::string> read_input_file(const std::filesystem::path& path);

// `text` (the contents of `path`) as JSON. Throws CollectError "PATH:LINE:COLUMN: ..." when it is
// empty, not JSON, or nested deeper than any file brokersim writes.
nlohmann::json parse_input_json(const std::filesystem::path& path, const std::string& text);

// `text` for an error message: bytes outside printable ASCII as \xNN, cut after `longest`
// characters.
std::string printable(std::string_view text, std::size_t longest = 60);

// Checks the members of a parsed JSON file; each failure is a CollectError
// "PATH: WHERE: expected WHAT, got VALUE".
class JsonChecker
{
public:
    explicit JsonChecker(std::filesystem::path path) : path_(std::move(path)) {}

    [[noreturn]] void fail(const std::string& where, std::string_view expected,
                           const nlohmann::json* got) const;
    [[noreturn]] void fail(const std::string& where, const std::string& message) const;

    // The member, or nullptr when `object` has none.
    static const nlohmann::json* member(const nlohmann::json& object, const char* key);

    const nlohmann::json& object(const nlohmann::json* value, const std::string& where) const;
    const nlohmann::json& array(const nlohmann::json* value, const std::string& where) const;
    std::string string(const nlohmann::json* value, const std::string& where) const;
    std::uint64_t count(const nlohmann::json* value, const std::string& where) const;
    bool boolean(const nlohmann::json* value, const std::string& where) const;
    // A finite number >= 0; none for null.
    std::optional<double> seconds(const nlohmann::json* value, const std::string& where) const;

private:
    std::filesystem::path path_;
};

} // namespace brokersim::sweep::detail
