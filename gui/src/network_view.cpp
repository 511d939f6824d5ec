#include "network_view.hpp"

#include <QFontMetrics>
#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace brokersim::gui {

namespace {

enum ItemRole
{
    RoleKind = 0,
    RoleIndex = 1,
};

enum class ItemKind
{
    Broker = 1,
    Link,
    Group,
};

const QColor kRegionColours[] = {
    QColor(232, 240, 250), QColor(236, 246, 234), QColor(250, 240, 230), QColor(242, 236, 248),
    QColor(250, 246, 226), QColor(230, 246, 246), QColor(248, 234, 240), QColor(238, 238, 238),
};

QColor mix(const QColor& a, const QColor& b, double t)
{
    t = std::clamp(t, 0.0, 1.0);
    return QColor::fromRgbF(static_cast<float>(a.redF() + (b.redF() - a.redF()) * t),
                            static_cast<float>(a.greenF() + (b.greenF() - a.greenF()) * t),
                            static_cast<float>(a.blueF() + (b.blueF() - a.blueF()) * t));
}

QString count_text(std::int64_t n)
{
    return QString::number(n);
}

class RegionItem final : public QGraphicsItem
{
public:
    RegionItem(QRectF rect, QColor colour) : rect_(rect), colour_(colour)
    {
        setZValue(0);
        setCacheMode(DeviceCoordinateCache);
    }
    QRectF boundingRect() const override { return rect_.adjusted(-2, -2, 2, 2); }
    void paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) override
    {
        p->setPen(QPen(colour_.darker(130), 1.5));
        p->setBrush(colour_);
        p->drawRoundedRect(rect_, 10, 10);
    }

private:
    QRectF rect_;
    QColor colour_;
};

// A region's name, above the WAN links that cross its box (a hub's box is crossed by every
// link), on a patch of the region's colour so the lines pass under it.
class RegionLabelItem final : public QGraphicsItem
{
public:
    RegionLabelItem(QRectF region, const QString& name, QColor colour)
        : text_(QStringLiteral("datacenter %1").arg(name)), colour_(colour)
    {
        setZValue(1.5);
        setCacheMode(DeviceCoordinateCache);
        QFont font;
        font.setPointSizeF(9);
        font.setBold(true);
        font_ = font;
        const QFontMetricsF metrics(font_);
        rect_ = QRectF(region.left() + 6, region.top() + 2,
                       std::min(metrics.horizontalAdvance(text_) + 8, region.width() - 12),
                       metrics.height() + 2);
    }
    QRectF boundingRect() const override { return rect_; }
    void paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) override
    {
        p->setPen(Qt::NoPen);
        p->setBrush(colour_);
        p->drawRoundedRect(rect_, 4, 4);
        p->setFont(font_);
        p->setPen(colour_.darker(250));
        p->drawText(rect_.adjusted(4, 1, -4, 0), Qt::AlignLeft | Qt::AlignTop, text_);
    }

private:
    QString text_;
    QColor colour_;
    QFont font_;
    QRectF rect_;
};

class BrokerItem final : public QGraphicsItem
{
public:
    BrokerItem(QPointF centre, QString name, int index) : centre_(centre), name_(std::move(name))
    {
        setZValue(3);
        setData(RoleKind, static_cast<int>(ItemKind::Broker));
        setData(RoleIndex, index);
        setToolTip(QStringLiteral("broker %1").arg(name_));
    }
    QRectF boundingRect() const override
    {
        const double r = NetworkLayout::kBrokerRadius;
        return QRectF(centre_.x() - 40, centre_.y() - r - 2, 80, 2 * r + 20);
    }
    void paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) override
    {
        const double r = NetworkLayout::kBrokerRadius;
        p->setPen(QPen(QColor(40, 60, 90), 2));
        p->setBrush(QColor(70, 110, 170));
        p->drawEllipse(centre_, r, r);
        QFont font = p->font();
        font.setPointSizeF(8);
        font.setBold(true);
        p->setFont(font);
        p->setPen(Qt::white);
        p->drawText(QRectF(centre_.x() - r, centre_.y() - r, 2 * r, 2 * r), Qt::AlignCenter,
                    QStringLiteral("AMQ"));
        p->setPen(Qt::black);
        p->drawText(QRectF(centre_.x() - 40, centre_.y() + r, 80, 16), Qt::AlignCenter, name_);
    }

