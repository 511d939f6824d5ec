// Teaching mode's script: one request's life told hop by hop — the client publishes, brokers
// forward over bridges, a node filters and runs the agent, its reply returns to the reply
// queue — each hop a record of the trace with a one-line caption saying what happens and why.
#pragma once

#include "run_data.hpp"

#include <QString>

#include <vector>

namespace brokersim::gui {

struct LifecycleStep
{
    std::uint32_t record = 0;
    double time_s = 0;
    QString caption;
};

// The hops of `request` that lead to one representative node (the first recorded node that
// ran the agent, else the first that received the request) and of that node's reply.
std::vector<LifecycleStep> request_lifecycle(const RunData& run, std::uint32_t request);

}  // namespace brokersim::gui
