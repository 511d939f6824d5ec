#include "network_layout.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace brokersim::gui {

namespace {

constexpr double kPadding = 12;
constexpr double kTitle = 20;
constexpr double kBrokerSpacing = 70;
constexpr double kClientSpacing = 56;
constexpr double kBrokerRow = 2 * NetworkLayout::kBrokerRadius + 18;
constexpr double kGroupWidth = 176;
constexpr double kGroupHeader = 80;  // name and five lines of counters
constexpr double kGroupGap = 12;
constexpr double kGridWidth = 136;
constexpr int kGroupsPerRow = 3;

// A region laid out in its own coordinates, (0, 0) at the top left.
struct LocalRegion
{
    double width = 0;
    double height = 0;
    std::vector<std::pair<std::size_t, QPointF>> brokers;
    std::vector<std::pair<std::size_t, QPointF>> clients;
    std::vector<std::pair<std::size_t, GroupBox>> groups;
};

GroupBox group_box(std::uint32_t recorded)
{
    GroupBox box;
    box.columns = std::max(1, static_cast<int>(std::ceil(std::sqrt(double(recorded)))));
    box.cell = std::clamp(std::floor(kGridWidth / box.columns), 2.0, 14.0);
    const int rows =
        recorded == 0 ? 0 : (static_cast<int>(recorded) + box.columns - 1) / box.columns;
    const double grid_w = box.columns * box.cell;
    const double grid_h = rows * box.cell;
    box.rect = QRectF(0, 0, kGroupWidth, kGroupHeader + grid_h + (rows ? 8 : 0));
    box.cells = QRectF((kGroupWidth - grid_w) / 2, kGroupHeader, grid_w, grid_h);
    return box;
}

// Brokers and clients in a row on the side facing the middle of the map, groups behind.
LocalRegion layout_region(const io::TraceHeader& header, std::size_t dc, bool brokers_below)
{
    LocalRegion region;
    std::vector<std::size_t> brokers;
    for (std::size_t b = 0; b < header.brokers.size(); ++b)
        if (header.brokers[b].datacenter == dc)
            brokers.push_back(b);
    const auto in_dc = [&](model::BrokerIndex broker) {
        return std::find(brokers.begin(), brokers.end(), broker) != brokers.end();
    };
    std::vector<std::size_t> clients, groups;
    for (std::size_t c = 0; c < header.clients.size(); ++c)
        if (in_dc(header.clients[c].broker))
            clients.push_back(c);
    for (std::size_t g = 0; g < header.node_groups.size(); ++g)
        if (in_dc(header.node_groups[g].broker))
            groups.push_back(g);

    const double row_width = brokers.size() * kBrokerSpacing + clients.size() * kClientSpacing;
    std::vector<GroupBox> boxes;
    for (const auto g : groups)
        boxes.push_back(group_box(header.node_groups[g].recorded));
    const auto per_row =
        std::min<std::size_t>(kGroupsPerRow, std::max<std::size_t>(1, groups.size()));
    const double groups_width =
        groups.empty() ? 0 : per_row * (kGroupWidth + kGroupGap) - kGroupGap;
    region.width = std::max({row_width, groups_width, 120.0}) + 2 * kPadding;

    // Rows of group boxes, each row as tall as its tallest box.
    std::vector<double> row_heights;
    for (std::size_t i = 0; i < boxes.size(); ++i) {
        if (i % per_row == 0)
            row_heights.push_back(0);
        row_heights.back() = std::max(row_heights.back(), boxes[i].rect.height());
    }
    double groups_height = 0;
    for (const auto h : row_heights)
        groups_height += h + kGroupGap;
    region.height = kTitle + kBrokerRow + groups_height + kPadding;

    const double broker_y =
        brokers_below ? region.height - kPadding - kBrokerRow / 2 : kTitle + kBrokerRow / 2;
    double x = (region.width - row_width) / 2;
    for (const auto b : brokers) {
        region.brokers.emplace_back(b, QPointF(x + kBrokerSpacing / 2, broker_y));
        x += kBrokerSpacing;
    }
    for (const auto c : clients) {
        region.clients.emplace_back(c, QPointF(x + kClientSpacing / 2, broker_y));
        x += kClientSpacing;
    }

    double y = brokers_below ? kTitle : kTitle + kBrokerRow;
    for (std::size_t i = 0; i < boxes.size(); ++i) {
        const auto column = i % per_row;
        const auto in_row = std::min(per_row, boxes.size() - (i - column));
        const double row_x = (region.width - (in_row * (kGroupWidth + kGroupGap) - kGroupGap)) / 2;
        auto box = boxes[i];
        const QPointF offset(row_x + column * (kGroupWidth + kGroupGap), y);
        box.rect.translate(offset);
        box.cells.translate(offset);
        region.groups.emplace_back(groups[i], box);
        if (column + 1 == per_row || i + 1 == boxes.size())
            y += row_heights[i / per_row] + kGroupGap;
    }
    return region;
}

}  // namespace

