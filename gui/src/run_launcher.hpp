// Runs `brokersim run SCENARIO --trace FILE --progress` as a child process. SimGrid allows one
// simulation per process, and the window must stay responsive, so the GUI never runs the
// engine itself: it starts the command line, reads its progress lines, and loads the trace
// when the child has written it. Cancelling kills the child (by its PID, through QProcess).
#pragma once

#include <QObject>
#include <QProcess>
#include <QString>

namespace brokersim::gui {

class RunLauncher : public QObject
{
    Q_OBJECT

public:
    explicit RunLauncher(QObject* parent = nullptr);
    ~RunLauncher() override;

    // The brokersim executable: --brokersim, else $BROKERSIM, else the one built beside this
    // GUI, else `brokersim` on PATH.
    static QString default_program();
    void set_program(const QString& program) { program_ = program; }
    QString program() const { return program_; }

    // False (and nothing started) when a run is already going.
    bool start(const QString& scenario_path, const QString& trace_path, int trace_nodes = 1000);
    void cancel();
    bool running() const { return process_->state() != QProcess::NotRunning; }

signals:
    void progressed(double time_s, double expected_end_s, qint64 events);
    void runFinished(const QString& trace_path, bool conservation_holds);
    void runFailed(const QString& message);
    void runCancelled();

private:
    void read_stderr();
    void on_finished(int exit_code, QProcess::ExitStatus status);

    QProcess* process_;
    QString program_;
    QString trace_path_;
    qint64 child_pid_ = 0;  // names the child's temporary trace file
    QByteArray pending_;  // stderr bytes of an unfinished line
    QStringList errors_;  // stderr lines that are not progress
    bool cancelled_ = false;
};

}  // namespace brokersim::gui
