#include "memory_size.hpp"

#include <cctype>
#include <charconv>

namespace brokersim::io {

namespace {

std::string_view trim(std::string_view text)
{
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
        text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.remove_suffix(1);
    return text;
}

// Bytes per unit ("", "b", "k", "kb", "M", "Gb", ...), or 0 for a unit ActiveMQ does not read.
std::uint64_t unit_bytes(std::string_view unit)
{
    const auto lower = [](char c) { return static_cast<char>(std::tolower(c)); };
    if (unit.empty() || (unit.size() == 1 && lower(unit[0]) == 'b'))
        return 1;
    if (unit.size() > 2 || (unit.size() == 2 && lower(unit[1]) != 'b'))
        return 0;
    switch (lower(unit[0])) {
    case 'k': return 1024;
    case 'm': return 1024ULL * 1024;
    case 'g': return 1024ULL * 1024 * 1024;
    default: return 0;
    }
}

}  // namespace

std::optional<std::uint64_t> parse_memory_size(std::string_view text)
{
    text = trim(text);
    std::size_t digits = 0;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits])))
        ++digits;
    if (digits == 0)
        return std::nullopt;

    std::uint64_t number = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + digits, number);
    const auto unit = trim(text.substr(digits));
    const std::uint64_t per_unit = unit_bytes(unit);
    constexpr std::uint64_t max_bytes = 1ULL << 62;
    if (error != std::errc{} || per_unit == 0 || number > max_bytes / per_unit)
        return std::nullopt;
    return number * per_unit;
}

}  // namespace brokersim::io
