// The engine's own clock-ordered queue for local events (LAN hops, agent runs, fan-outs).
// Ties are broken by insertion order, so runs are deterministic.
#pragma once

#include <cstdint>
#include <queue>
#include <vector>

namespace brokersim::engine {

template <typename Payload>
class EventQueue
{
public:
    void push(double time_s, Payload payload) { heap_.push({time_s, next_seq_++, payload}); }
    bool empty() const { return heap_.empty(); }
    double next_time_s() const { return heap_.top().time_s; }
    Payload pop()
    {
        Payload payload = heap_.top().payload;
        heap_.pop();
        return payload;
    }
    std::size_t size() const { return heap_.size(); }

private:
    struct Entry
    {
        double time_s;
        std::uint64_t seq;
        Payload payload;
        bool operator>(const Entry& other) const
        {
            return time_s != other.time_s ? time_s > other.time_s : seq > other.seq;
        }
    };
    std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap_;
    std::uint64_t next_seq_ = 0;
};

}  // namespace brokersim::engine