private:
    QPointF centre_;
    QString name_;
};

class ClientItem final : public QGraphicsItem
{
public:
    ClientItem(QPointF centre, QString name, std::uint32_t index, const Replay* replay)
        : centre_(centre), name_(std::move(name)), index_(index), replay_(replay)
    {
        setZValue(3);
        setToolTip(QStringLiteral("MCollective client %1").arg(name_));
    }
    QRectF boundingRect() const override
    {
        return QRectF(centre_.x() - 45, centre_.y() - 12, 90, 50);
    }
    void paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) override
    {
        const double s = NetworkLayout::kClientSize;
        p->setPen(QPen(QColor(90, 60, 20), 1.5));
        p->setBrush(QColor(240, 200, 120));
        p->drawRect(QRectF(centre_.x() - s / 2, centre_.y() - s / 2, s, s));
        QFont font = p->font();
        font.setPointSizeF(7.5);
        p->setFont(font);
        p->setPen(Qt::black);
        p->drawText(QRectF(centre_.x() - 45, centre_.y() + s / 2, 90, 14), Qt::AlignCenter, name_);
        const int request = replay_->current_request();
        if (request < 0 || replay_->run().header().requests[request].client != index_)
            return;
        p->setPen(QColor(30, 110, 30));
        p->drawText(
            QRectF(centre_.x() - 45, centre_.y() + s / 2 + 12, 90, 14), Qt::AlignCenter,
            QStringLiteral("%1 replies").arg(count_text(replay_->request(request).replies)));
    }

private:
    QPointF centre_;
    QString name_;
    std::uint32_t index_;
    const Replay* replay_;
};

// Two lanes, a->b and b->a, each as wide and as warm as its share of the link's bandwidth in
// the current interval; counters of what crossed so far at the middle.
class LinkItem final : public QGraphicsItem
{
public:
    LinkItem(QPointF a, QPointF b, int index, const Replay* replay)
        : a_(a), b_(b), index_(index), replay_(replay)
    {
        setZValue(1);
        setData(RoleKind, static_cast<int>(ItemKind::Link));
        setData(RoleIndex, index);
        const auto& link = replay_->run().header().links[index];
        setToolTip(QStringLiteral("WAN link %1: %2 ms, %3 Mbit/s")
                       .arg(QString::fromStdString(link.name))
                       .arg(link.latency_s * 1000, 0, 'g', 4)
                       .arg(link.bandwidth_bps / 1e6, 0, 'g', 4));
    }
    QRectF boundingRect() const override
    {
        return QRectF(a_, b_).normalized().adjusted(-90, -40, 90, 40);
    }
    QPainterPath shape() const override
    {
        QPainterPath line(a_);
        line.lineTo(b_);
        QPainterPathStroker stroker;
        stroker.setWidth(16);
        return stroker.createStroke(line);
    }
    void paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) override
    {
        const auto& run = replay_->run();
        const auto& link = run.header().links[index_];
        const auto& traffic = run.link_traffic();
        const auto interval =
            std::min<std::size_t>(traffic.bytes_ab[index_].size() - 1,
                                  static_cast<std::size_t>(replay_->time_s() / traffic.interval_s));
        const double capacity_bytes = link.bandwidth_bps / 8 * traffic.interval_s;
        const double util_ab =
            capacity_bytes > 0 ? traffic.bytes_ab[index_][interval] / capacity_bytes : 0;
        const double util_ba =
            capacity_bytes > 0 ? traffic.bytes_ba[index_][interval] / capacity_bytes : 0;

        const QPointF d = b_ - a_;
        const double length = std::hypot(d.x(), d.y());
        const QPointF normal = length > 0 ? QPointF(-d.y() / length, d.x() / length) : QPointF();
        draw_lane(p, a_ + normal * 4, b_ + normal * 4, util_ab);
        draw_lane(p, b_ - normal * 4, a_ - normal * 4, util_ba);

        const auto& counters = replay_->link(index_);
        QFont font = p->font();
        font.setPointSizeF(7);
        p->setFont(font);
        const QPointF middle = (a_ + b_) / 2;
        const QRectF box(middle.x() - 80, middle.y() - 16, 160, 32);
        p->setPen(Qt::NoPen);
        p->setBrush(QColor(255, 255, 255, 215));
        p->drawRoundedRect(box.adjusted(14, 1, -14, -1), 4, 4);
        p->setPen(QColor(60, 60, 60));
        const auto& names = run.header().datacenters;
        const auto a_name =
            QString::fromStdString(link.a < names.size() ? names[link.a].name : "a");
        const auto b_name =
            QString::fromStdString(link.b < names.size() ? names[link.b].name : "b");
        p->drawText(box, Qt::AlignCenter,
                    QStringLiteral("%1\u2192%2 %3 msg %4%\n%2\u2192%1 %5 msg %6%")
                        .arg(a_name, b_name, count_text(counters.messages_ab))
                        .arg(util_ab * 100, 0, 'f', 1)
                        .arg(count_text(counters.messages_ba))
                        .arg(util_ba * 100, 0, 'f', 1));
    }

