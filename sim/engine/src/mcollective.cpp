// MCollective 2.x on top of the broker network.
//
// A client's RPC call: unless it names identities, it first discovers by broadcasting a ping
// to the discovery agent with the request's filter on a fresh reply queue and collecting every
// pong (duplicates counted, not merged) for the whole discovery timeout. With no node
// discovered nothing is sent. With at most direct_addressing_threshold discovered (and direct
// addressing on) it sends one message per discovered entry to the collective's nodes queue,
// each with the node's identity as mc_identity; otherwise one broadcast on the agent's topic.
// It then listens on a second fresh reply queue until every discovered entry has replied or
// its timeout (agent timeout + discovery timeout by default) has passed.
//
// A node that receives a copy refuses it when it is older than the request's ttl by the
// node's own clock, checks the filter, runs the agent and sends one reply per accepted copy;
// nothing is de-duplicated.
//
// Local hops (broker <-> node, broker <-> client) go through each broker's NIC as a FIFO in
// each direction: one-way LAN latency plus size over the datacenter's LAN bandwidth.
#include "simulation.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace brokersim::engine {

namespace {

// The discovery agent answers a ping at once; its cost on a node is a few milliseconds.
constexpr double kPingRunMin_s = 0.001;
constexpr double kPingRunMax_s = 0.005;
constexpr std::uint32_t kPingBytes = 400;
constexpr std::uint32_t kPongBytes = 300;
// Discovery replies carry this bit in NodeReply events.
constexpr std::uint32_t kDiscoveryBit = 0x80000000u;

}  // namespace

void Simulation::publish(MessageIndex message, BrokerIndex broker, double at_broker_s)
{
    const Copy copy{message, {}};
    auto& event = add_event(model::TraceKind::Publish, copy, broker);
    event.node = messages_[message].sender_node;
    if (messages_[message].kind == model::MessageKind::Plain)
        event.count = ++plain_published_;
    else if (messages_[message].kind == model::MessageKind::PlainReply)
        event.count = ++plain_replies_published_;
    schedule(brokers_[broker].lan_in_lane, at_broker_s,
             {LocalEvent::Kind::BrokerArrive, store_copy(copy), broker});
}

MessageIndex Simulation::new_message(model::MessageKind kind, DestinationIndex destination,
                                     std::uint32_t request, std::uint32_t body_bytes,
                                     double clock_s)
{
    Message message;
    message.kind = kind;
    message.destination = destination;
    message.request = request;
    message.body_bytes = body_bytes;
    message.msgtime_s = clock_s;
    messages_.push_back(message);
    return static_cast<MessageIndex>(messages_.size() - 1);
}

void Simulation::client_publish(std::uint32_t index, MessageIndex message)
{
    auto& request = requests_[index];
    auto& broker = brokers_[request.broker];
    const double at_broker_s =
        broker.receive_from_lan(now_s_, messages_[message].body_bytes + kStompFramingBytes);
    publish(message, request.broker, at_broker_s);
}

ConsumerIndex Simulation::subscribe_reply_queue(std::uint32_t index, DestinationIndex queue)
{
    // A fresh reply queue per request (MCollective 2.6.0 and later), subscribed before the
    // request is published.
    Consumer consumer;
    consumer.kind = ConsumerKind::Client;
    consumer.broker = requests_[index].broker;
    consumer.destination = queue;
    consumer.request = index;
    return add_consumer(std::move(consumer));
}

void Simulation::start_request(std::uint32_t index)
{
    auto& request = requests_[index];
    request.copies_at_node.assign(nodes_->size(), 0);

    if (!request.spec->identities.empty()) {
        // mco -I: the named identities are the discovered list.
        for (const auto& identity : request.spec->identities) {
            const auto node = nodes_->find(identity);
            request.targets.push_back(node.value_or(model::kNone));
        }
        send_request(index);
    } else if (request.spec->discovery == model::Discovery::Mc) {
        start_discovery(index);
    } else {
        send_request(index);
    }
}

