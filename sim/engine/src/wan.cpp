#include "wan.hpp"

#include <simgrid/s4u.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace sg = simgrid::s4u;

namespace brokersim::engine {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
// Local events this close to SimGrid's clock are due now (guards against rounding in sleeps).
constexpr double kTimeEpsilon_s = 1e-12;
// With a time quantum, a stream starts at most one transfer per quantum or per this share of
// its latency, whichever is longer: what is queued meanwhile leaves in the next transfer. Items
// are still timed as a continuously sending stream would send them (complete_transfer), so the
// share decides how finely SimGrid sees streams share a link, and how much a crash loses in
// flight, not when an item arrives. On a 20 ms link it is 400 µs, 2 % of the propagation
// time, and keeps a continuously fed stream at 50 SimGrid transfers per latency. 2 % is the
// largest share measured to leave every shipped scenario's report equal to --exact's with the
// default 100 µs quantum: at 3 % regression/slow-link.yaml's p95 moves by 0.1 ms.
constexpr double kStartIntervalOfLatency = 0.02;

}  // namespace

struct Wan::Stream
{
    struct Item
    {
        std::uint32_t bytes;
        std::uint64_t item;
        double ready_s;
    };
    sg::Host* from = nullptr;
    sg::Host* to = nullptr;
    double latency_s = 0;
    double bottleneck_Bps = 0;  // the slowest link of the route, bytes per second
    std::deque<Item> queued;
    std::vector<Item> in_flight;
    double started_s = 0;
    // When the last byte handed to the stream would have left, had the stream sent each item
    // as soon as it was ready (see complete_transfer).
    double sent_s = 0;
    double next_start_s = 0;  // a stream starts at most one transfer per time quantum
    bool busy = false;
    bool waiting = false;  // has queued items and no transfer yet; in Impl::waiting
    bool paused = false;
    std::uint32_t epoch = 0;           // bumped by reset
    std::uint32_t in_flight_epoch = 0;
    std::vector<int> route_links;      // WAN links crossed
};

struct Wan::Impl
{
    std::unique_ptr<sg::Engine> engine;
    std::vector<sg::Host*> hosts;
    std::vector<std::vector<double>> latency;      // [from][to], seconds
    std::vector<std::vector<double>> bottleneck;   // [from][to], bytes per second
    std::vector<std::vector<std::vector<int>>> routes;  // [from][to], WAN links
    std::vector<Stream> streams;
    std::vector<sg::CommPtr> comms;
    std::vector<int> comm_streams;
    std::vector<int> waiting;
    double quantum_s = 0;
};

Wan::Wan(const model::Scenario& scenario, const model::Topology& topology,
         const std::vector<int>& broker_datacenter, bool quiet)
    : impl_(std::make_unique<Impl>())
{
    // CM02 with no cross traffic and no correction factors: a transfer of S bytes alone on a
    // link of bandwidth B takes exactly S / B. Propagation latency is added by the streams.
    std::vector<std::string> args = {"brokersim", "--cfg=network/model:CM02",
                                     "--cfg=network/crosstraffic:0"};
    if (quiet)
        args.insert(args.begin() + 1, "--log=root.thresh:critical");
#if defined(__SANITIZE_ADDRESS__)
    // AddressSanitizer cannot follow SimGrid's own switching between actor stacks (it warns on
    // stderr at the first switch); system threads it follows.
    args.push_back("--cfg=contexts/factory:thread");
#endif
    std::vector<char*> argv;
    for (auto& arg : args)
        argv.push_back(arg.data());
    int argc = static_cast<int>(argv.size());
    impl_->engine = std::make_unique<sg::Engine>(&argc, argv.data());

    auto* zone = sg::create_full_zone("wan");
    for (const auto& broker : scenario.brokers)
        impl_->hosts.push_back(zone->create_host(broker.name, 1e9));

    std::vector<sg::Link*> wan_links;
    for (std::size_t i = 0; i < scenario.links.size(); ++i) {
        const auto& link = scenario.links[i];
        wan_links.push_back(zone->create_split_duplex_link("wan-" + std::to_string(i),
                                                           link.bandwidth_bps / 8.0));
    }
    std::vector<sg::Link*> lan_links;
    for (std::size_t d = 0; d < scenario.datacenters.size(); ++d)
        lan_links.push_back(zone->create_split_duplex_link(
            "lan-" + std::to_string(d), scenario.datacenters[d].lan_bandwidth_bps / 8.0));

    const auto broker_count = scenario.brokers.size();
    impl_->latency.assign(broker_count, std::vector<double>(broker_count, 0));
    impl_->bottleneck.assign(broker_count, std::vector<double>(broker_count, kInfinity));
    impl_->routes.assign(broker_count, std::vector<std::vector<int>>(broker_count));
    for (std::size_t a = 0; a < broker_count; ++a) {
        for (std::size_t b = 0; b < broker_count; ++b) {
            if (a == b)
                continue;
            const int da = broker_datacenter[a];
            const int db = broker_datacenter[b];
            std::vector<sg::LinkInRoute> links;
            double latency = 0;
            double bottleneck = kInfinity;
            if (da == db) {
                links.emplace_back(lan_links[da], sg::LinkInRoute::Direction::UP);
                latency = scenario.datacenters[da].lan_latency_s;
                bottleneck = scenario.datacenters[da].lan_bandwidth_bps / 8.0;
            } else if (const auto route = topology.route(da, db)) {
                for (const auto& hop : *route) {
                    impl_->routes[a][b].push_back(hop.link);
                    links.emplace_back(wan_links[hop.link],
                                       hop.forward ? sg::LinkInRoute::Direction::UP
                                                   : sg::LinkInRoute::Direction::DOWN);
                    bottleneck = std::min(bottleneck,
                                          scenario.links[hop.link].bandwidth_bps / 8.0);
                }
                latency = topology.latency_s(*route);
            } else {
                continue;  // unreachable pairs get no route; connectors were checked before
            }
            zone->add_route(impl_->hosts[a]->get_netpoint(), impl_->hosts[b]->get_netpoint(),
                            nullptr, nullptr, links, false);
            impl_->latency[a][b] = latency;
            impl_->bottleneck[a][b] = bottleneck;
        }
    }
    zone->seal();
}

