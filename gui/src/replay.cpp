#include "replay.hpp"

#include <algorithm>

namespace brokersim::gui {

using model::DropReason;
using model::MessageKind;
using model::TraceKind;

Replay::Replay(std::shared_ptr<const RunData> run) : run_(std::move(run))
{
    const auto& header = run_->header();
    groups_.resize(header.node_groups.size());
    links_.resize(header.links.size());
    requests_.resize(header.requests.size());
    nodes_.resize(header.requests.size() * run_->recorded_nodes());
    publications_.resize(header.requests.size());
}

NodeState Replay::node(std::size_t request, std::size_t slot) const
{
    const auto index = request * run_->recorded_nodes() + slot;
    return index < nodes_.size() ? nodes_[index] : NodeState{};
}

void Replay::apply(const io::TraceRecord& r, int sign)
{
    const std::int64_t n = sign * static_cast<std::int64_t>(r.folded);
    const auto wrap = static_cast<std::uint8_t>(sign);  // +1 or 255 (-1 modulo 256)
    const bool known_request = r.request < requests_.size();
    const bool request = r.message_kind == MessageKind::Request;
    const bool reply = model::is_reply(r.message_kind);
    GroupCounters* group = r.group < groups_.size() ? &groups_[r.group] : nullptr;
    NodeState* node = nullptr;
    if (!r.tally && r.node != model::kNone && known_request &&
        (request || r.message_kind == MessageKind::Reply)) {
        const auto slot = run_->recorded_slot(r.node);
        if (slot >= 0)
            node = &nodes_[r.request * run_->recorded_nodes() + static_cast<std::size_t>(slot)];
    }

    totals_.events += n;
    switch (r.kind) {
    case TraceKind::Publish:
        totals_.published += n;
        if (reply)
            totals_.replies_published += n;
        if (group && r.message_kind == MessageKind::Reply)
            group->replies_sent += n;
        if (group && r.message_kind == MessageKind::DiscoveryReply)
            group->pongs += n;
        if (request && known_request)
            publications_[r.request] += n;
        break;
    case TraceKind::Arrive:
        totals_.arrivals += n;
        break;
    case TraceKind::Forward: {
        totals_.forwards += n;
        const std::int64_t bytes = sign * static_cast<std::int64_t>(r.bytes);
        for (const auto& [link, direction] : run_->header().route(r.broker, r.peer)) {
            auto& counters = links_.at(link);
            (direction > 0 ? counters.messages_ab : counters.messages_ba) += n;
            (direction > 0 ? counters.bytes_ab : counters.bytes_ba) += bytes;
        }
        break;
    }
    case TraceKind::Deliver:
        if (reply) {
            totals_.client_deliveries += n;
            if (r.message_kind != MessageKind::Reply)
                break;
            if (known_request)
                requests_[r.request].replies += n;
            if (group)
                group->replies_received += n;
            if (node)
                node->replied += wrap;
            break;
        }
        totals_.node_deliveries += n;
        if (group && r.message_kind == MessageKind::Discovery)
            group->pings += n;
        if (!request)
            break;
        if (group) {
            group->deliveries += n;
            group->duplicates += r.copy >= 2 ? n : 0;
        }
        if (known_request) {
            requests_[r.request].node_deliveries += n;
            requests_[r.request].duplicates += r.copy >= 2 ? n : 0;
        }
        if (node)
            node->deliveries += wrap;
        break;
    case TraceKind::Execute:
        totals_.executions += n;
        if (group && request)
            group->executed += n;
        if (node)
            node->executed += wrap;
        break;
    case TraceKind::Drop:
        totals_.drops.at(static_cast<std::size_t>(r.reason)) += n;
        if (request && r.reason == DropReason::Filtered) {
            if (group)
                group->filtered += n;
            if (node)
                node->filtered += wrap;
        } else if (request && r.node != model::kNone && group) {
            group->other_drops += n;
        }
        if (r.message_kind == MessageKind::Reply && known_request &&
            (r.reason == DropReason::ClientGone || r.reason == DropReason::Stranded ||
             r.reason == DropReason::Expired))
            requests_[r.request].late_replies += n;
        break;
    default:
        break;
    }
}

void Replay::seek_index(std::size_t index)
{
    const auto& records = run_->records();
    index = std::min(index, records.size());
    while (cursor_ < index)
        apply(records[cursor_++], +1);
    while (cursor_ > index)
        apply(records[--cursor_], -1);
}

void Replay::seek(double time_s)
{
    time_s_ = std::clamp(time_s, 0.0, std::max(end_s(), 0.0));
    seek_index(run_->upper_bound(time_s_));
}

bool Replay::step_forward()
{
    const auto& records = run_->records();
    if (cursor_ >= records.size()) {
        const bool moved = time_s_ < end_s();
        time_s_ = end_s();
        return moved;
    }
    const double next_s = records[cursor_].time_s;
    seek_index(run_->upper_bound(next_s));
    time_s_ = next_s;
    return true;
}

bool Replay::step_back()
{
    if (cursor_ == 0) {
        const bool moved = time_s_ > 0;
        time_s_ = 0;
        return moved;
    }
    const auto& records = run_->records();
    const double latest_s = records[cursor_ - 1].time_s;
    seek_index(run_->lower_bound(latest_s));
    time_s_ = cursor_ > 0 ? records[cursor_ - 1].time_s : 0.0;
    return true;
}

int Replay::current_request() const
{
    int current = -1;
    double latest_s = -1;
    for (std::size_t r = 0; r < publications_.size(); ++r) {
        const double sent_s = run_->request_sent_s(static_cast<std::uint32_t>(r));
        if (publications_[r] > 0 && sent_s >= latest_s) {
            latest_s = sent_s;
            current = static_cast<int>(r);
        }
    }
    return current;
}

void Replay::for_each_mark(double window_s, const std::function<void(const Mark&)>& visit) const
{
    const auto& marks = run_->marks();
    auto it = std::lower_bound(marks.begin(), marks.end(), time_s_ - window_s,
                               [](const Mark& m, double t) { return m.time_s < t; });
    for (; it != marks.end() && it->time_s <= time_s_; ++it)
        visit(*it);
}

}  // namespace brokersim::gui