void Simulation::start_discovery(std::uint32_t index)
{
    auto& request = requests_[index];
    request.discovering = true;
    request.discovery_consumer = subscribe_reply_queue(index, request.discovery_reply_queue);
    client_publish(index, new_message(model::MessageKind::Discovery, request.discovery_topic,
                                      index, kPingBytes, now_s_));
    schedule(now_s_ + request.spec->discovery_timeout_s,
             {LocalEvent::Kind::DiscoveryEnd, index, 0});
}

void Simulation::end_discovery(std::uint32_t index)
{
    auto& request = requests_[index];
    request.discovering = false;
    remove_consumer(request.discovery_consumer);
    send_request(index);
}

void Simulation::send_request(std::uint32_t index)
{
    auto& request = requests_[index];
    const auto& spec = *request.spec;
    const bool explicit_identities = !spec.identities.empty();
    const auto discovered = request.targets.size();
    const bool discovering = explicit_identities || spec.discovery == model::Discovery::Mc;

    model::TraceEvent addressed;
    addressed.kind = model::TraceKind::Addressed;
    addressed.request = index;
    addressed.broker = request.broker;
    if (discovering && discovered == 0) {
        addressed.addressing = model::Addressing::NotSent;
        emit(addressed);
        emit_client_done(index);
        return;
    }

    // Per-node reply accounting, only for calls that know whom they addressed.
    if (!request.targets.empty()) {
        request.discovered.assign(nodes_->size(), 0);
        request.answered.assign(nodes_->size(), 0);
    }
    for (const auto node : request.targets)
        if (node != model::kNone) {
            request.discovered[node] = static_cast<std::uint8_t>(
                std::min(255, request.discovered[node] + 1));
            ++request.outstanding;
        }
    request.reply_consumer = subscribe_reply_queue(index, request.reply_queue);
    request.listening = true;

    const bool direct = explicit_identities ||
                        (discovering && spec.direct_addressing &&
                         static_cast<int>(discovered) <= spec.direct_addressing_threshold);
    const auto body = static_cast<std::uint32_t>(spec.request_bytes);
    if (direct) {
        // One SEND per entry of the discovered list, duplicates included.
        for (const auto node : request.targets) {
            const auto message = new_message(model::MessageKind::Request, request.nodes_queue,
                                             index, body, now_s_);
            messages_[message].addressee = node;
            client_publish(index, message);
        }
    } else {
        client_publish(index, new_message(model::MessageKind::Request, request.topic, index,
                                          body, now_s_));
    }
    addressed.addressing = direct ? model::Addressing::Direct : model::Addressing::Broadcast;
    addressed.count = direct ? static_cast<std::uint32_t>(discovered) : 1;
    emit(addressed);

    const double timeout_s = spec.timeout_s.value_or(request.agent_timeout_s +
                                                     spec.discovery_timeout_s);
    request.deadline_s = now_s_ + timeout_s;
    schedule(request.deadline_s, {LocalEvent::Kind::RequestEnd, index, 0});
}

void Simulation::end_request(std::uint32_t index)
{
    auto& request = requests_[index];
    if (!request.listening)
        return;
    request.listening = false;
    remove_consumer(request.reply_consumer);
    emit_client_done(index);
}

void Simulation::emit_client_done(std::uint32_t index)
{
    model::TraceEvent done;
    done.kind = model::TraceKind::ClientDone;
    done.request = index;
    done.broker = requests_[index].broker;
    emit(done);
}

void Simulation::start_fan_out(const Copy& copy, BrokerIndex broker_index,
                               const Consumer& group_consumer)
{
    auto& broker = brokers_[broker_index];
    const auto& group = nodes_->groups()[group_consumer.group];
    if (group.count == 0)
        return;  // scenarios have at least a node per group; a program may build one without
    const double bytes = messages_[copy.message].body_bytes + kStompFramingBytes;

    FanOut fan_out;
    fan_out.copy = copy;
    fan_out.broker = broker_index;
    fan_out.group = group_consumer.group;
    fan_out.spacing_s = bytes / broker.lan_bandwidth_Bps;
    const double last_sent_s = broker.send_to_lan(now_s_, bytes, group.count);
    fan_out.first_s = last_sent_s - fan_out.spacing_s * (group.count - 1) + broker.lan_latency_s;

    std::uint32_t slot;
    if (free_fan_outs_.empty()) {
        slot = static_cast<std::uint32_t>(fan_outs_.size());
        fan_outs_.push_back(fan_out);
    } else {
        slot = free_fan_outs_.back();
        free_fan_outs_.pop_back();
        fan_outs_[slot] = fan_out;
    }
    schedule(broker.lan_out_lane, fan_out.first_s, {LocalEvent::Kind::FanOut, slot, 0});
}