private:
    static void draw_lane(QPainter* p, QPointF from, QPointF to, double utilisation)
    {
        const double u = std::clamp(utilisation, 0.0, 1.0);
        QPen pen(mix(QColor(160, 160, 160), QColor(230, 85, 13), std::sqrt(u)),
                 2.5 + 9 * std::sqrt(u));
        pen.setCapStyle(Qt::FlatCap);
        p->setPen(pen);
        p->drawLine(from, to);
    }

    QPointF a_, b_;
    int index_;
    const Replay* replay_;
};

// A node group: its name, counters so far, and one cell per recorded node coloured by what
// that node has done with the current request.
class GroupItem final : public QGraphicsItem
{
public:
    GroupItem(const GroupBox& box, int index, const Replay* replay)
        : box_(box), index_(index), replay_(replay)
    {
        setZValue(2);
        setData(RoleKind, static_cast<int>(ItemKind::Group));
        setData(RoleIndex, index);
        const auto& group = replay_->run().header().node_groups[index];
        first_slot_ = group.recorded > 0 ? replay_->run().recorded_slot(group.first) : -1;
    }
    QRectF boundingRect() const override { return box_.rect.adjusted(-1, -1, 1, 1); }
    void paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) override
    {
        const auto& group = replay_->run().header().node_groups[index_];
        const auto& c = replay_->group(index_);
        p->setPen(QPen(QColor(120, 120, 120), 1));
        p->setBrush(QColor(255, 255, 255, 235));
        p->drawRoundedRect(box_.rect, 5, 5);

        QFont font = p->font();
        font.setPointSizeF(7.5);
        font.setBold(true);
        p->setFont(font);
        p->setPen(Qt::black);
        const QRectF text = box_.rect.adjusted(6, 3, -6, 0);
        p->drawText(text, Qt::AlignLeft | Qt::AlignTop, QString::fromStdString(group.name));
        font.setBold(false);
        font.setPointSizeF(6.5);
        p->setFont(font);
        p->setPen(QColor(50, 50, 50));
        const QString size = group.recorded == group.count
                                 ? QStringLiteral("%1 nodes").arg(count_text(group.count))
                                 : QStringLiteral("%1 nodes, first %2 shown")
                                       .arg(count_text(group.count), count_text(group.recorded));
        p->drawText(text.adjusted(0, 14, 0, 0), Qt::AlignLeft | Qt::AlignTop,
                    QStringLiteral("%1\nrequests %2, duplicates %3\nmatched %4, filtered %5\n"
                                   "replies %6 sent, %7 in time\ndiscovery: %8 pings, %9 pongs")
                        .arg(size, count_text(c.deliveries), count_text(c.duplicates),
                             count_text(c.executed), count_text(c.filtered),
                             count_text(c.replies_sent), count_text(c.replies_received),
                             count_text(c.pings), count_text(c.pongs)));
        paint_cells(p, group.recorded);
    }

