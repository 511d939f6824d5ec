// Plain messaging workloads: consumers with optional selectors and priorities, producers with
// headers and reply-to, and consumers that answer each message. They use the same broker
// network as MCollective traffic, and are what the oracle cases against real ActiveMQ run.
#include "simulation.hpp"

#include <limits>

namespace brokersim::engine {

void Simulation::schedule_plain_workload()
{
    for (std::size_t i = 0; i < scenario_.consumers.size(); ++i)
        schedule(scenario_.consumers[i].at_s,
                 {LocalEvent::Kind::PlainSubscribe, static_cast<std::uint32_t>(i), 0});
    for (std::size_t i = 0; i < scenario_.producers.size(); ++i)
        if (scenario_.producers[i].count > 0)
            schedule(scenario_.producers[i].at_s,
                     {LocalEvent::Kind::ProducerSend, static_cast<std::uint32_t>(i), 0});
}

BrokerIndex Simulation::broker_index(const std::string& name) const
{
    return static_cast<BrokerIndex>(scenario_.find_broker(name) - scenario_.brokers.data());
}

void Simulation::plain_subscribe(int index)
{
    const auto& spec = scenario_.consumers[index];
    Consumer consumer;
    consumer.kind = ConsumerKind::Plain;
    consumer.broker = broker_index(spec.broker);
    consumer.destination = intern(spec.destination);
    consumer.priority = spec.priority;
    consumer.plain = index;
    if (!spec.selector.empty())
        consumer.selector = {Selector::Kind::Headers, -1, index};
    add_consumer(std::move(consumer));
}

MessageIndex Simulation::new_plain_message(model::MessageKind kind, DestinationIndex destination,
                                           std::uint32_t body_bytes)
{
    Message message;
    message.kind = kind;
    message.destination = destination;
    message.body_bytes = body_bytes;
    message.msgtime_s = now_s_;
    messages_.push_back(message);
    return static_cast<MessageIndex>(messages_.size() - 1);
}

void Simulation::producer_send(int index, std::uint32_t number)
{
    if (!admit_send(index, number))
        return;  // held by producer flow control; resume_stalled sends it

    const auto& spec = scenario_.producers[index];
    const auto message = new_plain_message(model::MessageKind::Plain, intern(spec.destination),
                                           static_cast<std::uint32_t>(spec.bytes));
    messages_[message].addressee = static_cast<std::uint32_t>(index);

    const auto broker = broker_index(spec.broker);
    const double at_broker_s =
        brokers_[broker].receive_from_lan(now_s_, spec.bytes + kStompFramingBytes);
    publish(message, broker, at_broker_s);

    if (number + 1 < static_cast<std::uint32_t>(spec.count))
        schedule(now_s_ + spec.interval_s, {LocalEvent::Kind::ProducerSend,
                                            static_cast<std::uint32_t>(index), number + 1});
}

bool Simulation::headers_match(const model::HeaderSelector& selector, const Message& message) const
{
    if (message.producer() == model::kNone)
        return false;  // replies carry no headers a selector could match
    const auto& headers = scenario_.producers[message.producer()].headers;
    for (const auto& [name, value] : selector.equals) {
        bool found = false;
        for (const auto& [header, header_value] : headers)
            found = found || (header == name && header_value == value);
        if (!found)
            return false;
    }
    return true;
}

void Simulation::plain_receives(std::uint32_t copy_slot, ConsumerIndex consumer_id)
{
    const Copy copy = take_copy(copy_slot);
    const auto& consumer = consumers_[consumer_id];
    const auto& spec = scenario_.consumers[consumer.plain];

    const auto at_consumer = [&](model::TraceKind kind, model::DropReason reason) {
        add_handover_event(kind, reason, copy, consumer.broker).consumer =
            static_cast<std::uint32_t>(consumer.plain);
    };
    if (!brokers_[consumer.broker].up) {
        at_consumer(model::TraceKind::Drop, model::DropReason::Disconnected);
        return;
    }
    at_consumer(model::TraceKind::Deliver, model::DropReason::None);

    const auto& message = messages_[copy.message];
    if (!spec.reply || message.producer() == model::kNone)
        return;
    const auto& reply_to = scenario_.producers[message.producer()].reply_to;
    if (!reply_to)
        return;
    const auto reply = new_plain_message(model::MessageKind::PlainReply, intern(*reply_to),
                                         static_cast<std::uint32_t>(spec.reply_bytes));
    const double at_broker_s = brokers_[consumer.broker].receive_from_lan(
        now_s_, spec.reply_bytes + kStompFramingBytes);
    publish(reply, consumer.broker, at_broker_s);
}

}  // namespace brokersim::engine
