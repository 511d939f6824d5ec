// MCollective nodes as plain data. A node is a (group, index) pair: its identity is formatted
// from the group's pattern and its fact values and classes are drawn from the group's
// distributions by hashing (seed, group, index), so a node costs no memory of its own.
#pragma once

#include "brokersim/model/filter.hpp"
#include "brokersim/model/scenario.hpp"
#include "brokersim/model/trace.hpp"

#include <cstdint>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

namespace brokersim::engine {

std::uint64_t mix_hash(std::uint64_t a, std::uint64_t b);
double unit_interval(std::uint64_t hash);  // [0, 1)

struct NodeGroupData
{
    struct Fact
    {
        std::string name;
        std::vector<std::string> values;
        std::vector<double> cumulative_share;
    };

    const model::NodeGroup* group = nullptr;
    int group_index = 0;
    model::BrokerIndex broker = 0;
    model::NodeIndex first = 0;
    std::uint32_t count = 0;
    std::string identity_prefix;
    std::string identity_suffix;
    int identity_width = -1;  // -1: the pattern has no {i}
    std::vector<Fact> facts;
    std::vector<std::string> agents;  // with the discovery agent
};

class NodeTable
{
public:
    NodeTable(const model::Scenario& scenario,
              const std::vector<model::BrokerIndex>& group_brokers);

    std::uint64_t size() const { return size_; }
    const std::vector<NodeGroupData>& groups() const { return groups_; }
    void move_group(int group, model::BrokerIndex broker) { groups_[group].broker = broker; }
    const NodeGroupData& group_of(model::NodeIndex node) const;
    std::string identity(model::NodeIndex node) const;
    std::size_t identity_size(model::NodeIndex node) const;  // identity(node).size(), unformatted
    std::optional<model::NodeIndex> find(std::string_view identity) const;
    bool matches(const model::Filter& filter, model::NodeIndex node) const;
    std::uint64_t seed() const { return seed_; }

private:
    std::vector<NodeGroupData> groups_;
    std::uint64_t size_ = 0;
    std::uint64_t seed_ = 0;
};

}  // namespace brokersim::engine
