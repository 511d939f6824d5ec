// The lint rules. Each looks at the connector graph the way ActiveMQ would build it and names
// the one place in the file a person would change.
#include "brokersim/check/lint.hpp"

#include "bridge_graph.hpp"
#include "text_util.hpp"

#include "brokersim/model/broker_load.hpp"
#include "brokersim/model/topology.hpp"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/biconnected_components.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

namespace brokersim::check {

namespace {

using model::Destination;
using model::DestinationType;

// The destinations MCollective traffic uses, for the rules to ask the connectors about. Every
// request starts with discovery on the discovery agent's topic, so that topic stands for
// requests; the agents' own topics are filtered the same way by any realistic connector.
Destination request_topic(const std::string& collective)
{
    return {DestinationType::Topic, collective + ".discovery.agent"};
}

Destination reply_queue(const std::string& collective, const model::Client& client)
{
    return {DestinationType::Queue,
            fmt::format("{}.reply.{}_1000.0", collective,
                        client.identity.empty() ? client.name : client.identity)};
}

Destination nodes_queue(const std::string& collective)
{
    return {DestinationType::Queue, collective + ".nodes"};
}

std::string ttl_text(const model::Connector& connector)
{
    if (connector.message_ttl == connector.consumer_ttl)
        return fmt::format("networkTTL {}", connector.message_ttl);
    return fmt::format("messageTTL {}, consumerTTL {}", connector.message_ttl,
                       connector.consumer_ttl);
}

class Linter
{
public:
    explicit Linter(const model::Scenario& scenario) : scenario_(scenario), graph_(scenario)
    {
        // The collectives in use; MCollective's default when nothing names one.
        const auto add_collective = [&](const std::string& collective) {
            if (std::find(collectives_.begin(), collectives_.end(), collective) ==
                collectives_.end())
                collectives_.push_back(collective);
        };
        for (const auto& group : scenario.node_groups)
            for (const auto& collective : group.collectives)
                add_collective(collective);
        for (const auto& request : scenario.requests)
            add_collective(request.collective);
        if (collectives_.empty())
            collectives_.push_back("mcollective");
    }

    std::vector<Finding> run()
    {
        check_request_and_reply_paths();
        check_duplicate_cycles();
        check_duplex_at_both_ends();
        check_queue_conduits();
        check_unreachable_brokers();
        check_group_datacenters();
        check_clients_beside_nodes();
        check_nodes_per_broker();
        check_broker_heap();

        std::stable_sort(findings_.begin(), findings_.end(), [](const auto& a, const auto& b) {
            return std::tie(a.pos.file, a.pos.line, a.pos.column, a.id) <
                   std::tie(b.pos.file, b.pos.line, b.pos.column, b.id);
        });
        return std::move(findings_);
    }

private:
    void add(std::string id, Severity severity, const model::SourcePos& pos, std::string message,
             std::string fix)
    {
        findings_.push_back({std::move(id), severity, pos, std::move(message), std::move(fix)});
    }

    std::string broker_name(int broker) const { return scenario_.brokers[broker].name; }

    std::string chain_text(const std::vector<int>& chain) const
    {
        std::string text = broker_name(graph_.bridges()[chain.front()].from);
        for (const int bridge : chain)
            text += " > " + broker_name(graph_.bridges()[bridge].to);
        return text;
    }

    // BS001 / BS003: the chain is there but the TTLs stop it. Points at the first connector
    // that needs a larger networkTTL and names all of them in the fix.
    void ttl_finding(std::string id, const Reach& reach, const std::string& what)
    {
        std::vector<std::string> described, names;
        std::vector<int> seen;
        for (const int hop : reach.short_hops) {
            const int connector = graph_.bridges()[reach.path[hop]].connector;
            if (std::find(seen.begin(), seen.end(), connector) != seen.end())
                continue;
            seen.push_back(connector);
            const auto& c = scenario_.connectors[connector];
            described.push_back(fmt::format("{} ({})", single_quoted(c.name), ttl_text(c)));
            names.push_back(single_quoted(c.name));
        }

        const auto hops = reach.path.size();
        add(std::move(id), Severity::Error, scenario_.connectors[seen.front()].pos,
            fmt::format("{}: the bridge chain {} takes {} hops, more than connector{} {} "
                        "allow{}",
                        what, chain_text(reach.path), hops, seen.size() > 1 ? "s" : "",
                        join(described), seen.size() > 1 ? "" : "s"),
            fmt::format("set networkTTL: {} on connector{} {}", hops, names.size() > 1 ? "s" : "",
                        join(names)));
    }

