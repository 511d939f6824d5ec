// What the engine says happened, event by event. Statistics, trace files and the GUI all
// consume this stream; none of them looks inside the engine.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace brokersim::model {

using BrokerIndex = std::uint16_t;
using NodeIndex = std::uint32_t;
using MessageIndex = std::uint32_t;
inline constexpr std::uint32_t kNone = 0xffffffffu;

// ActiveMQ's brokerPath: the brokers a message copy (or a consumer) has been routed through,
// the originating broker first.
class BrokerPath
{
public:
    static constexpr std::size_t kCapacity = 14;

    bool contains(BrokerIndex broker) const
    {
        for (std::size_t i = 0; i < size_; ++i)
            if (hops_[i] == broker)
                return true;
        return false;
    }
    BrokerPath plus(BrokerIndex broker) const
    {
        if (size_ == kCapacity)
            throw std::length_error("brokerPath longer than 14 brokers");
        BrokerPath longer = *this;
        longer.hops_[longer.size_++] = broker;
        return longer;
    }
    std::size_t size() const { return size_; }
    BrokerIndex operator[](std::size_t i) const { return hops_[i]; }
    friend bool operator==(const BrokerPath& a, const BrokerPath& b)
    {
        if (a.size_ != b.size_)
            return false;
        for (std::size_t i = 0; i < a.size_; ++i)
            if (a.hops_[i] != b.hops_[i])
                return false;
        return true;
    }

private:
    std::array<BrokerIndex, kCapacity> hops_{};
    std::uint16_t size_ = 0;
};

enum class MessageKind : std::uint8_t
{
    Request,         // an MCollective request: agent topic (broadcast) or nodes queue (direct)
    Reply,           // a node's reply on the client's reply queue
    Discovery,       // the discovery ping on the discovery agent's topic
    DiscoveryReply,  // a node's pong
    Plain,           // a plain producer's message
    PlainReply,      // a plain consumer's answer to a message's reply-to
};

inline bool is_plain(MessageKind kind)
{
    return kind == MessageKind::Plain || kind == MessageKind::PlainReply;
}

inline bool is_reply(MessageKind kind)
{
    return kind == MessageKind::Reply || kind == MessageKind::DiscoveryReply;
}

enum class Addressing : std::uint8_t
{
    Broadcast,
    Direct,
    NotSent,  // discovery found no node: "No request sent"
};

enum class TraceKind : std::uint8_t
{
    Publish,   // a client or node sends an original message to its broker
    Arrive,    // a copy reaches a broker (from a producer or over a bridge)
    Forward,   // a broker sends a copy over a bridge
    Deliver,   // a broker hands a copy to a node or a client
    Execute,   // a node accepted a request (filter matched) and runs the agent
    Drop,      // a copy ends without delivery; `reason` says why
    Pending,   // a queue copy has no consumer and waits on the broker
    Unqueued,  // a waiting queue copy found a consumer
    Addressed, // the client chose how to send a request after discovery (`addressing`,
               // `count` = messages published)
    ClientDone,  // the client stopped waiting for replies
    Fault,       // a scheduled fault happened (`count`: index into the scenario's faults)
    BridgeDown,  // a network connector's connection was lost (`broker` -> `peer`; `count`:
                 // the connector's index in the scenario)
    BridgeUp,    // and (re)established
    Failover,    // a node group connected to another broker (`broker`; `count`: group)
    ProducerStalled,  // a plain producer's send is held: the destination's memory on its
                      // broker is full and producerFlowControl is on (`broker`; `count`:
                      // the scenario's producer)
    ProducerResumed,  // and released, as the memory fell below its limit
    MemoryPeak,  // at the end, per broker that held messages: the most bytes of messages it
                 // held at once (`bytes`, at most 2^32 - 1) and the sends it accepted over a
                 // full memory limit because producerFlowControl was off (`count`)
};

enum class DropReason : std::uint8_t
{
    None,
    NoSubscription,    // topic copy with no matching subscription (non-durable: discarded)
    DuplicateAudit,    // the subscription's duplicate audit dropped a second copy
    Filtered,          // a node's filter did not match
    AgentTimeout,      // the agent ran past its timeout: no reply
    Expired,           // the message's expiration passed before dispatch
    ClientGone,        // a reply reached the client after it stopped waiting
    Stranded,          // a queue copy still waiting on a broker at the end of the run
    TtlExpired,        // a node refused a request older than its ttl, by the node's clock
    BrokerDown,        // the broker holding or receiving the copy had crashed
    LostInFlight,      // forwarded over a bridge whose connection was lost before it arrived
    Disconnected,      // a node's or client's broker connection was gone: not delivered, or
                       // (no message) a node's reply could not be sent
};

const char* to_string(TraceKind kind);
const char* to_string(DropReason reason);

struct TraceEvent
{
    double time_s = 0;
    TraceKind kind = TraceKind::Publish;
    DropReason reason = DropReason::None;
    MessageKind message_kind = MessageKind::Request;
    std::uint8_t copy = 0;  // Deliver: 1 for the first copy at that consumer, 2 for the second...
    MessageIndex message = kNone;
    std::uint32_t request = kNone;  // the request this message belongs to
    BrokerIndex broker = 0;         // where it happened (Forward: the sending broker)
    BrokerIndex peer = 0;           // Forward: the receiving broker
    NodeIndex node = kNone;         // Deliver/Execute/Drop at a node; Publish of a reply
    std::uint32_t bytes = 0;        // Forward, and Arrive over a bridge: bytes on the wire
    std::uint32_t count = 0;        // Addressed: messages published; plain Publish: sequence;
                                    // Arrive: microseconds waiting for the broker's CPU
    std::uint32_t consumer = kNone; // Deliver of a plain message: the scenario's consumer
    Addressing addressing = Addressing::Broadcast;  // Addressed
    bool on_queue = false;          // the message's destination is a queue
    BrokerPath path;                // the copy's brokerPath
};

// Static facts about a run, given to sinks before the first event.
struct RunInfo
{
    std::vector<std::string> brokers;
    std::vector<std::string> links;  // WAN links, "a<->b"
    // For every (from, to) broker pair: the WAN links crossed, with +1 for a->b, -1 for b->a.
    std::function<std::vector<std::pair<int, int>>(BrokerIndex, BrokerIndex)> route;
    std::function<std::string(NodeIndex)> node_identity;
    std::function<std::optional<NodeIndex>(const std::string&)> find_node;
    std::uint64_t node_count = 0;
    // Per request: nodes that load the agent, are in the collective and match the filter.
    std::vector<std::uint64_t> expected_replies;
};

class TraceSink
{
public:
    virtual ~TraceSink() = default;
    virtual void on_start(const RunInfo& info) = 0;
    virtual void on_event(const TraceEvent& event) = 0;
    // Several events in their order, as the engine hands them over (a few hundred at a
    // time): the same as on_event for each of them. A sink overrides it to spare a virtual
    // call per event.
    virtual void on_events(std::span<const TraceEvent> events)
    {
        for (const auto& event : events)
            on_event(event);
    }
    virtual void on_finish(double end_time_s) = 0;
};

// A sink `Sink` that takes each event of a batch through its own on_event, called directly
// rather than through the vtable: `class MySink final : public DirectBatchSink<MySink>`.
template <typename Sink>
class DirectBatchSink : public TraceSink
{
public:
    void on_events(std::span<const TraceEvent> events) final
    {
        auto& sink = static_cast<Sink&>(*this);
        for (const auto& event : events)
            sink.Sink::on_event(event);
    }
};

}  // namespace brokersim::model
