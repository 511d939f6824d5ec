#include "main_window.hpp"

#include "charts.hpp"
#include "network_view.hpp"
#include "tables.hpp"
#include "teaching_panel.hpp"

#include <QAction>
#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSlider>
#include <QStatusBar>
#include <QTextBrowser>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace brokersim::gui {

namespace {

constexpr int kSeekSteps = 10000;
constexpr int kSpeedSteps = 120;  // 1e-5 to 10 times real time, 20 steps a decade
constexpr int kFrameMs = 16;

double speed_of(int step)
{
    return std::pow(10.0, -5.0 + step / 20.0);
}

int step_of(double speed)
{
    return std::clamp(static_cast<int>(std::lround((std::log10(speed) + 5.0) * 20.0)), 0,
                      kSpeedSteps);
}

QString html_escape(const std::string& text)
{
    return QString::fromStdString(text).toHtmlEscaped();
}

QString bytes_text(std::uint64_t bytes)
{
    return QString::fromStdString(stats::bytes_text(bytes));
}

// The report's load figures of one broker, over the whole run.
QString broker_load_html(const stats::BrokerReport& load)
{
    QString html = QObject::tr("<p><b>Load over the whole run</b>:</p><ul>");
    html += QObject::tr("<li>%1 message copies arrived; at most %2 waited on its queues; the "
                        "longest CPU wait was %3 ms</li>")
                .arg(load.arrivals)
                .arg(load.peak_pending)
                .arg(load.peak_cpu_wait_s * 1e3, 0, 'f', 3);
    html += QObject::tr("<li>messages held: peak %1 of a memoryUsage limit of %2; %3 sends "
                        "stalled by flow control, %4 accepted over the limit</li>")
                .arg(bytes_text(load.peak_memory_bytes), bytes_text(load.memory_limit_bytes))
                .arg(load.stalled_sends)
                .arg(load.sends_over_limit);
    html += QObject::tr("<li>%1 connections taking %2 of heap; estimated peak %3 of a %4 heap%5"
                        "</li>")
                .arg(load.connections)
                .arg(bytes_text(load.connection_memory_bytes),
                     bytes_text(load.estimated_peak_bytes), bytes_text(load.memory_budget_bytes),
                     load.over_budget ? QObject::tr(" — <b>over budget</b>") : QString());
    html += QObject::tr("<li>keep-alives take %1 % of its CPU</li>")
                .arg(load.keepalive_cpu_fraction * 100, 0, 'g', 3);
    return html + QStringLiteral("</ul>");
}

bool write_file(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) &&
           file.write(bytes) == bytes.size();
}

// A chart as an image of a fixed size, drawn by a view of its own, whether or not the panel
// that shows it is visible.
bool save_chart(QChart* chart, const QString& path)
{
    QChartView view(chart);  // owns the chart from here
    view.setRenderHint(QPainter::Antialiasing);
    view.resize(1000, 600);
    const QPixmap pixmap = view.grab();
    return !pixmap.isNull() && pixmap.save(path, "PNG");
}