    void check_request_and_reply_paths()
    {
        for (const auto& client : scenario_.clients) {
            const int client_broker = graph_.broker_index(client.broker);
            for (const auto& group : scenario_.node_groups) {
                const int group_broker = graph_.broker_index(group.broker);
                for (const auto& collective : group.collectives) {
                    check_requests(client, client_broker, group, group_broker, collective);
                    check_replies(client, client_broker, group, group_broker, collective);
                }
            }
        }
    }

    void check_requests(const model::Client& client, int client_broker,
                        const model::NodeGroup& group, int group_broker,
                        const std::string& collective)
    {
        const auto topic = request_topic(collective);
        const auto reach = graph_.reach(client_broker, group_broker, topic);
        const auto what = fmt::format("requests from client {} (broker {}) cannot reach node "
                                      "group {} (broker {})",
                                      single_quoted(client.name), client.broker,
                                      single_quoted(group.name), group.broker);
        if (reach.kind == Reach::Kind::TtlTooSmall)
            ttl_finding("BS001", reach, what);
        else if (reach.kind == Reach::Kind::NoPath)
            add("BS002", Severity::Error, group.pos,
                fmt::format("{}: no chain of bridges from {} to {} lets {} through", what,
                            client.broker, group.broker, topic.to_string()),
                fmt::format("add a duplex connector that carries topics between broker {} and "
                            "the broker network",
                            group.broker));
    }

    void check_replies(const model::Client& client, int client_broker,
                       const model::NodeGroup& group, int group_broker,
                       const std::string& collective)
    {
        const auto queue = reply_queue(collective, client);
        const auto reach = graph_.reach(group_broker, client_broker, queue);
        const auto what = fmt::format("replies from node group {} (broker {}) cannot reach "
                                      "client {} (broker {})",
                                      single_quoted(group.name), group.broker,
                                      single_quoted(client.name), client.broker);
        if (reach.kind == Reach::Kind::TtlTooSmall)
            ttl_finding("BS003", reach, what);
        else if (reach.kind == Reach::Kind::NoPath)
            add("BS004", Severity::Error, client.pos,
                fmt::format("{}: no chain of bridges from {} to {} lets {} through", what,
                            group.broker, client.broker, queue.to_string()),
                fmt::format("make the queue-carrying connectors between broker {} and broker {} "
                            "duplex, or add one that forwards towards {}",
                            group.broker, client.broker, client.broker));
    }

    bool carries_topics(const model::Connector& connector) const
    {
        return std::any_of(collectives_.begin(), collectives_.end(),
                           [&](const auto& c) { return connector.carries(request_topic(c)); });
    }

    // Whether the connector lets the nodes queue through for a collective whose nodes listen
    // on it (direct addressing on).
    bool carries_direct_requests(const model::Connector& connector) const
    {
        for (const auto& group : scenario_.node_groups)
            if (group.direct_addressing)
                for (const auto& collective : group.collectives)
                    if (connector.carries(nodes_queue(collective)))
                        return true;
        return false;
    }

    // A topic's duplicate audit on a broker: the first matching policy entry decides, as in
    // the engine.
    bool audits(const model::Broker& broker, const Destination& topic) const
    {
        for (const auto& policy : broker.policies)
            if (policy.destination.matches(topic))
                return policy.enable_audit;
        return false;
    }

    bool audits_all_collectives(const model::Broker& broker) const
    {
        return std::all_of(collectives_.begin(), collectives_.end(),
                           [&](const auto& c) { return audits(broker, request_topic(c)); });
    }

