#include "brokersim/sweep/parameters.hpp"

#include "brokersim/io/scenario_limits.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <tuple>

namespace brokersim::sweep {

namespace {

constexpr double seconds_per_ms = 1e-3;
constexpr double bps_per_mbps = 1e6;

enum class Target
{
    Nodes,
    LinksLatency,
    LinksBandwidth,
    LinkLatency,
    LinkBandwidth,
    RequestsTimeout,
    ConnectorsNetworkTtl,
    BrokersMemoryLimit,
    BrokersMemoryBudget,
    BrokersConnectionMemory,
    Seed,
};

// What a key's values must be.
enum class ValueKind
{
    NodeCount,   // integer >= 1
    NonNegative, // number >= 0
    Positive,    // number > 0
    NetworkTtl,  // integer >= -1
    Seed,        // integer >= 0
};

struct Key
{
    Target target;
    ValueKind kind;
    std::string link; // "A-B" for the one-link keys
};

constexpr std::string_view link_prefix = "link.";
constexpr std::string_view latency_suffix = ".latency_ms";
constexpr std::string_view bandwidth_suffix = ".bandwidth_mbps";

std::optional<Key> parse_key(std::string_view key)
{
    if (key == "nodes")
        return Key{Target::Nodes, ValueKind::NodeCount, {}};
    if (key == "links.latency_ms")
        return Key{Target::LinksLatency, ValueKind::NonNegative, {}};
    if (key == "links.bandwidth_mbps")
        return Key{Target::LinksBandwidth, ValueKind::Positive, {}};
    if (key == "requests.timeout_s")
        return Key{Target::RequestsTimeout, ValueKind::Positive, {}};
    if (key == "connectors.networkTTL")
        return Key{Target::ConnectorsNetworkTtl, ValueKind::NetworkTtl, {}};
    if (key == "brokers.memory_limit_mb")
        return Key{Target::BrokersMemoryLimit, ValueKind::Positive, {}};
    if (key == "brokers.memory_budget_mb")
        return Key{Target::BrokersMemoryBudget, ValueKind::Positive, {}};
    if (key == "brokers.connection_memory_kb")
        return Key{Target::BrokersConnectionMemory, ValueKind::NonNegative, {}};
    if (key == "seed")
        return Key{Target::Seed, ValueKind::Seed, {}};

    if (!key.starts_with(link_prefix))
        return std::nullopt;
    const auto rest = key.substr(link_prefix.size());
    for (const auto& [suffix, target, kind] :
         {std::tuple{latency_suffix, Target::LinkLatency, ValueKind::NonNegative},
          std::tuple{bandwidth_suffix, Target::LinkBandwidth, ValueKind::Positive}}) {
        if (!rest.ends_with(suffix))
            continue;
        const auto link = rest.substr(0, rest.size() - suffix.size());
        const auto dash = link.find('-');
        if (dash == std::string_view::npos || dash == 0 || dash + 1 == link.size())
            return std::nullopt;
        return Key{target, kind, std::string(link)};
    }
    return std::nullopt;
}

std::size_t edit_distance(std::string_view a, std::string_view b)
{
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::string key_suggestion(std::string_view key)
{
    const std::size_t allowed = std::max<std::size_t>(2, key.size() / 4);
    std::string_view best;
    std::size_t best_distance = allowed + 1;
    for (const auto& choice : parameter_keys()) {
        const auto distance = edit_distance(key, choice);
        if (distance < best_distance) {
            best = choice;
            best_distance = distance;
        }
    }
    if (!best.empty())
        return fmt::format(" (did you mean '{}'?)", best);
    return fmt::format(" (valid: {})", fmt::join(parameter_keys(), ", "));
}

std::optional<std::int64_t> parse_integer(std::string_view text)
{
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

// The loader's number syntax: digits with an optional sign, point and exponent; no inf or nan.
std::optional<double> parse_number(std::string_view text)
{
    const auto digits = text.starts_with('-') ? text.substr(1) : text;
    if (digits.empty() || !((digits[0] >= '0' && digits[0] <= '9') || digits[0] == '.'))
        return std::nullopt;
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value))
        return std::nullopt;
    return value;
}

// Empty when `value` suits `kind`, else why not.
std::string value_problem(ValueKind kind, std::string_view value)
{
    const auto bounded_integer = [&](std::int64_t min, std::int64_t max) -> std::string {
        const auto number = parse_integer(value);
        if (!number)
            return fmt::format("'{}' is not a whole number", value);
        if (*number < min || *number > max)
            return fmt::format("'{}' is out of range ({} to {})", value, min, max);
        return {};
    };
    constexpr std::int64_t int_max = std::numeric_limits<int>::max();
    switch (kind) {
    case ValueKind::NodeCount:
        return bounded_integer(1, int_max);
    case ValueKind::NetworkTtl:
        return bounded_integer(-1, int_max);
    case ValueKind::Seed:
        return bounded_integer(0, std::numeric_limits<std::int64_t>::max());
    case ValueKind::NonNegative:
    case ValueKind::Positive:
        break;
    }

    const auto number = parse_number(value);
    if (!number)
        return fmt::format("'{}' is not a number", value);
    if (kind == ValueKind::NonNegative && *number < 0)
        return fmt::format("'{}' must be at least 0", value);
    if (kind == ValueKind::Positive && !(*number > 0))
        return fmt::format("'{}' must be greater than 0", value);
    return {};
}

// Empty when `value` is within what the scenario loader accepts for the key, else why not: a
// variant the loader would refuse would only fail later, as a failed run.
std::string range_problem(Target target, std::string_view value)
{
    namespace limits = io::limits;
    if (target == Target::Nodes) {
        const auto nodes = parse_integer(value);
        return nodes && *nodes > limits::max_nodes
                   ? fmt::format("'{}' is more than the {} nodes a scenario may hold", value,
                                 limits::max_nodes)
                   : std::string();
    }
    if (target == Target::ConnectorsNetworkTtl || target == Target::Seed)
        return {};
    const double number = *parse_number(value);
    switch (target) {
    case Target::BrokersMemoryLimit:
    case Target::BrokersMemoryBudget: {
        const double bytes = std::floor(number * 1024 * 1024);
        if (bytes < 1 || bytes > limits::max_memory_bytes)
            return fmt::format("'{}' must be between 1 byte and 4 EiB (in MiB)", value);
        return {};
    }
    case Target::BrokersConnectionMemory:
        return number > limits::max_connection_memory_kb
                   ? fmt::format("'{}' must be at most {} (1 GiB)", value,
                                 limits::max_connection_memory_kb)
                   : std::string();
    case Target::LinksBandwidth:
    case Target::LinkBandwidth:
        return number < limits::min_bandwidth_mbps || number > limits::max_bandwidth_mbps
                   ? fmt::format("'{}' must be between 0.001 (1 kbit/s) and 1e9 (1 Pbit/s)",
                                 value)
                   : std::string();
    case Target::LinksLatency:
    case Target::LinkLatency:
        return number * 1e-3 > limits::max_time_s
                   ? fmt::format("'{}' must be at most 1e12 ms", value)
                   : std::string();
    case Target::RequestsTimeout:
        return number > limits::max_time_s ? fmt::format("'{}' must be at most 1e9 s", value)
                                           : std::string();
    default:
        return {};
    }
}

std::string link_name(const model::Link& link)
{
    return fmt::format("{}-{}", link.a, link.b);
}

// The link `text` ("A-B" or "B-A") names; datacenter names may hold dashes themselves, so
// every dash is tried as the separator.
std::size_t find_link(const model::Scenario& scenario, const std::string& key,
                      const std::string& text)
{
    std::vector<std::size_t> found;
    for (auto dash = text.find('-'); dash != std::string::npos; dash = text.find('-', dash + 1)) {
        const auto a = text.substr(0, dash);
        const auto b = text.substr(dash + 1);
        for (std::size_t i = 0; i < scenario.links.size(); ++i) {
            const auto& link = scenario.links[i];
            if ((link.a == a && link.b == b) || (link.a == b && link.b == a))
                if (std::find(found.begin(), found.end(), i) == found.end())
                    found.push_back(i);
        }
    }
    if (found.size() == 1)
        return found.front();

    std::vector<std::string> names;
    for (const auto& link : scenario.links)
        names.push_back(link_name(link));
    if (found.empty())
        throw UsageError(fmt::format(
            "--vary {}: the scenario has no link '{}' (its links: {})", key, text,
            names.empty() ? std::string("none") : fmt::format("{}", fmt::join(names, ", "))));
    throw UsageError(fmt::format("--vary {}: '{}' could name the links {} and {}", key, text,
                                 names[found[0]], names[found[1]]));
}

Key checked_key(const std::string& key)
{
    const auto parsed = parse_key(key);
    if (!parsed)
        throw UsageError(fmt::format("--vary: unknown parameter '{}'", key));
    return *parsed;
}

void check_targets(const Parameter& parameter, const Key& key, const model::Scenario& scenario)
{
    const auto none = [&](std::string_view what) {
        return UsageError(
            fmt::format("--vary {}: the scenario has no {} to change", parameter.key, what));
    };
    switch (key.target) {
    case Target::LinksLatency:
    case Target::LinksBandwidth:
        if (scenario.links.empty())
            throw none("WAN links");
        break;
    case Target::LinkLatency:
    case Target::LinkBandwidth:
        find_link(scenario, parameter.key, key.link);
        break;
    case Target::RequestsTimeout:
        if (scenario.requests.empty())
            throw none("requests");
        break;
    case Target::ConnectorsNetworkTtl:
        if (scenario.connectors.empty())
            throw none("network connectors");
        break;
    case Target::BrokersMemoryLimit:
    case Target::BrokersMemoryBudget:
    case Target::BrokersConnectionMemory:
        break;  // a scenario always has brokers
    case Target::Nodes:
        for (const auto& value : parameter.values) {
            auto copy = scenario;
            scale_nodes(copy, *parse_integer(value));
        }
        break;
    case Target::Seed:
        break;
    }
}

bool is_numbered(const model::NodeGroup& group)
{
    return group.identity_pattern.find("{i") != std::string::npos;
}

} // namespace

const std::vector<std::string>& parameter_keys()
{
    static const std::vector<std::string> keys = {
        "nodes",
        "links.latency_ms",
        "links.bandwidth_mbps",
        "link.A-B.latency_ms",
        "link.A-B.bandwidth_mbps",
        "requests.timeout_s",
        "connectors.networkTTL",
        "brokers.memory_limit_mb",
        "brokers.memory_budget_mb",
        "brokers.connection_memory_kb",
        "seed",
    };
    return keys;
}

Parameter parse_vary(std::string_view text)
{
    const auto equals = text.find('=');
    if (equals == std::string_view::npos)
        throw UsageError(fmt::format("--vary {}: expected KEY=V1,V2,... (keys: {})", text,
                                     fmt::join(parameter_keys(), ", ")));
    Parameter parameter;
    parameter.key = std::string(text.substr(0, equals));
    const auto key = parse_key(parameter.key);
    if (!key)
        throw UsageError(fmt::format("--vary {}: unknown parameter '{}'{}", text, parameter.key,
                                     key_suggestion(parameter.key)));

    auto values = text.substr(equals + 1);
    while (true) {
        const auto comma = values.find(',');
        const auto value = std::string(values.substr(0, comma));
        if (value.empty())
            throw UsageError(fmt::format("--vary {}: empty value", text));
        if (const auto problem = value_problem(key->kind, value); !problem.empty())
            throw UsageError(fmt::format("--vary {}: {}", text, problem));
        if (const auto problem = range_problem(key->target, value); !problem.empty())
            throw UsageError(fmt::format("--vary {}: {}", text, problem));
        if (std::find(parameter.values.begin(), parameter.values.end(), value) !=
            parameter.values.end())
            throw UsageError(fmt::format("--vary {}: value '{}' is given twice", text, value));
        parameter.values.push_back(value);
        if (comma == std::string_view::npos)
            break;
        values.remove_prefix(comma + 1);
    }
    return parameter;
}

void check_parameters(const std::vector<Parameter>& parameters, const model::Scenario& scenario)
{
    for (std::size_t i = 0; i < parameters.size(); ++i) {
        const auto& parameter = parameters[i];
        for (std::size_t j = 0; j < i; ++j)
            if (parameters[j].key == parameter.key)
                throw UsageError(fmt::format("--vary {}: the parameter is varied twice; give all "
                                             "its values in one --vary",
                                             parameter.key));
        check_targets(parameter, checked_key(parameter.key), scenario);
    }
}

void apply_value(model::Scenario& scenario, const std::string& key_text, const std::string& value)
{
    const auto key = checked_key(key_text);
    switch (key.target) {
    case Target::Nodes:
        scale_nodes(scenario, *parse_integer(value));
        return;
    case Target::LinksLatency:
        for (auto& link : scenario.links)
            link.latency_s = *parse_number(value) * seconds_per_ms;
        return;
    case Target::LinksBandwidth:
        for (auto& link : scenario.links)
            link.bandwidth_bps = *parse_number(value) * bps_per_mbps;
        return;
    case Target::LinkLatency:
        scenario.links[find_link(scenario, key_text, key.link)].latency_s =
            *parse_number(value) * seconds_per_ms;
        return;
    case Target::LinkBandwidth:
        scenario.links[find_link(scenario, key_text, key.link)].bandwidth_bps =
            *parse_number(value) * bps_per_mbps;
        return;
    case Target::RequestsTimeout:
        for (auto& request : scenario.requests)
            request.timeout_s = *parse_number(value);
        return;
    case Target::ConnectorsNetworkTtl:
        for (auto& connector : scenario.connectors) {
            connector.message_ttl = static_cast<int>(*parse_integer(value));
            connector.consumer_ttl = connector.message_ttl;
        }
        return;
    case Target::BrokersMemoryLimit: {
        // As the scenario loader reads memory_limit_mb: MiB, at least one byte.
        const double bytes = std::max(1.0, std::floor(*parse_number(value) * 1024 * 1024));
        for (auto& broker : scenario.brokers)
            broker.memory_limit_bytes = static_cast<std::uint64_t>(bytes);
        return;
    }
    case Target::BrokersMemoryBudget: {
        const double bytes = std::max(1.0, std::floor(*parse_number(value) * 1024 * 1024));
        for (auto& broker : scenario.brokers)
            broker.memory_budget_bytes = static_cast<std::uint64_t>(bytes);
        return;
    }
    case Target::BrokersConnectionMemory: {
        // As the loader reads connection_memory_kb: KiB, whole bytes.
        const double bytes = std::floor(*parse_number(value) * 1024);
        for (auto& broker : scenario.brokers)
            broker.connection_memory_bytes = static_cast<std::uint64_t>(bytes);
        return;
    }
    case Target::Seed:
        scenario.seed = static_cast<std::uint64_t>(*parse_integer(value));
        return;
    }
}

double numeric_value(const std::string& value)
{
    return parse_number(value).value_or(std::nan(""));
}

std::vector<std::vector<std::string>> combinations(const std::vector<Parameter>& parameters)
{
    std::vector<std::vector<std::string>> result;
    std::vector<std::size_t> position(parameters.size(), 0);
    if (std::any_of(parameters.begin(), parameters.end(),
                    [](const Parameter& p) { return p.values.empty(); }))
        return result;

    while (true) {
        std::vector<std::string> values;
        for (std::size_t i = 0; i < parameters.size(); ++i)
            values.push_back(parameters[i].values[position[i]]);
        result.push_back(std::move(values));

        // Advance like an odometer: the last parameter turns fastest.
        std::size_t i = parameters.size();
        while (i > 0 && ++position[i - 1] == parameters[i - 1].values.size()) {
            position[i - 1] = 0;
            --i;
        }
        if (i == 0)
            return result;
    }
}

void scale_nodes(model::Scenario& scenario, std::int64_t total)
{
    std::int64_t named = 0;
    std::int64_t numbered_total = 0;
    std::vector<model::NodeGroup*> numbered;
    for (auto& group : scenario.node_groups) {
        if (is_numbered(group)) {
            numbered.push_back(&group);
            numbered_total += group.count;
        } else {
            named += group.count;
        }
    }
    if (numbered.empty())
        throw UsageError(fmt::format("--vary nodes={}: the scenario has no numbered node group "
                                     "(identity with {{i}}) to scale",
                                     total));
    const auto numbered_nodes = total - named;
    const auto fewest = named + static_cast<std::int64_t>(numbered.size());
    if (total < fewest)
        throw UsageError(fmt::format("--vary nodes={}: too few for {} numbered node groups of at "
                                     "least one node{}; the least is {}",
                                     total, numbered.size(),
                                     named > 0 ? fmt::format(" and {} named nodes", named) : "",
                                     fewest));

    // Largest remainders: floor every share, then hand the nodes left over to the groups with
    // the largest fractions.
    std::vector<std::int64_t> counts(numbered.size());
    std::vector<std::int64_t> remainders(numbered.size());
    std::int64_t given = 0;
    for (std::size_t i = 0; i < numbered.size(); ++i) {
        const auto product = numbered_nodes * static_cast<std::int64_t>(numbered[i]->count);
        counts[i] = product / numbered_total;
        remainders[i] = product % numbered_total;
        given += counts[i];
    }
    std::vector<std::size_t> order(numbered.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t x, std::size_t y) { return remainders[x] > remainders[y]; });
    for (std::size_t k = 0; given < numbered_nodes; ++k, ++given)
        ++counts[order[k % order.size()]];

    // A group whose share rounded to nothing still gets one node, from the largest group.
    for (auto& count : counts) {
        if (count > 0)
            continue;
        count = 1;
        --*std::max_element(counts.begin(), counts.end());
    }
    for (std::size_t i = 0; i < numbered.size(); ++i)
        numbered[i]->count = static_cast<int>(counts[i]);
}

} // namespace brokersim::sweep
