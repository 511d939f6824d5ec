#include "brokersim/sweep/yaml_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <string_view>

namespace brokersim::sweep {

namespace {

// The loader's unit conversions: a value in the file times this gives the model's value.
constexpr double seconds_per_ms = 1e-3;
constexpr double bps_per_mbps = 1e6;

bool is_plain_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.' || c == '/';
}

// Words some YAML readers take for booleans or null; they are quoted to stay strings.
bool is_reserved_word(std::string_view text)
{
    static constexpr std::array<std::string_view, 11> words = {
        "y", "n", "yes", "no", "true", "false", "on", "off", "null", "nan", "inf"};
    std::string lower(text);
    for (auto& c : lower)
        c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    for (const auto word : words)
        if (lower == word)
            return true;
    return false;
}

// A string as a YAML scalar: plain when it is a simple word, else double-quoted with escapes.
std::string scalar(std::string_view text)
{
    const bool plain = !text.empty() &&
                       ((text[0] >= 'a' && text[0] <= 'z') || (text[0] >= 'A' && text[0] <= 'Z')) &&
                       std::all_of(text.begin(), text.end(), is_plain_char) &&
                       !is_reserved_word(text);
    if (plain)
        return std::string(text);

    std::string quoted = "\"";
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\')
            quoted += {'\\', c};
        else if (byte < 0x20 || byte == 0x7f)
            quoted += fmt::format("\\x{:02x}", byte);
        else
            quoted += c;
    }
    return quoted + '"';
}

// The shortest text that reads back as exactly `value`.
std::string number(double value)
{
    return fmt::format("{}", value);
}

std::string number(std::int64_t value)
{
    return fmt::format("{}", value);
}