    // BS005: a cycle of topic-carrying connectors (a biconnected component of three brokers or
    // more) lets a copy reach a broker twice when a TTL allows a second hop; only a topic
    // policy's audit on the receiving broker drops the second copy.
    void check_duplicate_cycles()
    {
        using Graph =
            boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property,
                                  boost::property<boost::edge_index_t, int>>;
        Graph graph(scenario_.brokers.size());
        for (std::size_t i = 0; i < scenario_.connectors.size(); ++i) {
            const auto& connector = scenario_.connectors[i];
            const int on = graph_.broker_index(connector.on);
            const int to = graph_.broker_index(connector.to);
            if (on >= 0 && to >= 0 && carries_topics(connector))
                boost::add_edge(on, to, static_cast<int>(i), graph);
        }
        std::vector<std::size_t> components(scenario_.connectors.size());
        const auto component = boost::make_iterator_property_map(
            components.begin(), boost::get(boost::edge_index, graph));
        const auto count = boost::biconnected_components(graph, component);

        std::vector<std::set<int>> brokers(count);
        std::vector<std::vector<int>> connectors(count);
        for (auto [edge, end] = boost::edges(graph); edge != end; ++edge) {
            const auto c = component[*edge];
            brokers[c].insert(static_cast<int>(boost::source(*edge, graph)));
            brokers[c].insert(static_cast<int>(boost::target(*edge, graph)));
            connectors[c].push_back(boost::get(boost::edge_index, graph, *edge));
        }
        for (std::size_t c = 0; c < count; ++c)
            duplicate_cycle_finding(brokers[c], connectors[c]);
    }

    void duplicate_cycle_finding(const std::set<int>& brokers, std::vector<int> connectors)
    {
        if (brokers.size() < 3)
            return;
        std::sort(connectors.begin(), connectors.end());
        const auto second_hop = std::find_if(connectors.begin(), connectors.end(), [&](int i) {
            const int ttl = scenario_.connectors[i].message_ttl;
            return ttl == -1 || ttl >= 2;
        });
        if (second_hop == connectors.end())
            return;

        std::vector<std::string> members, unaudited;
        for (const int broker : brokers) {
            members.push_back(broker_name(broker));
            if (!audits_all_collectives(scenario_.brokers[broker]))
                unaudited.push_back(broker_name(broker));
        }
        if (unaudited.empty())
            return;
        const auto& connector = scenario_.connectors[*second_hop];
        add("BS005", Severity::Warning, connector.pos,
            fmt::format("brokers {} form a cycle of topic-carrying connectors and connector {} "
                        "has {}: a request can reach {} by two routes, and without a topic "
                        "policy's audit their nodes run it twice",
                        join(members), single_quoted(connector.name), ttl_text(connector),
                        join(unaudited)),
            fmt::format("add policies: [{{topic: \">\", enableAudit: true}}] to broker{} {}, or "
                        "set networkTTL: 1 on the cycle's connectors",
                        unaudited.size() > 1 ? "s" : "", join(unaudited)));
    }

    bool overlap(const model::Connector& a, const model::Connector& b) const
    {
        for (const auto& collective : collectives_)
            for (const auto& destination : {request_topic(collective), nodes_queue(collective)})
                if (a.carries(destination) && b.carries(destination))
                    return true;
        return false;
    }

    // BS006: a duplex connector already bridges both ways; a second one from the other end
    // doubles the bridges.
    void check_duplex_at_both_ends()
    {
        const auto& connectors = scenario_.connectors;
        for (std::size_t j = 0; j < connectors.size(); ++j) {
            const auto& later = connectors[j];
            for (std::size_t i = 0; i < j; ++i) {
                const auto& earlier = connectors[i];
                if (!earlier.duplex || !later.duplex || earlier.on != later.to ||
                    earlier.to != later.on || !overlap(earlier, later))
                    continue;
                add("BS006", Severity::Warning, later.pos,
                    fmt::format("duplex connectors {} on {} and {} on {} both bridge {} and {} in "
                                "both directions: topic demand is doubled unless duplicate "
                                "subscription suppression removes it, and queue messages get two "
                                "competing network consumers",
                                single_quoted(earlier.name), earlier.on, single_quoted(later.name),
                                later.on, earlier.on, earlier.to),
                    fmt::format("remove connector {} from broker {}: {} on {} already carries "
                                "both directions",
                                single_quoted(later.name), later.on, single_quoted(earlier.name),
                                earlier.on));
                break;
            }
        }
    }

    // BS007: conduit subscriptions merge the node consumers of the nodes queue into one
    // demand without their selectors.
    void check_queue_conduits()
    {
        for (const auto& connector : scenario_.connectors) {
            if (!connector.conduit_subscriptions || !carries_direct_requests(connector))
                continue;
            add("BS007", Severity::Warning, connector.pos,
                fmt::format("connector {} carries queues with conduitSubscriptions true: its "
                            "demand for the nodes queue drops the nodes' mc_identity selectors, "
                            "so a direct request can go to a broker without its node and stay "
                            "stranded there",
                            single_quoted(connector.name)),
                fmt::format("set conduitSubscriptions: false on {}, or split it into a "
                            "topics-only connector and a queues-only one without conduit",
                            single_quoted(connector.name)));
        }
    }