std::int64_t total_events(const RunData& run)
{
    std::int64_t total = 0;
    for (const auto& record : run.records())
        total += record.folded;
    return total;
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle(tr("brokersim"));
    view_ = new NetworkView;
    setCentralWidget(view_);
    build_docks();
    build_actions();
    build_status_bar();

    timer_ = new QTimer(this);
    timer_->setInterval(kFrameMs);
    connect(timer_, &QTimer::timeout, this, &MainWindow::tick);

    connect(view_, &NetworkView::messageClicked, this, &MainWindow::show_message_details);
    connect(view_, &NetworkView::groupClicked, this, &MainWindow::show_group_details);
    connect(view_, &NetworkView::linkClicked, this, &MainWindow::show_link_details);
    connect(view_, &NetworkView::brokerClicked, this, &MainWindow::show_broker_details);
    connect(duplicates_, &DuplicateTable::recordActivated, this, [this](std::uint32_t record) {
        if (!run_)
            return;
        pause();
        seek(run_->records()[record].time_s - 1e-9);
        view_->highlight_record(record);
        show_message_details(record);
    });
    connect(teaching_, &TeachingPanel::stepChosen, this, [this](std::uint32_t record, double t) {
        pause();
        // Just before the hop ends, so its message is still in the air on the map.
        seek(std::max(0.0, t - 1e-9));
        view_->highlight_record(record);
    });

    connect(&launcher_, &RunLauncher::progressed, this, [this](double t, double end, qint64 n) {
        progress_->setRange(0, 1000);
        progress_->setValue(end > 0 ? static_cast<int>(std::min(1.0, t / end) * 1000) : 0);
        progress_->setFormat(tr("simulating: %1 s of ~%2 s, %3 events")
                                 .arg(t, 0, 'f', 2)
                                 .arg(end, 0, 'f', 0)
                                 .arg(n));
    });
    connect(&launcher_, &RunLauncher::runFinished, this, [this](const QString& path, bool holds) {
        progress_->hide();
        cancel_->hide();
        QString error;
        if (!open_trace(path, &error))
            QMessageBox::warning(this, tr("brokersim"), error);
        else if (!holds)
            statusBar()->showMessage(
                tr("The run's conservation account does not hold: see the Conservation panel."),
                10000);
    });
    connect(&launcher_, &RunLauncher::runFailed, this, [this](const QString& message) {
        progress_->hide();
        cancel_->hide();
        QMessageBox::warning(this, tr("brokersim run failed"), message);
    });
    connect(&launcher_, &RunLauncher::runCancelled, this, [this] {
        progress_->hide();
        cancel_->hide();
        statusBar()->showMessage(tr("Run cancelled."), 5000);
    });

    QSettings settings;
    resize(1500, 950);
    restoreGeometry(settings.value("window/geometry").toByteArray());
    if (!restoreState(settings.value("window/state").toByteArray()))
        QTimer::singleShot(0, this, [this] {
            // First start: most of the window for the map.
            auto* bottom = findChild<QDockWidget*>("requests");
            auto* right = findChild<QDockWidget*>("teaching");
            resizeDocks({bottom}, {height() / 4}, Qt::Vertical);
            resizeDocks({right}, {width() / 4}, Qt::Horizontal);
        });
    set_speed(settings.value("replay/speed", speed_).toDouble());
    const auto program = settings.value("run/brokersim").toString();
    if (!program.isEmpty() && QFileInfo::exists(program) &&
        qEnvironmentVariableIsEmpty("BROKERSIM"))
        launcher_.set_program(program);
}

MainWindow::~MainWindow() = default;

void MainWindow::closeEvent(QCloseEvent* event)
{
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/state", saveState());
    settings.setValue("replay/speed", speed_);
    launcher_.cancel();
    event->accept();
}

QDockWidget* MainWindow::add_dock(const QString& title, const QString& name, QWidget* widget,
                                  Qt::DockWidgetArea area)
{
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(name);  // saveState() keys docks by name
    dock->setWidget(widget);
    addDockWidget(area, dock);
    return dock;
}

void MainWindow::build_docks()
{
    requests_ = new RequestTable;
    duplicates_ = new DuplicateTable;
    conservation_ = new ConservationTable;
    latency_ = new LatencyPanel;
    links_ = new LinkPanel;
    teaching_ = new TeachingPanel;

    auto* details = new QWidget;
    auto* details_layout = new QVBoxLayout(details);
    details_layout->setContentsMargins(2, 2, 2, 2);
    details_ = new QTextBrowser;
    details_->setHtml(tr("<p>Click a message, a node group, a link or a broker on the map.</p>"));
    details_chart_ = new QChartView;
    details_chart_->setRenderHint(QPainter::Antialiasing);
    details_chart_->setMinimumHeight(180);
    details_chart_->hide();
    details_layout->addWidget(details_, 1);
    details_layout->addWidget(details_chart_, 1);

    add_dock(tr("Teaching mode"), "teaching", teaching_, Qt::RightDockWidgetArea);
    add_dock(tr("Details"), "details", details, Qt::RightDockWidgetArea);
    auto* requests = add_dock(tr("Requests"), "requests", requests_, Qt::BottomDockWidgetArea);
    auto* latency = add_dock(tr("Latency"), "latency", latency_, Qt::BottomDockWidgetArea);
    auto* links = add_dock(tr("Links"), "links", links_, Qt::BottomDockWidgetArea);
    auto* duplicates =
        add_dock(tr("Duplicates"), "duplicates", duplicates_, Qt::BottomDockWidgetArea);
    auto* conservation =
        add_dock(tr("Conservation"), "conservation", conservation_, Qt::BottomDockWidgetArea);
    tabifyDockWidget(requests, latency);
    tabifyDockWidget(latency, links);
    tabifyDockWidget(links, duplicates);
    tabifyDockWidget(duplicates, conservation);
    requests->raise();
}

