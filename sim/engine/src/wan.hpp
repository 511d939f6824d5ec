// The WAN on SimGrid: one SimGrid host per broker, one SimGrid link per WAN link (and one per
// datacenter for brokers that share it), routes along the topology's lowest-latency paths.
//
// Each direction of a network connector's OpenWire connection is a Stream: a serial byte
// stream with at most one SimGrid transfer in flight. Items queued behind a transfer are
// coalesced into the next one, and each item arrives at its own byte offset plus the route's
// propagation latency. SimGrid therefore sees a handful of concurrent flows, and its bandwidth
// sharing between connections on the same link is what the model takes from it.
#pragma once

#include "brokersim/model/scenario.hpp"
#include "brokersim/model/topology.hpp"
#include "brokersim/model/trace.hpp"

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

namespace simgrid::s4u {
class Host;
class Engine;
}  // namespace simgrid::s4u

namespace brokersim::engine {

class Wan
{
public:
    // Called when an item has crossed its stream, at its arrival time (>= now); `lost` when
    // the stream was reset while the item was in flight.
    using ArrivalHandler =
        std::function<void(double arrival_s, int stream, std::uint64_t item, bool lost)>;

    Wan(const model::Scenario& scenario, const model::Topology& topology,
        const std::vector<int>& broker_datacenter, bool quiet);
    ~Wan();

    int open_stream(model::BrokerIndex from, model::BrokerIndex to);
    // `ready_s` is the engine's time of the send; it may run ahead of SimGrid's clock by up to
    // the time quantum, and an item never arrives before ready_s plus the route's latency.
    // Items sent while local events are being processed wait until `run` flushes the streams
    // at the end of that step, and a stream starts at most one transfer per time quantum, so
    // everything sent within one quantum leaves in one transfer and a trickle of sends does
    // not become a transfer each.
    void send(int stream, std::uint32_t bytes, std::uint64_t item, double ready_s);
    double latency_s(model::BrokerIndex from, model::BrokerIndex to) const;
    double stream_latency_s(int stream) const;  // now, link_latency faults included

    // Faults. A paused stream holds what is queued (a silent link: TCP keeps it); a reset one
    // drops what is queued, and what is in flight arrives `lost` (the connection is gone).
    void pause(int stream, bool paused);
    std::vector<std::uint64_t> reset(int stream);
    const std::vector<int>& route_links(int stream) const;
    // The one-way latency of every stream routed over WAN link `link` changes by `delta_s`.
    void add_link_latency(int link, double delta_s);

    // Runs SimGrid until no transfer is in flight and `next_local_s` returns infinity. Local
    // events are processed through `process_local(until)` whenever their time has come, all
    // those within `quantum_s` of SimGrid's clock at once: fewer switches into SimGrid, at the
    // price of WAN sends and arrivals being placed up to one quantum off their exact time.
    // `process_local` returns the time of the last event it processed.
    void run(double quantum_s, const std::function<double()>& next_local_s,
             const std::function<double(double)>& process_local, const ArrivalHandler& arrived);

private:
    struct Stream;
    void start_transfer(Stream& stream);
    void flush();
    double next_deferred_start_s() const;  // when the first waiting stream may start
    void complete_transfer(std::size_t in_flight_index, const ArrivalHandler& arrived);

    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace brokersim::engine
