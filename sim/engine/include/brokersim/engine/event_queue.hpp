// The engine's own clock-ordered queue for local events (LAN hops, agent runs, fan-outs).
// Events come out in (time, insertion order): ties are broken by insertion order, so runs are
// deterministic.
//
// Most local events belong to a stream whose times never decrease: frames through one
// broker's NIC, copies through one broker's CPU, arrivals over one WAN stream. Such a stream
// is a lane, a FIFO of its own; only each lane's earliest event sits in the heap, so a
// lane event costs a ring-buffer append instead of a heap insertion. An event pushed to a
// lane earlier than the lane's last one goes to the heap instead, which keeps the order
// exact whatever the caller does.
//
// The heap is 4-ary: shallower than a binary heap, and each sift step compares children that
// share a cache line. The earliest event is often the one just pushed (a reply's next hop),
// so it is kept in a slot beside the heap: such chains skip the heap.
#pragma once

#include <cstdint>
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
        insert({time_s, next_seq_++, kNoLane, payload});
    }

    // As push, for an event of `lane`'s stream.
    void push(Lane lane_index, double time_s, Payload payload)
    {
        auto& lane = lanes_[lane_index];
        if (lane.size != 0) {
            if (time_s < lane.back().time_s) {
                push(time_s, payload);
                return;
            }
            ++size_;
            lane.append({time_s, next_seq_++, lane_index, payload});
            return;
        }
        ++size_;
        const Item item{time_s, next_seq_++, lane_index, payload};
        lane.append(item);
        insert(item);
    }

    bool empty() const { return size_ == 0; }
    double next_time_s() const { return front_ ? front_->time_s : heap_.front().time_s; }
    std::size_t size() const { return size_; }

    Payload pop()
    {
        --size_;
        const bool from_heap = !front_;
        Item item;
        if (from_heap) {
            item = heap_.front();
        } else {
            item = *front_;
            front_.reset();
        }
        if (item.lane != kNoLane) {
            auto& lane = lanes_[item.lane];
            lane.pop_front();
            if (lane.size != 0) {
                if (from_heap)
                    replace_top(lane.front());
                else
                    insert(lane.front());
                return item.payload;
            }
        }
        if (from_heap)
            heap_pop();
        return item.payload;
    }

private:
    static constexpr std::size_t kArity = 4;
    static constexpr Lane kNoLane = ~Lane{0};

    struct Item
    {
        double time_s;
        std::uint64_t seq;
        Lane lane;
        Payload payload;
        bool operator<(const Item& other) const
        {
            return time_s != other.time_s ? time_s < other.time_s : seq < other.seq;
        }
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

    // Invariant: the slot, when full, holds an item earlier than everything in the heap.
    void insert(const Item& item)
    {
        if (!front_) {
            if (heap_.empty() || item < heap_.front()) {
                front_ = item;
                return;
            }
        } else if (item < *front_) {
            heap_push(*front_);
            front_ = item;
            return;
        }
        heap_push(item);
    }

    void heap_push(const Item& item)
    {
        std::size_t i = heap_.size();
        heap_.push_back(item);
        while (i > 0) {
            const std::size_t parent = (i - 1) / kArity;
            if (!(item < heap_[parent]))
                break;
            heap_[i] = heap_[parent];
            i = parent;
        }
        heap_[i] = item;
    }

    void heap_pop()
    {
        const Item last = heap_.back();
        heap_.pop_back();
        if (!heap_.empty())
            sift_down(last);
    }

    // Drops the heap's top and puts `item` in its place.
    void replace_top(const Item& item) { sift_down(item); }

    void sift_down(const Item& item)
    {
        const std::size_t size = heap_.size();
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
            if (!(heap_[best] < item))
                break;
            heap_[i] = heap_[best];
            i = best;
        }
        heap_[i] = item;
    }

    std::vector<Item> heap_;
    std::optional<Item> front_;
    std::vector<LaneBuffer> lanes_;
    std::size_t size_ = 0;
    std::uint64_t next_seq_ = 0;
};

}  // namespace brokersim::engine