void MainWindow::build_actions()
{
    auto* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("Open &scenario..."), QKeySequence::Open, this,
                    &MainWindow::choose_scenario);
    file->addAction(tr("Open &trace..."), QKeySequence(tr("Ctrl+T")), this,
                    &MainWindow::choose_trace);
    file->addAction(tr("Save trace &as..."), QKeySequence::SaveAs, this,
                    &MainWindow::save_trace_as);
    file->addSeparator();
    file->addAction(tr("Export &map as PNG..."), this, &MainWindow::choose_map_export);
    file->addAction(tr("Export &charts as PNG..."), this, &MainWindow::choose_charts_export);
    file->addAction(tr("Export tables as &CSV..."), this, &MainWindow::choose_tables_export);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    auto* play_menu = menuBar()->addMenu(tr("&Play"));
    auto* bar = addToolBar(tr("Playback"));
    bar->setObjectName("playback");
    const auto add = [&](const QString& text, const QKeySequence& key, auto slot) {
        auto* action = play_menu->addAction(text, key, this, slot);
        action->setShortcutContext(Qt::ApplicationShortcut);
        bar->addAction(action);
        return action;
    };
    add(tr("\u25c0\u25c0 Start"), QKeySequence(Qt::Key_Home), [this] {
        pause();
        seek(0);
    });
    add(tr("\u25c0 Step back"), QKeySequence(Qt::Key_Left), [this] { step_back(); });
    play_action_ = add(tr("\u25b6 Play"), QKeySequence(Qt::Key_Space),
                       [this] { playing() ? pause() : play(); });
    add(tr("Step \u25b6"), QKeySequence(Qt::Key_Right), [this] { step_forward(); });
    add(tr("End \u25b6\u25b6"), QKeySequence(Qt::Key_End), [this] {
        pause();
        if (replay_)
            seek(replay_->end_s());
    });
    skip_idle_ = play_menu->addAction(tr("Skip idle time"));
    skip_idle_->setCheckable(true);
    skip_idle_->setChecked(true);
    skip_idle_->setToolTip(tr("While playing, jump over stretches with nothing in the air"));
    bar->addAction(skip_idle_);

    bar->addSeparator();
    bar->addWidget(new QLabel(tr(" speed ")));
    speed_slider_ = new QSlider(Qt::Horizontal);
    speed_slider_->setRange(0, kSpeedSteps);
    speed_slider_->setFixedWidth(130);
    speed_slider_->setFocusPolicy(Qt::NoFocus);  // arrows belong to stepping
    speed_slider_->setToolTip(tr("Simulated seconds per wall-clock second"));
    bar->addWidget(speed_slider_);
    speed_label_ = new QLabel;
    speed_label_->setMinimumWidth(90);
    bar->addWidget(speed_label_);
    connect(speed_slider_, &QSlider::valueChanged, this,
            [this](int step) { set_speed(speed_of(step)); });

    bar->addSeparator();
    seek_slider_ = new QSlider(Qt::Horizontal);
    seek_slider_->setRange(0, kSeekSteps);
    seek_slider_->setMinimumWidth(260);
    seek_slider_->setFocusPolicy(Qt::NoFocus);
    seek_slider_->setToolTip(tr("Simulated time: drag to seek, forwards or backwards"));
    bar->addWidget(seek_slider_);
    connect(seek_slider_, &QSlider::valueChanged, this, [this](int value) {
        if (replay_)
            seek(replay_->end_s() * value / kSeekSteps);
    });

    bar->addSeparator();
    until_box_ = new QDoubleSpinBox;
    until_box_->setDecimals(6);
    until_box_->setSuffix(tr(" s"));
    until_box_->setRange(0, 1e9);
    until_box_->setToolTip(tr("Simulated time to run until"));
    bar->addWidget(until_box_);
    auto* until = bar->addAction(tr("Run until"));
    connect(until, &QAction::triggered, this, [this] { run_until(until_box_->value()); });

    auto* view = menuBar()->addMenu(tr("&View"));
    view->addAction(tr("&Fit map"), QKeySequence(tr("Ctrl+0")), view_, &NetworkView::fit);
    auto* legend = view->addAction(tr("Map &legend"));
    legend->setCheckable(true);
    legend->setChecked(true);
    connect(legend, &QAction::toggled, view_, &NetworkView::set_legend_visible);
    view->addSeparator();
    for (auto* dock : findChildren<QDockWidget*>())
        view->addAction(dock->toggleViewAction());
}

