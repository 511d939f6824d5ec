#include "brokersim/sweep/capacity.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <functional>
#include <map>

namespace brokersim::sweep {

namespace {

// "key=value, key=value" for every parameter but the first.
std::string other_values(const Plan& plan, const Run& run)
{
    std::vector<std::string> parts;
    for (std::size_t i = 1; i < plan.parameters.size(); ++i)
        parts.push_back(fmt::format("{}={}", plan.parameters[i].key, run.values[i]));
    return fmt::format("{}", fmt::join(parts, ", "));
}

} // namespace

std::string Capacity::line(const std::string& parameter) const
{
    const auto suffix = with.empty() ? std::string() : " with " + with;
    switch (shape) {
    case Shape::AllMeet:
        return fmt::format("largest {} that still meets the reply deadline{}: {} (every value "
                           "tried meets it)",
                           parameter, suffix, threshold);
    case Shape::NoneMeets:
        return fmt::format("largest {} that still meets the reply deadline{}: none (no value "
                           "tried meets it)",
                           parameter, suffix);
    case Shape::MeetsUpTo:
        return fmt::format("largest {} that still meets the reply deadline{}: {}", parameter,
                           suffix, threshold);
    case Shape::MeetsFrom:
        return fmt::format("smallest {} that meets the reply deadline{}: {}", parameter, suffix,
                           threshold);
    case Shape::Mixed:
        break;
    }
    return fmt::format("values of {} that meet the reply deadline{}: {} (no single threshold)",
                       parameter, suffix, fmt::join(meeting, ", "));
}

std::vector<Capacity> find_capacity(const Plan& plan, const std::vector<RunResult>& results,
                                    const Deadline& deadline)
{
    // Runs grouped by the other parameters' values, groups in order of first appearance.
    std::vector<std::string> order;
    std::map<std::string, std::vector<std::size_t>> groups;
    for (std::size_t i = 0; i < plan.runs.size() && i < results.size(); ++i) {
        const auto key = other_values(plan, plan.runs[i]);
        if (!groups.contains(key))
            order.push_back(key);
        groups[key].push_back(i);
    }

    std::vector<Capacity> capacities;
    for (const auto& key : order) {
        auto runs = groups[key];
        std::stable_sort(runs.begin(), runs.end(), [&](std::size_t a, std::size_t b) {
            return numeric_value(plan.runs[a].values[0]) < numeric_value(plan.runs[b].values[0]);
        });
        std::vector<bool> meets;
        Capacity capacity;
        capacity.with = key;
        for (const auto index : runs) {
            meets.push_back(meets_deadline(results[index], deadline));
            if (meets.back())
                capacity.meeting.push_back(plan.runs[index].values[0]);
        }

        // Where the answer changes from meeting to missing, or back, along increasing values.
        const auto changes = std::adjacent_find(meets.begin(), meets.end(), std::not_equal_to<>());
        const bool one_change =
            changes == meets.end() ||
            std::adjacent_find(changes + 1, meets.end(), std::not_equal_to<>()) == meets.end();
        if (capacity.meeting.empty())
            capacity.shape = Capacity::Shape::NoneMeets;
        else if (capacity.meeting.size() == meets.size())
            capacity.shape = Capacity::Shape::AllMeet;
        else if (!one_change)
            capacity.shape = Capacity::Shape::Mixed;
        else
            capacity.shape =
                meets.front() ? Capacity::Shape::MeetsUpTo : Capacity::Shape::MeetsFrom;
        if (capacity.shape == Capacity::Shape::MeetsFrom)
            capacity.threshold = capacity.meeting.front();
        else if (!capacity.meeting.empty())
            capacity.threshold = capacity.meeting.back();
        capacities.push_back(std::move(capacity));
    }
    return capacities;
}

} // namespace brokersim::sweep
