// Connections, their memory and keep-alive CPU per broker, and the memory ActiveMQ accounts
// per message: figures worked out by hand from the defaults (31,319 bytes and 157.5 us per
// connection, OpenWire keep-alives every 10 s, 1024 bytes per message).
#include "brokersim/model/broker_load.hpp"

#include <doctest/doctest.h>

using namespace brokersim::model;

namespace {

Scenario two_brokers()
{
    Scenario scenario;
    scenario.brokers.push_back({.name = "a", .datacenter = "dc"});
    scenario.brokers.push_back({.name = "b", .datacenter = "dc"});
    Connector connector;
    connector.on = "a";
    connector.to = "b";
    scenario.connectors.push_back(connector);
    NodeGroup nodes;
    nodes.count = 100;
    nodes.broker = "a";
    nodes.heartbeat_interval_s = 30;
    scenario.node_groups.push_back(nodes);
    scenario.clients.push_back({.name = "op", .broker = "a"});
    Producer producer;
    producer.broker = "b";
    scenario.producers.push_back(producer);
    PlainConsumer consumer;
    consumer.broker = "b";
    scenario.consumers.push_back(consumer);
    return scenario;
}

}  // namespace

TEST_CASE("each node, client, producer, consumer and connector end is one connection")
{
    const auto loads = broker_loads(two_brokers());

    // a: 100 nodes, the client, the connector's dialling end; b: producer, consumer, the
    // connector's dialled end.
    CHECK(loads[0].connections == 102);
    CHECK(loads[0].connection_memory_bytes == 102 * 31319);
    CHECK(loads[1].connections == 3);
    CHECK(loads[1].connection_memory_bytes == 93957);
}

TEST_CASE("keep-alives take connections x cost / interval of a broker's CPU")
{
    const auto loads = broker_loads(two_brokers());

    // a: 100 heart-beats per 30 s and the bridge's one per 10 s, at 157.5 us each.
    CHECK(loads[0].keepalive_cpu_fraction == doctest::Approx((100 / 30.0 + 0.1) * 157.5e-6));
    CHECK(loads[0].keepalive_cpu_fraction == doctest::Approx(5.4075e-4));
    // b: the bridge only; the producer and consumer send no heart-beats.
    CHECK(loads[1].keepalive_cpu_fraction == doctest::Approx(1.575e-5));
}

TEST_CASE("a memoryUsage limit above the heap is reset to 70 % of the heap")
{
    Broker broker;
    CHECK(effective_memory_limit_bytes(broker) == 375809638);  // 1 GiB over 512 MiB
    broker.memory_limit_bytes = 64 * 1024 * 1024;
    CHECK(effective_memory_limit_bytes(broker) == 64 * 1024 * 1024);
    broker.memory_limit_bytes = broker.memory_budget_bytes;
    CHECK(effective_memory_limit_bytes(broker) == 512ULL * 1024 * 1024);
}

TEST_CASE("string headers marshal as ActiveMQ's primitive map")
{
    CHECK(marshalled_properties_bytes({}) == 0);
    CHECK(marshalled_properties_bytes({{"mc_identity", "n1"}}) == 22);
    CHECK(marshalled_properties_bytes({{"mc_identity", "n1"}, {"k", "v"}}) == 22 + 7);
}
