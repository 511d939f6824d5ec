// Expectations: the `expect:` entries of a scenario, short claims about a run such as
// "at most 0 duplicate deliveries", parsed with their positions and judged against the run's
// stats::Report. The language is described in docs/expectations.md.
#pragma once

#include "brokersim/model/scenario.hpp"
#include "brokersim/model/source_pos.hpp"
#include "brokersim/stats/report.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace brokersim::check {

enum class ExpectationKind
{
    RepliesWithin,          // every matching node replies within T s
    MaxDuplicateDeliveries, // at most N duplicate deliveries
    MaxDuplicateExecutions, // at most N duplicate executions
    MaxMissingReplies,      // at most N missing replies
    NoStrandedMessages,     // no stranded messages
    ReplyCompleteness,      // reply completeness >= X %
    LinkUtilisation,        // link A<->B utilisation below Y %
    GroupReachable,         // node group G reachable from client C
    NoBrokerOverBudget,     // no broker over memory budget
};

// A name as written in an expectation, and how many bytes into the text it starts.
struct NameRef
{
    std::string name;
    std::size_t offset = 0;
};

struct Expectation
{
    std::string text;
    model::SourcePos pos; // the text's first character
    ExpectationKind kind = ExpectationKind::NoStrandedMessages;
    double limit = 0;           // seconds, a count or a percentage, by kind
    std::optional<int> request; // "for request N", numbered as in the report (from 0)
    std::size_t request_offset = 0;
    NameRef first;  // link: one datacenter; reachability: the node group
    NameRef second; // link: the other datacenter; reachability: the client

    // The position `offset` bytes into the text (on the same line).
    model::SourcePos pos_at(std::size_t offset) const;
};

// Parses one expectation whose first character is at `start`. Throws model::InputError at the
// column inside the text where it stops making sense.
Expectation parse_expectation(std::string_view text, const model::SourcePos& start);

// Checks the request numbers and names against the scenario. Throws model::InputError at the
// offending word.
void check_references(const Expectation& expectation, const model::Scenario& scenario);

// Parses and checks every `expect:` entry of the scenario. `source_text` is the scenario
// file's text: the loader records where each entry's YAML scalar starts, which for a quoted
// string is its opening quote, and the text shows whether to step past it.
std::vector<Expectation> parse_expectations(const model::Scenario& scenario,
                                            std::string_view source_text);

// The same, reading the source text from scenario.file (columns count from the scalar when
// the file cannot be read).
std::vector<Expectation> parse_expectations(const model::Scenario& scenario);

// How one expectation fared in one run.
struct Outcome
{
    bool holds = false;
    std::string measured; // "2 duplicate deliveries (request 0: 2)"
    std::string limit;    // "at most 0"
    // How far the run is from holding, larger is worse, compared pairwise in order: lets
    // `brokersim diff` tell a failure that got worse from one that stayed the same.
    std::pair<double, double> badness;
};

// `expectation` must have passed check_references against `scenario`, the scenario the report
// came from.
Outcome evaluate(const Expectation& expectation, const model::Scenario& scenario,
                 const stats::Report& report);

// One line: "file:line:col: fail: TEXT: measured M; limit L" (or "ok" when it holds).
std::string outcome_line(const Expectation& expectation, const Outcome& outcome);

} // namespace brokersim::check
