// The main window: the map in the middle, the report's panels in docks around it, playback
// controls in a toolbar, simulated time and replay speed in the status bar. It owns the run
// being shown and the Replay over it; every view redraws from the Replay when time moves.
#pragma once

#include "replay.hpp"
#include "run_launcher.hpp"

#include <QElapsedTimer>
#include <QMainWindow>
#include <QTemporaryDir>

#include <memory>
#include <optional>

class QAction;
class QChartView;
class QDockWidget;
class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSlider;
class QTextBrowser;
class QTimer;

namespace brokersim::gui {

class ConservationTable;
class DuplicateTable;
class LatencyPanel;
class LinkPanel;
class NetworkView;
class RequestTable;
class TeachingPanel;

struct BenchResult
{
    int frames = 0;
    double wall_s = 0;
    double mean_flights = 0;
    std::size_t max_flights = 0;
    double from_s = 0, to_s = 0;
};

class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Loads a trace file; on failure shows nothing new and returns the reason.
    bool open_trace(const QString& path, QString* error = nullptr);
    // Starts a background run of a scenario; the trace opens when it finishes.
    void open_scenario(const QString& path);

    void seek(double time_s);
    void step_forward();
    void step_back();
    void play();
    void pause();
    void run_until(double time_s);
    void set_speed(double factor);  // simulated seconds per wall second
    double speed() const { return speed_; }
    bool playing() const;

    bool export_map_png(const QString& path, const QSize& size = {1600, 1200});
    bool export_charts_png(const QString& directory);
    bool export_tables_csv(const QString& directory);

    // Draws `frames` frames spread over the run's busiest request, as fast as possible.
    BenchResult bench(int frames);

    // For tests and the bench: the parts of the window.
    RunLauncher& launcher() { return launcher_; }
    const Replay* replay() const { return replay_.get(); }
    const RunData* run() const { return run_.get(); }
    NetworkView* network_view() const { return view_; }
    RequestTable* request_table() const { return requests_; }
    DuplicateTable* duplicate_table() const { return duplicates_; }
    ConservationTable* conservation_table() const { return conservation_; }
    LatencyPanel* latency_panel() const { return latency_; }
    LinkPanel* link_panel() const { return links_; }
    TeachingPanel* teaching_panel() const { return teaching_; }
    QTextBrowser* details() const { return details_; }
    QString time_text() const;
    QString events_text() const;

signals:
    void runLoaded();
    void timeChanged(double time_s);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void build_actions();
    void build_docks();
    void build_status_bar();
    QDockWidget* add_dock(const QString& title, const QString& name, QWidget* widget,
                          Qt::DockWidgetArea area);
    void show_run(std::shared_ptr<const RunData> run, const QString& trace_path);
    void time_moved();
    void tick();
    void update_play_action();

    void show_message_details(std::uint32_t record);
    void show_group_details(int group);
    void show_link_details(int link);
    void show_broker_details(int broker);

    void choose_scenario();
    void choose_trace();
    void save_trace_as();
    void choose_map_export();
    void choose_charts_export();
    void choose_tables_export();

    RunLauncher launcher_;
    std::shared_ptr<const RunData> run_;
    std::unique_ptr<Replay> replay_;
    QString trace_path_;
    std::unique_ptr<QTemporaryDir> runs_dir_;

    NetworkView* view_ = nullptr;
    RequestTable* requests_ = nullptr;
    DuplicateTable* duplicates_ = nullptr;
    ConservationTable* conservation_ = nullptr;
    LatencyPanel* latency_ = nullptr;
    LinkPanel* links_ = nullptr;
    TeachingPanel* teaching_ = nullptr;
    QTextBrowser* details_ = nullptr;
    QChartView* details_chart_ = nullptr;

    QAction* play_action_ = nullptr;
    QSlider* seek_slider_ = nullptr;
    QSlider* speed_slider_ = nullptr;
    QLabel* speed_label_ = nullptr;
    QDoubleSpinBox* until_box_ = nullptr;
    QAction* skip_idle_ = nullptr;
    QLabel* time_label_ = nullptr;
    QLabel* events_label_ = nullptr;
    QLabel* rate_label_ = nullptr;
    QLabel* source_label_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QPushButton* cancel_ = nullptr;

    QTimer* timer_ = nullptr;
    QElapsedTimer frame_clock_;
    QElapsedTimer rate_clock_;
    std::int64_t rate_events_ = 0;
    double speed_ = 0.01;
    std::optional<double> until_s_;
    qint64 last_panel_refresh_ms_ = 0;
};

}  // namespace brokersim::gui
