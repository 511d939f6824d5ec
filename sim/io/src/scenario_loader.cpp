#include "brokersim/io/scenario_loader.hpp"

#include "brokersim/io/activemq_xml.hpp"
#include "brokersim/io/scenario_limits.hpp"
#include "brokersim/model/selector.hpp"

#include "memory_size.hpp"
#include "yaml_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <optional>

namespace brokersim::io {

namespace {

using model::Agent;
using model::Broker;
using model::Client;
using model::Connector;
using model::Datacenter;
using model::DestinationFilter;
using model::DestinationType;
using model::FactDistribution;
using model::FactValue;
using model::Link;
using model::NodeGroup;
using model::PolicyEntry;
using model::Request;

constexpr std::int64_t int_max = std::numeric_limits<int>::max();
constexpr double bps_per_mbps = 1e6;

using limits::max_bandwidth_mbps;
using limits::max_connection_memory_kb;
using limits::max_message_overhead_bytes;
using limits::max_nodes;
using limits::max_produced;
using limits::max_time_s;
using limits::min_bandwidth_mbps;

std::string too_many_nodes_reason()
{
    return fmt::format("brokersim simulates at most {} nodes in a scenario (they take about 1 KiB "
                       "of memory each)",
                       max_nodes);
}

// A key's time unit: how many seconds one is worth, and the bound written in it.
struct TimeUnit
{
    double seconds;
    std::string_view name;
    std::string_view max;
};
constexpr TimeUnit in_s{1, "s", "1e9"};
constexpr TimeUnit in_ms{1e-3, "ms", "1e12"};
constexpr TimeUnit in_us{1e-6, "us", "1e15"};
constexpr TimeUnit in_ns{1e-9, "ns", "1e18"};

enum class Sign
{
    Any,         // clock offsets
    NonNegative, // times and latencies
    Positive     // timeouts
};

constexpr double share_tolerance = 1e-6;

// Names already taken in one namespace (brokers, clients, ...), with the line of their first
// definition for the duplicate message.
class NameSet
{
public:
    explicit NameSet(std::string noun) : noun_(std::move(noun)) {}

