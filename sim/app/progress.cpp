#include "progress.hpp"

#include <fmt/format.h>

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>

namespace brokersim::app {

namespace {

void write_stderr(const std::string& text)
{
    std::fputs(text.c_str(), stderr);
    std::fflush(stderr);
}

// 950, 12.3k, 4.56M: short enough for a status line.
std::string short_count(std::uint64_t n)
{
    if (n < 10'000)
        return fmt::format("{}", n);
    if (n < 10'000'000)
        return fmt::format("{:.1f}k", n / 1e3);
    return fmt::format("{:.2f}M", n / 1e6);
}

int terminal_columns()
{
    winsize size{};
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
        return size.ws_col;
    return 80;
}

}  // namespace

bool stderr_is_terminal()
{
    return isatty(STDERR_FILENO) == 1;
}

ThrottledProgress::ThrottledProgress(model::TraceSink& next, double expected_end_s,
                                     std::chrono::milliseconds interval)
    : next_(next), expected_end_s_(expected_end_s), interval_(interval)
{}

void ThrottledProgress::on_start(const model::RunInfo& info)
{
    started_ = last_shown_ = Clock::now();
    show(0, false);
    next_.on_start(info);
}

void ThrottledProgress::on_event(const model::TraceEvent& event)
{
    on_events({&event, 1});
}

void ThrottledProgress::on_events(std::span<const model::TraceEvent> events)
{
    if (events.empty())
        return;
    next_.on_events(events);
    for (const auto& event : events)
        deliveries_ += event.kind == model::TraceKind::Deliver ? 1 : 0;
    const auto before = events_;
    events_ += events.size();
    if (before / kEventsPerClockLook == events_ / kEventsPerClockLook)
        return;

    const auto& event = events.back();
    const auto now = Clock::now();
    if (now - last_shown_ < interval_)
        return;
    last_shown_ = now;
    show(event.time_s, false);
}

void ThrottledProgress::on_finish(double end_time_s)
{
    next_.on_finish(end_time_s);
    expected_end_s_ = end_time_s;
    show(end_time_s, true);
}

double ThrottledProgress::wall_s() const
{
    return std::chrono::duration<double>(Clock::now() - started_).count();
}

ProgressLines::ProgressLines(model::TraceSink& next, double expected_end_s)
    : ThrottledProgress(next, expected_end_s, std::chrono::milliseconds(250))
{}

void ProgressLines::show(double time_s, bool)
{
    write_stderr(fmt::format("progress: time_s={:.6f} end_s={:.6f} events={}\n", time_s,
                             expected_end_s(), events()));
}

ProgressBar::ProgressBar(model::TraceSink& next, double expected_end_s)
    : ThrottledProgress(next, expected_end_s, std::chrono::milliseconds(100))
{}

ProgressBar::~ProgressBar()
{
    if (line_open_)
        write_stderr("\n");
}

void ProgressBar::show(double time_s, bool final)
{
    const double end_s = expected_end_s();
    // The end is an estimate until the run has finished: hold at 99 % past it.
    double fraction = end_s > 0 ? time_s / end_s : 0;
    fraction = final ? 1.0 : std::clamp(fraction, 0.0, 0.99);

    // Never wider than the terminal, since a wrapped line cannot be redrawn with '\r': the
    // bar takes a quarter of it, and the figures that do not fit after it are left out, the
    // least important (events) first.
    const int columns = terminal_columns() - 1;
    const int width = std::clamp(columns / 4, 10, 30);
    const int filled = static_cast<int>(fraction * width + 0.5);
    auto line = fmt::format("[{}{}] {:3.0f}%", std::string(filled, '#'),
                            std::string(width - filled, '-'), 100 * fraction);
    for (const auto& field : {fmt::format("sim {:.1f}/{:.1f} s", time_s, end_s),
                              fmt::format("wall {:.1f} s", wall_s()),
                              short_count(deliveries()) + " deliveries",
                              short_count(events()) + " events"}) {
        if (static_cast<int>(line.size() + 2 + field.size()) > columns)
            break;
        line += "  " + field;
    }
    line.resize(std::max(0, columns), ' ');

    write_stderr("\r" + line + (final ? "\n" : ""));
    line_open_ = !final;
}

}  // namespace brokersim::app