void MainWindow::build_status_bar()
{
    time_label_ = new QLabel(tr("no run loaded"));
    events_label_ = new QLabel;
    rate_label_ = new QLabel;
    source_label_ = new QLabel;
    progress_ = new QProgressBar;
    progress_->setMinimumWidth(280);
    progress_->setTextVisible(true);
    progress_->hide();
    cancel_ = new QPushButton(tr("Cancel run"));
    cancel_->hide();
    connect(cancel_, &QPushButton::clicked, &launcher_, &RunLauncher::cancel);
    statusBar()->addWidget(time_label_);
    statusBar()->addWidget(events_label_);
    statusBar()->addWidget(rate_label_);
    statusBar()->addPermanentWidget(progress_);
    statusBar()->addPermanentWidget(cancel_);
    statusBar()->addPermanentWidget(source_label_);
}

bool MainWindow::open_trace(const QString& path, QString* error)
{
    try {
        show_run(RunData::load(path.toStdString()), path);
        return true;
    } catch (const std::exception& e) {
        if (error)
            *error = QString::fromUtf8(e.what());
        return false;
    }
}

void MainWindow::open_scenario(const QString& path)
{
    if (launcher_.running()) {
        statusBar()->showMessage(tr("A run is already going."), 5000);
        return;
    }
    if (!runs_dir_)
        runs_dir_ = std::make_unique<QTemporaryDir>();
    const auto trace = runs_dir_->filePath(QFileInfo(path).completeBaseName() + ".bstrace");
    progress_->setRange(0, 0);
    progress_->setFormat(tr("starting %1").arg(QFileInfo(path).fileName()));
    progress_->show();
    cancel_->show();
    launcher_.start(path, trace);
}

void MainWindow::show_run(std::shared_ptr<const RunData> run, const QString& trace_path)
{
    pause();
    view_->show_replay(nullptr);  // the old replay dies below; nothing may paint from it
    run_ = std::move(run);
    replay_ = std::make_unique<Replay>(run_);
    trace_path_ = trace_path;

    view_->show_replay(replay_.get());
    requests_->show_run(run_.get());
    duplicates_->show_run(run_.get());
    conservation_->show_run(run_.get());
    latency_->show_run(run_.get());
    links_->show_run(run_.get());
    teaching_->show_run(run_.get());
    until_box_->setMaximum(run_->end_time_s());
    details_->setHtml(tr("<p>Click a message, a node group, a link or a broker on the map.</p>"));
    details_chart_->hide();

    const auto& header = run_->header();
    setWindowTitle(tr("brokersim \u2014 %1").arg(QString::fromStdString(header.scenario_name)));
    if (run_->report_replayed())
        source_label_->setText(run_->report_matches_run()
                                   ? tr("figures recomputed from the trace \u2713 equal the run's "
                                        "report")
                                   : tr("figures from the run's report (recomputed ones differ!)"));
    else
        source_label_->setText(tr("figures from the run's report (trace records %1 nodes per "
                                  "group)")
                                   .arg(header.nodes_per_group));
    events_label_->setProperty("total", static_cast<qlonglong>(total_events(*run_)));
    seek(0);
    emit runLoaded();
}

void MainWindow::seek(double time_s)
{
    if (!replay_)
        return;
    replay_->seek(time_s);
    time_moved();
}

