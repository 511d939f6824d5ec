#include "node_table.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace brokersim::engine {

std::uint64_t mix_hash(std::uint64_t a, std::uint64_t b)
{
    // splitmix64 finaliser over the combined inputs.
    std::uint64_t z = a * 0x9e3779b97f4a7c15ULL + b + 0x632be59bd9b4e019ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

double unit_interval(std::uint64_t hash)
{
    return static_cast<double>(hash >> 11) * 0x1.0p-53;
}

namespace {

void parse_identity_pattern(const std::string& pattern, NodeGroupData& data)
{
    const auto open = pattern.find("{i");
    const auto close = open == std::string::npos ? open : pattern.find('}', open);
    if (close == std::string::npos) {
        data.identity_prefix = pattern;
        return;
    }
    data.identity_prefix = pattern.substr(0, open);
    data.identity_suffix = pattern.substr(close + 1);
    const auto spec = pattern.substr(open + 2, close - open - 2);  // "" or ":04"
    data.identity_width = spec.size() > 1 ? std::stoi(spec.substr(1)) : 0;
}

class NodeRef final : public model::NodeView
{
public:
    NodeRef(const NodeTable& table, const NodeGroupData& group, model::NodeIndex node)
        : table_(table), group_(group), node_(node)
    {
    }

    std::string identity() const override { return table_.identity(node_); }

    std::optional<std::string_view> fact(std::string_view name) const override
    {
        for (std::size_t f = 0; f < group_.facts.size(); ++f) {
            const auto& fact = group_.facts[f];
            if (fact.name != name)
                continue;
            const double u = unit_interval(draw(f));
            const auto it = std::upper_bound(fact.cumulative_share.begin(),
                                             fact.cumulative_share.end(), u);
            const auto i = std::min<std::size_t>(it - fact.cumulative_share.begin(),
                                                 fact.values.size() - 1);
            return fact.values[i];
        }
        return std::nullopt;
    }

    bool has_class(std::string_view name) const override
    {
        const auto& classes = group_.group->classes;
        for (std::size_t c = 0; c < classes.size(); ++c)
            if (classes[c].name == name)
                return has_class_at(c);
        return false;
    }

    std::vector<std::string_view> classes() const override
    {
        std::vector<std::string_view> result;
        const auto& classes = group_.group->classes;
        for (std::size_t c = 0; c < classes.size(); ++c)
            if (has_class_at(c))
                result.push_back(classes[c].name);
        return result;
    }

    bool has_agent(std::string_view name) const override
    {
        return std::find(group_.agents.begin(), group_.agents.end(), name) != group_.agents.end();
    }

    std::vector<std::string_view> agents() const override
    {
        return {group_.agents.begin(), group_.agents.end()};
    }

private:
    // Facts draw with salt f, classes with salt 1000 + c: independent streams per attribute.
    std::uint64_t draw(std::size_t salt) const
    {
        return mix_hash(mix_hash(table_.seed(), node_), salt);
    }
    bool has_class_at(std::size_t c) const
    {
        const double p = group_.group->classes[c].probability;
        return p >= 1.0 || unit_interval(draw(1000 + c)) < p;
    }

    const NodeTable& table_;
    const NodeGroupData& group_;
    model::NodeIndex node_;
};

}  // namespace

NodeTable::NodeTable(const model::Scenario& scenario,
                     const std::vector<model::BrokerIndex>& group_brokers)
    : seed_(scenario.seed)
{
    for (std::size_t g = 0; g < scenario.node_groups.size(); ++g) {
        const auto& group = scenario.node_groups[g];
        NodeGroupData data;
        data.group = &group;
        data.group_index = static_cast<int>(g);
        data.broker = group_brokers[g];
        data.first = static_cast<model::NodeIndex>(size_);
        data.count = static_cast<std::uint32_t>(group.count);
        parse_identity_pattern(group.identity_pattern, data);
        for (const auto& fact : group.facts) {
            NodeGroupData::Fact f{fact.name, {}, {}};
            double total = 0;
            for (const auto& value : fact.values) {
                total += value.share;
                f.values.push_back(value.value);
                f.cumulative_share.push_back(total);
            }
            data.facts.push_back(std::move(f));
        }
        data.agents = group.agents;
        if (std::find(data.agents.begin(), data.agents.end(), "discovery") == data.agents.end())
            data.agents.push_back("discovery");
        size_ += data.count;
        groups_.push_back(std::move(data));
    }
}

const NodeGroupData& NodeTable::group_of(model::NodeIndex node) const
{
    const auto it = std::upper_bound(groups_.begin(), groups_.end(), node,
                                     [](model::NodeIndex n, const NodeGroupData& g) {
                                         return n < g.first;
                                     });
    return *(it - 1);
}

std::string NodeTable::identity(model::NodeIndex node) const
{
    const auto& group = group_of(node);
    if (group.identity_width < 0)
        return group.identity_prefix;
    const auto number = node - group.first + 1;
    return fmt::format("{}{:0{}}{}", group.identity_prefix, number, group.identity_width,
                       group.identity_suffix);
}

std::size_t NodeTable::identity_size(model::NodeIndex node) const
{
    const auto& group = group_of(node);
    if (group.identity_width < 0)
        return group.identity_prefix.size();
    std::size_t digits = 1;
    for (auto number = node - group.first + 1; number >= 10; number /= 10)
        ++digits;
    return group.identity_prefix.size() +
           std::max(digits, static_cast<std::size_t>(group.identity_width)) +
           group.identity_suffix.size();
}

std::optional<model::NodeIndex> NodeTable::find(std::string_view identity) const
{
    for (const auto& group : groups_) {
        if (group.identity_width < 0) {
            if (identity == group.identity_prefix)
                return group.first;
            continue;
        }
        const auto& prefix = group.identity_prefix;
        const auto& suffix = group.identity_suffix;
        if (identity.size() <= prefix.size() + suffix.size() ||
            identity.substr(0, prefix.size()) != prefix ||
            identity.substr(identity.size() - suffix.size()) != suffix)
            continue;
        const auto digits = identity.substr(prefix.size(),
                                            identity.size() - prefix.size() - suffix.size());
        std::uint64_t number = 0;
        bool numeric = digits.size() <= 10;
        for (const char c : digits)
            numeric = numeric && c >= '0' && c <= '9';
        if (!numeric)
            continue;
        for (const char c : digits)
            number = number * 10 + static_cast<std::uint64_t>(c - '0');
        // The formatted identity must round-trip (no stray leading zeros).
        if (number >= 1 && number <= group.count &&
            this->identity(group.first + static_cast<model::NodeIndex>(number - 1)) == identity)
            return group.first + static_cast<model::NodeIndex>(number - 1);
    }
    return std::nullopt;
}

bool NodeTable::matches(const model::Filter& filter, model::NodeIndex node) const
{
    if (filter.empty())
        return true;
    return filter.matches(NodeRef(*this, group_of(node), node));
}

}  // namespace brokersim::engine
