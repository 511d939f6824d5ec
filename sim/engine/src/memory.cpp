// Broker memory and producer flow control, as ActiveMQ 5.17 does them for non-persistent
// messages: a broker's memoryUsage limit (systemUsage) is shared by its destinations, and a
// destination's own limit is its policy's memoryLimit or else the whole broker limit. Memory is
// full when the bytes held reach the limit (ActiveMQ's Usage is full at 100 %, and only falls
// back below it when usage drops under the limit). A send to a full destination is accepted
// when producerFlowControl is off; when it is on, the producer is held until both the
// destination's and the broker's memory are below their limits again.
//
// What is held: copies waiting for the broker's CPU and queue copies waiting for a consumer,
// each counted as ActiveMQ's Message.getSize() counts it: a fixed minimum per message
// (message_overhead_bytes, 1024 by default) plus the body plus the marshalled properties (a
// plain producer's headers, a direct request's mc_identity). Not modelled, and so never
// counted: copies queued behind a bridge's WAN stream or a NIC, messages of slow consumers
// (consumers here never fall behind), and temp or store usage. Only the scenario's plain
// producers are held: MCollective clients and nodes and network bridges always send, so a
// bridge blocked by a full broker downstream, which hangs real networks, is not seen.
#include "simulation.hpp"

#include <algorithm>
#include <limits>
#include <string_view>

namespace brokersim::engine {

bool Simulation::memory_full(BrokerIndex broker, DestinationIndex destination) const
{
    const auto& state = brokers_[broker];
    if (state.memory_bytes >= state.memory_limit_bytes)
        return true;

    const auto* policy = policy_for(broker, destination);
    const auto limit_bytes = policy && policy->memory_limit_bytes ? *policy->memory_limit_bytes
                                                                  : state.memory_limit_bytes;
    const auto& held = state.destination_memory_bytes;
    return destination < held.size() && held[destination] >= limit_bytes;
}

std::uint64_t Simulation::accounted_bytes(const Message& message, BrokerIndex broker) const
{
    std::uint64_t bytes = brokers_[broker].message_overhead_bytes + message.body_bytes;
    if (message.kind == model::MessageKind::Plain)
        bytes += producer_properties_bytes_[message.producer()];
    else if (message.target_node() != model::kNone)
        bytes +=
            4 + model::marshalled_property_bytes(std::string_view("mc_identity").size(),
                                                 nodes_->identity_size(message.target_node()));
    return bytes;
}

void Simulation::hold(const Copy& copy, BrokerIndex broker)
{
    const auto& message = messages_[copy.message];
    const auto bytes = accounted_bytes(message, broker);
    auto& state = brokers_[broker];
    state.memory_bytes += bytes;
    auto& held = state.destination_memory_bytes;
    if (message.destination >= held.size())
        held.resize(message.destination + 1, 0);
    held[message.destination] += bytes;
    state.memory_peak_bytes = std::max(state.memory_peak_bytes, state.memory_bytes);
}

void Simulation::release(const Copy& copy, BrokerIndex broker)
{
    const auto& message = messages_[copy.message];
    const auto bytes = accounted_bytes(message, broker);
    auto& state = brokers_[broker];
    state.memory_bytes -= bytes;
    state.destination_memory_bytes[message.destination] -= bytes;
    if (!state.stalled.empty())
        resume_stalled(broker);
}

// Whether a plain producer's send may go ahead now; if not, it is held and sent once the
// memory frees (resume_stalled).
bool Simulation::admit_send(int producer, std::uint32_t number)
{
    const auto& spec = scenario_.producers[producer];
    const auto broker = broker_index(spec.broker);
    const auto destination = intern(spec.destination);
    auto& state = brokers_[broker];
    if (!state.up || !memory_full(broker, destination))
        return true;

    const auto* policy = policy_for(broker, destination);
    if (policy && !policy->producer_flow_control) {
        ++state.sends_over_limit;
        return true;
    }

    state.stalled.push_back({producer, number, destination});
    model::TraceEvent event;
    event.kind = model::TraceKind::ProducerStalled;
    event.broker = broker;
    event.count = static_cast<std::uint32_t>(producer);
    event.on_queue = !destinations_[destination].is_topic();
    emit(event);
    return false;
}

void Simulation::resume_stalled(BrokerIndex broker)
{
    // Taken out first: a resumed send adds to the memory only when it arrives, later.
    auto& stalled = brokers_[broker].stalled;
    std::vector<StalledSend> resumed;
    const auto ready = [&](const StalledSend& send) {
        return !brokers_[broker].up || !memory_full(broker, send.destination);
    };
    std::copy_if(stalled.begin(), stalled.end(), std::back_inserter(resumed), ready);
    stalled.erase(std::remove_if(stalled.begin(), stalled.end(), ready), stalled.end());

    for (const auto& send : resumed) {
        model::TraceEvent event;
        event.kind = model::TraceKind::ProducerResumed;
        event.broker = broker;
        event.count = static_cast<std::uint32_t>(send.producer);
        event.on_queue = !destinations_[send.destination].is_topic();
        emit(event);
        producer_send(send.producer, send.number);
    }
}

void Simulation::emit_memory_peaks()
{
    for (BrokerIndex b = 0; b < brokers_.size(); ++b) {
        const auto& state = brokers_[b];
        if (state.memory_peak_bytes == 0 && state.sends_over_limit == 0)
            continue;
        model::TraceEvent event;
        event.kind = model::TraceKind::MemoryPeak;
        event.broker = b;
        event.bytes = static_cast<std::uint32_t>(std::min<std::uint64_t>(
            state.memory_peak_bytes, std::numeric_limits<std::uint32_t>::max()));
        event.count = state.sends_over_limit;
        emit(event);
    }
}

}  // namespace brokersim::engine
