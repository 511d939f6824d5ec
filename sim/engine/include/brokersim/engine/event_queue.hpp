// The engine's own clock-ordered queue for local events (LAN hops, agent runs, fan-outs).
// Events come out in (time, insertion order): ties are broken by insertion order, so runs are
// deterministic.
//
// Most local events belong to a stream whose times never decrease: frames through one
// broker's NIC, copies through one broker's CPU, arrivals over one WAN stream. Such a stream
// is a lane, a FIFO of its own, and only each lane's earliest event takes part in ordering,
// in a small heap of lane heads (one entry per busy lane): a lane event costs a ring-buffer
// append and a sift through a few lane heads. An event pushed to a lane earlier than the
// lane's last one is handled as a lane-less event instead, which keeps the order exact
// whatever the caller does.
//
// Lane-less events (agent runs above all: thousands pending, in no order) go into a calendar:
// time is cut into buckets of a fixed width (50 µs), an event lands unsorted in its bucket,
// and only the first occupied bucket is kept as a heap, of a few dozen events. With one heap
// of them all (4,500 on average at 100 k nodes) every pop sifted through its levels; the
// calendar takes 7 % less time at 100 k nodes. Events beyond the calendar's horizon (1024
// buckets, 51 ms) wait in a heap of their own and move into their bucket as the clock comes
// near them.
//
// The heaps are 4-ary: shallower than binary heaps, and each sift step compares children
// that share a cache line. The earliest event is often the one just pushed (an agent run that
// ends before the others), so it is kept in a slot beside the calendar: such chains skip it.
#pragma once

