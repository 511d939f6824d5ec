// The scenario parameters a sweep varies (`--vary KEY=V1,V2,...`) and how one value changes a
// scenario. docs/sweeps.md lists the keys.
#pragma once

#include "brokersim/model/scenario.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace brokersim::sweep {

// A command-line value that cannot be used, saying which and why. `brokersim sweep` prints it
// and exits with status 2, as for any other bad command line.
class UsageError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

// One --vary option: the key and its values as typed, in the order given.
struct Parameter
{
    std::string key;                 // "nodes", "link.noc-uk.latency_ms", ...
    std::vector<std::string> values; // "1000", "2.5", ...
};

// The key patterns, for messages and help: "nodes", "links.latency_ms", ...,
// "link.A-B.latency_ms", ...
const std::vector<std::string>& parameter_keys();

// Reads "KEY=V1,V2,...". Throws UsageError for a missing '=', an unknown key, a value of the
// wrong type or range, an empty or a repeated value.
Parameter parse_vary(std::string_view text);

// Throws UsageError when `parameter` cannot apply to `scenario`: a link it does not have, no
// requests or connectors to change, fewer nodes than node groups, a key varied twice.
void check_parameters(const std::vector<Parameter>& parameters, const model::Scenario& scenario);

// Sets `key` to `value` in `scenario`; both must have passed parse_vary and check_parameters.
void apply_value(model::Scenario& scenario, const std::string& key, const std::string& value);

// A checked value as a number, for ordering and plotting.
double numeric_value(const std::string& value);

// Every combination of values, one value per parameter: the first parameter varies slowest,
// each parameter's values come in the order given.
std::vector<std::vector<std::string>> combinations(const std::vector<Parameter>& parameters);

// Gives the scenario `total` nodes. Groups whose identity has no {i} placeholder are single
// named nodes and keep their count; the numbered groups share the rest in proportion to their
// counts (largest remainders, ties to the earlier group), each keeping at least one node.
// Throws UsageError when `total` is too small for that.
void scale_nodes(model::Scenario& scenario, std::int64_t total);

} // namespace brokersim::sweep
