#include "brokersim/model/destination.hpp"

#include <fmt/format.h>

namespace brokersim::model {

std::string_view to_string(DestinationType type)
{
    return type == DestinationType::Topic ? "topic" : "queue";
}

std::string Destination::to_string() const
{
    return fmt::format("{}://{}", model::to_string(type), name);
}

bool DestinationFilter::matches(const Destination& destination) const
{
    return destination.type == type && wildcard_match(pattern, destination.name);
}

std::string DestinationFilter::to_string() const
{
    return fmt::format("{}:{}", model::to_string(type), pattern);
}

namespace {

std::string_view next_segment(std::string_view& rest)
{
    const auto dot = rest.find('.');
    const auto segment = rest.substr(0, dot);
    rest = dot == std::string_view::npos ? std::string_view{} : rest.substr(dot + 1);
    return segment;
}

}  // namespace

bool wildcard_match(std::string_view pattern, std::string_view name)
{
    // Walk both dotted names segment by segment; `>` swallows whatever is left.
    while (!pattern.empty()) {
        const auto p = next_segment(pattern);
        if (p == ">")
            return true;
        if (name.empty())
            return false;
        const auto n = next_segment(name);
        if (p != "*" && p != n)
            return false;
    }
    return name.empty();
}

std::optional<std::string> pattern_problem(std::string_view pattern)
{
    if (pattern.empty())
        return "empty pattern";
    std::size_t start = 0;
    while (true) {
        const auto dot = pattern.find('.', start);
        const auto segment = pattern.substr(start, dot - start);
        if (segment.empty())
            return "empty segment";
        if (dot == std::string_view::npos)
            return std::nullopt;
        if (segment == ">")
            return "'>' must be the last segment";
        start = dot + 1;
    }
}

}  // namespace brokersim::model
