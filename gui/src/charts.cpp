#include "charts.hpp"

#include "request_choices.hpp"

#include "network_view.hpp"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace brokersim::gui {

namespace {

// At most this many points per line: enough for a smooth curve, cheap to redraw.
constexpr std::size_t kMaxPoints = 2000;

const QColor kSeriesColours[] = {
    QColor(31, 119, 180),  QColor(255, 127, 14), QColor(44, 160, 44),   QColor(214, 39, 40),
    QColor(148, 103, 189), QColor(140, 86, 75),  QColor(227, 119, 194), QColor(127, 127, 127),
    QColor(188, 189, 34),  QColor(23, 190, 207),
};

// Chart labels are rich text, where "a<->b" would read as a tag.
QString display_name(const std::string& link)
{
    return QString::fromStdString(link).replace(QStringLiteral("<->"), QStringLiteral("\u2194"));
}

QChart* new_chart(const QString& title)
{
    auto* chart = new QChart;
    chart->setTitle(title);
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->legend()->setAlignment(Qt::AlignBottom);
    return chart;
}

QValueAxis* axis(const QString& title, double min, double max)
{
    auto* a = new QValueAxis;
    a->setTitleText(title);
    a->setRange(min, max > min ? max : min + 1);
    a->applyNiceNumbers();
    return a;
}

void attach(QChart* chart, QAbstractSeries* series, QValueAxis* x, QValueAxis* y)
{
    chart->addSeries(series);
    if (!chart->axes(Qt::Horizontal).contains(x))
        chart->addAxis(x, Qt::AlignBottom);
    if (!chart->axes(Qt::Vertical).contains(y))
        chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);
}

QChartView* new_view(QChart* chart)
{
    auto* view = new QChartView(chart);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(140);
    view->setMinimumWidth(260);
    return view;
}

}  // namespace

std::optional<double> sample_percentile(const std::vector<LatencySample>& samples, double p)
{
    std::uint64_t total = 0;
    for (const auto& s : samples)
        total += s.count;
    if (total == 0)
        return std::nullopt;
    const auto rank = std::max<std::uint64_t>(
        1, static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(total))));
    std::uint64_t seen = 0;
    for (const auto& s : samples) {
        seen += s.count;
        if (seen >= rank)
            return s.latency_s;
    }
    return samples.back().latency_s;
}

LatencyPanel::LatencyPanel(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    request_ = new QComboBox;
    summary_ = new QLabel;
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    histogram_view_ = new_view(new_chart(tr("Reply latency")));
    cdf_view_ = new_view(new_chart(tr("Reply latency, cumulative")));
    auto* charts = new QSplitter(Qt::Horizontal);
    charts->addWidget(histogram_view_);
    charts->addWidget(cdf_view_);
    layout->addWidget(request_);
    layout->addWidget(summary_);
    layout->addWidget(charts, 1);
    connect(request_, &QComboBox::currentIndexChanged, this,
            [this](int index) { show_request(index); });
}

void LatencyPanel::show_run(const RunData* run)
{
    run_ = run;
    fill_request_choices(*request_, run_);
    show_request(request_->count() > 0 ? 0 : -1);
}

int LatencyPanel::request() const
{
    return request_->currentIndex();
}

namespace {

// The request's latency samples and their total, or nothing for an unknown request.
const std::vector<LatencySample>* samples_of(const RunData* run, int request)
{
    if (!run || request < 0 || static_cast<std::size_t>(request) >= run->latencies().size())
        return nullptr;
    return &run->latencies()[request];
}

std::uint64_t total_of(const std::vector<LatencySample>& samples)
{
    std::uint64_t total = 0;
    for (const auto& s : samples)
        total += s.count;
    return total;
}

}  // namespace

QChart* latency_histogram_chart(const RunData* run, int request)
{
    auto* chart = new_chart(QObject::tr("Reply latency, request %1").arg(request));
    chart->legend()->hide();
    const auto* samples = samples_of(run, request);
    if (!samples)
        return chart;

    const double max_ms = samples->empty() ? 1.0 : samples->back().latency_s * 1000;
    const double width_ms = max_ms / LatencyPanel::kBins;
    std::vector<std::uint64_t> bins(LatencyPanel::kBins, 0);
    for (const auto& s : *samples)
        bins[std::min<std::size_t>(LatencyPanel::kBins - 1,
                                   static_cast<std::size_t>(s.latency_s * 1000 / width_ms))] +=
            s.count;

    // Bars as a stepped area: a numeric time axis instead of forty category labels.
    auto* upper = new QLineSeries;
    std::uint64_t tallest = 0;
    for (int b = 0; b < LatencyPanel::kBins; ++b) {
        upper->append(b * width_ms, static_cast<double>(bins[b]));
        upper->append((b + 1) * width_ms, static_cast<double>(bins[b]));
        tallest = std::max(tallest, bins[b]);
    }
    auto* bars = new QAreaSeries(upper);
    bars->setColor(flight_colour(FlightKind::Reply));
    bars->setBorderColor(flight_colour(FlightKind::Reply).darker(140));
    attach(
        chart, bars, axis(QObject::tr("ms after the request"), 0, max_ms),
        axis(QObject::tr("replies"), 0, static_cast<double>(std::max<std::uint64_t>(tallest, 1))));
    return chart;
}

