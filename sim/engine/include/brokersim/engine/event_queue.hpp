// The engine's own clock-ordered queue for local events (LAN hops, agent runs, fan-outs).
// Ties are broken by insertion order, so runs are deterministic.
//
// A 4-ary min-heap: shallower than a binary heap, and each sift step compares children that
// share a cache line. The earliest event is often the one just pushed (a fan-out's next node,
// a reply's next hop), so it is kept in a slot beside the heap: such chains skip the heap.
#pragma once

#include <cstdint>
#include <optional>
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
            if (heap_.empty() || entry < heap_.front()) {
                front_ = entry;
                return;
            }
        } else if (entry < *front_) {
            heap_push(*front_);
            front_ = entry;
            return;
        }
        heap_push(entry);
    }

    bool empty() const { return !front_ && heap_.empty(); }
    double next_time_s() const { return front_ ? front_->time_s : heap_.front().time_s; }
    std::size_t size() const { return heap_.size() + (front_ ? 1 : 0); }

    Payload pop()
    {
        if (front_) {
            Payload payload = front_->payload;
            front_.reset();
            return payload;
        }
        Payload payload = heap_.front().payload;
        heap_pop();
        return payload;
    }

private:
    static constexpr std::size_t kArity = 4;

    struct Entry
    {
        double time_s;
        std::uint64_t seq;
        Payload payload;
        bool operator<(const Entry& other) const
        {
            return time_s != other.time_s ? time_s < other.time_s : seq < other.seq;
        }
    };

    void heap_push(const Entry& entry)
    {
        std::size_t i = heap_.size();
        heap_.push_back(entry);
        while (i > 0) {
            const std::size_t parent = (i - 1) / kArity;
            if (!(entry < heap_[parent]))
                break;
            heap_[i] = heap_[parent];
            i = parent;
        }
        heap_[i] = entry;
    }

    void heap_pop()
    {
        const Entry last = heap_.back();
        heap_.pop_back();
        const std::size_t size = heap_.size();
        if (size == 0)
            return;
        std::size_t i = 0;
        while (true) {
            const std::size_t first = i * kArity + 1;
            if (first >= size)
                break;
            std::size_t best = first;
            const std::size_t end = first + kArity < size ? first + kArity : size;
            for (std::size_t c = first + 1; c < end; ++c)
                if (heap_[c] < heap_[best])
                    best = c;
            if (!(heap_[best] < last))
                break;
            heap_[i] = heap_[best];
            i = best;
        }
        heap_[i] = last;
    }

    std::vector<Entry> heap_;
    std::optional<Entry> front_;
    std::uint64_t next_seq_ = 0;
};

}  // namespace brokersim::engine
