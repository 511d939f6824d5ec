// ActiveMQ destinations and destination filters with the `*` (one segment) and `>` (the rest)
// wildcards, as used in excludedDestinations, policy entries and elsewhere.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace brokersim::model {

enum class DestinationType
{
    Topic,
    Queue
};

std::string_view to_string(DestinationType type);

struct Destination
{
    DestinationType type = DestinationType::Topic;
    std::string name;

    bool is_topic() const { return type == DestinationType::Topic; }
    friend bool operator==(const Destination&, const Destination&) = default;
    std::string to_string() const;  // "topic://name" / "queue://name"
};

struct DestinationFilter
{
    DestinationType type = DestinationType::Topic;
    std::string pattern;

    bool matches(const Destination& destination) const;
    std::string to_string() const;  // "topic:pattern" / "queue:pattern"
};

// True when the dotted name matches the dotted pattern with `*` and `>` wildcards.
bool wildcard_match(std::string_view pattern, std::string_view name);

// What is wrong with a destination pattern ("empty segment", "'>' must be the last segment"),
// or nothing.
std::optional<std::string> pattern_problem(std::string_view pattern);

}  // namespace brokersim::model