QChart* latency_cdf_chart(const RunData* run, int request)
{
    auto* chart = new_chart(QObject::tr("Reply latency, cumulative, request %1").arg(request));
    chart->legend()->hide();
    const auto* samples = samples_of(run, request);
    if (!samples)
        return chart;

    const auto total = std::max<std::uint64_t>(total_of(*samples), 1);
    const double max_ms = samples->empty() ? 1.0 : samples->back().latency_s * 1000;
    auto* line = new QLineSeries;
    line->setColor(flight_colour(FlightKind::Reply).darker(130));
    const auto step = std::max<std::size_t>(1, samples->size() / kMaxPoints);
    std::uint64_t seen = 0;
    line->append(0, 0);
    for (std::size_t i = 0; i < samples->size(); ++i) {
        seen += (*samples)[i].count;
        if (i % step == 0 || i + 1 == samples->size())
            line->append((*samples)[i].latency_s * 1000,
                         100.0 * static_cast<double>(seen) / static_cast<double>(total));
    }
    attach(chart, line, axis(QObject::tr("ms after the request"), 0, max_ms),
           axis(QObject::tr("% of replies received"), 0, 100));
    return chart;
}

void LatencyPanel::show_request(int request)
{
    if (request_->currentIndex() != request && request >= 0) {
        request_->setCurrentIndex(request);  // comes back here through the signal
        return;
    }
    const auto* samples = samples_of(run_, request);
    histogram_total_ = samples ? total_of(*samples) : 0;
    summary_->clear();
    if (samples) {
        const auto ms = [&](double p) {
            const auto v = sample_percentile(*samples, p);
            return v ? QString::number(*v * 1000, 'f', 3) : QStringLiteral("-");
        };
        summary_->setText(tr("%1 replies in time%2; p50 %3 ms, p95 %4 ms, p99 %5 ms, max %6 ms")
                              .arg(histogram_total_)
                              .arg(run_->header().complete()
                                       ? QString()
                                       : tr(" (nodes outside the trace's sample at 1 ms "
                                            "resolution)"))
                              .arg(ms(50), ms(95), ms(99), ms(100)));
    }

    auto* old_histogram = histogram_view_->chart();
    auto* old_cdf = cdf_view_->chart();
    histogram_view_->setChart(latency_histogram_chart(run_, request));
    cdf_view_->setChart(latency_cdf_chart(run_, request));
    delete old_histogram;
    delete old_cdf;
}

QString LatencyPanel::summary() const
{
    return summary_->text();
}

LinkPanel::LinkPanel(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    chart_view_ = new_view(new_chart(tr("WAN link utilisation")));
    table_ = new QTableWidget;
    table_->setColumnCount(7);
    table_->setHorizontalHeaderLabels({tr("link"), tr("messages a\u2192b"), tr("bytes a\u2192b"),
                                       tr("messages b\u2192a"), tr("bytes b\u2192a"),
                                       tr("so far a\u2192b"), tr("so far b\u2192a")});
    table_->verticalHeader()->setVisible(false);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(chart_view_);
    split->addWidget(table_);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    layout->addWidget(split);
}

