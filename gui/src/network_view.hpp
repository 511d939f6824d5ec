// The map: datacenters as regions, brokers, clients, WAN links drawn by their traffic, node
// groups with a cell per recorded node, and every message copy in the air as a dot moving
// along its hop. Items paint from the Replay they are given, so redrawing is all a new
// simulated time needs. Pan by dragging, zoom with the wheel.
#pragma once

#include "network_layout.hpp"
#include "replay.hpp"

#include <QGraphicsView>
#include <QImage>

#include <optional>

namespace brokersim::gui {

QColor flight_colour(FlightKind kind);
QString flight_label(FlightKind kind);

class NetworkView : public QGraphicsView
{
    Q_OBJECT

public:
    explicit NetworkView(QWidget* parent = nullptr);

    // Builds the map for a replay (kept by the caller, alive while shown); nullptr clears it.
    void show_replay(const Replay* replay);
    // Redraws what changes with simulated time.
    void refresh();
    // Drop marks stay this long in simulated time (the main window ties it to the speed).
    void set_mark_window(double seconds) { mark_window_s_ = seconds; }
    // Rings the flight or mark of this record, or its place when it is not in the air.
    void highlight_record(std::optional<std::uint32_t> record);
    std::optional<std::uint32_t> highlighted_record() const { return highlight_; }

    const NetworkLayout& layout() const { return layout_; }
    const Replay* replay() const { return replay_; }
    double mark_window_s() const { return mark_window_s_; }
    // Position of a place on the map; a recorded node's cell when the place names one.
    QPointF position_of(const Place& place) const;
    // Where a flight is at the replay's current time.
    QPointF flight_position(const Flight& flight) const;

    // The whole map as an image of `size` pixels (aspect kept, white margins).
    QImage render_map(const QSize& size);
    void fit();
    void set_legend_visible(bool visible);

signals:
    void messageClicked(std::uint32_t record);
    void groupClicked(int group);
    void linkClicked(int link);
    void brokerClicked(int broker);

protected:
    void drawForeground(QPainter* painter, const QRectF& rect) override;
    void resizeEvent(QResizeEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;

private:
    std::optional<std::uint32_t> flight_near(const QPointF& scene_pos, double radius) const;
    const std::vector<QPointF>& route_points(model::BrokerIndex from, model::BrokerIndex to) const;

    const Replay* replay_ = nullptr;
    NetworkLayout layout_;
    double mark_window_s_ = 0.01;
    std::optional<std::uint32_t> highlight_;
    QPoint press_pos_;
    bool auto_fit_ = true;  // follow the window's size until the user zooms
    bool show_legend_ = true;
    std::vector<std::vector<QPointF>> routes_;  // [from * brokers + to]: polyline
};

}  // namespace brokersim::gui
