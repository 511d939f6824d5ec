#include "run_launcher.hpp"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

namespace brokersim::gui {

RunLauncher::RunLauncher(QObject* parent)
    : QObject(parent), process_(new QProcess(this)), program_(default_program())
{
    connect(process_, &QProcess::readyReadStandardError, this, &RunLauncher::read_stderr);
    connect(process_, &QProcess::finished, this, &RunLauncher::on_finished);
    connect(process_, &QProcess::started, this, [this] { child_pid_ = process_->processId(); });
    connect(process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            emit runFailed(tr("cannot start '%1': %2").arg(program_, process_->errorString()));
    });
}

RunLauncher::~RunLauncher()
{
    if (running()) {
        process_->kill();
        process_->waitForFinished(2000);
    }
}

QString RunLauncher::default_program()
{
    const auto from_environment = qEnvironmentVariable("BROKERSIM");
    if (!from_environment.isEmpty())
        return from_environment;
#ifdef BROKERSIM_CLI
    if (QFileInfo::exists(QStringLiteral(BROKERSIM_CLI)))
        return QStringLiteral(BROKERSIM_CLI);
#endif
    const auto beside = QDir(QCoreApplication::applicationDirPath()).filePath("brokersim");
    return QFileInfo::exists(beside) ? beside : QStringLiteral("brokersim");
}

bool RunLauncher::start(const QString& scenario_path, const QString& trace_path, int trace_nodes)
{
    if (running())
        return false;
    trace_path_ = trace_path;
    pending_.clear();
    errors_.clear();
    cancelled_ = false;
    // The report itself is not needed here (the trace carries it); it goes nowhere.
    process_->setStandardOutputFile(QProcess::nullDevice());
    process_->start(program_, {"run", scenario_path, "--trace", trace_path, "--trace-nodes",
                               QString::number(trace_nodes), "--progress"});
    return true;
}

void RunLauncher::cancel()
{
    if (!running())
        return;
    cancelled_ = true;
    process_->kill();
}

void RunLauncher::read_stderr()
{
    static const QRegularExpression progress(
        QStringLiteral(R"(^progress: time_s=([0-9.eE+-]+) end_s=([0-9.eE+-]+) events=(\d+))"));
    pending_ += process_->readAllStandardError();
    qsizetype newline;
    while ((newline = pending_.indexOf('\n')) >= 0) {
        const auto line = QString::fromUtf8(pending_.left(newline)).trimmed();
        pending_.remove(0, newline + 1);
        const auto match = progress.match(line);
        if (match.hasMatch())
            emit progressed(match.captured(1).toDouble(), match.captured(2).toDouble(),
                            match.captured(3).toLongLong());
        else if (!line.isEmpty())
            errors_ << line;
    }
}

void RunLauncher::on_finished(int exit_code, QProcess::ExitStatus status)
{
    read_stderr();
    if (!pending_.trimmed().isEmpty())
        errors_ << QString::fromUtf8(pending_).trimmed();
    if (cancelled_) {
        // A killed child cannot clean up; its trace was still being written beside the target,
        // as FILE.brokersim-tmp.PID.
        QFile::remove(QStringLiteral("%1.brokersim-tmp.%2").arg(trace_path_).arg(child_pid_));
        emit runCancelled();
        return;
    }
    // Status 3: the run finished but its conservation account does not hold; the trace is
    // complete and worth looking at.
    if (status == QProcess::NormalExit && (exit_code == 0 || exit_code == 3)) {
        emit runFinished(trace_path_, exit_code == 0);
        return;
    }
    emit runFailed(errors_.isEmpty() ? tr("brokersim exited with status %1").arg(exit_code)
                                     : errors_.front());
}

}  // namespace brokersim::gui
