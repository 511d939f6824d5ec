#include "brokersim/model/trace.hpp"

namespace brokersim::model {

const char* to_string(TraceKind kind)
{
    switch (kind) {
    case TraceKind::Publish: return "publish";
    case TraceKind::Arrive: return "arrive";
    case TraceKind::Forward: return "forward";
    case TraceKind::Deliver: return "deliver";
    case TraceKind::Execute: return "execute";
    case TraceKind::Drop: return "drop";
    case TraceKind::Pending: return "pending";
    case TraceKind::Unqueued: return "unqueued";
    case TraceKind::Addressed: return "addressed";
    case TraceKind::ClientDone: return "client-done";
    case TraceKind::Fault: return "fault";
    case TraceKind::BridgeDown: return "bridge-down";
    case TraceKind::BridgeUp: return "bridge-up";
    case TraceKind::Failover: return "failover";
    case TraceKind::ProducerStalled: return "producer-stalled";
    case TraceKind::ProducerResumed: return "producer-resumed";
    case TraceKind::MemoryPeak: return "memory-peak";
    }
    return "?";
}

const char* to_string(DropReason reason)
{
    switch (reason) {
    case DropReason::None: return "none";
    case DropReason::NoSubscription: return "no-subscription";
    case DropReason::DuplicateAudit: return "duplicate-audit";
    case DropReason::Filtered: return "filtered";
    case DropReason::AgentTimeout: return "agent-timeout";
    case DropReason::Expired: return "expired";
    case DropReason::ClientGone: return "client-gone";
    case DropReason::Stranded: return "stranded";
    case DropReason::TtlExpired: return "ttl-expired";
    case DropReason::BrokerDown: return "broker-down";
    case DropReason::LostInFlight: return "lost-in-flight";
    case DropReason::Disconnected: return "disconnected";
    }
    return "?";
}

}  // namespace brokersim::model
