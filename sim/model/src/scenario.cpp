#include "brokersim/model/scenario.hpp"

#include <algorithm>

namespace brokersim::model {

namespace {

template <typename T>
const T* find_named(const std::vector<T>& items, std::string_view name)
{
    const auto it = std::find_if(items.begin(), items.end(),
                                 [&](const T& item) { return item.name == name; });
    return it == items.end() ? nullptr : &*it;
}

}  // namespace

const Broker* Scenario::find_broker(std::string_view name) const
{
    return find_named(brokers, name);
}

const Datacenter* Scenario::find_datacenter(std::string_view name) const
{
    return find_named(datacenters, name);
}

const Client* Scenario::find_client(std::string_view name) const
{
    return find_named(clients, name);
}

bool Connector::carries(const Destination& destination) const
{
    const auto any_match = [&](const std::vector<DestinationFilter>& filters) {
        return std::any_of(filters.begin(), filters.end(),
                           [&](const auto& filter) { return filter.matches(destination); });
    };
    if (any_match(excluded_destinations))
        return false;
    if (any_match(statically_included_destinations))
        return true;
    if (!dynamically_included_destinations.empty())
        return any_match(dynamically_included_destinations);
    return true;
}

Agent Scenario::agent(std::string_view name) const
{
    if (const auto* found = find_named(agents, name))
        return *found;
    Agent defaults;
    defaults.name = std::string(name);
    return defaults;
}

std::uint64_t Scenario::node_count() const
{
    std::uint64_t total = 0;
    for (const auto& group : node_groups)
        total += static_cast<std::uint64_t>(group.count);
    return total;
}

}  // namespace brokersim::model