Wan::~Wan() = default;

int Wan::open_stream(model::BrokerIndex from, model::BrokerIndex to)
{
    Stream stream;
    stream.from = impl_->hosts[from];
    stream.to = impl_->hosts[to];
    stream.latency_s = impl_->latency[from][to];
    stream.route_links = impl_->routes[from][to];
    stream.bottleneck_Bps = impl_->bottleneck[from][to];
    impl_->streams.push_back(std::move(stream));
    return static_cast<int>(impl_->streams.size() - 1);
}

double Wan::latency_s(model::BrokerIndex from, model::BrokerIndex to) const
{
    return impl_->latency[from][to];
}

double Wan::stream_latency_s(int stream_index) const
{
    return impl_->streams[stream_index].latency_s;
}

void Wan::send(int stream_index, std::uint32_t bytes, std::uint64_t item, double ready_s)
{
    auto& stream = impl_->streams[stream_index];
    stream.queued.push_back({bytes, item, ready_s});
    if (!stream.busy && !stream.waiting && !stream.paused) {
        stream.waiting = true;
        impl_->waiting.push_back(stream_index);
    }
}

void Wan::flush()
{
    // Streams that started a transfer less than a quantum ago keep waiting: what they queue
    // meanwhile leaves together in their next transfer.
    const double now = sg::Engine::get_clock();
    auto& waiting = impl_->waiting;
    std::size_t kept = 0;
    for (const int index : waiting) {
        auto& stream = impl_->streams[index];
        if (stream.busy || stream.paused || stream.queued.empty()) {
            stream.waiting = false;
        } else if (now + kTimeEpsilon_s < stream.next_start_s) {
            waiting[kept++] = index;
        } else {
            stream.waiting = false;
            start_transfer(stream);
        }
    }
    waiting.resize(kept);
}

double Wan::next_deferred_start_s() const
{
    double earliest = kInfinity;
    for (const int index : impl_->waiting)
        earliest = std::min(earliest, impl_->streams[index].next_start_s);
    return earliest;
}

void Wan::start_transfer(Stream& stream)
{
    // A batch that takes at most one latency to transmit alone keeps every item's arrival at
    // or after the transfer's completion, where the engine can still place it; a larger one
    // would pile the early items up at the completion, a burst above the link's bandwidth.
    // It may take a quantum's worth, since the stream starts at most one per quantum, and it
    // always takes at least one item.
    const double cap_bytes =
        stream.bottleneck_Bps * std::max(stream.latency_s, impl_->quantum_s);
    double total = 0;
    stream.in_flight.clear();
    while (!stream.queued.empty() &&
           (stream.in_flight.empty() || total + stream.queued.front().bytes <=
                                            cap_bytes)) {
        total += stream.queued.front().bytes;
        stream.in_flight.push_back(stream.queued.front());
        stream.queued.pop_front();
    }
    stream.busy = true;
    stream.in_flight_epoch = stream.epoch;
    stream.started_s = sg::Engine::get_clock();
    stream.next_start_s =
        stream.started_s +
        (impl_->quantum_s > 0
             ? std::max(impl_->quantum_s, kStartIntervalOfLatency * stream.latency_s)
             : 0.0);
    impl_->comms.push_back(sg::Comm::sendto_async(stream.from, stream.to,
                                                  static_cast<std::uint64_t>(total)));
    impl_->comm_streams.push_back(static_cast<int>(&stream - impl_->streams.data()));
}