private:
    void paint_cells(QPainter* p, std::uint32_t recorded)
    {
        const int request = replay_->current_request();
        const auto state = [&](std::uint32_t i) {
            return request >= 0 && first_slot_ >= 0
                       ? replay_->node(request, static_cast<std::size_t>(first_slot_) + i)
                       : NodeState{};
        };
        const double cell = box_.cell;
        if (recorded > kCellsDrawnOneByOne) {
            // Thousands of cells of a pixel or two: one pixel each in an image, drawn scaled.
            const int rows = (static_cast<int>(recorded) + box_.columns - 1) / box_.columns;
            if (cells_.width() != box_.columns || cells_.height() != rows)
                cells_ = QImage(box_.columns, rows, QImage::Format_RGB32);
            cells_.fill(QColor(255, 255, 255));
            for (std::uint32_t i = 0; i < recorded; ++i)
                reinterpret_cast<QRgb*>(
                    cells_.scanLine(static_cast<int>(i) / box_.columns))[i % box_.columns] =
                    cell_colour(state(i)).rgb();
            p->drawImage(QRectF(box_.cells.topLeft(), QSizeF(box_.columns * cell, rows * cell)),
                         cells_);
            return;
        }
        const double gap = cell >= 4 ? 1 : 0;
        for (std::uint32_t i = 0; i < recorded; ++i) {
            const auto row = static_cast<int>(i) / box_.columns;
            const auto column = static_cast<int>(i) % box_.columns;
            p->fillRect(QRectF(box_.cells.left() + column * cell, box_.cells.top() + row * cell,
                               cell - gap, cell - gap),
                        cell_colour(state(i)));
        }
    }
    static QColor cell_colour(const NodeState& s)
    {
        if (s.deliveries >= 2)
            return QColor(255, 127, 14);  // a duplicate: orange, as duplicate flights
        if (s.replied)
            return QColor(44, 160, 44);
        if (s.executed)
            return QColor(242, 190, 50);
        if (s.filtered)
            return QColor(175, 175, 175);
        if (s.deliveries)
            return QColor(120, 170, 220);
        return QColor(232, 232, 232);
    }

    static constexpr std::uint32_t kCellsDrawnOneByOne = 4096;

    GroupBox box_;
    int index_;
    const Replay* replay_;
    std::int64_t first_slot_ = -1;
    QImage cells_;
};

// Every message copy in the air, every recent drop, and the highlighted record: one item, so
// thousands of dots cost one paint call.
class MessageLayer final : public QGraphicsItem
{
public:
    explicit MessageLayer(const NetworkView* view) : view_(view)
    {
        setZValue(10);
        setAcceptedMouseButtons(Qt::NoButton);
    }
    QRectF boundingRect() const override { return view_->layout().bounds; }
    void paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) override
    {
        const auto* replay = view_->replay();
        std::array<QPolygonF, kFlightKinds> dots;
        replay->for_each_flight([&](const Flight& flight) {
            dots[static_cast<int>(flight.kind)] << view_->flight_position(flight);
        });
        // Beyond a few thousand dots, round antialiased ones cost more than the difference
        // shows: square ones at that density look the same.
        std::size_t total = 0;
        for (const auto& d : dots)
            total += static_cast<std::size_t>(d.size());
        const bool crowded = total > kRoundDots;
        p->save();
        p->setRenderHint(QPainter::Antialiasing, !crowded);
        for (int k = 0; k < kFlightKinds; ++k) {
            if (dots[k].isEmpty())
                continue;
            p->setPen(QPen(flight_colour(static_cast<FlightKind>(k)), crowded ? 5 : 7,
                           Qt::SolidLine, crowded ? Qt::SquareCap : Qt::RoundCap));
            p->drawPoints(dots[k]);
        }
        p->restore();

        QPen cross(QColor(214, 39, 40), 2);
        p->setPen(cross);
        const auto& records = replay->run().records();
        replay->for_each_mark(view_->mark_window_s(), [&](const Mark& mark) {
            if (records[mark.record].reason == model::DropReason::Filtered)
                return;  // the node's cell shows it; a cross per filtered node would hide all
            const QPointF at = view_->position_of(mark.at);
            p->drawLine(at + QPointF(-5, -5), at + QPointF(5, 5));
            p->drawLine(at + QPointF(-5, 5), at + QPointF(5, -5));
        });

        paint_highlight(p, *replay);
    }

