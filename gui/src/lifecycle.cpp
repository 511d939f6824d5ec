#include "lifecycle.hpp"

#include <QStringList>

#include <algorithm>

namespace brokersim::gui {

using model::DropReason;
using model::MessageKind;
using model::TraceKind;

namespace {

class Narrator
{
public:
    Narrator(const RunData& run, std::uint32_t request) : run_(run), request_(request)
    {
        const auto& spec = run.header().requests.at(request);
        client_ = spec.client < run.header().clients.size()
                      ? QString::fromStdString(run.header().clients[spec.client].name)
                      : QStringLiteral("the client");
        sent_s_ = std::max(0.0, run.request_sent_s(request));
    }

    QString caption(const io::TraceRecord& r) const
    {
        return when(r.time_s) +
               (model::is_reply(r.message_kind) ? reply_caption(r) : request_caption(r));
    }

    // Time relative to the request's publication; discovery comes before it.
    QString when(double time_s) const
    {
        const double ms = (time_s - sent_s_) * 1000;
        return QStringLiteral("%1%2 ms  ").arg(ms < 0 ? "" : "+").arg(ms, 0, 'f', 3);
    }

    QString discovery_caption(const io::TraceRecord& r, std::uint64_t pongs) const
    {
        return when(r.time_s) +
               QStringLiteral("%1 first discovers: it broadcasts a ping on the discovery agent's "
                              "topic and waits; %2 node(s) answer, and their number decides how "
                              "the request is addressed.")
                   .arg(client_)
                   .arg(pongs);
    }

    void set_group_tally(std::uint64_t matched, std::uint64_t received)
    {
        matched_ = matched;
        received_ = received;
    }
    void set_direct(bool direct) { direct_ = direct; }

private:
    QString broker(model::BrokerIndex b) const
    {
        return b < run_.header().brokers.size()
                   ? QString::fromStdString(run_.header().brokers[b].name)
                   : QStringLiteral("broker %1").arg(b);
    }
    QString node(std::uint32_t n) const
    {
        const auto identity = run_.header().identity(n);
        return identity.empty() ? QStringLiteral("node #%1").arg(n)
                                : QString::fromStdString(identity);
    }
    QString path(std::uint32_t id, std::optional<model::BrokerIndex> plus = {}) const
    {
        auto names = QString::fromStdString(run_.trace().path_names(id));
        if (plus)
            names += (names.isEmpty() ? "" : " > ") + broker(*plus);
        return names.isEmpty() ? QStringLiteral("(empty)") : names;
    }
    // Network connectors joining two brokers that carry topics (or queues). A connector
    // carries a type unless it excludes all of it ("topic:>"); finer exclusions are not
    // looked at, which can name one connector too many.
    QString connectors(model::BrokerIndex a, model::BrokerIndex b, bool topic) const
    {
        const std::string all = topic ? "topic:>" : "queue:>";
        QStringList names;
        for (const auto& c : run_.header().connectors) {
            const bool joins = (c.on == a && c.to == b) || (c.duplex && c.on == b && c.to == a);
            const auto& ex = c.excluded_destinations;
            if (joins && std::find(ex.begin(), ex.end(), all) == ex.end())
                names << QString::fromStdString(c.name);
        }
        return names.isEmpty() ? QStringLiteral("its bridge") : names.join(", ");
    }
    QString filter() const
    {
        const auto& text = run_.header().requests[request_].filter;
        return text.empty() ? QStringLiteral("(no filter: every node)")
                            : QStringLiteral("'%1'").arg(QString::fromStdString(text));
    }

