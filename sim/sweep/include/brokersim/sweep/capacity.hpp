// The capacity a sweep found: the largest value of its first parameter that still meets the
// reply deadline (or, for a parameter where more is better, the smallest that meets it), for
// each combination of the other parameters.
#pragma once

#include "brokersim/sweep/plan.hpp"
#include "brokersim/sweep/results.hpp"

#include <optional>
#include <string>
#include <vector>

namespace brokersim::sweep {

struct Capacity
{
    // Which values of the first parameter meet the deadline, in increasing order of value.
    enum class Shape
    {
        AllMeet,
        NoneMeets,
        MeetsUpTo, // the low values meet, the high ones miss (nodes, latency)
        MeetsFrom, // the low values miss, the high ones meet (bandwidth, timeout)
        Mixed,     // no single threshold
    };

    // The other parameters' values this capacity holds for ("links.bandwidth_mbps=2"); empty
    // when only one parameter was varied.
    std::string with;
    Shape shape = Shape::NoneMeets;
    std::string threshold;            // the largest (AllMeet, MeetsUpTo) or smallest (MeetsFrom)
                                      // value that meets the deadline
    std::vector<std::string> meeting; // every value that meets it, in increasing order

    // "largest nodes that still meets the reply deadline with links.bandwidth_mbps=2: 5000",
    // "smallest links.bandwidth_mbps that meets the reply deadline: 10", ...
    std::string line(const std::string& parameter) const;
};

// One entry per combination of the other parameters, in plan order.
std::vector<Capacity> find_capacity(const Plan& plan, const std::vector<RunResult>& results,
                                    const Deadline& deadline);

} // namespace brokersim::sweep