double read_back(const std::string& text)
{
    double value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

// A number in a file unit (ms, Mbit/s) whose conversion by the loader gives back exactly
// `value`. value / unit is usually it; rounding can leave it an ulp or two off.
std::string in_unit(double value, double unit)
{
    constexpr int most_steps = 16;
    double up = value / unit;
    double down = up;
    for (int step = 0; step < most_steps; ++step) {
        for (const double candidate : {up, down}) {
            const auto text = number(candidate);
            if (read_back(text) * unit == value)
                return text;
        }
        up = std::nextafter(up, HUGE_VAL);
        down = std::nextafter(down, -HUGE_VAL);
    }
    return fmt::format("{:.17g}", value / unit);
}

std::string boolean(bool value)
{
    return value ? "true" : "false";
}

// A flow mapping `{k: v, ...}` built key by key.
class FlowMap
{
public:
    FlowMap& add(std::string_view key, const std::string& value_text)
    {
        text_ += text_.empty() ? "{" : ", ";
        text_ += fmt::format("{}: {}", scalar(key), value_text);
        return *this;
    }

    std::string str() const { return text_.empty() ? "{}" : text_ + "}"; }

private:
    std::string text_;
};

template <typename Range, typename Format> std::string flow_list(const Range& items, Format format)
{
    std::string text = "[";
    for (const auto& item : items) {
        if (text.size() > 1)
            text += ", ";
        text += format(item);
    }
    return text + "]";
}

std::string names(const std::vector<std::string>& items)
{
    return flow_list(items, [](const std::string& name) { return scalar(name); });
}

std::string destination(model::DestinationType type, const std::string& name)
{
    return scalar(fmt::format("{}:{}", model::to_string(type), name));
}

std::string filters(const std::vector<model::DestinationFilter>& items)
{
    return flow_list(items, [](const model::DestinationFilter& filter) {
        return destination(filter.type, filter.pattern);
    });
}

class Writer
{
public:
    explicit Writer(const model::Scenario& scenario) : scenario_(scenario) {}

    std::string write();

private:
    void section(std::string_view key) { text_ += fmt::format("{}:\n", key); }
    void item(const std::string& flow) { text_ += fmt::format("  - {}\n", flow); }

    std::string datacenter(const model::Datacenter& datacenter) const;
    std::string broker(const model::Broker& broker) const;
    std::string link(const model::Link& link) const;
    std::string connector(const model::Connector& connector) const;
    std::string node_group(const model::NodeGroup& group) const;
    std::string client(const model::Client& client) const;
    std::string agent(const model::Agent& agent) const;
    std::string request(const model::Request& request) const;
    std::string consumer(const model::PlainConsumer& consumer) const;
    std::string producer(const model::Producer& producer) const;
    std::string fault(const model::Fault& fault) const;

    const model::Scenario& scenario_;
    std::string text_;
};

std::string Writer::write()
{
    text_ += fmt::format("name: {}\n", scalar(scenario_.name));
    text_ += fmt::format("seed: {}\n", scenario_.seed);

    const auto list = [this](std::string_view key, const auto& items, auto format) {
        if (items.empty())
            return;
        section(key);
        for (const auto& entry : items)
            item((this->*format)(entry));
    };
    list("datacenters", scenario_.datacenters, &Writer::datacenter);
    list("brokers", scenario_.brokers, &Writer::broker);
    list("links", scenario_.links, &Writer::link);
    list("connectors", scenario_.connectors, &Writer::connector);
    list("nodes", scenario_.node_groups, &Writer::node_group);
    list("clients", scenario_.clients, &Writer::client);
    list("agents", scenario_.agents, &Writer::agent);
    list("requests", scenario_.requests, &Writer::request);
    list("consumers", scenario_.consumers, &Writer::consumer);
    list("producers", scenario_.producers, &Writer::producer);
    list("faults", scenario_.faults, &Writer::fault);

    if (!scenario_.expectations.empty()) {
        section("expect");
        for (const auto& [expectation, pos] : scenario_.expectations)
            item(scalar(expectation));
    }
    return std::move(text_);
}

std::string Writer::datacenter(const model::Datacenter& datacenter) const
{
    const model::Datacenter defaults;
    if (datacenter.lan_latency_s == defaults.lan_latency_s &&
        datacenter.lan_bandwidth_bps == defaults.lan_bandwidth_bps)
        return scalar(datacenter.name);
    return FlowMap()
        .add("name", scalar(datacenter.name))
        .add("lan_latency_ms", in_unit(datacenter.lan_latency_s, seconds_per_ms))
        .add("lan_bandwidth_mbps", in_unit(datacenter.lan_bandwidth_bps, bps_per_mbps))
        .str();
}

std::string Writer::broker(const model::Broker& broker) const
{
    FlowMap map;
    map.add("name", scalar(broker.name)).add("datacenter", scalar(broker.datacenter));
    if (!broker.policies.empty())
        map.add("policies", flow_list(broker.policies, [](const model::PolicyEntry& policy) {
                    FlowMap entry;
                    entry
                        .add(model::to_string(policy.destination.type),
                             scalar(policy.destination.pattern))
                        .add("enableAudit", boolean(policy.enable_audit))
                        .add("producerFlowControl", boolean(policy.producer_flow_control));
                    if (policy.memory_limit_bytes)
                        entry.add("memoryLimit",
                                  number(static_cast<std::int64_t>(*policy.memory_limit_bytes)));
                    if (policy.replay_when_no_consumers) {
                        entry.add("replayWhenNoConsumers", boolean(true))
                            .add("replayDelay", number(static_cast<std::int64_t>(
                                                    std::llround(policy.replay_delay_s * 1000))))
                            .add("selectorAware", boolean(policy.selector_aware));
                    }
                    return entry.str();
                }));
    if (broker.clock_offset_s != 0)
        map.add("clock_offset_s", number(broker.clock_offset_s));
    // One number when topics and queues cost the same, else {topic: N, queue: N}.
    const auto cost = [&map](std::string_view key, const std::array<double, 2>& by_type,
                             double unit) {
        const auto topic = by_type[static_cast<std::size_t>(model::DestinationType::Topic)];
        const auto queue = by_type[static_cast<std::size_t>(model::DestinationType::Queue)];
        if (topic == queue && topic != 0)
            map.add(key, in_unit(topic, unit));
        else if (topic != queue)
            map.add(key, FlowMap()
                             .add("topic", in_unit(topic, unit))
                             .add("queue", in_unit(queue, unit))
                             .str());
    };
    cost("cpu_us_per_message", broker.cpu_s_per_message, 1e-6);
    cost("cpu_ns_per_byte", broker.cpu_s_per_byte, 1e-9);
    // Bytes over a power of two: exact, and read back to the same whole number of bytes.
    if (broker.memory_limit_bytes != model::kDefaultBrokerMemoryLimitBytes)
        map.add("memory_limit_mb",
                number(static_cast<double>(broker.memory_limit_bytes) / (1024.0 * 1024.0)));
    if (broker.message_overhead_bytes != model::kDefaultMessageOverheadBytes)
        map.add("message_overhead_bytes", number(std::int64_t{broker.message_overhead_bytes}));
    if (broker.memory_budget_bytes != model::kDefaultMemoryBudgetBytes)
        map.add("memory_budget_mb",
                number(static_cast<double>(broker.memory_budget_bytes) / (1024.0 * 1024.0)));
    if (broker.connection_memory_bytes != model::kDefaultConnectionMemoryBytes)
        map.add("connection_memory_kb",
                number(static_cast<double>(broker.connection_memory_bytes) / 1024.0));
    if (broker.keepalive_cpu_s != model::kDefaultKeepaliveCpuS)
        map.add("keepalive_cpu_us", in_unit(broker.keepalive_cpu_s, 1e-6));
    return map.str();
}

std::string Writer::link(const model::Link& link) const
{
    return FlowMap()
        .add("between", names({link.a, link.b}))
        .add("latency_ms", in_unit(link.latency_s, seconds_per_ms))
        .add("bandwidth_mbps", in_unit(link.bandwidth_bps, bps_per_mbps))
        .add("transport", link.transport == model::Transport::Ssl ? "ssl" : "tcp")
        .str();
}

std::string Writer::connector(const model::Connector& connector) const
{
    const model::Connector defaults;
    FlowMap map;
    map.add("on", scalar(connector.on)).add("to", scalar(connector.to));
    if (connector.name != fmt::format("{}-{}", connector.on, connector.to))
        map.add("name", scalar(connector.name));
    if (connector.duplex != defaults.duplex)
        map.add("duplex", boolean(connector.duplex));
    if (connector.message_ttl == connector.consumer_ttl) {
        if (connector.message_ttl != defaults.message_ttl)
            map.add("networkTTL", number(std::int64_t{connector.message_ttl}));
    } else {
        map.add("messageTTL", number(std::int64_t{connector.message_ttl}))
            .add("consumerTTL", number(std::int64_t{connector.consumer_ttl}));
    }

    const std::pair<std::string_view, bool model::Connector::*> flags[] = {
        {"conduitSubscriptions", &model::Connector::conduit_subscriptions},
        {"dynamicOnly", &model::Connector::dynamic_only},
        {"decreaseNetworkConsumerPriority", &model::Connector::decrease_network_consumer_priority},
        {"suppressDuplicateTopicSubscriptions",
         &model::Connector::suppress_duplicate_topic_subscriptions},
        {"suppressDuplicateQueueSubscriptions",
         &model::Connector::suppress_duplicate_queue_subscriptions},
        {"bridgeTempDestinations", &model::Connector::bridge_temp_destinations},
    };
    for (const auto& [key, member] : flags)
        if (connector.*member != defaults.*member)
            map.add(key, boolean(connector.*member));
    if (connector.consumer_priority_base != defaults.consumer_priority_base)
        map.add("consumerPriorityBase", number(std::int64_t{connector.consumer_priority_base}));
    if (connector.prefetch_size != defaults.prefetch_size)
        map.add("prefetchSize", number(std::int64_t{connector.prefetch_size}));

    const std::pair<std::string_view, const std::vector<model::DestinationFilter>*> lists[] = {
        {"excludedDestinations", &connector.excluded_destinations},
        {"dynamicallyIncludedDestinations", &connector.dynamically_included_destinations},
        {"staticallyIncludedDestinations", &connector.statically_included_destinations},
    };
    for (const auto& [key, list] : lists)
        if (!list->empty())
            map.add(key, filters(*list));
    return map.str();
}

std::string Writer::node_group(const model::NodeGroup& group) const
{
    const model::NodeGroup defaults;
    FlowMap map;
    if (group.name != group.identity_pattern)
        map.add("name", scalar(group.name));
    map.add("count", number(std::int64_t{group.count}))
        .add("broker", scalar(group.broker))
        .add("identity", scalar(group.identity_pattern));

    if (!group.facts.empty()) {
        FlowMap facts;
        for (const auto& fact : group.facts) {
            FlowMap shares;
            for (const auto& value : fact.values)
                shares.add(value.value, number(value.share));
            const bool single = fact.values.size() == 1 && fact.values.front().share == 1.0;
            facts.add(fact.name, single ? scalar(fact.values.front().value) : shares.str());
        }
        map.add("facts", facts.str());
    }
    if (!group.classes.empty()) {
        FlowMap classes;
        for (const auto& share : group.classes)
            classes.add(share.name, number(share.probability));
        map.add("classes", classes.str());
    }
    if (!group.agents.empty())
        map.add("agents", names(group.agents));
    if (group.collectives != defaults.collectives)
        map.add("collectives", names(group.collectives));
    if (group.clock_offset_s != 0)
        map.add("clock_offset_s", number(group.clock_offset_s));
    if (group.direct_addressing != defaults.direct_addressing)
        map.add("direct_addressing", boolean(group.direct_addressing));
    if (!group.failover.empty())
        map.add("failover", names(group.failover));
    if (group.heartbeat_interval_s != 0)
        map.add("heartbeat_interval_s", number(group.heartbeat_interval_s));
    return map.str();
}

std::string Writer::client(const model::Client& client) const
{
    FlowMap map;
    map.add("name", scalar(client.name)).add("broker", scalar(client.broker));
    if (client.identity != client.name)
        map.add("identity", scalar(client.identity));
    return map.str();
}

std::string Writer::agent(const model::Agent& agent) const
{
    const auto min_ms = in_unit(agent.run_time_min_s, seconds_per_ms);
    const auto max_ms = in_unit(agent.run_time_max_s, seconds_per_ms);
    return FlowMap()
        .add("name", scalar(agent.name))
        .add("timeout_s", number(agent.timeout_s))
        .add("run_time_ms", agent.run_time_min_s == agent.run_time_max_s
                                ? min_ms
                                : fmt::format("[{}, {}]", min_ms, max_ms))
        .add("reply_bytes", number(std::int64_t{agent.reply_bytes}))
        .str();
}

std::string Writer::request(const model::Request& request) const
{
    const model::Request defaults;
    FlowMap map;
    map.add("at_s", number(request.at_s))
        .add("client", scalar(request.client))
        .add("agent", scalar(request.agent))
        .add("action", scalar(request.action));
    if (!request.filter_text.empty())
        map.add("filter", scalar(request.filter_text));
    if (request.timeout_s)
        map.add("timeout_s", number(*request.timeout_s));
    if (request.request_bytes != defaults.request_bytes)
        map.add("request_bytes", number(std::int64_t{request.request_bytes}));
    if (request.collective != defaults.collective)
        map.add("collective", scalar(request.collective));
    if (request.discovery != defaults.discovery)
        map.add("discovery", request.discovery == model::Discovery::Mc ? "mc" : "none");
    if (request.discovery_timeout_s != defaults.discovery_timeout_s)
        map.add("discovery_timeout_s", number(request.discovery_timeout_s));
    if (request.direct_addressing != defaults.direct_addressing)
        map.add("direct_addressing", boolean(request.direct_addressing));
    if (request.direct_addressing_threshold != defaults.direct_addressing_threshold)
        map.add("direct_addressing_threshold",
                number(std::int64_t{request.direct_addressing_threshold}));
    if (request.ttl_s != defaults.ttl_s)
        map.add("ttl_s", number(request.ttl_s));
    if (!request.identities.empty())
        map.add("identities", names(request.identities));
    return map.str();
}

std::string Writer::consumer(const model::PlainConsumer& consumer) const
{
    FlowMap map;
    map.add("name", scalar(consumer.name))
        .add("broker", scalar(consumer.broker))
        .add("destination", destination(consumer.destination.type, consumer.destination.name));
    if (!consumer.selector.text.empty())
        map.add("selector", scalar(consumer.selector.text));
    return map.add("priority", number(std::int64_t{consumer.priority}))
        .add("at_s", number(consumer.at_s))
        .add("reply", boolean(consumer.reply))
        .add("reply_bytes", number(std::int64_t{consumer.reply_bytes}))
        .str();
}

std::string Writer::producer(const model::Producer& producer) const
{
    FlowMap map;
    map.add("name", scalar(producer.name))
        .add("broker", scalar(producer.broker))
        .add("destination", destination(producer.destination.type, producer.destination.name))
        .add("count", number(std::int64_t{producer.count}))
        .add("at_s", number(producer.at_s))
        .add("interval_ms", in_unit(producer.interval_s, seconds_per_ms));
    if (!producer.headers.empty()) {
        FlowMap headers;
        for (const auto& [name, value] : producer.headers)
            headers.add(name, scalar(value));
        map.add("headers", headers.str());
    }
    if (producer.reply_to)
        map.add("reply_to", destination(producer.reply_to->type, producer.reply_to->name));
    return map.add("bytes", number(std::int64_t{producer.bytes})).str();
}

std::string Writer::fault(const model::Fault& fault) const
{
    using Kind = model::Fault::Kind;
    FlowMap map;
    map.add("at_s", number(fault.at_s));
    const auto link = names({fault.target, fault.target2});
    switch (fault.kind) {
    case Kind::BrokerDown:
        return map.add("broker_down", scalar(fault.target)).str();
    case Kind::BrokerLost:
        return map.add("broker_lost", scalar(fault.target)).str();
    case Kind::BrokerUp:
        return map.add("broker_up", scalar(fault.target)).str();
    case Kind::LinkDown:
        return map.add("link_down", link).str();
    case Kind::LinkUp:
        return map.add("link_up", link).str();
    case Kind::LinkLatency:
        return map.add("link_latency", link)
            .add("latency_ms", in_unit(fault.latency_s, seconds_per_ms))
            .str();
    case Kind::Partition:
        return map.add("partition", scalar(fault.target)).str();
    case Kind::Heal:
        return map.add("heal", scalar(fault.target)).str();
    }
    return map.str();
}

} // namespace

std::string scenario_yaml(const model::Scenario& scenario)
{
    return Writer(scenario).write();
}

} // namespace brokersim::sweep