    QString request_caption(const io::TraceRecord& r) const
    {
        const auto& spec = run_.header().requests[request_];
        switch (r.kind) {
        case TraceKind::Publish:
            if (direct_)
                return QStringLiteral("%1 publishes a direct request (%2/%3) for one discovered "
                                      "node on the nodes queue, through its broker %4.")
                    .arg(client_, QString::fromStdString(spec.agent),
                         QString::fromStdString(spec.action), broker(r.broker));
            return QStringLiteral("%1 subscribes a fresh reply queue, then publishes the request "
                                  "(%2/%3) on topic %4.%2.agent through its broker %5.")
                .arg(client_, QString::fromStdString(spec.agent),
                     QString::fromStdString(spec.action), QString::fromStdString(spec.collective),
                     broker(r.broker));
        case TraceKind::Arrive:
            if (r.path == 0)
                return QStringLiteral("%1 receives it; brokerPath is empty (published here). It "
                                      "dispatches to every subscription: local nodes and bridges' "
                                      "demand from remote brokers.")
                    .arg(broker(r.broker));
            return QStringLiteral(
                       "%1 receives the copy with brokerPath %2 and dispatches it to its "
                       "own nodes' subscriptions.")
                .arg(broker(r.broker), path(r.path));
        case TraceKind::Forward:
            return QStringLiteral("%1 forwards a copy to %2 over %3: nodes behind %2 subscribed, "
                                  "and that demand reached %1 as an advisory. brokerPath becomes "
                                  "%4, so it never comes back here.")
                .arg(broker(r.broker), broker(r.peer), connectors(r.broker, r.peer, !direct_),
                     path(r.path, r.broker));
        case TraceKind::Deliver:
            if (r.copy >= 2)
                return QStringLiteral("%1 hands copy %2 to %3 (via %4): a duplicate — the node "
                                      "already had it by another path and does not de-duplicate.")
                    .arg(broker(r.broker))
                    .arg(r.copy)
                    .arg(node(r.node), path(r.path));
            return QStringLiteral("%1 hands the request to %2 over the LAN (brokerPath %3).")
                .arg(broker(r.broker), node(r.node), path(r.path));
        case TraceKind::Execute:
            return QStringLiteral("%1 matches the filter %2 and runs the %3 agent (%4 of %5 "
                                  "recorded nodes of its group match).")
                .arg(node(r.node), filter(), QString::fromStdString(spec.agent))
                .arg(matched_)
                .arg(received_);
        case TraceKind::Drop:
            return drop_caption(r);
        default:
            return QStringLiteral("%1 at %2.").arg(model::to_string(r.kind), broker(r.broker));
        }
    }

    QString drop_caption(const io::TraceRecord& r) const
    {
        switch (r.reason) {
        case DropReason::Filtered:
            return QStringLiteral("%1 does not match the filter %2: it drops the request without "
                                  "replying (%3 of %4 recorded nodes of its group match).")
                .arg(node(r.node), filter())
                .arg(matched_)
                .arg(received_);
        case DropReason::AgentTimeout:
            return QStringLiteral("%1's agent runs past its timeout: no reply will come.")
                .arg(node(r.node));
        case DropReason::NoSubscription:
            return QStringLiteral("%1 has no subscription this copy may go to: a non-durable topic "
                                  "message is discarded.")
                .arg(broker(r.broker));
        case DropReason::DuplicateAudit:
            return QStringLiteral("%1's duplicate audit knows this message id: the extra copy is "
                                  "dropped.")
                .arg(broker(r.broker));
        default:
            return QStringLiteral("The copy ends at %1: %2.")
                .arg(r.node != model::kNone ? node(r.node) : broker(r.broker),
                     model::to_string(r.reason));
        }
    }

    QString reply_caption(const io::TraceRecord& r) const
    {
        const auto& spec = run_.header().requests[request_];
        switch (r.kind) {
        case TraceKind::Publish:
            return QStringLiteral("%1 sends one reply to %2's reply queue through its broker %3.")
                .arg(node(r.node), client_, broker(r.broker));
        case TraceKind::Arrive:
            if (r.path == 0)
                return QStringLiteral("%1 receives the reply. A queue message goes to exactly one "
                                      "consumer: %2's own, or a bridge's network consumer towards "
                                      "it.")
                    .arg(broker(r.broker), client_);
            return QStringLiteral("%1 receives the reply over the bridge (brokerPath %2); %3's "
                                  "reply-queue consumer is here.")
                .arg(broker(r.broker), path(r.path), client_);
        case TraceKind::Forward:
            return QStringLiteral("%1 forwards the reply to %2 over %3: the reply queue's consumer "
                                  "is there, and its demand came over the queue bridge.")
                .arg(broker(r.broker), broker(r.peer), connectors(r.broker, r.peer, false));
        case TraceKind::Pending:
            return QStringLiteral("%1 has no consumer for the reply queue yet: the reply waits on "
                                  "the queue.")
                .arg(broker(r.broker));
        case TraceKind::Deliver:
            return QStringLiteral("%1 delivers the reply to %2 %3 ms after the request, inside its "
                                  "%4 s window: counted.")
                .arg(broker(r.broker), client_)
                .arg((r.time_s - sent_s_) * 1000, 0, 'f', 3)
                .arg(spec.timeout_s);
        case TraceKind::Drop:
            if (r.reason == DropReason::ClientGone)
                return QStringLiteral("The reply reaches %1 after it stopped waiting (%2 s): a "
                                      "late reply.")
                    .arg(client_)
                    .arg(spec.timeout_s);
            return QStringLiteral("The reply ends at %1: %2.")
                .arg(broker(r.broker), model::to_string(r.reason));
        default:
            return QStringLiteral("%1 at %2.").arg(model::to_string(r.kind), broker(r.broker));
        }
    }