#include <bit>
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

    // Buckets of `bucket_width_s` seconds, `bucket_count` of them (a power of two, at least 64).
    explicit EventQueue(double bucket_width_s = kDefaultBucketWidth_s,
                        std::size_t bucket_count = kDefaultBucketCount)
        : calendar_(bucket_width_s, bucket_count)
    {}

    Lane add_lane()
    {
        lanes_.emplace_back();
        return static_cast<Lane>(lanes_.size() - 1);
    }

    void push(double time_s, Payload payload)
    {
        ++size_;
        const Item item{time_s, next_seq_++, payload};
        // Invariant: the slot, when full, holds an item earlier than everything in the calendar.
        if (!front_) {
            if (calendar_.empty() || item < calendar_.top()) {
                front_ = item;
                return;
            }
        } else if (item < *front_) {
            calendar_.push(*front_);
            front_ = item;
            return;
        }
        calendar_.push(item);
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
        const std::uint64_t seq = next_seq_++;
        Item& item = lane.append();
        item.time_s = time_s;
        item.seq = seq;
        item.payload = payload;
        if (lane.size == 1)
            heap_push(lane_heads_, Head{time_s, seq, lane_index});
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
        payload = calendar_.top().payload;
        calendar_.pop();
        return true;
    }

    // At a 1 Gbit/s LAN's fan-out rate a 50 µs bucket holds a few dozen agent runs; 1024 of
    // them reach 51 ms ahead, past most agents' run times. Narrower buckets spread the pending
    // events over more memory, which the cache then misses when their bucket comes up: at
    // 100 k nodes 5 µs buckets took 6 % more time than anything from 20 to 200 µs.
    static constexpr double kDefaultBucketWidth_s = 50e-6;
    static constexpr std::size_t kDefaultBucketCount = 1024;

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
        // A new last slot, filled in place by the caller.
        Item& append()
        {
            if (size == items.size()) {
                std::vector<Item> grown(items.empty() ? 16 : 2 * items.size());
                for (std::size_t i = 0; i < size; ++i)
                    grown[i] = items[(head + i) & (items.size() - 1)];
                items.swap(grown);
                head = 0;
            }
            return items[(head + size++) & (items.size() - 1)];
        }
    };

    // Lane-less events by bucket: bucket n holds times t with floor(t / width) = n. The ring
    // holds buckets base_ to base_ + count - 1 (bucket n at n mod count), unsorted except the
    // first occupied one, head_, which is a heap; base_ is the bucket of the last event taken
    // from the ring or the far heap, so it never passes the queue's clock. Events of later
    // buckets wait in far_, a heap, and move into the ring as base_ comes near them; events
    // pushed into a bucket before base_ (earlier than the clock: rare) go to past_, a heap.
    class Calendar
    {
    public:
        Calendar(double width_s, std::size_t count)
            : per_second_(1.0 / width_s), ring_(count), occupied_(count / 64)
        {}

        bool empty() const { return in_ring_ == 0 && past_.empty() && far_.empty(); }
        const Item& top() const
        {
            if (!past_.empty())
                return past_.front();
            if (in_ring_ != 0)
                return ring_[head_ & mask()].front();
            return far_.front();
        }

        void push(const Item& item) { place(item, bucket(item.time_s)); }

        void pop()
        {
            if (!past_.empty()) {
                heap_pop(past_);
                return;
            }
            if (in_ring_ == 0) {
                const std::uint64_t n = bucket(far_.front().time_s);
                heap_pop(far_);
                move_base(n);
                return;
            }
            const std::uint64_t popped = head_;
            const std::size_t index = popped & mask();
            auto& head = ring_[index];
            heap_pop(head);
            --in_ring_;
            if (head.empty()) {
                occupied_[index / 64] &= ~(std::uint64_t{1} << (index % 64));
                if (in_ring_ != 0) {
                    head_ = popped + distance_to_occupied(popped);
                    heapify(ring_[head_ & mask()]);
                }
            }
            move_base(popped);
        }

    private:
        std::size_t mask() const { return ring_.size() - 1; }

        std::uint64_t bucket(double time_s) const
        {
            const double n = time_s * per_second_;
            if (!(n > 0))
                return 0;
            return n < 1.8e19 ? static_cast<std::uint64_t>(n)
                              : std::numeric_limits<std::uint64_t>::max();
        }

        void place(const Item& item, std::uint64_t n)
        {
            if (n < base_) {
                heap_push(past_, item);
                return;
            }
            if (n - base_ >= ring_.size()) {
                heap_push(far_, item);
                return;
            }
            const std::size_t index = n & mask();
            if (in_ring_ == 0 || n < head_)
                head_ = n;  // an empty bucket before the old head: it starts a heap
            if (n == head_)
                heap_push(ring_[index], item);
            else
                ring_[index].push_back(item);
            occupied_[index / 64] |= std::uint64_t{1} << (index % 64);
            ++in_ring_;
        }

        // The clock reached bucket n: the ring moves up to it and takes in what now fits.
        void move_base(std::uint64_t n)
        {
            if (n <= base_)
                return;
            base_ = n;
            while (!far_.empty() && bucket(far_.front().time_s) - base_ < ring_.size()) {
                const Item item = far_.front();
                heap_pop(far_);
                place(item, bucket(item.time_s));
            }
        }

        // How many buckets after `from` the next occupied one is: every bucket in the ring
        // lies within count - 1 after it.
        std::uint64_t distance_to_occupied(std::uint64_t from) const
        {
            const std::size_t start = (from + 1) & mask();
            std::size_t word = start / 64;
            std::uint64_t bits = occupied_[word] & (~std::uint64_t{0} << (start % 64));
            while (bits == 0) {
                word = (word + 1) % occupied_.size();
                bits = occupied_[word];
            }
            const std::size_t index = word * 64 + static_cast<std::size_t>(std::countr_zero(bits));
            return (index - from) & mask();
        }

        double per_second_;
        std::uint64_t base_ = 0;
        std::uint64_t head_ = 0;
        std::size_t in_ring_ = 0;
        std::vector<std::vector<Item>> ring_;
        std::vector<std::uint64_t> occupied_;
        std::vector<Item> past_;
        std::vector<Item> far_;
    };

    // The earliest event outside the lanes, if any.
    const Key* earliest_direct() const
    {
        if (front_)
            return &*front_;
        return calendar_.empty() ? nullptr : &calendar_.top();
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

    template <typename T>
    static void heapify(std::vector<T>& heap)
    {
        if (heap.size() < 2)
            return;
        // From the last parent back to the top.
        for (std::size_t i = (heap.size() - 2) / kArity + 1; i-- > 0;)
            sift_down(heap, T(heap[i]), i);
    }

    // Replaces the element at `start` (the top by default) with `value` and restores the heap
    // below it.
    template <typename T>
    static void sift_down(std::vector<T>& heap, const T& value, std::size_t start = 0)
    {
        const std::size_t size = heap.size();
        std::size_t i = start;
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

    Calendar calendar_;
    std::optional<Item> front_;
    std::vector<LaneBuffer> lanes_;
    std::vector<Head> lane_heads_;
    std::size_t size_ = 0;
    std::uint64_t next_seq_ = 0;
};

}  // namespace brokersim::engine
