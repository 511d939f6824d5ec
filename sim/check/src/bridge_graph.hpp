// The broker network as ActiveMQ builds it from the network connectors: a directed graph of
// bridges (Boost.Graph), one per connector and one more for a duplex connector's reverse half,
// and the question the linter asks of it: does a message published on one broker for a
// consumer on another get there, given the bridges' destination filters and TTLs?
#pragma once

#include "brokersim/model/destination.hpp"
#include "brokersim/model/scenario.hpp"

#include <boost/graph/adjacency_list.hpp>

#include <string_view>
#include <vector>

namespace brokersim::check {

struct Bridge
{
    int connector = 0;    // index into Scenario::connectors
    bool reverse = false; // the reverse half of a duplex connector
    int from = 0;         // the broker that forwards (index into Scenario::brokers)
    int to = 0;           // the broker it forwards to
};

struct Reach
{
    enum class Kind
    {
        Local,       // the same broker: no bridge involved
        Reachable,   // some chain of bridges lets the destination through within its TTLs
        TtlTooSmall, // chains exist, but every one of them runs out of networkTTL
        NoPath,      // no chain of bridges lets the destination through
    };
    Kind kind = Kind::NoPath;
    std::vector<int> path;       // TtlTooSmall: the shortest chain, as bridge indices
    std::vector<int> short_hops; // TtlTooSmall: positions in `path` whose TTLs are too small
};

class BridgeGraph
{
public:
    explicit BridgeGraph(const model::Scenario& scenario);

    const std::vector<Bridge>& bridges() const { return bridges_; }
    int broker_index(std::string_view name) const;

    // Whether a message published on broker `from` reaches a consumer of `destination` on
    // broker `to`. The i-th bridge of a chain of h must forward a copy that went through i - 1
    // brokers (messageTTL >= i) and must have learnt of a consumer h - i brokers beyond its
    // remote broker (consumerTTL >= h - i + 1); -1 is unlimited.
    Reach reach(int from, int to, const model::Destination& destination) const;

    // Which brokers some chain of bridges leads to from any of `sources`, regardless of
    // destinations and TTLs.
    std::vector<bool> reachable_from(const std::vector<int>& sources) const;

private:
    using Graph =
        boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, boost::no_property,
                              boost::property<boost::edge_index_t, int>>;

    bool hop_allows(int bridge, int hop, int hops) const;
    bool viable(int from, int to, const model::Destination& destination) const;
    std::vector<int> shortest_chain(int from, int to, const model::Destination& destination) const;

    const model::Scenario& scenario_;
    std::vector<Bridge> bridges_;
    Graph graph_;
};

} // namespace brokersim::check
