// The WAN as a graph: datacenters are vertices, links are edges weighted by latency.
// Routes between datacenters are the lowest-latency paths (Dijkstra, Boost.Graph).
#pragma once

#include "brokersim/model/scenario.hpp"

#include <optional>
#include <vector>

namespace brokersim::model {

struct RouteHop
{
    int link = 0;          // index into Scenario::links
    bool forward = true;   // true when crossed from link.a to link.b
};

class Topology
{
public:
    explicit Topology(const Scenario& scenario);

    // Links crossed from datacenter `from` to datacenter `to`, in order; empty when they are the
    // same datacenter; nullopt when no path exists.
    std::optional<std::vector<RouteHop>> route(int from_datacenter, int to_datacenter) const;
    double latency_s(const std::vector<RouteHop>& route) const;
    int datacenter_index(std::string_view name) const;

    // Throws InputError at the connector when its two brokers' datacenters are not connected.
    void check_connectors() const;

private:
    const Scenario& scenario_;
    // predecessors_[from][v] = (previous vertex, link index) on the best path from `from`.
    std::vector<std::vector<std::pair<int, int>>> predecessors_;
};

}  // namespace brokersim::model