    const RunData& run_;
    std::uint32_t request_;
    QString client_;
    double sent_s_ = 0;
    std::uint64_t matched_ = 0;
    std::uint64_t received_ = 0;
    bool direct_ = false;
};

bool is_prefix(const std::vector<model::BrokerIndex>& prefix,
               const std::vector<model::BrokerIndex>& hops, std::size_t length)
{
    return prefix.size() == length && length <= hops.size() &&
           std::equal(prefix.begin(), prefix.end(), hops.begin());
}

}  // namespace

std::vector<LifecycleStep> request_lifecycle(const RunData& run, std::uint32_t request)
{
    const auto& records = run.records();
    const auto& paths = run.trace().paths;
    Narrator narrator(run, request);
    std::vector<LifecycleStep> steps;
    const auto add = [&](std::uint32_t index) {
        steps.push_back({index, records[index].time_s, narrator.caption(records[index])});
    };

    // The representative node, the discovery before the request, how many requests were sent.
    std::optional<std::uint32_t> deliver, executed, discovery;
    std::uint64_t pongs = 0, publications = 0;
    for (std::uint32_t i = 0; i < records.size(); ++i) {
        const auto& r = records[i];
        if (r.request != request)
            continue;
        if (r.message_kind == MessageKind::Discovery && r.kind == TraceKind::Publish && !discovery)
            discovery = i;
        if (r.message_kind == MessageKind::DiscoveryReply && r.kind == TraceKind::Deliver)
            pongs += r.folded;
        if (r.message_kind != MessageKind::Request || r.tally)
            continue;
        publications += r.kind == TraceKind::Publish ? 1 : 0;
        if (r.kind == TraceKind::Execute && !executed)
            executed = i;
        if (r.kind == TraceKind::Deliver && r.copy == 1 && !deliver)
            deliver = i;
    }
    narrator.set_direct(publications > 1);
    if (discovery)
        steps.push_back({*discovery, records[*discovery].time_s,
                         narrator.discovery_caption(records[*discovery], pongs)});

    if (executed) {
        // The first delivery to that same node: where its copy came from.
        for (std::uint32_t i = 0; i < records.size(); ++i) {
            const auto& r = records[i];
            if (r.request == request && r.kind == TraceKind::Deliver && !r.tally &&
                r.node == records[*executed].node && r.message_kind == MessageKind::Request) {
                deliver = i;
                break;
            }
        }
    }
    if (!deliver) {
        // Nobody received it: tell what happened to the request message itself.
        for (std::uint32_t i = 0; i < records.size(); ++i)
            if (records[i].request == request && records[i].message_kind == MessageKind::Request &&
                !records[i].tally) {
                for (const auto index : run.records_of_message(records[i].message))
                    add(index);
                break;
            }
        return steps;
    }

    const auto node = records[*deliver].node;
    const auto group = records[*deliver].group;
    std::uint64_t matched = 0, received = 0;
    for (const auto& r : records)
        if (r.request == request && r.group == group && r.message_kind == MessageKind::Request &&
            !r.tally &&
            (r.kind == TraceKind::Execute ||
             (r.kind == TraceKind::Drop && r.reason == DropReason::Filtered))) {
            ++received;
            matched += r.kind == TraceKind::Execute ? 1 : 0;
        }
    narrator.set_group_tally(matched, received);

    // The request's hops that lead to the node: along the brokerPath of its delivery.
    const auto& hops = paths.at(records[*deliver].path);
    for (const auto index : run.records_of_message(records[*deliver].message)) {
        const auto& r = records[index];
        const auto& path = paths.at(r.path);
        bool on_way = false;
        switch (r.kind) {
        case TraceKind::Publish:
            on_way = true;
            break;
        case TraceKind::Arrive:
        case TraceKind::Drop:
            if (r.node == node && r.node != model::kNone) {
                on_way = true;
                break;
            }
            for (std::size_t k = 0; k < hops.size(); ++k)
                on_way = on_way || (hops[k] == r.broker && is_prefix(path, hops, k));
            on_way = on_way && (r.kind == TraceKind::Arrive || r.node == model::kNone);
            break;
        case TraceKind::Forward:
            for (std::size_t k = 0; k + 1 < hops.size(); ++k)
                on_way = on_way ||
                         (hops[k] == r.broker && hops[k + 1] == r.peer && is_prefix(path, hops, k));
            break;
        case TraceKind::Deliver:
        case TraceKind::Execute:
            on_way = r.node == node;
            break;
        default:
            break;
        }
        if (on_way)
            add(index);
    }

    // And its reply, all the way back.
    for (std::uint32_t i = 0; i < records.size(); ++i) {
        const auto& r = records[i];
        if (r.request == request && r.kind == TraceKind::Publish && r.node == node &&
            r.message_kind == MessageKind::Reply) {
            for (const auto index : run.records_of_message(r.message))
                add(index);
            break;
        }
    }
    std::stable_sort(steps.begin(), steps.end(),
                     [&](const auto& a, const auto& b) { return a.record < b.record; });
    return steps;
}

}  // namespace brokersim::gui
