// What a broker spends on being connected to, worked out once from the scenario: the TCP
// connections it serves, the memory they take outside ActiveMQ's memoryUsage (JVM heap, thread
// stacks, socket buffers), the memoryUsage limit ActiveMQ really applies, and the share of its
// CPU that keep-alives on idle connections take. The engine, the report and the linter share
// these figures so that they never disagree.
#pragma once

#include "brokersim/model/scenario.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace brokersim::model {

// OpenWire's inactivity monitor writes a KeepAliveInfo when a connection has been silent for a
// third of maxInactivityDuration (30 s by default): every 10 s on an idle bridge, each way.
inline constexpr double kOpenWireKeepaliveIntervalS = 10.0;

// The most of a broker's CPU keep-alives may take: messages get the rest, each message's CPU
// time stretched by 1 / (1 - share), so a share nearer 1 stretches a microsecond past the
// scenario's time limits. A broker that busy is down in all but name.
inline constexpr double kMostKeepaliveShare = 0.99;

struct BrokerLoad
{
    std::uint32_t connections = 0;  // node, client, producer and consumer connections, bridges
    std::uint64_t connection_memory_bytes = 0;
    std::uint64_t memory_limit_bytes = 0;  // memoryUsage as the broker applies it
    double keepalive_cpu_fraction = 0;     // of the broker's CPU, in [0, inf)
};

// ActiveMQ resets a memoryUsage limit larger than the JVM's heap to 70 % of the heap when the
// broker starts (BrokerService.checkMemorySystemUsageLimits).
std::uint64_t effective_memory_limit_bytes(const Broker& broker);

// One entry per scenario broker, in order. Connections: each node of a group on its first
// broker, each client, plain producer and plain consumer, and each network connector's one
// TCP connection at both of its brokers. Keep-alives: connectors every 10 s, node groups with
// STOMP heart-beats every heartbeat_interval_s; connections without heart-beats cost nothing
// while idle.
std::vector<BrokerLoad> broker_loads(const Scenario& scenario);

// The bytes ActiveMQ's marshalled properties map takes for string headers: a 4-byte count,
// then per entry a 2-byte length and the name, a type byte, a 2-byte length and the value.
std::uint32_t
marshalled_properties_bytes(const std::vector<std::pair<std::string, std::string>>& headers);
std::uint32_t marshalled_property_bytes(std::size_t name_bytes, std::size_t value_bytes);

}  // namespace brokersim::model
