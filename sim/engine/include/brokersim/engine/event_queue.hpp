// The engine's own clock-ordered queue for local events (LAN hops, agent runs, fan-outs).
// Events come out in (time, insertion order): ties are broken by insertion order, so runs are
// deterministic.
//
// Most local events belong to a stream whose times never decrease: frames through one
// broker's NIC, copies through one broker's CPU, arrivals over one WAN stream. Such a stream
// is a lane, a FIFO of its own, and only each lane's earliest event takes part in ordering,
// in a small heap of lane heads (one entry per busy lane): a lane event costs a ring-buffer
// append and a sift through a few lane heads, never a pass through the big heap. An event
// pushed to a lane earlier than the lane's last one goes to the big heap instead, which keeps
// the order exact whatever the caller does.
//
// The heaps are 4-ary: shallower than binary heaps, and each sift step compares children
// that share a cache line. The earliest event is often the one just pushed (an agent run that
// ends before the others), so it is kept in a slot beside the big heap: such chains skip it.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

namespace brokersim::engine {

using EventLane = std::uint32_t;

template <typename Payload>
class EventQueue
{
public:
    using Lane = EventLane;

    Lane add_lane()
    {
        lanes_.emplace_back();
        return static_cast<Lane>(lanes_.size() - 1);
    }

    void push(double time_s, Payload payload)
    {
        ++size_;
        const Item item{time_s, next_seq_++, payload};
        // Invariant: the slot, when full, holds an item earlier than everything in the heap.
        if (!front_) {
            if (heap_.empty() || item < heap_.front()) {
                front_ = item;
                return;
            }
        } else if (item < *front_) {
            heap_push(heap_, *front_);
            front_ = item;
            return;
        }
        heap_push(heap_, item);
    }

    // As push, for an event of `lane`'s stream.
    void push(Lane lane_index, double time_s, Payload payload)
    {
        auto& lane = lanes_[lane_index];
        if (lane.size != 0 && time_s < lane.back().time_s) {
            push(time_s, payload);
            return;
        }
        ++size_;
        const Item item{time_s, next_seq_++, payload};
        lane.append(item);
        if (lane.size == 1)
            heap_push(lane_heads_, Head{time_s, item.seq, lane_index});
    }

    bool empty() const { return size_ == 0; }
    std::size_t size() const { return size_; }
    double next_time_s() const
    {
        const Key* direct = earliest_direct();
        if (lane_heads_.empty() || (direct && *direct < lane_heads_.front()))
            return direct->time_s;
        return lane_heads_.front().time_s;
    }

    Payload pop()
    {
        Payload payload{};
        double time_s = 0;
        pop_due(std::numeric_limits<double>::infinity(), time_s, payload);
        return payload;
    }

    // Takes the earliest event if it is due by `until_s`: its time and payload go to `time_s`
    // and `payload`. One look at the heads serves both the test and the taking.
    bool pop_due(double until_s, double& time_s, Payload& payload)
    {
        if (size_ == 0)
            return false;
        const Key* direct = earliest_direct();
        if (!lane_heads_.empty() && (!direct || lane_heads_.front() < *direct)) {
            if (lane_heads_.front().time_s > until_s)
                return false;
            --size_;
            const Lane lane_index = lane_heads_.front().lane;
            auto& lane = lanes_[lane_index];
            time_s = lane.front().time_s;
            payload = lane.front().payload;
            lane.pop_front();
            if (lane.size != 0)
                sift_down(lane_heads_, Head{lane.front().time_s, lane.front().seq, lane_index});
            else
                heap_pop(lane_heads_);
            return true;
        }
        if (direct->time_s > until_s)
            return false;
        --size_;
        time_s = direct->time_s;
        if (front_) {
            payload = front_->payload;
            front_.reset();
            return true;
        }
        payload = heap_.front().payload;
        heap_pop(heap_);
        return true;
    }

private:
    static constexpr std::size_t kArity = 4;

    struct Key
    {
        double time_s;
        std::uint64_t seq;
        bool operator<(const Key& other) const
        {
            return time_s != other.time_s ? time_s < other.time_s : seq < other.seq;
        }
    };
    struct Item : Key
    {
        Payload payload;
    };
    struct Head : Key
    {
        Lane lane;
    };

    // A ring buffer of one lane's events, earliest first.
    struct LaneBuffer
    {
        std::vector<Item> items;  // capacity a power of two
        std::size_t head = 0;
        std::size_t size = 0;

        const Item& front() const { return items[head]; }
        const Item& back() const { return items[(head + size - 1) & (items.size() - 1)]; }
        void pop_front()
        {
            head = (head + 1) & (items.size() - 1);
            --size;
        }
        void append(const Item& item)
        {
            if (size == items.size()) {
                std::vector<Item> grown(items.empty() ? 16 : 2 * items.size());
                for (std::size_t i = 0; i < size; ++i)
                    grown[i] = items[(head + i) & (items.size() - 1)];
                items.swap(grown);
                head = 0;
            }
            items[(head + size) & (items.size() - 1)] = item;
            ++size;
        }
    };

    // The earliest event outside the lanes, if any.
    const Key* earliest_direct() const
    {
        if (front_)
            return &*front_;
        return heap_.empty() ? nullptr : &heap_.front();
    }

    template <typename T>
    static void heap_push(std::vector<T>& heap, const T& value)
    {
        std::size_t i = heap.size();
        heap.push_back(value);
        while (i > 0) {
            const std::size_t parent = (i - 1) / kArity;
            if (!(value < heap[parent]))
                break;
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = value;
    }

    template <typename T>
    static void heap_pop(std::vector<T>& heap)
    {
        const T last = heap.back();
        heap.pop_back();
        if (!heap.empty())
            sift_down(heap, last);
    }

    // Replaces the heap's top with `value`.
    template <typename T>
    static void sift_down(std::vector<T>& heap, const T& value)
    {
        const std::size_t size = heap.size();
        std::size_t i = 0;
        while (true) {
            const std::size_t first = i * kArity + 1;
            if (first >= size)
                break;
            std::size_t best = first;
            const std::size_t end = first + kArity < size ? first + kArity : size;
            for (std::size_t c = first + 1; c < end; ++c)
                if (heap[c] < heap[best])
                    best = c;
            if (!(heap[best] < value))
                break;
            heap[i] = heap[best];
            i = best;
        }
        heap[i] = value;
    }

    std::vector<Item> heap_;
    std::optional<Item> front_;
    std::vector<LaneBuffer> lanes_;
    std::vector<Head> lane_heads_;
    std::size_t size_ = 0;
    std::uint64_t next_seq_ = 0;
};

}  // namespace brokersim::engine
