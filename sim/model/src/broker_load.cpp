#include "brokersim/model/broker_load.hpp"

#include <algorithm>

namespace brokersim::model {

std::uint64_t effective_memory_limit_bytes(const Broker& broker)
{
    if (broker.memory_limit_bytes <= broker.memory_budget_bytes)
        return broker.memory_limit_bytes;
    return broker.memory_budget_bytes * 70 / 100;
}

std::vector<BrokerLoad> broker_loads(const Scenario& scenario)
{
    std::vector<BrokerLoad> loads(scenario.brokers.size());
    std::vector<double> keepalives_per_s(scenario.brokers.size());
    const auto index = [&](const std::string& name) {
        return static_cast<std::size_t>(scenario.find_broker(name) - scenario.brokers.data());
    };

    for (const auto& group : scenario.node_groups) {
        const auto b = index(group.broker);
        loads[b].connections += static_cast<std::uint32_t>(group.count);
        if (group.heartbeat_interval_s > 0)
            keepalives_per_s[b] += group.count / group.heartbeat_interval_s;
    }
    for (const auto& client : scenario.clients)
        ++loads[index(client.broker)].connections;
    for (const auto& producer : scenario.producers)
        ++loads[index(producer.broker)].connections;
    for (const auto& consumer : scenario.consumers)
        ++loads[index(consumer.broker)].connections;
    for (const auto& connector : scenario.connectors)
        for (const auto* end : {&connector.on, &connector.to}) {
            const auto b = index(*end);
            ++loads[b].connections;
            keepalives_per_s[b] += 1.0 / kOpenWireKeepaliveIntervalS;
        }

    for (std::size_t b = 0; b < loads.size(); ++b) {
        const auto& broker = scenario.brokers[b];
        loads[b].connection_memory_bytes = loads[b].connections * broker.connection_memory_bytes;
        loads[b].memory_limit_bytes = effective_memory_limit_bytes(broker);
        loads[b].keepalive_cpu_fraction = keepalives_per_s[b] * broker.keepalive_cpu_s;
    }
    return loads;
}

std::uint32_t marshalled_property_bytes(std::size_t name_bytes, std::size_t value_bytes)
{
    return static_cast<std::uint32_t>(2 + name_bytes + 1 + 2 + value_bytes);
}

std::uint32_t
marshalled_properties_bytes(const std::vector<std::pair<std::string, std::string>>& headers)
{
    if (headers.empty())
        return 0;
    std::uint32_t bytes = 4;
    for (const auto& [name, value] : headers)
        bytes += marshalled_property_bytes(name.size(), value.size());
    return bytes;
}

}  // namespace brokersim::model