    void add(const YamlReader& reader, const YAML::Mark& at, const std::string& name)
    {
        const auto [first, inserted] = first_lines_.try_emplace(name, at.line + 1);
        if (!inserted)
            reader.fail(at, fmt::format("duplicate {} name {} (first defined on line {})", noun_,
                                        quoted(name), first->second));
    }

private:
    std::string noun_;
    std::map<std::string, int, std::less<>> first_lines_;
};

template <typename T> std::vector<std::string> names_of(const std::vector<T>& items)
{
    std::vector<std::string> names;
    names.reserve(items.size());
    for (const auto& item : items)
        names.push_back(item.name);
    return names;
}

// Why an ActiveMQ destination pattern is malformed, if it is.
// `inside` is the text between the braces of an identity placeholder: `i` or `i:0N`.
bool is_identity_placeholder(std::string_view inside)
{
    if (inside == "i")
        return true;
    constexpr std::string_view padded = "i:0";
    constexpr std::size_t most_width_digits = 2;
    if (!inside.starts_with(padded))
        return false;
    const auto width = inside.substr(padded.size());
    return !width.empty() && width.size() <= most_width_digits && width != "0" &&
           std::all_of(width.begin(), width.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_blank(std::string_view text)
{
    return text.find_first_not_of(" \t") == std::string_view::npos;
}

class ScenarioLoader
{
public:
    ScenarioLoader(const std::string& file, std::string_view text, LoadOptions options)
        : reader_(file, text), options_(std::move(options))
    {
    }

    model::Scenario load();

private:
    void import_brokers(const Value* brokers_from);
    std::vector<Value> non_empty_list(const Value& value, std::string_view item_label) const;
    void set_bool(const MapReader& map, std::string_view key, bool& target) const;
    void read_replay(const MapReader& map, PolicyEntry& policy) const;
    void set_int(const MapReader& map, std::string_view key, int& target, std::int64_t min) const;
    double bandwidth_bps(const Value& value) const;
    double seconds(const Value& value, const TimeUnit& unit, Sign sign) const;
    std::array<double, 2> cost_by_type(const Value& value, const TimeUnit& unit) const;
    int node_count(const Value& value);
    std::uint64_t memory_limit_bytes(const Value& value) const;
    std::uint64_t policy_memory_limit_bytes(const Value& value) const;
    std::uint64_t connection_memory_bytes(const Value& value) const;

    template <typename T>
    void check_reference(const Value& value, const std::string& name, std::string_view noun,
                         const std::vector<T>& known) const;

    Datacenter read_datacenter(const Value& item);
    Broker read_broker(const Value& item);
    PolicyEntry read_policy(const Value& item) const;
    Link read_link(const Value& item);
    Connector read_connector(const Value& item);
    DestinationFilter read_destination_filter(const Value& value) const;
    NodeGroup read_node_group(const Value& item);
    void check_identity_pattern(const Value& value, const std::string& pattern, int count) const;
    void check_identity_length(const Value& value, const std::string& identity) const;
    std::vector<FactDistribution> read_facts(const Value& value) const;
    std::vector<FactValue> read_fact_shares(const Entry& fact) const;
    std::vector<model::ClassShare> read_classes(const Value& value) const;
    Client read_client(const Value& item);
    Agent read_agent(const Value& item);
    void read_run_time(const Value& value, Agent& agent) const;
    Request read_request(const Value& item) const;
    model::PlainConsumer read_consumer(const Value& item);
    model::Producer read_producer(const Value& item);
    model::Destination read_destination(const Value& value) const;
    model::Fault read_fault(const Value& item) const;
    void read_link_ends(const Value& value, model::Fault& fault) const;
    void read_filter(const Value& value, Request& request) const;
    void check_collective(const Value& value, const std::string& collective) const;

    YamlReader reader_;
    model::Scenario scenario_;
    NameSet datacenter_names_{"datacenter"};
    NameSet broker_names_{"broker"};
    NameSet node_group_names_{"node group"};
    NameSet client_names_{"client"};
    NameSet agent_names_{"agent"};
    NameSet consumer_names_{"consumer"};
    NameSet producer_names_{"producer"};
    LoadOptions options_;
    std::map<std::pair<std::string, std::string>, int> link_lines_;
    std::map<std::pair<std::string, std::string>, int> connector_lines_;
    std::int64_t node_count_ = 0;
    std::int64_t produced_count_ = 0;  // plain producers' messages so far
};

void ScenarioLoader::import_brokers(const Value* brokers_from)
{
    // brokers_from: DIR, or {dir: DIR, datacenters: {broker: datacenter, ...}}; a directory
    // given on the command line wins. Relative paths are relative to the scenario file.
    std::string dir = options_.brokers_dir;
    std::optional<Value> dir_value;
    std::vector<Entry> placement;
    if (brokers_from && brokers_from->node.IsMap()) {
        const MapReader map(reader_, *brokers_from, "brokers_from", "brokers_from key",
                            {"dir", "datacenters"});
        if (dir.empty())
            dir_value = map.require("dir");
        if (const auto datacenters = map.find("datacenters"))
            for (const auto& entry : reader_.entries(*datacenters)) {
                check_reference(entry.value, reader_.name(entry.value), "datacenter",
                                scenario_.datacenters);
                placement.push_back(entry);
            }
    } else if (brokers_from && dir.empty()) {
        dir_value = *brokers_from;
    }

    // A directory from the scenario is relative to the scenario file, and errors about it
    // point at it. (<filesystem> is not used here: it brings std::quoted into overload
    // resolution.)
    model::SourcePos dir_pos;
    if (dir_value) {
        dir = reader_.string(*dir_value);
        dir_pos = reader_.pos(dir_value->mark);
    }
    const auto written_dir = dir;
    if (dir_value && !dir.empty() && dir.front() != '/') {
        const auto slash = reader_.file().rfind('/');
        if (slash != std::string::npos)
            dir = reader_.file().substr(0, slash + 1) + dir;
    }

    auto configs = load_activemq_dir(dir, dir_pos, written_dir);
    for (const auto& warning : configs.warnings)
        scenario_.warnings.push_back(warning.to_string());
    for (const auto& entry : placement)
        check_reference(Value{entry.value.node, quoted(entry.key), entry.key_mark}, entry.key,
                        "broker", configs.brokers);
    for (auto& broker : configs.brokers) {
        const auto placed =
            std::find_if(placement.begin(), placement.end(),
                         [&](const Entry& entry) { return entry.key == broker.name; });
        broker.datacenter = placed != placement.end() ? placed->value.node.Scalar() : broker.name;
        if (!scenario_.find_datacenter(broker.datacenter))
            throw model::InputError(
                broker.pos, fmt::format("broker '{}' has no datacenter: add a datacenter named "
                                        "'{}' to the scenario, or place the broker under "
                                        "brokers_from: {{datacenters: {{{}: ...}}}}",
                                        broker.name, broker.name, broker.name));
        broker_names_.add(reader_, brokers_from ? brokers_from->mark : YAML::Mark(),
                          broker.name);
        scenario_.brokers.push_back(std::move(broker));
    }
    scenario_.connectors = std::move(configs.connectors);
}

model::Scenario ScenarioLoader::load()
{
    const auto root = reader_.parse_document();
    const MapReader top(reader_, root, "scenario", "top-level key",
                        {"name", "seed", "datacenters", "brokers", "brokers_from", "links",
                         "connectors", "nodes", "clients", "agents", "requests", "consumers",
                         "producers", "faults", "expect"});
    scenario_.file = reader_.file();
    scenario_.name = reader_.name(top.require("name"));
    if (const auto seed = top.find("seed"))
        scenario_.seed = static_cast<std::uint64_t>(
            reader_.integer(*seed, 0, std::numeric_limits<std::int64_t>::max()));

    // Sections are read in dependency order, whatever their order in the file, so that every
    // reference can be checked against a section that is already complete.
    for (const auto& item : non_empty_list(top.require("datacenters"), "a datacenter"))
        scenario_.datacenters.push_back(read_datacenter(item));
    const auto brokers_from = top.find("brokers_from");
    const bool imported = brokers_from || !options_.brokers_dir.empty();
    if (brokers_from && options_.brokers_dir.empty()) {
        for (const auto* key : {"brokers", "connectors"})
            if (const auto given = top.find(key))
                reader_.fail(*given, fmt::format("'{}' cannot be given with 'brokers_from': the "
                                                 "activemq.xml files define them",
                                                 key));
    }
    if (imported)
        import_brokers(brokers_from ? &*brokers_from : nullptr);
    else
        for (const auto& item : non_empty_list(top.require("brokers"), "a broker"))
            scenario_.brokers.push_back(read_broker(item));

    if (const auto links = top.find("links"))
        for (const auto& item : reader_.list(*links, "a link"))
            scenario_.links.push_back(read_link(item));
    if (const auto connectors = top.find("connectors"); connectors && !imported)
        for (const auto& item : reader_.list(*connectors, "a connector"))
            scenario_.connectors.push_back(read_connector(item));
    if (const auto nodes = top.find("nodes"))
        for (const auto& item : reader_.list(*nodes, "a node group"))
            scenario_.node_groups.push_back(read_node_group(item));

    if (const auto clients = top.find("clients"))
        for (const auto& item : reader_.list(*clients, "a client"))
            scenario_.clients.push_back(read_client(item));
    if (const auto agents = top.find("agents"))
        for (const auto& item : reader_.list(*agents, "an agent"))
            scenario_.agents.push_back(read_agent(item));
    if (const auto requests = top.find("requests"))
        for (const auto& item : reader_.list(*requests, "a request"))
            scenario_.requests.push_back(read_request(item));
    if (const auto consumers = top.find("consumers"))
        for (const auto& item : reader_.list(*consumers, "a consumer"))
            scenario_.consumers.push_back(read_consumer(item));
    if (const auto producers = top.find("producers"))
        for (const auto& item : reader_.list(*producers, "a producer"))
            scenario_.producers.push_back(read_producer(item));
    if (const auto faults = top.find("faults"))
        for (const auto& item : reader_.list(*faults, "a fault"))
            scenario_.faults.push_back(read_fault(item));

    if (const auto expect = top.find("expect"))
        for (const auto& item : reader_.list(*expect, "an expectation"))
            scenario_.expectations.emplace_back(reader_.string(item), reader_.pos(item.mark));
    return std::move(scenario_);
}

std::vector<Value> ScenarioLoader::non_empty_list(const Value& value,
                                                  std::string_view item_label) const
{
    auto items = reader_.list(value, item_label);
    if (items.empty())
        reader_.fail(value, fmt::format("{} must not be empty", value.label));
    return items;
}

void ScenarioLoader::set_bool(const MapReader& map, std::string_view key, bool& target) const
{
    if (const auto value = map.find(key))
        target = reader_.boolean(*value);
}

void ScenarioLoader::set_int(const MapReader& map, std::string_view key, int& target,
                             std::int64_t min) const
{
    if (const auto value = map.find(key))
        target = static_cast<int>(reader_.integer(*value, min, int_max));
}

// A broker's memory_limit_mb: MiB, as ActiveMQ's "mb"; fractions allowed, at least one byte.
std::uint64_t ScenarioLoader::memory_limit_bytes(const Value& value) const
{
    const double bytes = std::floor(reader_.positive(value) * 1024 * 1024);
    if (bytes < 1 || bytes > limits::max_memory_bytes)
        reader_.fail(value, fmt::format("{} must be between 1 byte and 4 EiB, got {}",
                                        value.label, printable(value.node.Scalar(), 30)));
    return static_cast<std::uint64_t>(bytes);
}

// A broker's connection_memory_kb: KiB, fractions allowed, at most 1 GiB per connection.
std::uint64_t ScenarioLoader::connection_memory_bytes(const Value& value) const
{
    const double kib = reader_.non_negative(value);
    if (kib > max_connection_memory_kb)
        reader_.fail(value, fmt::format("{} must be at most 1048576 (1 GiB), got {}", value.label,
                                        printable(value.node.Scalar(), 30)));
    return static_cast<std::uint64_t>(std::floor(kib * 1024));
}

// A policy's memoryLimit, as activemq.xml writes it: bytes, or "64 mb", "512 kb", "1 gb".
std::uint64_t ScenarioLoader::policy_memory_limit_bytes(const Value& value) const
{
    if (!value.node.IsScalar())
        reader_.fail_type(value, "a memory size");
    const auto bytes = parse_memory_size(value.node.Scalar());
    if (!bytes || *bytes == 0)
        reader_.fail(value, fmt::format("{} must be a memory size such as 65536, '512 kb' or "
                                        "'64 mb', got {}",
                                        value.label, quoted(printable(value.node.Scalar(), 30))));
    return *bytes;
}

double ScenarioLoader::bandwidth_bps(const Value& value) const
{
    const double mbps = reader_.positive(value);
    if (mbps > max_bandwidth_mbps)
        reader_.fail(value, fmt::format("{} must be at most 1e9 (1 Pbit/s), got {}", value.label,
                                        printable(value.node.Scalar(), 30)));
    // Below 1 kbit/s a single message takes minutes: a link that slow is a mistake in units.
    if (mbps < min_bandwidth_mbps)
        reader_.fail(value, fmt::format("{} must be at least 0.001 (1 kbit/s), got {}",
                                        value.label, printable(value.node.Scalar(), 30)));
    return mbps * bps_per_mbps;
}

// A broker's CPU cost: one number for every destination, or `{topic: N, queue: N}` (a type
// left out costs nothing). Indexed by DestinationType.
std::array<double, 2> ScenarioLoader::cost_by_type(const Value& value, const TimeUnit& unit) const
{
    std::array<double, 2> cost{};
    if (!value.node.IsMap()) {
        cost.fill(seconds(value, unit, Sign::NonNegative));
        return cost;
    }
    const MapReader map(reader_, value, value.label, "destination type", {"topic", "queue"});
    if (const auto topic = map.find("topic"))
        cost[static_cast<std::size_t>(model::DestinationType::Topic)] =
            seconds(*topic, unit, Sign::NonNegative);
    if (const auto queue = map.find("queue"))
        cost[static_cast<std::size_t>(model::DestinationType::Queue)] =
            seconds(*queue, unit, Sign::NonNegative);
    return cost;
}

// A time, duration or latency written in `unit`, in seconds; at most max_time_s either way.
double ScenarioLoader::seconds(const Value& value, const TimeUnit& unit, Sign sign) const
{
    const double written = sign == Sign::Positive      ? reader_.positive(value)
                           : sign == Sign::NonNegative ? reader_.non_negative(value)
                                                       : reader_.number(value);
    const double result = written * unit.seconds;
    if (std::abs(result) <= max_time_s)
        return result;

    const auto shown = printable(value.node.Scalar(), 30);
    const auto in_seconds = unit.seconds == 1 ? std::string() : " (1e9 s)";
    if (sign == Sign::Any)
        reader_.fail(value, fmt::format("{} must be between -{} and {} {}{}, got {}", value.label,
                                        unit.max, unit.max, unit.name, in_seconds, shown));
    reader_.fail(value, fmt::format("{} must be at most {} {}{}, got {}", value.label, unit.max,
                                    unit.name, in_seconds, shown));
}

// A node group's count, within max_nodes for the group and for all groups so far.
int ScenarioLoader::node_count(const Value& value)
{
    const auto count = reader_.integer(value, 1, max_nodes, too_many_nodes_reason());
    node_count_ += count;
    if (node_count_ > max_nodes)
        reader_.fail(value, fmt::format("'count' brings the scenario to {} nodes: {}", node_count_,
                                        too_many_nodes_reason()));
    return static_cast<int>(count);
}

template <typename T>
void ScenarioLoader::check_reference(const Value& value, const std::string& name,
                                     std::string_view noun, const std::vector<T>& known) const
{
    const bool found =
        std::any_of(known.begin(), known.end(), [&](const T& item) { return item.name == name; });
    if (!found)
        reader_.fail(value, fmt::format("unknown {} {}{}", noun, quoted(name),
                                        suggestion(name, names_of(known))));
}

Datacenter ScenarioLoader::read_datacenter(const Value& item)
{
    Datacenter datacenter;
    if (item.node.IsScalar()) {
        datacenter.name = reader_.name(item);
        datacenter.pos = reader_.pos(item.mark);
        datacenter_names_.add(reader_, item.mark, datacenter.name);
        return datacenter;
    }
    if (!item.node.IsMap())
        reader_.fail_type(item, "a name or a map");

    const MapReader map(reader_, item, "datacenter", "datacenter key",
                        {"name", "lan_latency_ms", "lan_bandwidth_mbps"});
    const auto name = map.require("name");
    datacenter.name = reader_.name(name);
    datacenter.pos = map.pos();
    datacenter_names_.add(reader_, name.mark, datacenter.name);

    if (const auto latency = map.find("lan_latency_ms"))
        datacenter.lan_latency_s = seconds(*latency, in_ms, Sign::NonNegative);
    if (const auto bandwidth = map.find("lan_bandwidth_mbps"))
        datacenter.lan_bandwidth_bps = bandwidth_bps(*bandwidth);
    return datacenter;
}

Broker ScenarioLoader::read_broker(const Value& item)
{
    const MapReader map(reader_, item, "broker", "broker key",
                        {"name", "datacenter", "policies", "clock_offset_s", "cpu_us_per_message",
                         "cpu_ns_per_byte", "memory_limit_mb", "message_overhead_bytes",
                         "memory_budget_mb", "connection_memory_kb", "keepalive_cpu_us"});
    Broker broker;
    broker.pos = map.pos();
    const auto name = map.require("name");
    broker.name = reader_.name(name);
    broker_names_.add(reader_, name.mark, broker.name);

    const auto datacenter = map.require("datacenter");
    broker.datacenter = reader_.name(datacenter);
    check_reference(datacenter, broker.datacenter, "datacenter", scenario_.datacenters);

    if (const auto policies = map.find("policies"))
        for (const auto& policy : reader_.list(*policies, "a policy"))
            broker.policies.push_back(read_policy(policy));
    if (const auto offset = map.find("clock_offset_s"))
        broker.clock_offset_s = seconds(*offset, in_s, Sign::Any);
    if (const auto cost = map.find("cpu_us_per_message"))
        broker.cpu_s_per_message = cost_by_type(*cost, in_us);
    if (const auto cost = map.find("cpu_ns_per_byte"))
        broker.cpu_s_per_byte = cost_by_type(*cost, in_ns);
    if (const auto limit = map.find("memory_limit_mb"))
        broker.memory_limit_bytes = memory_limit_bytes(*limit);
    if (const auto overhead = map.find("message_overhead_bytes"))
        broker.message_overhead_bytes =
            static_cast<std::uint32_t>(reader_.integer(*overhead, 0, max_message_overhead_bytes));
    if (const auto budget = map.find("memory_budget_mb"))
        broker.memory_budget_bytes = memory_limit_bytes(*budget);
    if (const auto memory = map.find("connection_memory_kb"))
        broker.connection_memory_bytes = connection_memory_bytes(*memory);
    if (const auto cost = map.find("keepalive_cpu_us"))
        broker.keepalive_cpu_s = seconds(*cost, in_us, Sign::NonNegative);
    return broker;
}

PolicyEntry ScenarioLoader::read_policy(const Value& item) const
{
    const MapReader map(reader_, item, "policy", "policy key",
                        {"topic", "queue", "enableAudit", "producerFlowControl", "memoryLimit",
                         "replayWhenNoConsumers", "replayDelay", "selectorAware"});
    const auto topic = map.find("topic");
    const auto queue = map.find("queue");
    if (!topic && !queue)
        reader_.fail(map.mark(), "policy is missing 'topic' or 'queue'");
    if (topic && queue) {
        const auto& later = topic->mark.pos > queue->mark.pos ? *topic : *queue;
        reader_.fail(later, "policy has both 'topic' and 'queue' (it takes exactly one)");
    }

    PolicyEntry policy;
    policy.pos = map.pos();
    const auto& pattern_value = topic ? *topic : *queue;
    policy.destination.type = topic ? DestinationType::Topic : DestinationType::Queue;
    policy.destination.pattern = reader_.string(pattern_value);
    if (const auto problem = model::pattern_problem(policy.destination.pattern))
        reader_.fail(pattern_value, fmt::format("bad destination pattern {} ({})",
                                                quoted(policy.destination.pattern), *problem));

    set_bool(map, "enableAudit", policy.enable_audit);
    set_bool(map, "producerFlowControl", policy.producer_flow_control);
    if (const auto limit = map.find("memoryLimit"))
        policy.memory_limit_bytes = policy_memory_limit_bytes(*limit);
    read_replay(map, policy);
    return policy;
}

// The conditionalNetworkBridgeFilterFactory's settings, flat in the policy: replay of queue
// messages back along their path when this broker has no consumer for them.
void ScenarioLoader::read_replay(const MapReader& map, PolicyEntry& policy) const
{
    set_bool(map, "replayWhenNoConsumers", policy.replay_when_no_consumers);
    set_bool(map, "selectorAware", policy.selector_aware);
    if (const auto delay = map.find("replayDelay"))
        policy.replay_delay_s = static_cast<double>(reader_.integer(*delay, 0, int_max)) / 1000;

    for (const std::string_view key : {"replayWhenNoConsumers", "replayDelay", "selectorAware"}) {
        const auto value = map.find(key);
        if (!value)
            continue;
        if (policy.destination.type == DestinationType::Topic)
            reader_.fail(*value, fmt::format("'{}' applies to queue policies only; topic "
                                             "messages are never replayed",
                                             key));
        if (!policy.replay_when_no_consumers && key != "replayWhenNoConsumers")
            reader_.fail(*value, fmt::format("'{}' has no effect without "
                                             "'replayWhenNoConsumers: true'",
                                             key));
    }
}

Link ScenarioLoader::read_link(const Value& item)
{
    const MapReader map(reader_, item, "link", "link key",
                        {"between", "latency_ms", "bandwidth_mbps", "transport"});
    Link link;
    link.pos = map.pos();
    const auto between = map.require("between");
    const auto ends = reader_.list(between, "an entry of 'between'");
    if (ends.size() != 2)
        reader_.fail(between, fmt::format("'between' must name exactly two datacenters, got {}",
                                          ends.size()));

    link.a = reader_.name(ends[0]);
    check_reference(ends[0], link.a, "datacenter", scenario_.datacenters);
    link.b = reader_.name(ends[1]);
    check_reference(ends[1], link.b, "datacenter", scenario_.datacenters);
    if (link.a == link.b)
        reader_.fail(ends[1], fmt::format("'between' names datacenter {} twice", quoted(link.b)));

    const auto [first, inserted] =
        link_lines_.try_emplace(std::minmax(link.a, link.b), between.mark.line + 1);
    if (!inserted)
        reader_.fail(between, fmt::format("duplicate link between {} and {} (first defined on "
                                          "line {})",
                                          quoted(link.a), quoted(link.b), first->second));

    link.latency_s = seconds(map.require("latency_ms"), in_ms, Sign::NonNegative);
    link.bandwidth_bps = bandwidth_bps(map.require("bandwidth_mbps"));
    if (const auto transport = map.find("transport")) {
        const auto text = reader_.string(*transport);
        if (text != "ssl" && text != "tcp")
            reader_.fail_type(*transport, "'ssl' or 'tcp'");
        link.transport = text == "ssl" ? model::Transport::Ssl : model::Transport::Tcp;
    }
    return link;
}

Connector ScenarioLoader::read_connector(const Value& item)
{
    const MapReader map(reader_, item, "connector", "connector attribute",
                        {"on", "to", "name", "duplex", "networkTTL", "messageTTL", "consumerTTL",
                         "conduitSubscriptions", "dynamicOnly", "decreaseNetworkConsumerPriority",
                         "consumerPriorityBase", "suppressDuplicateTopicSubscriptions",
                         "suppressDuplicateQueueSubscriptions", "bridgeTempDestinations",
                         "prefetchSize", "excludedDestinations", "dynamicallyIncludedDestinations",
                         "staticallyIncludedDestinations"});
    Connector connector;
    connector.pos = map.pos();
    const auto on = map.require("on");
    connector.on = reader_.name(on);
    check_reference(on, connector.on, "broker", scenario_.brokers);
    const auto to = map.require("to");
    connector.to = reader_.name(to);
    check_reference(to, connector.to, "broker", scenario_.brokers);
    if (connector.on == connector.to)
        reader_.fail(to, fmt::format("'on' and 'to' are both {}: a connector dials another broker",
                                     quoted(connector.to)));

    const auto name = map.find("name");
    connector.name = name ? reader_.name(*name) : fmt::format("{}-{}", connector.on, connector.to);
    const auto name_mark = name ? name->mark : map.mark();
    const auto [first, inserted] =
        connector_lines_.try_emplace(std::pair(connector.on, connector.name), name_mark.line + 1);
    if (!inserted)
        reader_.fail(name_mark,
                     fmt::format("duplicate connector name {} on broker {} (first "
                                 "defined on line {})",
                                 quoted(connector.name), quoted(connector.on), first->second));

    // networkTTL sets both TTLs; an explicit messageTTL or consumerTTL wins wherever it is.
    int network_ttl = connector.message_ttl;
    set_int(map, "networkTTL", network_ttl, -1);
    connector.message_ttl = network_ttl;
    connector.consumer_ttl = network_ttl;
    set_int(map, "messageTTL", connector.message_ttl, -1);
    set_int(map, "consumerTTL", connector.consumer_ttl, -1);

    set_bool(map, "duplex", connector.duplex);
    set_bool(map, "conduitSubscriptions", connector.conduit_subscriptions);
    set_bool(map, "dynamicOnly", connector.dynamic_only);
    set_bool(map, "decreaseNetworkConsumerPriority", connector.decrease_network_consumer_priority);
    set_int(map, "consumerPriorityBase", connector.consumer_priority_base,
            std::numeric_limits<int>::min());
    set_bool(map, "suppressDuplicateTopicSubscriptions",
             connector.suppress_duplicate_topic_subscriptions);
    set_bool(map, "suppressDuplicateQueueSubscriptions",
             connector.suppress_duplicate_queue_subscriptions);
    set_bool(map, "bridgeTempDestinations", connector.bridge_temp_destinations);
    set_int(map, "prefetchSize", connector.prefetch_size, 1);

    const std::pair<std::string_view, std::vector<DestinationFilter>*> filter_lists[] = {
        {"excludedDestinations", &connector.excluded_destinations},
        {"dynamicallyIncludedDestinations", &connector.dynamically_included_destinations},
        {"staticallyIncludedDestinations", &connector.statically_included_destinations},
    };
    for (const auto& [key, filters] : filter_lists) {
        const auto list = map.find(key);
        if (!list)
            continue;
        for (const auto& entry : reader_.list(*list, fmt::format("an entry of '{}'", key)))
            filters->push_back(read_destination_filter(entry));
    }
    return connector;
}

DestinationFilter ScenarioLoader::read_destination_filter(const Value& value) const
{
    const auto text = reader_.string(value);
    DestinationFilter filter;
    if (text.starts_with("topic:"))
        filter.type = DestinationType::Topic;
    else if (text.starts_with("queue:"))
        filter.type = DestinationType::Queue;
    else
        reader_.fail(value, fmt::format("bad destination filter {} (expected 'topic:PATTERN' or "
                                        "'queue:PATTERN')",
                                        quoted(text)));

    filter.pattern = text.substr(text.find(':') + 1);
    if (const auto problem = model::pattern_problem(filter.pattern))
        reader_.fail(value, fmt::format("bad destination filter {} ({})", quoted(text), *problem));
    return filter;
}

NodeGroup ScenarioLoader::read_node_group(const Value& item)
{
    const MapReader map(
        reader_, item, "node group", "node group key",
        {"name", "count", "broker", "identity", "facts", "classes", "agents", "collectives",
         "clock_offset_s", "direct_addressing", "failover", "heartbeat_interval_s"});
    NodeGroup group;
    group.pos = map.pos();
    group.count = node_count(map.require("count"));
    const auto broker = map.require("broker");
    group.broker = reader_.name(broker);
    check_reference(broker, group.broker, "broker", scenario_.brokers);

    const auto identity = map.require("identity");
    group.identity_pattern = reader_.name(identity);
    check_identity_pattern(identity, group.identity_pattern, group.count);
    const auto name = map.find("name");
    group.name = name ? reader_.name(*name) : group.identity_pattern;
    node_group_names_.add(reader_, name ? name->mark : identity.mark, group.name);

    if (const auto facts = map.find("facts"))
        group.facts = read_facts(*facts);
    if (const auto classes = map.find("classes"))
        group.classes = read_classes(*classes);
    if (const auto agents = map.find("agents"))
        group.agents = reader_.names(*agents);
    if (const auto collectives = map.find("collectives")) {
        group.collectives = reader_.names(*collectives);
        if (group.collectives.empty())
            reader_.fail(*collectives, "'collectives' must not be empty");
    }
    if (const auto offset = map.find("clock_offset_s"))
        group.clock_offset_s = seconds(*offset, in_s, Sign::Any);
    set_bool(map, "direct_addressing", group.direct_addressing);
    if (const auto failover = map.find("failover")) {
        for (const auto& item : reader_.list(*failover, "a broker name")) {
            const auto broker_name = reader_.name(item);
            check_reference(item, broker_name, "broker", scenario_.brokers);
            group.failover.push_back(broker_name);
        }
    }
    if (const auto heartbeat = map.find("heartbeat_interval_s")) {
        // MCollective raises any interval below 30 s to 30 s.
        const double interval = seconds(*heartbeat, in_s, Sign::NonNegative);
        group.heartbeat_interval_s = interval > 0 ? std::max(interval, 30.0) : 0.0;
    }
    return group;
}

void ScenarioLoader::check_identity_pattern(const Value& value, const std::string& pattern,
                                            int count) const
{
    bool numbered = false;
    for (auto open = pattern.find('{'); open != std::string::npos;
         open = pattern.find('{', open + 1)) {
        const auto close = pattern.find('}', open);
        const auto length = close == std::string::npos ? std::string::npos : close - open + 1;
        const auto inside = std::string_view(pattern).substr(open + 1, length - 2);
        if (close == std::string::npos || !is_identity_placeholder(inside))
            reader_.fail(reader_.mark_in_scalar(value, open),
                         fmt::format("bad placeholder {} in identity (use {{i}} or {{i:0N}})",
                                     quoted(pattern.substr(open, length))));
        numbered = true;
    }

    if (count > 1 && !numbered)
        reader_.fail(value, fmt::format("identity {} must contain {{i}} or {{i:0N}} when count "
                                        "is {}",
                                        quoted(pattern), count));
    check_identity_length(value, pattern);
}

// An MCollective identity is a host name (at most 253 characters in DNS): a longer one is a
// mistake, and filters match identities once per node and request.
void ScenarioLoader::check_identity_length(const Value& value, const std::string& identity) const
{
    constexpr std::size_t most = 255;
    if (identity.size() > most)
        reader_.fail(value, fmt::format("an identity is a host name of at most {} characters, "
                                        "got {}",
                                        most, identity.size()));
}

std::vector<FactDistribution> ScenarioLoader::read_facts(const Value& value) const
{
    std::vector<FactDistribution> facts;
    for (const auto& fact : reader_.entries(value)) {
        if (fact.key.empty())
            reader_.fail(fact.key_mark, "a fact name must not be empty");
        if (fact.value.node.IsScalar())
            facts.push_back(FactDistribution{fact.key, {FactValue{fact.value.node.Scalar(), 1.0}}});
        else if (fact.value.node.IsMap())
            facts.push_back(FactDistribution{fact.key, read_fact_shares(fact)});
        else
            reader_.fail_type(fact.value, "a value or a map of value shares");
    }
    return facts;
}

std::vector<FactValue> ScenarioLoader::read_fact_shares(const Entry& fact) const
{
    const auto shares = reader_.entries(fact.value);
    if (shares.empty())
        reader_.fail(fact.value, fmt::format("fact {} has no values", quoted(fact.key)));

    std::vector<FactValue> values;
    double total = 0;
    for (const auto& share : shares) {
        const double fraction = reader_.number(share.value);
        if (!(fraction > 0 && fraction <= 1))
            reader_.fail(share.value,
                         fmt::format("share of {} in fact {} must be greater than 0 and at most "
                                     "1, got {}",
                                     quoted(share.key), quoted(fact.key),
                                     share.value.node.Scalar()));
        values.push_back(FactValue{share.key, fraction});
        total += fraction;
    }

    if (std::abs(total - 1) > share_tolerance)
        reader_.fail(fact.key_mark, fmt::format("shares of fact {} sum to {:.7g}, not 1",
                                                quoted(fact.key), total));
    return values;
}

std::vector<model::ClassShare> ScenarioLoader::read_classes(const Value& value) const
{
    std::vector<model::ClassShare> classes;
    if (value.node.IsSequence()) {
        for (auto& name : reader_.names(value))
            classes.push_back(model::ClassShare{std::move(name), 1.0});
        return classes;
    }
    if (!value.node.IsMap())
        reader_.fail_type(value, "a list or a map");

    for (const auto& entry : reader_.entries(value)) {
        if (entry.key.empty())
            reader_.fail(entry.key_mark, "a class name must not be empty");
        const double probability = reader_.number(entry.value);
        if (probability < 0 || probability > 1)
            reader_.fail(entry.value,
                         fmt::format("probability of class {} must be between 0 and 1, got {}",
                                     quoted(entry.key), entry.value.node.Scalar()));
        classes.push_back(model::ClassShare{entry.key, probability});
    }
    return classes;
}

Client ScenarioLoader::read_client(const Value& item)
{
    const MapReader map(reader_, item, "client", "client key", {"name", "broker", "identity"});
    Client client;
    client.pos = map.pos();
    const auto name = map.require("name");
    client.name = reader_.name(name);
    client_names_.add(reader_, name.mark, client.name);

    const auto broker = map.require("broker");
    client.broker = reader_.name(broker);
    check_reference(broker, client.broker, "broker", scenario_.brokers);
    const auto identity = map.find("identity");
    client.identity = identity ? reader_.name(*identity) : client.name;
    if (identity)
        check_identity_length(*identity, client.identity);
    return client;
}

Agent ScenarioLoader::read_agent(const Value& item)
{
    const MapReader map(reader_, item, "agent", "agent key",
                        {"name", "timeout_s", "run_time_ms", "reply_bytes"});
    Agent agent;
    agent.pos = map.pos();
    const auto name = map.require("name");
    agent.name = reader_.name(name);
    agent_names_.add(reader_, name.mark, agent.name);

    if (const auto timeout = map.find("timeout_s"))
        agent.timeout_s = seconds(*timeout, in_s, Sign::Positive);
    if (const auto run_time = map.find("run_time_ms"))
        read_run_time(*run_time, agent);
    set_int(map, "reply_bytes", agent.reply_bytes, 1);
    return agent;
}

void ScenarioLoader::read_run_time(const Value& value, Agent& agent) const
{
    if (value.node.IsScalar()) {
        agent.run_time_min_s = seconds(value, in_ms, Sign::NonNegative);
        agent.run_time_max_s = agent.run_time_min_s;
        return;
    }
    if (!value.node.IsSequence())
        reader_.fail_type(value, "a number or [min, max]");

    const auto bounds = reader_.list(value, "an entry of 'run_time_ms'");
    if (bounds.size() != 2)
        reader_.fail(value, fmt::format("'run_time_ms' must be a number or [min, max], got a "
                                        "list of {}",
                                        bounds.size()));
    const double min_s = seconds(bounds[0], in_ms, Sign::NonNegative);
    const double max_s = seconds(bounds[1], in_ms, Sign::NonNegative);
    if (min_s > max_s)
        reader_.fail(bounds[1], fmt::format("'run_time_ms' maximum {} is below its minimum {}",
                                            bounds[1].node.Scalar(), bounds[0].node.Scalar()));
    agent.run_time_min_s = min_s;
    agent.run_time_max_s = max_s;
}

Request ScenarioLoader::read_request(const Value& item) const
{
    const MapReader map(reader_, item, "request", "request key",
                        {"at_s", "client", "agent", "action", "filter", "timeout_s",
                         "request_bytes", "collective", "discovery", "discovery_timeout_s",
                         "direct_addressing", "direct_addressing_threshold", "ttl_s",
                         "identities"});
    Request request;
    request.pos = map.pos();
    request.at_s = seconds(map.require("at_s"), in_s, Sign::NonNegative);
    const auto client = map.require("client");
    request.client = reader_.name(client);
    check_reference(client, request.client, "client", scenario_.clients);
    request.agent = reader_.name(map.require("agent"));
    request.action = reader_.name(map.require("action"));

    if (const auto filter = map.find("filter"))
        read_filter(*filter, request);
    if (const auto timeout = map.find("timeout_s"))
        request.timeout_s = seconds(*timeout, in_s, Sign::Positive);
    set_int(map, "request_bytes", request.request_bytes, 1);
    if (const auto discovery = map.find("discovery")) {
        const auto mode = reader_.name(*discovery);
        if (mode == "mc")
            request.discovery = model::Discovery::Mc;
        else if (mode == "none")
            request.discovery = model::Discovery::None;
        else
            reader_.fail(*discovery, fmt::format("unknown discovery method {} (valid: mc, none)",
                                                 quoted(std::string_view(mode))));
    }
    if (const auto timeout = map.find("discovery_timeout_s"))
        request.discovery_timeout_s = seconds(*timeout, in_s, Sign::Positive);
    set_bool(map, "direct_addressing", request.direct_addressing);
    set_int(map, "direct_addressing_threshold", request.direct_addressing_threshold, 0);
    if (const auto ttl = map.find("ttl_s"))
        request.ttl_s = seconds(*ttl, in_s, Sign::Positive);
    if (const auto identities = map.find("identities")) {
        request.identities = reader_.names(*identities);
        if (request.identities.empty())
            reader_.fail(*identities, "'identities' must not be empty");
    }

    const auto collective = map.find("collective");
    if (collective)
        request.collective = reader_.name(*collective);
    check_collective(collective ? *collective : item, request.collective);
    return request;
}

model::Destination ScenarioLoader::read_destination(const Value& value) const
{
    // The same "topic:NAME" / "queue:NAME" spelling as destination filters, without wildcards.
    const auto filter = read_destination_filter(value);
    if (filter.pattern.find_first_of("*>") != std::string::npos)
        reader_.fail(value, fmt::format("a destination cannot contain wildcards: {}",
                                        quoted(std::string_view(filter.to_string()))));
    return {filter.type, filter.pattern};
}

void ScenarioLoader::read_link_ends(const Value& value, model::Fault& fault) const
{
    const auto ends = reader_.list(value, "two datacenter names");
    if (ends.size() != 2)
        reader_.fail(value, "a link is named by its two datacenters, e.g. [noc, uk]");
    fault.target = reader_.name(ends[0]);
    fault.target2 = reader_.name(ends[1]);
    const auto same = [&](const model::Link& link) {
        return (link.a == fault.target && link.b == fault.target2) ||
               (link.a == fault.target2 && link.b == fault.target);
    };
    if (std::none_of(scenario_.links.begin(), scenario_.links.end(), same))
        reader_.fail(value, fmt::format("no link between {} and {}",
                                        quoted(std::string_view(fault.target)),
                                        quoted(std::string_view(fault.target2))));
}

model::Fault ScenarioLoader::read_fault(const Value& item) const
{
    const MapReader map(reader_, item, "fault", "fault key",
                        {"at_s", "broker_down", "broker_lost", "broker_up", "link_down",
                         "link_up", "link_latency", "latency_ms", "partition", "heal"});
    model::Fault fault;
    fault.pos = map.pos();
    fault.at_s = seconds(map.require("at_s"), in_s, Sign::NonNegative);

    using Kind = model::Fault::Kind;
    const std::pair<const char*, Kind> kinds[] = {
        {"broker_down", Kind::BrokerDown}, {"broker_lost", Kind::BrokerLost},
        {"broker_up", Kind::BrokerUp},
        {"link_down", Kind::LinkDown},     {"link_up", Kind::LinkUp},
        {"link_latency", Kind::LinkLatency}, {"partition", Kind::Partition},
        {"heal", Kind::Heal}};
    int found = 0;
    for (const auto& [key, kind] : kinds) {
        const auto value = map.find(key);
        if (!value)
            continue;
        if (++found > 1)
            reader_.fail(*value, "a fault does one thing: give one of broker_down, broker_lost, "
                                 "broker_up, link_down, link_up, link_latency, partition, heal");
        fault.kind = kind;
        if (kind == Kind::BrokerDown || kind == Kind::BrokerLost || kind == Kind::BrokerUp) {
            fault.target = reader_.name(*value);
            check_reference(*value, fault.target, "broker", scenario_.brokers);
        } else if (kind == Kind::Partition || kind == Kind::Heal) {
            fault.target = reader_.name(*value);
            check_reference(*value, fault.target, "datacenter", scenario_.datacenters);
        } else {
            read_link_ends(*value, fault);
        }
    }
    if (found == 0)
        reader_.fail(item, "a fault needs one of broker_down, broker_lost, broker_up, link_down, "
                           "link_up, link_latency, partition, heal");

    const auto latency = map.find("latency_ms");
    if ((fault.kind == Kind::LinkLatency) != latency.has_value())
        reader_.fail(latency ? *latency : item,
                     "'latency_ms' goes with link_latency, and only with it");
    if (latency)
        fault.latency_s = seconds(*latency, in_ms, Sign::NonNegative);
    return fault;
}

model::PlainConsumer ScenarioLoader::read_consumer(const Value& item)
{
    const MapReader map(reader_, item, "consumer", "consumer key",
                        {"name", "broker", "destination", "selector", "priority", "at_s",
                         "reply", "reply_bytes"});
    model::PlainConsumer consumer;
    consumer.pos = map.pos();
    const auto name = map.require("name");
    consumer.name = reader_.name(name);
    consumer_names_.add(reader_, name.mark, consumer.name);
    const auto broker = map.require("broker");
    consumer.broker = reader_.name(broker);
    check_reference(broker, consumer.broker, "broker", scenario_.brokers);
    consumer.destination = read_destination(map.require("destination"));

    if (const auto selector = map.find("selector")) {
        const auto text = reader_.string(*selector);
        try {
            consumer.selector = model::parse_selector(text);
        } catch (const model::FilterParseError& error) {
            const auto offset = static_cast<std::size_t>(std::max(error.column(), 1) - 1);
            reader_.fail(reader_.mark_in_scalar(*selector, offset),
                         fmt::format("bad selector: {}", printable(error.what())));
        }
    }
    if (const auto priority = map.find("priority"))
        consumer.priority = static_cast<int>(reader_.integer(*priority, -127, 127));
    if (const auto at = map.find("at_s"))
        consumer.at_s = seconds(*at, in_s, Sign::NonNegative);
    set_bool(map, "reply", consumer.reply);
    set_int(map, "reply_bytes", consumer.reply_bytes, 1);
    return consumer;
}

model::Producer ScenarioLoader::read_producer(const Value& item)
{
    const MapReader map(reader_, item, "producer", "producer key",
                        {"name", "broker", "destination", "count", "at_s", "interval_ms",
                         "headers", "reply_to", "bytes"});
    model::Producer producer;
    producer.pos = map.pos();
    const auto name = map.require("name");
    producer.name = reader_.name(name);
    producer_names_.add(reader_, name.mark, producer.name);
    const auto broker = map.require("broker");
    producer.broker = reader_.name(broker);
    check_reference(broker, producer.broker, "broker", scenario_.brokers);
    producer.destination = read_destination(map.require("destination"));

    if (const auto count = map.find("count")) {
        const auto reason = fmt::format(
            "brokersim sends at most {} plain producer messages in a scenario", max_produced);
        producer.count = static_cast<int>(reader_.integer(*count, 1, max_produced, reason));
        produced_count_ += producer.count;
        if (produced_count_ > max_produced)
            reader_.fail(*count, fmt::format("'count' brings the scenario to {} producer "
                                             "messages: {}",
                                             produced_count_, reason));
    }
    if (const auto at = map.find("at_s"))
        producer.at_s = seconds(*at, in_s, Sign::NonNegative);
    if (const auto interval = map.find("interval_ms")) {
        producer.interval_s = seconds(*interval, in_ms, Sign::NonNegative);
        const double last_s = producer.at_s + (producer.count - 1) * producer.interval_s;
        if (last_s > max_time_s)
            reader_.fail(*interval, fmt::format("the producer's last message would be sent at "
                                                "{} s, after the latest time, 1e9 s",
                                                last_s));
    }
    if (const auto headers = map.find("headers")) {
        for (const auto& entry : reader_.entries(*headers))
            producer.headers.emplace_back(entry.key, reader_.string(entry.value));
    }
    if (const auto reply_to = map.find("reply_to"))
        producer.reply_to = read_destination(*reply_to);
    set_int(map, "bytes", producer.bytes, 1);
    return producer;
}

void ScenarioLoader::read_filter(const Value& value, Request& request) const
{
    request.filter_text = reader_.string(value);
    if (is_blank(request.filter_text))
        return;

    try {
        request.filter = model::Filter::parse(request.filter_text);
    } catch (const model::FilterParseError& error) {
        const auto offset = static_cast<std::size_t>(std::max(error.column(), 1) - 1);
        reader_.fail(reader_.mark_in_scalar(value, offset),
                     fmt::format("bad filter: {}", printable(error.what())));
    } catch (const std::exception& error) {
        // Whatever else the filter parser rejects is still the user's filter, not a crash.
        reader_.fail(value, fmt::format("bad filter: {}", printable(error.what())));
    }
}

void ScenarioLoader::check_collective(const Value& value, const std::string& collective) const
{
    std::vector<std::string> known;
    for (const auto& group : scenario_.node_groups) {
        for (const auto& name : group.collectives) {
            if (name == collective)
                return;
            if (std::find(known.begin(), known.end(), name) == known.end())
                known.push_back(name);
        }
    }
    reader_.fail(value, fmt::format("no node group is in collective {}{}", quoted(collective),
                                    suggestion(collective, known)));
}

std::string read_file(const std::string& path)
{
    const auto cannot_read = [&path] {
        return model::InputError(
            model::SourcePos{path, 0, 0},
            fmt::format("cannot read scenario file: {}", std::strerror(errno)));
    };
    errno = 0;
    const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                               &std::fclose);
    if (!file)
        throw cannot_read();

    std::string text;
    char buffer[1 << 16];
    std::size_t got = 0;
    while ((got = std::fread(buffer, 1, sizeof buffer, file.get())) > 0)
        text.append(buffer, got);
    if (std::ferror(file.get()))
        throw cannot_read();
    return text;
}

} // namespace

model::Scenario load_scenario(const std::string& path, const LoadOptions& options)
{
    return load_scenario_text(read_file(path), path, options);
}

model::Scenario load_scenario_text(std::string_view text, const std::string& file_name,
                                   const LoadOptions& options)
{
    return ScenarioLoader(file_name, text, options).load();
}

} // namespace brokersim::io