    // BS008: nothing a client publishes can get to a broker no bridge leads to.
    void check_unreachable_brokers()
    {
        std::vector<int> sources;
        std::vector<std::string> client_brokers;
        for (const auto& client : scenario_.clients) {
            sources.push_back(graph_.broker_index(client.broker));
            if (std::find(client_brokers.begin(), client_brokers.end(), client.broker) ==
                client_brokers.end())
                client_brokers.push_back(client.broker);
        }
        if (sources.empty())
            return;

        const auto reached = graph_.reachable_from(sources);
        for (std::size_t b = 0; b < scenario_.brokers.size(); ++b) {
            if (reached[b])
                continue;
            const auto& broker = scenario_.brokers[b];
            add("BS008", Severity::Warning, broker.pos,
                fmt::format("broker {} cannot be reached over the network connectors from any "
                            "client's broker ({})",
                            broker.name, join(client_brokers)),
                fmt::format("add a network connector from a reachable broker to {}, or make the "
                            "connector between them duplex",
                            broker.name));
        }
    }

    // BS009: a `datacenter` fact naming a datacenter of the scenario other than the broker's.
    void check_group_datacenters()
    {
        for (const auto& group : scenario_.node_groups) {
            const auto* broker = scenario_.find_broker(group.broker);
            if (broker == nullptr)
                continue;
            for (const auto& fact : group.facts) {
                if (fact.name != "datacenter")
                    continue;
                for (const auto& value : fact.values) {
                    if (value.value == broker->datacenter ||
                        scenario_.find_datacenter(value.value) == nullptr)
                        continue;
                    add("BS009", Severity::Warning, group.pos,
                        fmt::format("node group {} has datacenter fact {} but its broker {} is "
                                    "in datacenter {}",
                                    single_quoted(group.name), single_quoted(value.value),
                                    broker->name, broker->datacenter),
                        fmt::format("attach {} to a broker in datacenter {}, or correct its "
                                    "datacenter fact",
                                    single_quoted(group.name), value.value));
                }
            }
        }
    }

    // BS010: clients and nodes only talk to their own broker, so a client on a broker with
    // nodes reaches those nodes locally, never through a bridge.
    void check_clients_beside_nodes()
    {
        for (const auto& client : scenario_.clients) {
            std::vector<std::string> local;
            for (const auto& group : scenario_.node_groups)
                if (group.broker == client.broker)
                    local.push_back(single_quoted(group.name));
            if (local.empty())
                continue;
            add("BS010", Severity::Info, client.pos,
                fmt::format("client {} shares broker {} with node group{} {}: its requests and "
                            "their replies never cross a bridge, so their results do not test "
                            "the broker network",
                            single_quoted(client.name), client.broker, local.size() > 1 ? "s" : "",
                            join(local)),
                fmt::format("put {} on a broker without nodes if these groups should test the "
                            "network path",
                            single_quoted(client.name)));
        }
    }

    // BS011: MCollective's ActiveMQ deployment guide puts one broker at about 800 connected
    // nodes; brokersim models a connection's memory and keep-alive CPU (BS012) but not the
    // rest of what a connection costs a broker, so its results for a broker with more do not
    // show that limit.
    void check_nodes_per_broker()
    {
        constexpr std::uint64_t kGuideNodesPerBroker = 800;
        for (const auto& broker : scenario_.brokers) {
            std::uint64_t nodes = 0;
            for (const auto& group : scenario_.node_groups)
                nodes += group.broker == broker.name ? static_cast<std::uint64_t>(group.count) : 0;
            if (nodes <= kGuideNodesPerBroker)
                continue;
            add("BS011", Severity::Info, broker.pos,
                fmt::format("broker {} has {} nodes connected; MCollective's ActiveMQ deployment "
                            "guide suggests about {} per broker, and brokersim models only the "
                            "memory and keep-alive CPU of each connection, so its results may "
                            "not show that limit",
                            broker.name, nodes, kGuideNodesPerBroker),
                fmt::format("spread {}'s nodes over more brokers, or check its capacity on a real "
                            "broker",
                            broker.name));
        }
    }

