// The engine's own clock-ordered queue for local events (LAN hops, agent runs, fan-outs).
// Ties are broken by insertion order, so runs are deterministic.
//
// The earliest event is often the one just pushed (a fan-out's next node, a reply's next hop),
// so it is kept in a slot beside the heap: such chains never touch the heap.
#pragma once

#include <cstdint>
#include <optional>
#include <queue>
#include <vector>

namespace brokersim::engine {

template <typename Payload>
class EventQueue
{
public:
    void push(double time_s, Payload payload)
    {
        Entry entry{time_s, next_seq_++, payload};
        // Invariant: the slot, when full, holds an entry earlier than everything in the heap.
        if (!front_) {
            if (heap_.empty() || entry < heap_.top()) {
                front_ = entry;
                return;
            }
        } else if (entry < *front_) {
            heap_.push(*front_);
            front_ = entry;
            return;
        }
        heap_.push(entry);
    }
    bool empty() const { return !front_ && heap_.empty(); }
    double next_time_s() const { return front_ ? front_->time_s : heap_.top().time_s; }
    Payload pop()
    {
        if (front_) {
            Payload payload = front_->payload;
            front_.reset();
            return payload;
        }
        Payload payload = heap_.top().payload;
        heap_.pop();
        return payload;
    }
    std::size_t size() const { return heap_.size() + (front_ ? 1 : 0); }

private:
    struct Entry
    {
        double time_s;
        std::uint64_t seq;
        Payload payload;
        bool operator<(const Entry& other) const
        {
            return time_s != other.time_s ? time_s < other.time_s : seq < other.seq;
        }
        bool operator>(const Entry& other) const { return other < *this; }
    };
    std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap_;
    std::optional<Entry> front_;
    std::uint64_t next_seq_ = 0;
};

}  // namespace brokersim::engine
