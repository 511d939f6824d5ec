// How far a run has got, shown on stderr while it runs: machine-readable lines for a front end
// (`brokersim run --progress`, read by brokersim-gui) or a one-line bar for a person at a
// terminal. Both pass every event on to the next sink untouched.
#pragma once

#include "brokersim/model/trace.hpp"

#include <chrono>
#include <cstdint>

namespace brokersim::app {

// Counts the events passing through and calls show() at most once per `interval` of wall
// time. The clock is only looked at every few thousand events, so the cost per event is an
// increment and a compare.
class ThrottledProgress : public model::TraceSink
{
public:
    ThrottledProgress(model::TraceSink& next, double expected_end_s,
                      std::chrono::milliseconds interval);

    void on_start(const model::RunInfo& info) override;
    void on_event(const model::TraceEvent& event) override;
    void on_events(std::span<const model::TraceEvent> events) override;
    void on_finish(double end_time_s) override;

protected:
    using Clock = std::chrono::steady_clock;

    // `final` is true once, for the run's last call, when time_s is the run's end.
    virtual void show(double time_s, bool final) = 0;

    double expected_end_s() const { return expected_end_s_; }
    std::uint64_t events() const { return events_; }
    std::uint64_t deliveries() const { return deliveries_; }
    double wall_s() const;

private:
    static constexpr std::uint64_t kEventsPerClockLook = 4096;

    model::TraceSink& next_;
    double expected_end_s_;
    std::chrono::milliseconds interval_;
    std::uint64_t events_ = 0;
    std::uint64_t deliveries_ = 0;
    Clock::time_point started_;
    Clock::time_point last_shown_;
};

// "progress: time_s=T end_s=E events=N" lines, four a second at most.
class ProgressLines final : public ThrottledProgress
{
public:
    ProgressLines(model::TraceSink& next, double expected_end_s);

private:
    void show(double time_s, bool final) override;
};

// One line redrawn in place with '\r', ten times a second at most: a bar of simulated time
// against the expected end, the wall time so far, events and deliveries. The finished line is
// kept, ended with a newline; if the run stops early (an error), the line is ended anyway so
// the error message starts on a line of its own.
class ProgressBar final : public ThrottledProgress
{
public:
    ProgressBar(model::TraceSink& next, double expected_end_s);
    ~ProgressBar() override;

    ProgressBar(const ProgressBar&) = delete;
    ProgressBar& operator=(const ProgressBar&) = delete;

private:
    void show(double time_s, bool final) override;

    bool line_open_ = false;
};

// Whether a person is watching stderr: it is a terminal.
bool stderr_is_terminal();

}  // namespace brokersim::app