private:
    static constexpr std::size_t kRoundDots = 3000;

    void paint_highlight(QPainter* p, const Replay& replay)
    {
        const auto record = view_->highlighted_record();
        if (!record)
            return;
        std::optional<QPointF> at;
        replay.for_each_flight([&](const Flight& flight) {
            if (flight.record == *record)
                at = view_->flight_position(flight);
        });
        if (!at) {
            const auto& r = replay.run().records()[*record];
            const bool at_node = r.node != model::kNone && !model::is_reply(r.message_kind) &&
                                 r.group != model::kNone;
            at = view_->position_of(at_node ? Place{Place::Kind::Group, r.group, r.node}
                                            : Place{Place::Kind::Broker, r.broker});
        }
        p->setPen(QPen(QColor(20, 20, 20), 2.5));
        p->setBrush(Qt::NoBrush);
        p->drawEllipse(*at, 11, 11);
        p->setPen(QPen(QColor(255, 220, 0), 1.5));
        p->drawEllipse(*at, 13.5, 13.5);
    }

    const NetworkView* view_;
};

}  // namespace

QColor flight_colour(FlightKind kind)
{
    switch (kind) {
    case FlightKind::Request:
        return QColor(31, 119, 180);
    case FlightKind::Forward:
        return QColor(23, 190, 207);
    case FlightKind::Delivery:
        return QColor(57, 73, 171);
    case FlightKind::Discovery:
        return QColor(148, 103, 189);
    case FlightKind::Reply:
        return QColor(44, 160, 44);
    case FlightKind::Duplicate:
        return QColor(255, 127, 14);
    case FlightKind::LateReply:
        return QColor(127, 127, 127);
    }
    return Qt::black;
}

NetworkView::NetworkView(QWidget* parent) : QGraphicsView(parent)
{
    setScene(new QGraphicsScene(this));
    setRenderHint(QPainter::Antialiasing);
    setDragMode(QGraphicsView::ScrollHandDrag);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setViewportUpdateMode(QGraphicsView::FullViewportUpdate);
    setBackgroundBrush(Qt::white);
}

void NetworkView::show_replay(const Replay* replay)
{
    scene()->clear();
    replay_ = replay;
    highlight_.reset();
    routes_.clear();
    if (!replay_)
        return;

    const auto& header = replay_->run().header();
    layout_ = NetworkLayout::compute(header);
    scene()->setSceneRect(layout_.bounds);

    for (std::size_t dc = 0; dc < header.datacenters.size(); ++dc) {
        const auto name = QString::fromStdString(header.datacenters[dc].name);
        const auto colour = kRegionColours[dc % std::size(kRegionColours)];
        scene()->addItem(new RegionItem(layout_.regions[dc], colour));
        scene()->addItem(new RegionLabelItem(layout_.regions[dc], name, colour));
    }

    // A WAN link joins datacenters; it is drawn between their first brokers.
    std::vector<QPointF> anchors(header.datacenters.size());
    for (std::size_t dc = 0; dc < anchors.size(); ++dc)
        anchors[dc] = layout_.regions[dc].center();
    for (std::size_t b = header.brokers.size(); b-- > 0;)
        if (header.brokers[b].datacenter < anchors.size())
            anchors[header.brokers[b].datacenter] = layout_.brokers[b];
    for (std::size_t l = 0; l < header.links.size(); ++l) {
        const auto& link = header.links[l];
        if (link.a < anchors.size() && link.b < anchors.size())
            scene()->addItem(
                new LinkItem(anchors[link.a], anchors[link.b], static_cast<int>(l), replay_));
    }

    const auto brokers = header.brokers.size();
    routes_.resize(brokers * brokers);
    for (std::size_t from = 0; from < brokers; ++from) {
        for (std::size_t to = 0; to < brokers; ++to) {
            auto& points = routes_[from * brokers + to];
            points.push_back(layout_.brokers[from]);
            auto dc = header.brokers[from].datacenter;
            const auto& route = header.route(static_cast<model::BrokerIndex>(from),
                                             static_cast<model::BrokerIndex>(to));
            for (std::size_t hop = 0; hop + 1 < route.size(); ++hop) {
                const auto& link = header.links.at(route[hop].first);
                dc = route[hop].second > 0 ? link.b : link.a;
                points.push_back(anchors.at(dc));
            }
            points.push_back(layout_.brokers[to]);
        }
    }

    for (std::size_t b = 0; b < brokers; ++b)
        scene()->addItem(new BrokerItem(layout_.brokers[b],
                                        QString::fromStdString(header.brokers[b].name),
                                        static_cast<int>(b)));
    for (std::size_t c = 0; c < header.clients.size(); ++c)
        scene()->addItem(new ClientItem(layout_.clients[c],
                                        QString::fromStdString(header.clients[c].name),
                                        static_cast<std::uint32_t>(c), replay_));
    for (std::size_t g = 0; g < header.node_groups.size(); ++g)
        scene()->addItem(new GroupItem(layout_.groups[g], static_cast<int>(g), replay_));
    scene()->addItem(new MessageLayer(this));
    fit();
}

