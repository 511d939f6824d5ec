// Where everything sits on the map. Computed once from the trace header alone, so the same
// run always gets the same picture: datacenters as regions on a circle (the best connected one
// in the middle when the network is a star), each region's brokers on the side facing the
// middle, its clients beside them and its node groups behind them.
#pragma once

#include "brokersim/io/trace_file.hpp"

#include <QPointF>
#include <QRectF>

#include <vector>

namespace brokersim::gui {

struct GroupBox
{
    QRectF rect;   // the whole box: title, counters, node cells
    QRectF cells;  // the grid of recorded nodes
    int columns = 1;
    double cell = 4;  // side of one node's cell
};

struct NetworkLayout
{
    std::vector<QRectF> regions;   // per datacenter
    std::vector<QPointF> brokers;  // centres
    std::vector<QPointF> clients;
    std::vector<GroupBox> groups;
    QRectF bounds;

    static constexpr double kBrokerRadius = 18;
    static constexpr double kClientSize = 16;

    static NetworkLayout compute(const io::TraceHeader& header);

    // Centre of a recorded node's cell (`local`: its index within the group).
    QPointF cell_centre(std::size_t group, std::uint32_t local) const;
};

}  // namespace brokersim::gui