void Wan::complete_transfer(std::size_t index, const ArrivalHandler& arrived)
{
    const int stream_index = impl_->comm_streams[index];
    impl_->comms.erase(impl_->comms.begin() + static_cast<std::ptrdiff_t>(index));
    impl_->comm_streams.erase(impl_->comm_streams.begin() + static_cast<std::ptrdiff_t>(index));

    auto& stream = impl_->streams[stream_index];
    const double now = sg::Engine::get_clock();
    const double duration = now - stream.started_s;
    double total = 0;
    for (const auto& item : stream.in_flight)
        total += item.bytes;

    // The stream sends as a TCP connection would: each item's bytes leave once the item is
    // ready and the bytes before it have left, at the rate SimGrid gave the whole batch. So
    // waiting for a transfer to start (the quantum, or the start interval) delays no item,
    // and neither does a backlog's being served in batches that start that much late: an item
    // arrives one propagation latency after its last byte left, and never before now, should
    // sharing have slowed the batch.
    const bool lost = stream.in_flight_epoch != stream.epoch;
    const double seconds_per_byte = total > 0 ? duration / total : 0.0;
    for (const auto& item : stream.in_flight) {
        stream.sent_s = std::max(stream.sent_s, item.ready_s) + item.bytes * seconds_per_byte;
        arrived(std::max(now, stream.sent_s + stream.latency_s), stream_index, item.item, lost);
    }
    stream.in_flight.clear();
    stream.busy = false;
    if (stream.queued.empty() || stream.paused)
        return;
    if (now + kTimeEpsilon_s < stream.next_start_s) {
        stream.waiting = true;
        impl_->waiting.push_back(stream_index);
    } else {
        start_transfer(stream);
    }
}

void Wan::pause(int stream_index, bool paused)
{
    auto& stream = impl_->streams[stream_index];
    stream.paused = paused;
    if (!paused && !stream.busy && !stream.queued.empty() && !stream.waiting) {
        stream.waiting = true;
        impl_->waiting.push_back(stream_index);
    }
}

std::vector<std::uint64_t> Wan::reset(int stream_index)
{
    auto& stream = impl_->streams[stream_index];
    ++stream.epoch;
    std::vector<std::uint64_t> dropped;
    for (const auto& item : stream.queued)
        dropped.push_back(item.item);
    stream.queued.clear();
    return dropped;
}

const std::vector<int>& Wan::route_links(int stream_index) const
{
    return impl_->streams[stream_index].route_links;
}

void Wan::add_link_latency(int link, double delta_s)
{
    for (auto& stream : impl_->streams)
        for (const int crossed : stream.route_links)
            if (crossed == link)
                stream.latency_s += delta_s;
}

void Wan::run(double quantum_s, const std::function<double()>& next_local_s,
              const std::function<double(double)>& process_local, const ArrivalHandler& arrived)
{
    sg::Actor::create("engine", impl_->hosts.front(), [&] {
        impl_->quantum_s = quantum_s;
        flush();  // what was sent while the scenario was being set up
        while (true) {
            const double next_s = next_local_s();
            const double now = sg::Engine::get_clock();
            if (next_s <= now + std::max(quantum_s, kTimeEpsilon_s)) {
                process_local(std::max(next_s, now + quantum_s));
                flush();
                continue;
            }
            const double deferred_s = next_deferred_start_s();
            const double wake_s = std::min(next_s, deferred_s);
            if (impl_->comms.empty()) {
                if (wake_s == kInfinity)
                    break;
                if (deferred_s < next_s) {
                    sg::this_actor::sleep_until(deferred_s);
                    flush();
                    continue;
                }
                // Nothing in flight: SimGrid has nothing to compute, so its clock may lag
                // behind until something is to be sent, which then starts at the engine's
                // time. This spares a switch into SimGrid for every local step.
                const double last_s = process_local(next_s + quantum_s);
                if (!impl_->waiting.empty()) {
                    sg::this_actor::sleep_until(last_s);
                    flush();
                }
                continue;
            }
            const double timeout = wake_s == kInfinity ? -1.0 : wake_s - now;
            const auto done = sg::Comm::wait_any_for(impl_->comms, timeout);
            if (done >= 0)
                complete_transfer(static_cast<std::size_t>(done), arrived);
            if (!impl_->waiting.empty())
                flush();
        }
    });
    impl_->engine->run();
}

}  // namespace brokersim::engine