QString flight_label(FlightKind kind)
{
    switch (kind) {
    case FlightKind::Request:
        return QObject::tr("request published");
    case FlightKind::Forward:
        return QObject::tr("request over a bridge");
    case FlightKind::Delivery:
        return QObject::tr("request to a node");
    case FlightKind::Duplicate:
        return QObject::tr("duplicate copy");
    case FlightKind::Discovery:
        return QObject::tr("discovery ping / pong");
    case FlightKind::Reply:
        return QObject::tr("reply");
    case FlightKind::LateReply:
        return QObject::tr("late reply");
    }
    return {};
}

// The colours of the map, in a box at `origin` (device pixels).
void paint_legend(QPainter* painter, QPoint origin)
{
    painter->save();
    QFont font = painter->font();
    font.setPointSizeF(8);
    painter->setFont(font);
    const int line = QFontMetrics(font).height() + 2;
    const QRect box(origin, QSize(178, line * (kFlightKinds + 1) + 10));
    painter->setPen(QColor(190, 190, 190));
    painter->setBrush(QColor(255, 255, 255, 225));
    painter->drawRoundedRect(box, 5, 5);
    int y = box.top() + 5 + line / 2;
    const auto label = [&](const QString& text) {
        painter->setPen(Qt::black);
        painter->drawText(QRect(box.left() + 24, y - line / 2, box.width() - 28, line),
                          Qt::AlignVCenter, text);
    };
    for (int k = 0; k < kFlightKinds; ++k, y += line) {
        painter->setPen(
            QPen(flight_colour(static_cast<FlightKind>(k)), 7, Qt::SolidLine, Qt::RoundCap));
        painter->drawPoint(QPoint(box.left() + 12, y));
        label(flight_label(static_cast<FlightKind>(k)));
    }
    painter->setPen(QPen(QColor(214, 39, 40), 2));
    painter->drawLine(QPoint(box.left() + 8, y - 4), QPoint(box.left() + 16, y + 4));
    painter->drawLine(QPoint(box.left() + 8, y + 4), QPoint(box.left() + 16, y - 4));
    label(QObject::tr("dropped copy"));
    painter->restore();
}

void NetworkView::drawForeground(QPainter* painter, const QRectF& rect)
{
    QGraphicsView::drawForeground(painter, rect);
    if (!replay_ || !show_legend_)
        return;
    // In the view's corner whatever the zoom: drawn in viewport pixels.
    painter->save();
    painter->resetTransform();
    paint_legend(painter, QPoint(8, 8));
    painter->restore();
}

void NetworkView::refresh()
{
    viewport()->update();
}

void NetworkView::highlight_record(std::optional<std::uint32_t> record)
{
    highlight_ = record;
    refresh();
}

void NetworkView::set_legend_visible(bool visible)
{
    show_legend_ = visible;
    refresh();
}

void NetworkView::fit()
{
    auto_fit_ = true;
    if (replay_)
        fitInView(layout_.bounds, Qt::KeepAspectRatio);
}

QPointF NetworkView::position_of(const Place& place) const
{
    switch (place.kind) {
    case Place::Kind::Broker:
        return place.index < layout_.brokers.size() ? layout_.brokers[place.index] : QPointF();
    case Place::Kind::Client:
        return place.index < layout_.clients.size() ? layout_.clients[place.index] : QPointF();
    case Place::Kind::Group: {
        if (place.index >= layout_.groups.size())
            return {};
        const auto& group = replay_->run().header().node_groups[place.index];
        if (place.node != model::kNone && place.node >= group.first &&
            place.node - group.first < group.recorded)
            return layout_.cell_centre(place.index, place.node - group.first);
        return layout_.groups[place.index].rect.center();
    }
    }
    return {};
}

