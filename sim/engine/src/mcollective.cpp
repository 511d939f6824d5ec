// MCollective 2.x on top of the broker network: a client creates a reply queue per request,
// broadcasts the request on the agent's topic and listens until its timeout; every node that
// receives it checks the filter, runs the agent and sends one reply per accepted copy.
//
// Local hops (broker <-> node, broker <-> client) go through each broker's NIC as a FIFO in
// each direction: one-way LAN latency plus size over the datacenter's LAN bandwidth.
#include "simulation.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace brokersim::engine {

void Simulation::publish(MessageIndex message, BrokerIndex broker, double at_broker_s)
{
    const Copy copy{message, {}};
    auto event = event_for(model::TraceKind::Publish, copy, broker);
    event.node = messages_[message].sender_node;
    emit(event);
    schedule(at_broker_s, {LocalEvent::Kind::BrokerArrive, store_copy(copy), broker});
}

void Simulation::start_request(std::uint32_t index)
{
    auto& request = requests_[index];
    auto& broker = brokers_[request.broker];

    // A fresh reply queue per request (MCollective 2.6.0 and later), subscribed before the
    // request is published.
    Consumer reply_consumer;
    reply_consumer.kind = ConsumerKind::Client;
    reply_consumer.broker = request.broker;
    reply_consumer.destination = request.reply_queue;
    reply_consumer.request = index;
    request.reply_consumer = add_consumer(std::move(reply_consumer));
    request.listening = true;
    request.sent_s = now_s_;
    request.copies_at_node.assign(nodes_->size(), 0);

    Message message;
    message.kind = model::MessageKind::Request;
    message.destination = request.topic;
    message.request = index;
    message.body_bytes = static_cast<std::uint32_t>(request.spec->request_bytes);
    message.sent_s = now_s_;
    message.expires_s = now_s_ + kMessageExpiry_s;
    messages_.push_back(message);

    const double at_broker_s =
        broker.receive_from_lan(now_s_, message.body_bytes + kStompFramingBytes);
    publish(static_cast<MessageIndex>(messages_.size() - 1), request.broker, at_broker_s);

    const double timeout_s = request.spec->timeout_s.value_or(request.agent_timeout_s +
                                                              kDiscoveryTimeout_s);
    request.deadline_s = now_s_ + timeout_s;
    schedule(request.deadline_s, {LocalEvent::Kind::RequestEnd, index, 0});
}

void Simulation::end_request(std::uint32_t index)
{
    auto& request = requests_[index];
    request.listening = false;
    remove_consumer(request.reply_consumer);
}

void Simulation::start_fan_out(const Copy& copy, BrokerIndex broker_index,
                               const Consumer& group_consumer)
{
    auto& broker = brokers_[broker_index];
    const auto& group = nodes_->groups()[group_consumer.group];
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
    schedule(fan_out.first_s, {LocalEvent::Kind::FanOut, slot, 0});
}

void Simulation::fan_out_step(std::uint32_t slot)
{
    auto& fan_out = fan_outs_[slot];
    const auto& group = nodes_->groups()[fan_out.group];
    const auto node = group.first + fan_out.next;
    const Copy copy = fan_out.copy;
    const auto broker = fan_out.broker;

    ++fan_out.next;
    if (fan_out.next < group.count)
        schedule(fan_out.first_s + fan_out.spacing_s * fan_out.next,
                 {LocalEvent::Kind::FanOut, slot, 0});
    else
        free_fan_outs_.push_back(slot);

    node_receives(copy, node, now_s_, broker);
}

void Simulation::node_receives(const Copy& copy, NodeIndex node, double now_s, BrokerIndex broker)
{
    const auto& message = messages_[copy.message];
    auto& request = requests_[message.request];
    auto& copies = request.copies_at_node[node];
    copies = static_cast<std::uint8_t>(std::min(255, copies + 1));

    auto event = event_for(model::TraceKind::Deliver, copy, broker);
    event.path = copy.path.plus(broker);
    event.node = node;
    event.copy = copies;
    emit(event);

    if (!nodes_->matches(request.spec->filter, node)) {
        event.kind = model::TraceKind::Drop;
        event.reason = model::DropReason::Filtered;
        emit(event);
        return;
    }

    // No de-duplication on nodes: every accepted copy runs the agent and is answered.
    event.kind = model::TraceKind::Execute;
    emit(event);
    const auto draw = mix_hash(mix_hash(nodes_->seed() ^ 0x5eedULL, node),
                               (static_cast<std::uint64_t>(message.request) << 8) | copies);
    const double run_s = request.run_min_s +
                         (request.run_max_s - request.run_min_s) * unit_interval(draw);
    if (run_s > request.agent_timeout_s) {
        event.kind = model::TraceKind::Drop;
        event.reason = model::DropReason::AgentTimeout;
        emit(event);
        return;
    }
    schedule(now_s + run_s, {LocalEvent::Kind::NodeReply, node, message.request});
}

void Simulation::node_replies(NodeIndex node, std::uint32_t request_index)
{
    const auto& request = requests_[request_index];
    const auto broker_index = nodes_->group_of(node).broker;
    auto& broker = brokers_[broker_index];

    Message reply;
    reply.kind = model::MessageKind::Reply;
    reply.destination = request.reply_queue;
    reply.request = request_index;
    reply.sender_node = node;
    reply.body_bytes = request.reply_bytes;
    reply.sent_s = now_s_;
    reply.expires_s = now_s_ + kMessageExpiry_s;
    messages_.push_back(reply);

    const double at_broker_s =
        broker.receive_from_lan(now_s_, reply.body_bytes + kStompFramingBytes);
    publish(static_cast<MessageIndex>(messages_.size() - 1), broker_index, at_broker_s);
}

void Simulation::hand_to_local(const Copy& copy, ConsumerIndex consumer_id)
{
    const auto& consumer = consumers_[consumer_id];
    if (consumer.kind == ConsumerKind::NodeGroup) {
        start_fan_out(copy, consumer.broker, consumer);
        return;
    }

    auto& broker = brokers_[consumer.broker];
    const double sent_s =
        broker.send_to_lan(now_s_, messages_[copy.message].body_bytes + kStompFramingBytes);
    schedule(sent_s + broker.lan_latency_s,
             {LocalEvent::Kind::ClientDeliver, store_copy(copy), consumer_id});
}

void Simulation::client_receives(std::uint32_t copy_slot, ConsumerIndex consumer_id)
{
    const Copy copy = take_copy(copy_slot);
    const auto& consumer = consumers_[consumer_id];
    const auto& message = messages_[copy.message];
    const auto& request = requests_[consumer.request];

    auto event = event_for(model::TraceKind::Deliver, copy, consumer.broker);
    event.path = copy.path.plus(consumer.broker);
    event.node = message.sender_node;
    if (!request.listening || now_s_ > request.deadline_s) {
        event.kind = model::TraceKind::Drop;
        event.reason = model::DropReason::ClientGone;
    }
    emit(event);
}

}  // namespace brokersim::engine