void MainWindow::step_forward()
{
    if (!replay_)
        return;
    pause();
    replay_->step_forward();
    time_moved();
}

void MainWindow::step_back()
{
    if (!replay_)
        return;
    pause();
    replay_->step_back();
    time_moved();
}

bool MainWindow::playing() const
{
    return timer_->isActive();
}

void MainWindow::play()
{
    if (!replay_)
        return;
    if (replay_->time_s() >= replay_->end_s())
        seek(0);
    frame_clock_.start();
    rate_clock_.start();
    rate_events_ = replay_->totals().events;
    timer_->start();
    update_play_action();
}

void MainWindow::pause()
{
    timer_->stop();
    until_s_.reset();
    rate_label_->clear();
    update_play_action();
}

void MainWindow::run_until(double time_s)
{
    if (!replay_)
        return;
    if (time_s <= replay_->time_s()) {
        pause();
        seek(time_s);
        return;
    }
    play();
    until_s_ = time_s;
}

void MainWindow::update_play_action()
{
    if (play_action_)
        play_action_->setText(playing() ? tr("|| Pause") : tr("\u25b6 Play"));
}

void MainWindow::set_speed(double factor)
{
    speed_ = std::clamp(factor, speed_of(0), speed_of(kSpeedSteps));
    {
        const QSignalBlocker block(speed_slider_);
        speed_slider_->setValue(step_of(speed_));
    }
    speed_label_->setText(tr("%1\u00d7 real time").arg(speed_, 0, 'g', 3));
    // A drop stays on the map for about half a second of wall time.
    view_->set_mark_window(speed_ * 0.5);
}

void MainWindow::tick()
{
    if (!replay_) {
        pause();
        return;
    }
    const double wall_s = std::min(0.1, frame_clock_.restart() / 1000.0);
    double target_s = replay_->time_s() + wall_s * speed_;

    // Nothing in the air and nothing due this frame: go to shortly before the next event.
    const auto& records = run_->records();
    if (skip_idle_->isChecked() && replay_->cursor() < records.size()) {
        bool busy = false;
        replay_->for_each_flight([&busy](const Flight&) { busy = true; });
        const double next_s = records[replay_->cursor()].time_s;
        const double lead_s = speed_ * 0.2;
        if (!busy && next_s - lead_s > target_s)
            target_s = next_s - lead_s;
    }
    bool stop = false;
    if (until_s_ && target_s >= *until_s_) {
        target_s = *until_s_;
        stop = true;
    }
    if (target_s >= replay_->end_s()) {
        target_s = replay_->end_s();
        stop = true;
    }
    replay_->seek(target_s);
    time_moved();

    if (rate_clock_.elapsed() >= 500) {
        const double events = static_cast<double>(replay_->totals().events - rate_events_);
        rate_label_->setText(
            tr("%1 events/s").arg(events * 1000.0 / rate_clock_.restart(), 0, 'f', 0));
        rate_events_ = replay_->totals().events;
    }
    if (stop)
        pause();
}

QString MainWindow::time_text() const
{
    return time_label_->text();
}

QString MainWindow::events_text() const
{
    return events_label_->text();
}

void MainWindow::time_moved()
{
    const double t = replay_->time_s();
    time_label_->setText(tr("t = %1 s").arg(t, 0, 'f', 6));
    events_label_->setText(tr("events %1 / %2")
                               .arg(replay_->totals().events)
                               .arg(events_label_->property("total").toLongLong()));
    {
        const QSignalBlocker block(seek_slider_);
        seek_slider_->setValue(
            replay_->end_s() > 0 ? static_cast<int>(std::lround(t / replay_->end_s() * kSeekSteps))
                                 : 0);
    }
    view_->refresh();
    requests_->refresh(*replay_);
    conservation_->refresh(*replay_);

    // The link chart redraws all its series when its cursor moves: ten times a second is enough.
    const qint64 now_ms = QDateTime::currentMSecsSinceEpoch();
    if (!playing() || now_ms - last_panel_refresh_ms_ >= 100) {
        links_->refresh(*replay_);
        last_panel_refresh_ms_ = now_ms;
    }
    emit timeChanged(t);
}

