// Charts (Qt Charts): reply latency as a histogram and a cumulative distribution per request,
// and WAN link utilisation over simulated time.
#pragma once

#include "replay.hpp"

#include <QWidget>

class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QLineSeries;
class QTableWidget;

namespace brokersim::gui {

// Nearest-rank percentile over samples sorted by latency, as the report computes it.
std::optional<double> sample_percentile(const std::vector<LatencySample>& samples, double p);

class LatencyPanel : public QWidget
{
    Q_OBJECT

public:
    explicit LatencyPanel(QWidget* parent = nullptr);
    void show_run(const RunData* run);
    void show_request(int request);
    int request() const;

    QChartView* histogram_view() const { return histogram_view_; }
    QChartView* cdf_view() const { return cdf_view_; }
    // What the charts show, for tests and for the summary line.
    std::uint64_t histogram_total() const { return histogram_total_; }
    QString summary() const;

    static constexpr int kBins = 40;

private:
    const RunData* run_ = nullptr;
    QComboBox* request_ = nullptr;
    QLabel* summary_ = nullptr;
    QChartView* histogram_view_ = nullptr;
    QChartView* cdf_view_ = nullptr;
    std::uint64_t histogram_total_ = 0;
};

class LinkPanel : public QWidget
{
    Q_OBJECT

public:
    explicit LinkPanel(QWidget* parent = nullptr);
    void show_run(const RunData* run);
    void refresh(const Replay& replay);  // the time cursor and the "so far" columns

    QChartView* chart_view() const { return chart_view_; }
    QTableWidget* table() const { return table_; }

    static constexpr int kSoFarAbColumn = 5;
    static constexpr int kSoFarBaColumn = 6;

private:
    const RunData* run_ = nullptr;
    QChartView* chart_view_ = nullptr;
    QLineSeries* cursor_ = nullptr;
    double top_percent_ = 100;
    QTableWidget* table_ = nullptr;
};

// Traffic over time on one link, both directions, in Mbit/s: for a clicked link's details.
QChart* link_traffic_chart(const RunData& run, int link);

// The panels' charts, new each call (the caller owns them): for the panels and for export.
QChart* latency_histogram_chart(const RunData* run, int request);
QChart* latency_cdf_chart(const RunData* run, int request);
// Optionally with a "now" cursor series, returned with the y axis's top.
QChart* link_utilisation_chart(const RunData& run, QLineSeries** cursor = nullptr,
                               double* top_percent = nullptr);

}  // namespace brokersim::gui
