#include "bridge_graph.hpp"

#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/filtered_graph.hpp>

#include <algorithm>
#include <functional>

namespace brokersim::check {

namespace {

bool ttl_allows(int ttl, int needed)
{
    return ttl == -1 || ttl >= needed;
}

// Remembers, for every broker the search reaches, the bridge it was reached by.
class ChainRecorder : public boost::default_bfs_visitor
{
public:
    explicit ChainRecorder(std::vector<int>& via) : via_(&via) {}

    template <typename Edge, typename G> void tree_edge(Edge edge, const G& graph) const
    {
        (*via_)[boost::target(edge, graph)] = boost::get(boost::edge_index, graph, edge);
    }

private:
    std::vector<int>* via_;
};

class ReachRecorder : public boost::default_bfs_visitor
{
public:
    explicit ReachRecorder(std::vector<bool>& reached) : reached_(&reached) {}

    template <typename Vertex, typename G> void discover_vertex(Vertex vertex, const G&) const
    {
        (*reached_)[vertex] = true;
    }

private:
    std::vector<bool>* reached_;
};

} // namespace

BridgeGraph::BridgeGraph(const model::Scenario& scenario)
    : scenario_(scenario), graph_(scenario.brokers.size())
{
    for (std::size_t i = 0; i < scenario.connectors.size(); ++i) {
        const auto& connector = scenario.connectors[i];
        const int on = broker_index(connector.on);
        const int to = broker_index(connector.to);
        if (on < 0 || to < 0)
            continue; // the loader has already refused such a scenario
        bridges_.push_back({static_cast<int>(i), false, on, to});
        if (connector.duplex)
            bridges_.push_back({static_cast<int>(i), true, to, on});
    }
    for (std::size_t b = 0; b < bridges_.size(); ++b)
        boost::add_edge(bridges_[b].from, bridges_[b].to, static_cast<int>(b), graph_);
}

int BridgeGraph::broker_index(std::string_view name) const
{
    const auto* broker = scenario_.find_broker(name);
    return broker == nullptr ? -1 : static_cast<int>(broker - scenario_.brokers.data());
}

bool BridgeGraph::hop_allows(int bridge, int hop, int hops) const
{
    const auto& connector = scenario_.connectors[bridges_[bridge].connector];
    return ttl_allows(connector.message_ttl, hop) &&
           ttl_allows(connector.consumer_ttl, hops - hop + 1);
}

bool BridgeGraph::viable(int from, int to, const model::Destination& destination) const
{
    // For each chain length, the brokers a copy can be on after each hop. Walks that revisit a
    // broker are allowed here although brokerPath forbids them: cutting the loop out of such a
    // walk leaves a shorter chain that is viable too, so the answer is the same.
    const auto brokers = scenario_.brokers.size();
    for (std::size_t hops = 1; hops < brokers; ++hops) {
        std::vector<bool> here(brokers, false);
        here[static_cast<std::size_t>(from)] = true;
        for (std::size_t hop = 1; hop <= hops; ++hop) {
            std::vector<bool> next(brokers, false);
            for (std::size_t b = 0; b < bridges_.size(); ++b) {
                const auto& bridge = bridges_[b];
                if (here[static_cast<std::size_t>(bridge.from)] &&
                    hop_allows(static_cast<int>(b), static_cast<int>(hop),
                               static_cast<int>(hops)) &&
                    scenario_.connectors[bridge.connector].carries(destination))
                    next[static_cast<std::size_t>(bridge.to)] = true;
            }
            here = std::move(next);
        }
        if (here[static_cast<std::size_t>(to)])
            return true;
    }
    return false;
}

std::vector<int> BridgeGraph::shortest_chain(int from, int to,
                                             const model::Destination& destination) const
{
    const auto lets_through = [&](Graph::edge_descriptor edge) {
        const auto& bridge = bridges_[boost::get(boost::edge_index, graph_, edge)];
        return scenario_.connectors[bridge.connector].carries(destination);
    };
    const boost::filtered_graph<Graph, std::function<bool(Graph::edge_descriptor)>> graph(
        graph_, lets_through);

    std::vector<int> via(scenario_.brokers.size(), -1);
    boost::breadth_first_search(graph, static_cast<Graph::vertex_descriptor>(from),
                                boost::visitor(ChainRecorder(via)));

    std::vector<int> chain;
    for (int broker = to; broker != from && via[broker] >= 0; broker = bridges_[via[broker]].from)
        chain.push_back(via[broker]);
    if (chain.empty() || bridges_[chain.back()].from != from)
        return {};
    std::reverse(chain.begin(), chain.end());
    return chain;
}

Reach BridgeGraph::reach(int from, int to, const model::Destination& destination) const
{
    Reach result;
    if (from == to) {
        result.kind = Reach::Kind::Local;
        return result;
    }
    if (viable(from, to, destination)) {
        result.kind = Reach::Kind::Reachable;
        return result;
    }

    result.path = shortest_chain(from, to, destination);
    if (result.path.empty()) {
        result.kind = Reach::Kind::NoPath;
        return result;
    }
    result.kind = Reach::Kind::TtlTooSmall;
    const int hops = static_cast<int>(result.path.size());
    for (int hop = 1; hop <= hops; ++hop)
        if (!hop_allows(result.path[hop - 1], hop, hops))
            result.short_hops.push_back(hop - 1);
    return result;
}

std::vector<bool> BridgeGraph::reachable_from(const std::vector<int>& sources) const
{
    std::vector<bool> reached(scenario_.brokers.size(), false);
    for (const int source : sources)
        if (!reached[static_cast<std::size_t>(source)])
            boost::breadth_first_search(graph_, static_cast<Graph::vertex_descriptor>(source),
                                        boost::visitor(ReachRecorder(reached)));
    return reached;
}

} // namespace brokersim::check