void MainWindow::show_message_details(std::uint32_t record)
{
    if (!run_ || record >= run_->records().size())
        return;
    view_->highlight_record(record);
    details_chart_->hide();
    const auto& r = run_->records()[record];
    const auto& header = run_->header();
    const double sent_s = run_->request_sent_s(r.request);
    const auto broker = [&](model::BrokerIndex b) {
        return b < header.brokers.size() ? html_escape(header.brokers[b].name) : QString::number(b);
    };

    QString html = tr("<h3>Message %1 (%2) of request %3</h3>")
                       .arg(r.message)
                       .arg(model::is_reply(r.message_kind) ? tr("reply") : tr("request"))
                       .arg(r.request);
    if (model::is_reply(r.message_kind) && r.group < header.node_groups.size())
        html += tr("<p>From node group %1.</p>").arg(html_escape(header.node_groups[r.group].name));
    html += tr("<table border=1 cellspacing=0 cellpadding=3><tr><th>time (s)</th><th>ms after "
               "request</th><th>event</th><th>broker</th><th>to / node</th><th>brokerPath</th>"
               "</tr>");
    for (const auto index : run_->records_of_message(r.message)) {
        const auto& e = run_->records()[index];
        QString where;
        if (e.kind == model::TraceKind::Forward)
            where = broker(e.peer) + tr(" (%1 bytes)").arg(e.bytes);
        else if (e.node != model::kNone)
            where = html_escape(header.identity(e.node));
        QString what = QString::fromUtf8(model::to_string(e.kind));
        if (e.kind == model::TraceKind::Drop)
            what += QStringLiteral(": ") + model::to_string(e.reason);
        if (e.kind == model::TraceKind::Deliver && e.copy >= 2)
            what += tr(" (copy %1)").arg(e.copy);
        html +=
            QStringLiteral("<tr%1><td>%2</td><td>%3</td><td>%4</td><td>%5</td><td>%6</td>"
                           "<td>%7</td></tr>")
                .arg(index == record ? QStringLiteral(" bgcolor=#fff2a8") : QString())
                .arg(e.time_s, 0, 'f', 6)
                .arg(sent_s >= 0 ? QString::number((e.time_s - sent_s) * 1000, 'f', 3) : QString())
                .arg(what, broker(e.broker), where, html_escape(run_->trace().path_names(e.path)));
    }
    html += QStringLiteral("</table>");
    details_->setHtml(html);
}

void MainWindow::show_group_details(int group)
{
    if (!run_)
        return;
    details_chart_->hide();
    const auto& g = run_->header().node_groups.at(group);
    const auto& c = replay_->group(group);
    QString html = tr("<h3>Node group %1</h3><p>%2 nodes on broker %3; events recorded one by one "
                      "for %4 of them.</p>")
                       .arg(html_escape(g.name))
                       .arg(g.count)
                       .arg(html_escape(run_->header().brokers.at(g.broker).name))
                       .arg(g.recorded);
    html += tr("<p><b>Facts</b> (share of nodes):</p><ul>");
    for (const auto& [name, values] : g.facts) {
        QStringList shares;
        for (const auto& [value, share] : values)
            shares << QStringLiteral("%1 %2%").arg(html_escape(value)).arg(share * 100, 0, 'g', 3);
        html += QStringLiteral("<li>%1: %2</li>").arg(html_escape(name), shares.join(", "));
    }
    html += tr("</ul><p><b>Classes</b> (probability per node):</p><ul>");
    for (const auto& [name, probability] : g.classes)
        html += QStringLiteral("<li>%1: %2%</li>")
                    .arg(html_escape(name))
                    .arg(probability * 100, 0, 'g', 3);
    QStringList agents;
    for (const auto& agent : g.agents)
        agents << html_escape(agent);
    html += tr("</ul><p><b>Agents</b>: %1 (and discovery)</p>").arg(agents.join(", "));
    html += tr("<p><b>So far</b> (t = %1 s): %2 request copies delivered (%3 duplicates), %4 "
               "matched and ran the agent, %5 filtered out, %6 replies sent, %7 received by the "
               "client, %8 other drops.</p>")
                .arg(replay_->time_s(), 0, 'f', 6)
                .arg(c.deliveries)
                .arg(c.duplicates)
                .arg(c.executed)
                .arg(c.filtered)
                .arg(c.replies_sent)
                .arg(c.replies_received)
                .arg(c.other_drops);
    html += tr("<p>Cells: grey-blue delivered, amber running the agent, green reply received, "
               "light grey filtered out, orange duplicate copies.</p>");
    details_->setHtml(html);
}