QPointF NetworkView::flight_position(const Flight& flight) const
{
    const double span_s = flight.end_s - flight.start_s;
    const double f =
        span_s > 0 ? std::clamp((replay_->time_s() - flight.start_s) / span_s, 0.0, 1.0) : 1.0;
    if (flight.from.kind != Place::Kind::Broker || flight.to.kind != Place::Kind::Broker) {
        const QPointF a = position_of(flight.from);
        return a + (position_of(flight.to) - a) * f;
    }

    // Over the WAN: along the route's links, at a share of the way proportional to length.
    const auto& points = route_points(static_cast<model::BrokerIndex>(flight.from.index),
                                      static_cast<model::BrokerIndex>(flight.to.index));
    double total = 0;
    for (std::size_t i = 1; i < points.size(); ++i)
        total += QLineF(points[i - 1], points[i]).length();
    double remaining = f * total;
    for (std::size_t i = 1; i < points.size(); ++i) {
        const double length = QLineF(points[i - 1], points[i]).length();
        if (remaining <= length && length > 0)
            return points[i - 1] + (points[i] - points[i - 1]) * (remaining / length);
        remaining -= length;
    }
    return points.back();
}

const std::vector<QPointF>& NetworkView::route_points(model::BrokerIndex from,
                                                      model::BrokerIndex to) const
{
    return routes_.at(static_cast<std::size_t>(from) * layout_.brokers.size() + to);
}

QImage NetworkView::render_map(const QSize& size)
{
    QImage image(size, QImage::Format_ARGB32);
    image.fill(Qt::white);
    if (!replay_)
        return image;
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    // The legend gets a strip of its own on the left, so it hides nothing of the map.
    const double legend_width = show_legend_ ? 200 : 0;
    scene()->render(&painter,
                    QRectF(legend_width, 0, image.width() - legend_width, image.height()),
                    layout_.bounds, Qt::KeepAspectRatio);
    if (show_legend_)
        paint_legend(&painter, QPoint(8, 8));
    return image;
}

void NetworkView::resizeEvent(QResizeEvent* event)
{
    QGraphicsView::resizeEvent(event);
    if (auto_fit_)
        fit();
}

void NetworkView::wheelEvent(QWheelEvent* event)
{
    auto_fit_ = false;  // the user chose a zoom; keep it
    const double factor = std::pow(1.0015, event->angleDelta().y());
    const double scale = transform().m11() * factor;
    if (scale > 0.02 && scale < 40)
        this->scale(factor, factor);
    event->accept();
}

void NetworkView::mousePressEvent(QMouseEvent* event)
{
    press_pos_ = event->pos();
    QGraphicsView::mousePressEvent(event);
}

std::optional<std::uint32_t> NetworkView::flight_near(const QPointF& scene_pos, double radius) const
{
    std::optional<std::uint32_t> nearest;
    double best = radius;
    replay_->for_each_flight([&](const Flight& flight) {
        const double distance = QLineF(flight_position(flight), scene_pos).length();
        if (distance <= best) {
            best = distance;
            nearest = flight.record;
        }
    });
    return nearest;
}

void NetworkView::mouseReleaseEvent(QMouseEvent* event)
{
    QGraphicsView::mouseReleaseEvent(event);
    if (!replay_ || event->button() != Qt::LeftButton)
        return;
    if ((event->pos() - press_pos_).manhattanLength() > 4) {
        auto_fit_ = false;  // panned
        return;
    }

    const QPointF at = mapToScene(event->pos());
    const double pixels_to_scene = 1.0 / std::max(1e-6, transform().m11());
    if (const auto record = flight_near(at, 9 * pixels_to_scene)) {
        emit messageClicked(*record);
        return;
    }
    for (auto* item : items(event->pos())) {
        const auto kind = static_cast<ItemKind>(item->data(RoleKind).toInt());
        const int index = item->data(RoleIndex).toInt();
        switch (kind) {
        case ItemKind::Group:
            emit groupClicked(index);
            return;
        case ItemKind::Link:
            emit linkClicked(index);
            return;
        case ItemKind::Broker:
            emit brokerClicked(index);
            return;
        }
    }
}

}  // namespace brokersim::gui
