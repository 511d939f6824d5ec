// The local event queue: events leave in (time, insertion order) whether they were pushed to
// the heap or to a lane, and whatever order a lane's pushes come in.
#include "brokersim/engine/event_queue.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <tuple>
#include <vector>

using brokersim::engine::EventQueue;

namespace {

struct Pushed
{
    double time_s;
    int order;  // insertion order
};

}  // namespace

TEST_CASE("a lane's events leave in time order between the heap's")
{
    EventQueue<int> queue;
    const auto lane = queue.add_lane();
    queue.push(lane, 1.0, 10);
    queue.push(lane, 3.0, 11);
    queue.push(2.0, 20);
    queue.push(lane, 3.0, 12);  // a tie with the lane's last: insertion order
    queue.push(3.0, 21);
    CHECK(queue.size() == 5);
    std::vector<int> out;
    while (!queue.empty())
        out.push_back(queue.pop());
    CHECK(out == std::vector<int>{10, 20, 11, 12, 21});
}

TEST_CASE("an event pushed to a lane earlier than the lane's last still leaves in time order")
{
    EventQueue<int> queue;
    const auto lane = queue.add_lane();
    queue.push(lane, 5.0, 1);
    queue.push(lane, 2.0, 2);  // out of the lane's order
    queue.push(lane, 6.0, 3);
    std::vector<int> out;
    while (!queue.empty())
        out.push_back(queue.pop());
    CHECK(out == std::vector<int>{2, 1, 3});
}

namespace {

// Random pushes and pops, checked against a stable sort by time. `spread_s`: how far past the
// time reached a lane-less push may go.
void check_against_stable_sort(EventQueue<int>& queue, double spread_s, unsigned seed)
{
    std::mt19937 random(seed);
    std::uniform_int_distribution<int> pick(0, 4);  // 0: lane-less, 1..4: a lane
    std::uniform_int_distribution<int> step(0, 3);  // lane times mostly increase
    std::uniform_int_distribution<int> coin(0, 9);
    std::vector<EventQueue<int>::Lane> lanes;
    for (int i = 0; i < 4; ++i)
        lanes.push_back(queue.add_lane());
    std::vector<double> lane_time(4, 0.0);

    std::vector<Pushed> pending;  // the reference
    std::vector<int> got;
    std::vector<int> expected;
    double now_s = 0;
    int order = 0;
    for (int round = 0; round < 20000; ++round) {
        if (coin(random) < 6 || pending.empty()) {
            const int where = pick(random);
            double time_s;
            if (where == 0) {
                // Ties, arbitrary fractions, and one push in ten before the time reached.
                const int kind = coin(random);
                time_s = kind == 0 ? now_s * 0.5
                         : kind < 5
                             ? now_s + step(random) * 0.5
                             : now_s + std::uniform_real_distribution<double>(0, spread_s)(random);
                queue.push(time_s, order);
            } else {
                auto& last = lane_time[where - 1];
                // One push in ten goes back in time, the rest never decrease.
                time_s = coin(random) == 0 ? now_s + 0.25 : std::max(last, now_s) + step(random);
                last = std::max(last, time_s);
                queue.push(lanes[where - 1], time_s, order);
            }
            pending.push_back({time_s, order++});
        } else {
            const auto earliest = std::min_element(
                pending.begin(), pending.end(), [](const Pushed& a, const Pushed& b) {
                    return std::tie(a.time_s, a.order) < std::tie(b.time_s, b.order);
                });
            expected.push_back(earliest->order);
            now_s = earliest->time_s;
            pending.erase(earliest);
            got.push_back(queue.pop());
        }
        REQUIRE(queue.size() == pending.size());
    }
    CHECK(got.size() > 5000);
    CHECK(got == expected);
}

}  // namespace

TEST_CASE("random pushes and pops over the calendar and lanes match a stable sort by time")
{
    // The default calendar: 50 µs buckets, so nearly everything here waits beyond its horizon.
    EventQueue<int> queue;
    check_against_stable_sort(queue, 2.0, 7);
}

TEST_CASE("a small calendar keeps the order across its ring, its far heap and pushes before "
          "its base")
{
    // 64 buckets of 0.1 s: pushes land in the current bucket, further along the ring, past
    // its 6.4 s horizon, and (time halved) before the bucket of the last event taken.
    for (const unsigned seed : {1u, 2u, 3u}) {
        EventQueue<int> queue(0.1, 64);
        check_against_stable_sort(queue, 12.0, seed);
    }
    EventQueue<int> fine(0.001, 128);  // ring wraps many times over
    check_against_stable_sort(fine, 3.0, 11);
}