void Simulation::fan_out_step(std::uint32_t slot)
{
    auto& fan_out = fan_outs_[slot];
    const auto& group = nodes_->groups()[fan_out.group];
    if (!brokers_[fan_out.broker].up || group.broker != fan_out.broker) {
        free_fan_outs_.push_back(slot);  // the broker crashed: the rest never leave it
        return;
    }
    const auto node = group.first + fan_out.next;
    const Copy copy = fan_out.copy;
    const auto broker = fan_out.broker;

    ++fan_out.next;
    if (fan_out.next < group.count)
        schedule(brokers_[broker].lan_out_lane, fan_out.first_s + fan_out.spacing_s * fan_out.next,
                 {LocalEvent::Kind::FanOut, slot, 0});
    else
        free_fan_outs_.push_back(slot);

    node_receives(copy, node, now_s_, broker);
}

void Simulation::node_delivery(std::uint32_t copy_slot, NodeIndex node)
{
    const auto copy = take_copy(copy_slot);
    const auto& group = nodes_->group_of(node);
    if (!group_links_[group.group_index].connected) {
        auto drop = event_for(model::TraceKind::Drop, copy, group.broker);
        drop.node = node;
        drop.reason = model::DropReason::Disconnected;
        emit(drop);
        return;
    }
    node_receives(copy, node, now_s_, group.broker);
}

void Simulation::node_receives(const Copy& copy, NodeIndex node, double now_s, BrokerIndex broker)
{
    const auto& message = messages_[copy.message];
    auto& request = requests_[message.request];
    const bool discovery = message.kind == model::MessageKind::Discovery;
    auto& copies = request.copies_at_node[node];
    if (!discovery)
        copies = static_cast<std::uint8_t>(std::min(255, copies + 1));

    // The delivery, then what the node does with it: events about the same copy at the node.
    const std::uint8_t copy_number = discovery ? 1 : copies;
    const auto at_node = [&](model::TraceKind kind, model::DropReason reason) {
        auto& event = add_handover_event(kind, reason, copy, broker);
        event.node = node;
        event.copy = copy_number;
    };
    at_node(model::TraceKind::Deliver, model::DropReason::None);

    // The age check uses the node's clock against the client's msgtime.
    const auto& group = nodes_->group_of(node);
    const double node_clock_s = now_s + group.group->clock_offset_s;
    if (node_clock_s - message.msgtime_s > request.spec->ttl_s) {
        at_node(model::TraceKind::Drop, model::DropReason::TtlExpired);
        return;
    }
    const bool named = !request.spec->identities.empty();
    if (!named && !nodes_->matches(request.spec->filter, node)) {
        at_node(model::TraceKind::Drop, model::DropReason::Filtered);
        return;
    }

    // No de-duplication on nodes: every accepted copy runs the agent and is answered.
    at_node(model::TraceKind::Execute, model::DropReason::None);
    const auto draw = mix_hash(mix_hash(nodes_->seed() ^ 0x5eedULL, node),
                               (static_cast<std::uint64_t>(message.request) << 9) |
                                   (discovery ? 256u : 0u) | copy_number);
    const double min_s = discovery ? kPingRunMin_s : request.run_min_s;
    const double max_s = discovery ? kPingRunMax_s : request.run_max_s;
    const double run_s = min_s + (max_s - min_s) * unit_interval(draw);
    if (!discovery && run_s > request.agent_timeout_s) {
        at_node(model::TraceKind::Drop, model::DropReason::AgentTimeout);
        return;
    }
    schedule(now_s + run_s, {LocalEvent::Kind::NodeReply, node,
                             message.request | (discovery ? kDiscoveryBit : 0u)});
}

