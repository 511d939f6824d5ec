// Small text helpers shared by the expectation parser, the linter and the diff.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace brokersim::check {

// "'text'", with control characters escaped, for quoting input in messages.
std::string single_quoted(std::string_view text);

// " (did you mean 'X'?)" when one choice is a likely typo of `word`, else " (valid: a, b)"
// when there are at most eight choices, else "".
std::string suggestion(std::string_view word, const std::vector<std::string>& choices);

// "a, b, c"
std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");

// A number as a person writes it: "2", "0.5", "118" (at most six significant digits).
std::string plain_number(double value);

} // namespace brokersim::check
