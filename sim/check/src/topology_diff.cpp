// The scenario side of `brokersim diff`: each object of the network described as a name and
// its attributes in the scenario file's own words, then compared between OLD and NEW.
#include "brokersim/check/diff.hpp"

#include "text_util.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace brokersim::check {

namespace {

struct Described
{
    std::string object;
    std::string name; // as the file writes it
    std::vector<std::pair<std::string, std::string>> attributes;
    std::vector<std::pair<std::string, std::string>> defaults; // of a default-made object
    std::string key; // what matches it between OLD and NEW; the name when empty
};

std::string yes_no(bool value)
{
    return value ? "true" : "false";
}

std::string ms(double seconds)
{
    return plain_number(seconds * 1000.0);
}

std::string mbps(double bps)
{
    return plain_number(bps / 1e6);
}

std::string filters(const std::vector<model::DestinationFilter>& list)
{
    std::vector<std::string> items;
    for (const auto& filter : list)
        items.push_back(filter.to_string());
    return fmt::format("[{}]", join(items));
}

std::string names(const std::vector<std::string>& list)
{
    return fmt::format("[{}]", join(list));
}

Described describe(const model::Datacenter& dc)
{
    return {"datacenter",
            dc.name,
            {{"lan_latency_ms", ms(dc.lan_latency_s)},
             {"lan_bandwidth_mbps", mbps(dc.lan_bandwidth_bps)}}};
}

Described describe(const model::Broker& broker)
{
    std::vector<std::string> policies;
    for (const auto& policy : broker.policies)
        policies.push_back(fmt::format("{} enableAudit {} producerFlowControl {}",
                                       policy.destination.to_string(), yes_no(policy.enable_audit),
                                       yes_no(policy.producer_flow_control)));
    return {"broker",
            broker.name,
            {{"datacenter", broker.datacenter},
             {"policies", fmt::format("[{}]", join(policies, "; "))}}};
}

Described describe(const model::Link& link)
{
    // Either way round is the same link.
    const auto& [first, second] = std::minmax(link.a, link.b);
    Described described{"link",
                        fmt::format("{}<->{}", link.a, link.b),
                        {{"latency_ms", ms(link.latency_s)},
                         {"bandwidth_mbps", mbps(link.bandwidth_bps)},
                         {"transport", link.transport == model::Transport::Ssl ? "ssl" : "tcp"}}};
    described.key = fmt::format("{}<->{}", first, second);
    return described;
}

Described describe(const model::Connector& c)
{
    return {
        "connector",
        fmt::format("{}/{}", c.on, c.name),
        {{"to", c.to},
         {"duplex", yes_no(c.duplex)},
         {"messageTTL", std::to_string(c.message_ttl)},
         {"consumerTTL", std::to_string(c.consumer_ttl)},
         {"conduitSubscriptions", yes_no(c.conduit_subscriptions)},
         {"dynamicOnly", yes_no(c.dynamic_only)},
         {"decreaseNetworkConsumerPriority", yes_no(c.decrease_network_consumer_priority)},
         {"consumerPriorityBase", std::to_string(c.consumer_priority_base)},
         {"suppressDuplicateTopicSubscriptions", yes_no(c.suppress_duplicate_topic_subscriptions)},
         {"suppressDuplicateQueueSubscriptions", yes_no(c.suppress_duplicate_queue_subscriptions)},
         {"bridgeTempDestinations", yes_no(c.bridge_temp_destinations)},
         {"prefetchSize", std::to_string(c.prefetch_size)},
         {"excludedDestinations", filters(c.excluded_destinations)},
         {"dynamicallyIncludedDestinations", filters(c.dynamically_included_destinations)},
         {"staticallyIncludedDestinations", filters(c.statically_included_destinations)}}};
}

Described describe(const model::NodeGroup& group)
{
    std::vector<std::string> facts, classes;
    for (const auto& fact : group.facts) {
        std::vector<std::string> values;
        for (const auto& value : fact.values)
            values.push_back(fmt::format("{} {}", value.value, plain_number(value.share)));
        facts.push_back(fmt::format("{}: {}", fact.name, join(values)));
    }
    for (const auto& c : group.classes)
        classes.push_back(fmt::format("{} {}", c.name, plain_number(c.probability)));
    return {"node group",
            group.name,
            {{"count", std::to_string(group.count)},
             {"broker", group.broker},
             {"identity", group.identity_pattern},
             {"facts", fmt::format("[{}]", join(facts, "; "))},
             {"classes", names(classes)},
             {"agents", names(group.agents)},
             {"collectives", names(group.collectives)}}};
}

Described describe(const model::Client& client)
{
    return {"client", client.name, {{"broker", client.broker}, {"identity", client.identity}}};
}

template <typename T> void describe_all(const std::vector<T>& items, std::vector<Described>& out)
{
    const auto defaults = describe(T{}).attributes;
    for (const auto& item : items) {
        out.push_back(describe(item));
        if (out.back().key.empty())
            out.back().key = out.back().name;
        out.back().defaults = defaults;
    }
}

std::vector<Described> describe(const model::Scenario& scenario)
{
    std::vector<Described> out;
    describe_all(scenario.datacenters, out);
    describe_all(scenario.brokers, out);
    describe_all(scenario.links, out);
    describe_all(scenario.connectors, out);
    describe_all(scenario.node_groups, out);
    describe_all(scenario.clients, out);
    return out;
}

const Described* find(const std::vector<Described>& items, const Described& like)
{
    const auto it = std::find_if(items.begin(), items.end(), [&](const Described& d) {
        return d.object == like.object && d.key == like.key;
    });
    return it == items.end() ? nullptr : &*it;
}

// An added or removed object's attributes that differ from a default-made one: what a person
// wrote for it.
std::vector<AttributeChange> written(const Described& item, bool added)
{
    std::vector<AttributeChange> attributes;
    for (std::size_t i = 0; i < item.attributes.size(); ++i) {
        const auto& [name, value] = item.attributes[i];
        if (value == item.defaults[i].second)
            continue;
        attributes.push_back({name, added ? "" : value, added ? value : ""});
    }
    return attributes;
}

// networkTTL sets messageTTL and consumerTTL alike; say so when both moved together.
void merge_network_ttl(std::vector<AttributeChange>& attributes)
{
    const auto find = [&](std::string_view name) {
        return std::find_if(attributes.begin(), attributes.end(),
                            [&](const auto& a) { return a.name == name; });
    };
    const auto message = find("messageTTL");
    const auto consumer = find("consumerTTL");
    if (message == attributes.end() || consumer == attributes.end() ||
        message->old_value != consumer->old_value || message->new_value != consumer->new_value)
        return;
    message->name = "networkTTL";
    attributes.erase(consumer);
}

} // namespace

