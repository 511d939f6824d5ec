#include "brokersim/model/topology.hpp"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <fmt/format.h>

#include <algorithm>

namespace brokersim::model {

namespace {

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property,
                                    boost::property<boost::edge_weight_t, double,
                                                    boost::property<boost::edge_index_t, int>>>;

}  // namespace

Topology::Topology(const Scenario& scenario) : scenario_(scenario)
{
    const auto vertex_count = scenario.datacenters.size();
    Graph graph(vertex_count);
    for (std::size_t i = 0; i < scenario.links.size(); ++i) {
        const auto& link = scenario.links[i];
        const int a = datacenter_index(link.a);
        const int b = datacenter_index(link.b);
        if (a < 0 || b < 0)
            throw InputError(link.pos, "link between unknown datacenters");
        // A tiny per-link term keeps equal-latency alternatives in a stable order.
        boost::add_edge(a, b, {link.latency_s + 1e-9 * static_cast<double>(i + 1),
                               static_cast<int>(i)},
                        graph);
    }

    predecessors_.resize(vertex_count);
    for (std::size_t from = 0; from < vertex_count; ++from) {
        std::vector<Graph::vertex_descriptor> pred(vertex_count);
        std::vector<double> distance(vertex_count);
        boost::dijkstra_shortest_paths(graph, from,
                                       boost::predecessor_map(pred.data()).distance_map(
                                           distance.data()));
        auto& row = predecessors_[from];
        row.assign(vertex_count, {-1, -1});
        for (std::size_t v = 0; v < vertex_count; ++v) {
            if (v == from || pred[v] == v)
                continue;
            // Find the link the shortest path used between pred[v] and v.
            double best = 0;
            int best_link = -1;
            for (auto [e, end] = boost::out_edges(pred[v], graph); e != end; ++e) {
                if (boost::target(*e, graph) != v)
                    continue;
                const double w = boost::get(boost::edge_weight, graph, *e);
                if (best_link < 0 || w < best) {
                    best = w;
                    best_link = boost::get(boost::edge_index, graph, *e);
                }
            }
            row[v] = {static_cast<int>(pred[v]), best_link};
        }
    }
}

int Topology::datacenter_index(std::string_view name) const
{
    const auto& dcs = scenario_.datacenters;
    const auto it = std::find_if(dcs.begin(), dcs.end(), [&](const auto& d) { return d.name == name; });
    return it == dcs.end() ? -1 : static_cast<int>(it - dcs.begin());
}

std::optional<std::vector<RouteHop>> Topology::route(int from, int to) const
{
    std::vector<RouteHop> hops;
    for (int v = to; v != from;) {
        const auto [prev, link] = predecessors_[from][v];
        if (prev < 0)
            return std::nullopt;
        hops.push_back({link, datacenter_index(scenario_.links[link].a) == prev});
        v = prev;
    }
    std::reverse(hops.begin(), hops.end());
    return hops;
}

double Topology::latency_s(const std::vector<RouteHop>& route) const
{
    double total = 0;
    for (const auto& hop : route)
        total += scenario_.links[hop.link].latency_s;
    return total;
}

void Topology::check_connectors() const
{
    for (const auto& connector : scenario_.connectors) {
        const auto* on = scenario_.find_broker(connector.on);
        const auto* to = scenario_.find_broker(connector.to);
        if (on == nullptr || to == nullptr)
            throw InputError(connector.pos, "connector between unknown brokers");
        if (!route(datacenter_index(on->datacenter), datacenter_index(to->datacenter)))
            throw InputError(connector.pos,
                             fmt::format("connector '{}' cannot reach broker '{}': no WAN link "
                                         "path between datacenters '{}' and '{}'",
                                         connector.name, connector.to, on->datacenter,
                                         to->datacenter));
    }
}

}  // namespace brokersim::model