void MainWindow::show_link_details(int link)
{
    if (!run_)
        return;
    const auto& l = run_->header().links.at(link);
    const auto& c = replay_->link(link);
    QString html = tr("<h3>WAN link %1</h3><p>latency %2 ms one way, bandwidth %3 Mbit/s each "
                      "direction.</p><p>So far: a\u2192b %4 messages, %5 bytes; b\u2192a %6 "
                      "messages, %7 bytes.</p>")
                       .arg(html_escape(l.name))
                       .arg(l.latency_s * 1000, 0, 'g', 4)
                       .arg(l.bandwidth_bps / 1e6, 0, 'g', 4)
                       .arg(c.messages_ab)
                       .arg(c.bytes_ab)
                       .arg(c.messages_ba)
                       .arg(c.bytes_ba);
    const auto& report_links = run_->report().links;
    if (link < static_cast<int>(report_links.size())) {
        const auto& total = report_links[link];
        html += tr("<p>Whole run: a\u2192b %1 messages, %2 bytes; b\u2192a %3 messages, %4 "
                   "bytes.</p>")
                    .arg(total.messages_ab)
                    .arg(total.bytes_ab)
                    .arg(total.messages_ba)
                    .arg(total.bytes_ba);
    }
    details_->setHtml(html);
    auto* old = details_chart_->chart();
    details_chart_->setChart(link_traffic_chart(*run_, link));
    delete old;
    details_chart_->show();
}

void MainWindow::show_broker_details(int broker)
{
    if (!run_)
        return;
    details_chart_->hide();
    const auto& header = run_->header();
    const auto& b = header.brokers.at(broker);
    QString html = tr("<h3>Broker %1</h3><p>datacenter %2</p><p><b>Network connectors</b>:</p><ul>")
                       .arg(html_escape(b.name))
                       .arg(b.datacenter < header.datacenters.size()
                                ? html_escape(header.datacenters[b.datacenter].name)
                                : QString());
    for (const auto& c : header.connectors) {
        if (c.on != broker && c.to != broker)
            continue;
        QStringList excluded;
        for (const auto& e : c.excluded_destinations)
            excluded << html_escape(e);
        html +=
            tr("<li>%1: %2 \u2192 %3%4, networkTTL %5%6%7</li>")
                .arg(html_escape(c.name), html_escape(header.brokers.at(c.on).name),
                     html_escape(header.brokers.at(c.to).name),
                     c.duplex ? tr(", duplex") : QString())
                .arg(c.network_ttl)
                .arg(c.conduit_subscriptions ? QString() : tr(", no conduit subscriptions"))
                .arg(excluded.isEmpty() ? QString() : tr(", excludes %1").arg(excluded.join(" ")));
    }
    html += QStringLiteral("</ul>");
    for (const auto& load : run_->report().broker_load)
        if (load.name == b.name)
            html += broker_load_html(load);
    details_->setHtml(html);
}

bool MainWindow::export_map_png(const QString& path, const QSize& size)
{
    return view_->render_map(size).save(path, "PNG");
}

bool MainWindow::export_charts_png(const QString& directory)
{
    if (!run_)
        return false;
    const QDir dir(directory);
    const int request = latency_->request();
    return save_chart(latency_histogram_chart(run_.get(), request),
                      dir.filePath("latency-histogram.png")) &&
           save_chart(latency_cdf_chart(run_.get(), request), dir.filePath("latency-cdf.png")) &&
           save_chart(link_utilisation_chart(*run_), dir.filePath("link-utilisation.png"));
}

bool MainWindow::export_tables_csv(const QString& directory)
{
    const QDir dir(directory);
    return write_file(dir.filePath("requests.csv"), table_csv(*requests_).toUtf8()) &&
           write_file(dir.filePath("duplicates.csv"), table_csv(*duplicates_).toUtf8()) &&
           write_file(dir.filePath("links.csv"), table_csv(*links_->table()).toUtf8()) &&
           write_file(dir.filePath("conservation.csv"), table_csv(*conservation_).toUtf8());
}