NetworkLayout NetworkLayout::compute(const io::TraceHeader& header)
{
    const auto dcs = header.datacenters.size();
    NetworkLayout layout;
    layout.regions.resize(dcs);
    layout.brokers.resize(header.brokers.size());
    layout.clients.resize(header.clients.size());
    layout.groups.resize(header.node_groups.size());
    if (dcs == 0)
        return layout;

    // A star's hub goes in the middle; everything else on a circle around it.
    std::vector<int> degree(dcs, 0);
    for (const auto& link : header.links) {
        if (link.a < dcs)
            ++degree[link.a];
        if (link.b < dcs)
            ++degree[link.b];
    }
    const auto hub_it = std::max_element(degree.begin(), degree.end());
    const int hub = dcs >= 4 && *hub_it == static_cast<int>(dcs) - 1
                        ? static_cast<int>(hub_it - degree.begin())
                        : -1;
    const auto spokes = dcs - (hub >= 0 ? 1 : 0);

    std::vector<double> angles(dcs, 0);
    std::size_t k = 0;
    for (std::size_t dc = 0; dc < dcs; ++dc) {
        if (static_cast<int>(dc) == hub)
            continue;
        angles[dc] = -std::numbers::pi / 2 + std::numbers::pi / spokes +
                     2 * std::numbers::pi * static_cast<double>(k++) / spokes;
    }

    std::vector<LocalRegion> local(dcs);
    double largest = 0;
    for (std::size_t dc = 0; dc < dcs; ++dc) {
        const bool above = static_cast<int>(dc) != hub && std::sin(angles[dc]) < -1e-9;
        local[dc] = layout_region(header, dc, above);
        largest = std::max({largest, local[dc].width, local[dc].height});
    }
    const double hub_size = hub >= 0 ? std::max(local[hub].width, local[hub].height) : 0;
    double radius = spokes < 2 ? 0 : (largest + 80) / (2 * std::sin(std::numbers::pi / spokes));
    radius = std::max(radius, hub_size / 2 + largest / 2 + 120);
    if (spokes == 1 && hub < 0)
        radius = 0;

    for (std::size_t dc = 0; dc < dcs; ++dc) {
        const bool centre = static_cast<int>(dc) == hub;
        const QPointF middle =
            centre ? QPointF(0, 0)
                   : QPointF(radius * std::cos(angles[dc]), radius * std::sin(angles[dc]));
        const QPointF origin = middle - QPointF(local[dc].width / 2, local[dc].height / 2);
        layout.regions[dc] = QRectF(origin, QSizeF(local[dc].width, local[dc].height));
        for (const auto& [b, at] : local[dc].brokers)
            layout.brokers[b] = origin + at;
        for (const auto& [c, at] : local[dc].clients)
            layout.clients[c] = origin + at;
        for (auto [g, box] : local[dc].groups) {
            box.rect.translate(origin);
            box.cells.translate(origin);
            layout.groups[g] = box;
        }
        layout.bounds =
            layout.bounds.isNull() ? layout.regions[dc] : layout.bounds.united(layout.regions[dc]);
    }
    layout.bounds.adjust(-40, -40, 40, 40);
    return layout;
}

QPointF NetworkLayout::cell_centre(std::size_t group, std::uint32_t local) const
{
    const auto& box = groups.at(group);
    const auto row = static_cast<int>(local) / box.columns;
    const auto column = static_cast<int>(local) % box.columns;
    return box.cells.topLeft() + QPointF((column + 0.5) * box.cell, (row + 0.5) * box.cell);
}

}  // namespace brokersim::gui