    // BS012: what a broker's JVM heap must hold: the memory of its connections (thread stacks,
    // buffers, per-connection state) and, at worst, messages up to its memoryUsage limit. When
    // the two together exceed the heap, a broker that fills its memoryUsage runs out of heap
    // instead of holding its producers. Keep-alives that take all of a broker's CPU leave none
    // for messages: the engine refuses such a scenario, so it is an error here.
    void check_broker_heap()
    {
        const auto loads = model::broker_loads(scenario_);
        constexpr double mib = 1024.0 * 1024.0;
        for (std::size_t b = 0; b < loads.size(); ++b) {
            const auto& broker = scenario_.brokers[b];
            const auto& load = loads[b];
            if (load.keepalive_cpu_fraction > model::kMostKeepaliveShare)
                add("BS012", Severity::Error, broker.pos,
                    fmt::format("broker {}'s {} connections would spend {:.1f} % of its CPU on "
                                "keep-alives, more than the {:.0f} % brokersim allows",
                                broker.name, load.connections,
                                std::min(load.keepalive_cpu_fraction, 9.999e6) * 100,
                                model::kMostKeepaliveShare * 100),
                    fmt::format("raise the node groups' heartbeat_interval_s or lower {}'s "
                                "keepalive_cpu_us",
                                broker.name));
            const auto needed = load.connection_memory_bytes + load.memory_limit_bytes;
            if (needed <= broker.memory_budget_bytes)
                continue;
            // The smallest heap that fits: a limit above the heap becomes 70 % of it, so then
            // the connections must fit in the other 30 %.
            const double with_reset = load.connection_memory_bytes / 0.3;
            const double budget =
                broker.memory_limit_bytes > with_reset
                    ? with_reset
                    : double(load.connection_memory_bytes + broker.memory_limit_bytes);
            add("BS012", Severity::Warning, broker.pos,
                fmt::format("broker {} needs {:.1f} MiB of heap for {} connections and {:.1f} "
                            "MiB for its memoryUsage limit, more than its {:.1f} MiB budget: "
                            "when memory fills it runs out of heap before producer flow "
                            "control holds its producers",
                            broker.name, load.connection_memory_bytes / mib, load.connections,
                            load.memory_limit_bytes / mib, broker.memory_budget_bytes / mib),
                fmt::format("raise {}'s memory_budget_mb (the JVM's -Xmx) to at least {:.0f}, "
                            "lower its memory_limit_mb, or spread its connections over more "
                            "brokers",
                            broker.name, std::ceil(budget / mib)));
        }
    }

    const model::Scenario& scenario_;
    BridgeGraph graph_;
    std::vector<std::string> collectives_;
    std::vector<Finding> findings_;
};

} // namespace

std::string_view to_string(Severity severity)
{
    switch (severity) {
    case Severity::Error:
        return "error";
    case Severity::Warning:
        return "warning";
    case Severity::Info:
        return "info";
    }
    return "info";
}

std::vector<Finding> lint(const model::Scenario& scenario)
{
    model::Topology(scenario).check_connectors();
    return Linter(scenario).run();
}

bool has_errors(const std::vector<Finding>& findings)
{
    return std::any_of(findings.begin(), findings.end(),
                       [](const auto& f) { return f.severity == Severity::Error; });
}

std::string findings_text(const std::vector<Finding>& findings)
{
    std::string out;
    std::map<Severity, int> counts;
    for (const auto& f : findings) {
        out += fmt::format("{}: {}: {} {}\n    fix: {}\n", f.pos.to_string(), to_string(f.severity),
                           f.id, f.message, f.fix);
        ++counts[f.severity];
    }
    const auto plural = [](int n) { return n == 1 ? "" : "s"; };
    out += fmt::format("lint: {} error{}, {} warning{}, {} info\n", counts[Severity::Error],
                       plural(counts[Severity::Error]), counts[Severity::Warning],
                       plural(counts[Severity::Warning]), counts[Severity::Info]);
    return out;
}

std::string findings_json(const std::vector<Finding>& findings)
{
    nlohmann::ordered_json root;
    auto& list = root["findings"] = nlohmann::ordered_json::array();
    std::map<Severity, int> counts;
    for (const auto& f : findings) {
        list.push_back({{"id", f.id},
                        {"severity", to_string(f.severity)},
                        {"file", f.pos.file},
                        {"line", f.pos.line},
                        {"column", f.pos.column},
                        {"message", f.message},
                        {"fix", f.fix}});
        ++counts[f.severity];
    }
    root["errors"] = counts[Severity::Error];
    root["warnings"] = counts[Severity::Warning];
    root["info"] = counts[Severity::Info];
    return root.dump(2) + "\n";
}

} // namespace brokersim::check