void MainWindow::choose_scenario()
{
    QSettings settings;
    const auto path = QFileDialog::getOpenFileName(this, tr("Open scenario"),
                                                   settings.value("dirs/scenario").toString(),
                                                   tr("Scenarios (*.yaml *.yml);;All files (*)"));
    if (path.isEmpty())
        return;
    settings.setValue("dirs/scenario", QFileInfo(path).absolutePath());
    open_scenario(path);
}

void MainWindow::choose_trace()
{
    QSettings settings;
    const auto path = QFileDialog::getOpenFileName(
        this, tr("Open trace"), settings.value("dirs/trace").toString(),
        tr("brokersim traces (*.bstrace);;All files (*)"));
    if (path.isEmpty())
        return;
    settings.setValue("dirs/trace", QFileInfo(path).absolutePath());
    QString error;
    if (!open_trace(path, &error))
        QMessageBox::warning(this, tr("brokersim"), error);
}

void MainWindow::save_trace_as()
{
    if (trace_path_.isEmpty())
        return;
    QSettings settings;
    const auto path = QFileDialog::getSaveFileName(
        this, tr("Save trace"),
        QDir(settings.value("dirs/trace").toString()).filePath(QFileInfo(trace_path_).fileName()),
        tr("brokersim traces (*.bstrace)"));
    if (path.isEmpty() || path == trace_path_)
        return;
    QFile::remove(path);
    if (!QFile::copy(trace_path_, path))
        QMessageBox::warning(this, tr("brokersim"), tr("Cannot write %1").arg(path));
}

void MainWindow::choose_map_export()
{
    const auto path =
        QFileDialog::getSaveFileName(this, tr("Export map"), "map.png", tr("PNG images (*.png)"));
    if (!path.isEmpty() && !export_map_png(path))
        QMessageBox::warning(this, tr("brokersim"), tr("Cannot write %1").arg(path));
}

void MainWindow::choose_charts_export()
{
    const auto dir = QFileDialog::getExistingDirectory(this, tr("Export charts into"));
    if (!dir.isEmpty() && !export_charts_png(dir))
        QMessageBox::warning(this, tr("brokersim"), tr("Cannot write the charts into %1").arg(dir));
}

void MainWindow::choose_tables_export()
{
    const auto dir = QFileDialog::getExistingDirectory(this, tr("Export tables into"));
    if (!dir.isEmpty() && !export_tables_csv(dir))
        QMessageBox::warning(this, tr("brokersim"), tr("Cannot write the tables into %1").arg(dir));
}

BenchResult MainWindow::bench(int frames)
{
    BenchResult result;
    if (!run_ || frames <= 0)
        return result;

    // The busiest stretch: the request with the most replies, from its publication to its
    // last reply.
    const auto& requests = run_->report().requests;
    std::size_t busiest = 0;
    for (std::size_t r = 1; r < requests.size(); ++r)
        if (requests[r].replies > requests[busiest].replies)
            busiest = r;
    result.from_s = std::max(0.0, run_->request_sent_s(static_cast<std::uint32_t>(busiest)));
    result.to_s = result.from_s + (busiest < requests.size() && requests[busiest].last_reply_s
                                       ? *requests[busiest].last_reply_s
                                       : 1.0);

    QElapsedTimer clock;
    clock.start();
    std::size_t flights = 0;
    for (int frame = 0; frame < frames; ++frame) {
        replay_->seek(result.from_s + (result.to_s - result.from_s) * frame / frames);
        time_moved();
        std::size_t in_air = 0;
        replay_->for_each_flight([&in_air](const Flight&) { ++in_air; });
        flights += in_air;
        result.max_flights = std::max(result.max_flights, in_air);
        view_->viewport()->repaint();  // paints now, as a frame of the animation would
        QApplication::processEvents();
    }
    result.wall_s = clock.elapsed() / 1000.0;
    result.frames = frames;
    result.mean_flights = static_cast<double>(flights) / frames;
    return result;
}

}  // namespace brokersim::gui