void Simulation::node_replies(NodeIndex node, std::uint32_t request_and_kind)
{
    const bool discovery = (request_and_kind & kDiscoveryBit) != 0;
    const auto request_index = request_and_kind & ~kDiscoveryBit;
    const auto& request = requests_[request_index];
    const auto& group = nodes_->group_of(node);
    auto& broker = brokers_[group.broker];
    if (!group_links_[group.group_index].connected) {
        // The node's broker connection is gone: the reply cannot be sent.
        model::TraceEvent drop;
        drop.kind = model::TraceKind::Drop;
        drop.reason = model::DropReason::Disconnected;
        drop.message_kind = discovery ? model::MessageKind::DiscoveryReply
                                      : model::MessageKind::Reply;
        drop.request = request_index;
        drop.broker = group.broker;
        drop.node = node;
        emit(drop);
        return;
    }

    const auto message = new_message(
        discovery ? model::MessageKind::DiscoveryReply : model::MessageKind::Reply,
        discovery ? request.discovery_reply_queue : request.reply_queue, request_index,
        discovery ? kPongBytes : request.reply_bytes, now_s_ + group.group->clock_offset_s);
    messages_[message].sender_node = node;

    const double at_broker_s =
        broker.receive_from_lan(now_s_, messages_[message].body_bytes + kStompFramingBytes);
    publish(message, group.broker, at_broker_s);
}

void Simulation::hand_to_local(const Copy& copy, ConsumerIndex consumer_id)
{
    const auto& consumer = consumers_[consumer_id];
    auto& broker = brokers_[consumer.broker];
    const double bytes = messages_[copy.message].body_bytes + kStompFramingBytes;
    if (consumer.kind == ConsumerKind::Plain) {
        const double sent_s = broker.send_to_lan(now_s_, bytes);
        schedule(broker.lan_out_lane, sent_s + broker.lan_latency_s,
                 {LocalEvent::Kind::PlainDeliver, store_copy(copy), consumer_id});
        return;
    }
    if (consumer.kind == ConsumerKind::NodeGroup) {
        if (consumer.selector.kind == Selector::Kind::None) {
            start_fan_out(copy, consumer.broker, consumer);
            return;
        }
        // A direct request: only the node named by mc_identity.
        const double sent_s = broker.send_to_lan(now_s_, bytes);
        schedule(broker.lan_out_lane, sent_s + broker.lan_latency_s,
                 {LocalEvent::Kind::NodeDeliver, store_copy(copy),
                  messages_[copy.message].target_node()});
        return;
    }

    const double sent_s = broker.send_to_lan(now_s_, bytes);
    schedule(broker.lan_out_lane, sent_s + broker.lan_latency_s,
             {LocalEvent::Kind::ClientDeliver, store_copy(copy), consumer_id});
}

void Simulation::client_receives(std::uint32_t copy_slot, ConsumerIndex consumer_id)
{
    const Copy copy = take_copy(copy_slot);
    const auto& consumer = consumers_[consumer_id];
    const auto& message = messages_[copy.message];
    auto& request = requests_[consumer.request];
    const bool discovery = message.kind == model::MessageKind::DiscoveryReply;

    const auto at_client = [&](model::TraceKind kind, model::DropReason reason) {
        add_handover_event(kind, reason, copy, consumer.broker).node = message.sender_node;
    };
    if (!brokers_[consumer.broker].up) {
        at_client(model::TraceKind::Drop, model::DropReason::Disconnected);
        return;
    }
    const bool open = discovery ? request.discovering : request.listening;
    if (!open) {
        at_client(model::TraceKind::Drop, model::DropReason::ClientGone);
        return;
    }
    at_client(model::TraceKind::Deliver, model::DropReason::None);

    const auto node = message.sender_node;
    if (discovery) {
        request.targets.push_back(node);  // pongs are counted, not merged
        return;
    }
    // The client stops as soon as every discovered entry has answered.
    if (request.discovered.empty())
        return;
    if (request.answered[node] < request.discovered[node]) {
        --request.outstanding;
        if (request.outstanding == 0) {
            ++request.answered[node];
            end_request(consumer.request);
            return;
        }
    }
    request.answered[node] = static_cast<std::uint8_t>(std::min(255, request.answered[node] + 1));
}

}  // namespace brokersim::engine