QChart* link_utilisation_chart(const RunData& run, QLineSeries** cursor, double* top_percent)
{
    const auto& traffic = run.link_traffic();
    const auto& links = run.header().links;
    auto* chart = new_chart(QObject::tr("WAN link utilisation (% of bandwidth per %1 ms)")
                                .arg(traffic.interval_s * 1000, 0, 'g', 3));
    auto* x = axis(QObject::tr("simulated time (s)"), 0, run.end_time_s());
    double top = 1;
    std::vector<QLineSeries*> lines;
    for (std::size_t l = 0; l < links.size(); ++l) {
        const double capacity = links[l].bandwidth_bps / 8 * traffic.interval_s;
        for (int direction = 0; direction < 2; ++direction) {
            const auto& bytes = direction == 0 ? traffic.bytes_ab[l] : traffic.bytes_ba[l];
            auto* line = new QLineSeries;
            line->setName(display_name(links[l].name) +
                          (direction == 0 ? " a\u2192b" : " b\u2192a"));
            QPen pen(kSeriesColours[l % std::size(kSeriesColours)], 1.5);
            if (direction == 1)
                pen.setStyle(Qt::DashLine);
            line->setPen(pen);
            for (std::size_t i = 0; i < bytes.size(); ++i) {
                const double percent = capacity > 0 ? 100 * bytes[i] / capacity : 0;
                top = std::max(top, percent);
                line->append(i * traffic.interval_s, percent);
            }
            lines.push_back(line);
        }
    }
    auto* y = axis(QObject::tr("utilisation %"), 0, top);
    for (auto* line : lines)
        attach(chart, line, x, y);
    if (cursor) {
        *cursor = new QLineSeries;
        (*cursor)->setName(QObject::tr("now"));
        (*cursor)->setPen(QPen(Qt::black, 1, Qt::DotLine));
        (*cursor)->append(0, 0);
        (*cursor)->append(0, top);
        attach(chart, *cursor, x, y);
    }
    if (top_percent)
        *top_percent = top;
    return chart;
}

void LinkPanel::show_run(const RunData* run)
{
    run_ = run;
    cursor_ = nullptr;
    table_->setRowCount(0);
    auto* chart = run_ ? link_utilisation_chart(*run_, &cursor_, &top_percent_)
                       : new_chart(tr("WAN link utilisation"));
    if (run_) {
        const auto& report_links = run_->report().links;
        table_->setRowCount(static_cast<int>(report_links.size()));
        for (int row = 0; row < table_->rowCount(); ++row) {
            const auto& link = report_links[row];
            const std::uint64_t values[] = {
                link.messages_ab, link.bytes_ab, link.messages_ba, link.bytes_ba, 0, 0};
            table_->setItem(row, 0, new QTableWidgetItem(QString::fromStdString(link.name)));
            for (int c = 0; c < 6; ++c) {
                auto* item = new QTableWidgetItem(QString::number(values[c]));
                item->setData(Qt::UserRole, static_cast<qulonglong>(values[c]));
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
                table_->setItem(row, c + 1, item);
            }
        }
    }
    auto* old = chart_view_->chart();
    chart_view_->setChart(chart);
    delete old;
}

void LinkPanel::refresh(const Replay& replay)
{
    if (!run_)
        return;
    if (cursor_ && isVisible())
        cursor_->replace(QList<QPointF>{{replay.time_s(), 0}, {replay.time_s(), top_percent_}});
    for (int row = 0; row < table_->rowCount(); ++row) {
        const auto& counters = replay.link(static_cast<std::size_t>(row));
        for (const auto& [column, value] : {std::pair{kSoFarAbColumn, counters.messages_ab},
                                            std::pair{kSoFarBaColumn, counters.messages_ba}}) {
            auto* item = table_->item(row, column);
            if (item && item->data(Qt::UserRole).toLongLong() != value) {
                item->setText(QString::number(value));
                item->setData(Qt::UserRole, static_cast<qlonglong>(value));
            }
        }
    }
}

QChart* link_traffic_chart(const RunData& run, int link)
{
    const auto& traffic = run.link_traffic();
    const auto& l = run.header().links.at(link);
    auto* chart = new_chart(QObject::tr("%1: traffic over time").arg(display_name(l.name)));
    auto* x = axis(QObject::tr("simulated time (s)"), 0, run.end_time_s());
    double top = l.bandwidth_bps / 1e6;
    std::vector<QLineSeries*> lines;
    for (int direction = 0; direction < 2; ++direction) {
        const auto& bytes = direction == 0 ? traffic.bytes_ab[link] : traffic.bytes_ba[link];
        auto* line = new QLineSeries;
        line->setName(direction == 0 ? QObject::tr("a\u2192b") : QObject::tr("b\u2192a"));
        for (std::size_t i = 0; i < bytes.size(); ++i) {
            const double mbps = bytes[i] * 8 / traffic.interval_s / 1e6;
            top = std::max(top, mbps);
            line->append(i * traffic.interval_s, mbps);
        }
        lines.push_back(line);
    }
    auto* y = axis(QObject::tr("Mbit/s (bandwidth %1)").arg(l.bandwidth_bps / 1e6), 0, top);
    for (auto* line : lines)
        attach(chart, line, x, y);
    return chart;
}

}  // namespace brokersim::gui
