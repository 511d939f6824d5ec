#include "text_util.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

namespace brokersim::check {

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b)
{
    std::vector<std::size_t> row(b.size() + 1);
    std::iota(row.begin(), row.end(), 0);
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const auto above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = above;
        }
    }
    return row[b.size()];
}

} // namespace

std::string single_quoted(std::string_view text)
{
    std::string out = "'";
    for (const char c : text) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        else
            out += c;
    }
    return out + "'";
}

std::string suggestion(std::string_view word, const std::vector<std::string>& choices)
{
    // A typo is at most a third of the word away; the closest such choice wins.
    const std::string* best = nullptr;
    std::size_t best_distance = word.size() / 3 + 1;
    for (const auto& choice : choices) {
        const auto distance = edit_distance(word, choice);
        if (distance < best_distance) {
            best = &choice;
            best_distance = distance;
        }
    }
    if (best != nullptr)
        return fmt::format(" (did you mean {}?)", single_quoted(*best));
    if (!choices.empty() && choices.size() <= 8)
        return fmt::format(" (valid: {})", join(choices));
    return "";
}

std::string join(const std::vector<std::string>& items, std::string_view separator)
{
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i)
        out += (i == 0 ? "" : std::string(separator)) + items[i];
    return out;
}

std::string plain_number(double value)
{
    return fmt::format("{:.6g}", value);
}

} // namespace brokersim::check
