#include "input_files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

namespace brokersim::sweep::detail {

namespace fs = std::filesystem;

namespace {

// brokersim's reports and plans are nested a handful of levels; this leaves plenty of room
// and keeps a hostile file from costing more than a scan.
constexpr int deepest_nesting = 64;

struct Position
{
    std::size_t line = 1;
    std::size_t column = 1;
};

// Line and column (from 1) of byte `offset` of `text`.
Position position_of(const std::string& text, std::size_t offset)
{
    offset = std::min(offset, text.size());
    Position position;
    for (std::size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++position.line;
            position.column = 1;
        } else {
            ++position.column;
        }
    }
    return position;
}

void check_nesting(const fs::path& path, const std::string& text)
{
    int depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > deepest_nesting) {
                const auto at = position_of(text, i);
                throw CollectError(fmt::format("{}:{}:{}: nested more than {} levels deep",
                                               path.string(), at.line, at.column,
                                               deepest_nesting));
            }
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
}

// What the JSON library says is wrong, without its prefix, its position (given separately) and
// the bytes it last read (which may be anything).
std::string syntax_problem(const nlohmann::json::parse_error& error)
{
    std::string what = error.what();
    if (const auto column = what.find(", column "); column != std::string::npos)
        if (const auto colon = what.find(": ", column); colon != std::string::npos)
            what.erase(0, colon + 2);
    if (const auto last_read = what.find("; last read:"); last_read != std::string::npos)
        what.erase(last_read);
    return printable(what, what.size());
}

// The JSON library's other complaints (a number too large for a double): its words without
// its prefix.
std::string library_problem(const nlohmann::json::exception& error)
{
    std::string what = error.what();
    if (what.starts_with("[json.exception."))
        if (const auto end = what.find("] "); end != std::string::npos)
            what.erase(0, end + 2);
    return printable(what, what.size());
}

std::string shown_value(const nlohmann::json* value)
{
    if (value == nullptr)
        return "nothing";
    switch (value->type()) {
    case nlohmann::json::value_t::null:
        return "null";
    case nlohmann::json::value_t::object:
        return "an object";
    case nlohmann::json::value_t::array:
        return "an array";
    case nlohmann::json::value_t::string:
        return fmt::format("'{}'", printable(value->get_ref<const std::string&>()));
    case nlohmann::json::value_t::number_float:
        if (!std::isfinite(value->get<double>()))
            return "a number out of range";
        return printable(value->dump());
    default:
        return printable(value->dump());
    }
}

} // namespace

std::optional<std::string> read_input_file(const fs::path& path)
{
    std::error_code error;
    const auto status = fs::status(path, error);
    if (status.type() == fs::file_type::not_found)
        return std::nullopt;
    if (error)
        throw CollectError(fmt::format("{}: cannot read: {}", path.string(), error.message()));
    if (status.type() == fs::file_type::directory)
        throw CollectError(fmt::format("{}: a directory, not a file", path.string()));
    if (status.type() != fs::file_type::regular)
        throw CollectError(fmt::format("{}: not a regular file", path.string()));

    errno = 0;
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw CollectError(fmt::format("{}: cannot open: {}", path.string(),
                                       std::strerror(errno != 0 ? errno : EIO)));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad() || text.bad())
        throw CollectError(fmt::format("{}: cannot read: {}", path.string(),
                                       std::strerror(errno != 0 ? errno : EIO)));
    return std::move(text).str();
}

nlohmann::json parse_input_json(const fs::path& path, const std::string& text)
{
    if (text.empty())
        throw CollectError(fmt::format("{}: empty file", path.string()));
    check_nesting(path, text);
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& error) {
        const auto at = position_of(text, error.byte == 0 ? 0 : error.byte - 1);
        throw CollectError(fmt::format("{}:{}:{}: not valid JSON: {}", path.string(), at.line,
                                       at.column, syntax_problem(error)));
    } catch (const nlohmann::json::exception& error) {
        throw CollectError(
            fmt::format("{}: not valid JSON: {}", path.string(), library_problem(error)));
    }
}

std::string printable(std::string_view text, std::size_t longest)
{
    std::string shown;
    for (const char c : text) {
        if (shown.size() >= longest) {
            shown += "...";
            return shown;
        }
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x20 && byte < 0x7f)
            shown += c;
        else
            shown += fmt::format("\\x{:02x}", byte);
    }
    return shown;
}

void JsonChecker::fail(const std::string& where, std::string_view expected,
                       const nlohmann::json* got) const
{
    fail(where, fmt::format("expected {}, got {}", expected, shown_value(got)));
}

void JsonChecker::fail(const std::string& where, const std::string& message) const
{
    throw CollectError(where.empty() ? fmt::format("{}: {}", path_.string(), message)
                                     : fmt::format("{}: {}: {}", path_.string(), where, message));
}

const nlohmann::json* JsonChecker::member(const nlohmann::json& object, const char* key)
{
    const auto found = object.find(key);
    return found == object.end() ? nullptr : &*found;
}

const nlohmann::json& JsonChecker::object(const nlohmann::json* value,
                                          const std::string& where) const
{
    if (value == nullptr || !value->is_object())
        fail(where, "an object", value);
    return *value;
}

const nlohmann::json& JsonChecker::array(const nlohmann::json* value,
                                         const std::string& where) const
{
    if (value == nullptr || !value->is_array())
        fail(where, "an array", value);
    return *value;
}

std::string JsonChecker::string(const nlohmann::json* value, const std::string& where) const
{
    if (value == nullptr || !value->is_string())
        fail(where, "a string", value);
    return value->get<std::string>();
}

std::uint64_t JsonChecker::count(const nlohmann::json* value, const std::string& where) const
{
    if (value == nullptr || !value->is_number_unsigned())
        fail(where, "a whole number, 0 or more", value);
    return value->get<std::uint64_t>();
}

bool JsonChecker::boolean(const nlohmann::json* value, const std::string& where) const
{
    if (value == nullptr || !value->is_boolean())
        fail(where, "true or false", value);
    return value->get<bool>();
}

std::optional<double> JsonChecker::seconds(const nlohmann::json* value,
                                           const std::string& where) const
{
    if (value != nullptr && value->is_null())
        return std::nullopt;
    if (value == nullptr || !value->is_number() || !std::isfinite(value->get<double>()) ||
        value->get<double>() < 0)
        fail(where, "a number, 0 or more, or null", value);
    return value->get<double>();
}

} // namespace brokersim::sweep::detail