std::vector<TopologyChange> diff_topology(const model::Scenario& old_scenario,
                                          const model::Scenario& new_scenario)
{
    const auto before = describe(old_scenario);
    const auto after = describe(new_scenario);

    // OLD's order first (removed and changed objects where they were), then NEW's additions.
    std::vector<TopologyChange> changes;
    for (const auto& old_item : before) {
        const auto* new_item = find(after, old_item);
        if (new_item == nullptr) {
            changes.push_back({TopologyChange::Kind::Removed, old_item.object, old_item.name,
                               written(old_item, false)});
            merge_network_ttl(changes.back().attributes);
            continue;
        }
        TopologyChange change{TopologyChange::Kind::Changed, old_item.object, old_item.name};
        for (std::size_t i = 0; i < old_item.attributes.size(); ++i)
            if (old_item.attributes[i].second != new_item->attributes[i].second)
                change.attributes.push_back({old_item.attributes[i].first,
                                             old_item.attributes[i].second,
                                             new_item->attributes[i].second});
        merge_network_ttl(change.attributes);
        if (!change.attributes.empty())
            changes.push_back(std::move(change));
    }
    for (const auto& new_item : after) {
        if (find(before, new_item) != nullptr)
            continue;
        changes.push_back(
            {TopologyChange::Kind::Added, new_item.object, new_item.name, written(new_item, true)});
        merge_network_ttl(changes.back().attributes);
    }
    return changes;
}

} // namespace brokersim::check
