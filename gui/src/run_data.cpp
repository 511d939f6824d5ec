#include "run_data.hpp"

#include "report_source.hpp"

#include "brokersim/io/report_reader.hpp"
#include "brokersim/io/report_writer.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <tuple>
#include <unordered_map>

namespace brokersim::gui {

using model::MessageKind;
using model::TraceKind;

namespace {

// Link traffic is drawn as this many intervals over the whole run.
constexpr double kTrafficIntervals = 1000;
// Flights are indexed by this many slots of simulated time.
constexpr std::size_t kFlightSlots = 4096;

FlightKind flight_kind(MessageKind kind)
{
    switch (kind) {
    case MessageKind::Request:
        return FlightKind::Request;
    case MessageKind::Reply:
        return FlightKind::Reply;
    case MessageKind::Discovery:
    case MessageKind::DiscoveryReply:
        return FlightKind::Discovery;
    default:
        return model::is_reply(kind) ? FlightKind::Reply : FlightKind::Request;
    }
}

}  // namespace

std::shared_ptr<const RunData> RunData::load(const std::string& trace_path)
{
    return std::make_shared<const RunData>(io::read_trace(trace_path));
}

RunData::RunData(io::TraceFile trace) : trace_(std::move(trace))
{
    std::size_t slots = 0;
    for (const auto& group : header().node_groups) {
        slot_base_.push_back(slots);
        slots += group.recorded;
    }
    recorded_nodes_ = slots;

    by_message_.reserve(records().size());
    for (std::uint32_t i = 0; i < records().size(); ++i)
        if (!records()[i].tally)
            by_message_.push_back(i);
    std::stable_sort(by_message_.begin(), by_message_.end(), [this](auto a, auto b) {
        return records()[a].message < records()[b].message;
    });

    derive_report();
    derive_flights();
    derive_link_traffic();
    derive_latencies_and_duplicates();
}

void RunData::derive_report()
{
    if (header().complete()) {
        try {
            report_ = replay_report(trace_);
            report_replayed_ = true;
            report_matches_run_ = io::report_json(report_) == trace_.report_json;
        } catch (const std::exception&) {
            report_replayed_ = false;  // the scenario copy no longer loads: use the run's own
        }
    }
    if (!report_matches_run_)
        report_ = io::report_from_json(trace_.report_json);
}

void RunData::derive_flights()
{
    std::map<std::vector<model::BrokerIndex>, std::uint32_t> path_ids;
    for (std::uint32_t id = 0; id < trace_.paths.size(); ++id)
        path_ids.emplace(trace_.paths[id], id);
    const auto lan_latency_s = [this](model::BrokerIndex broker) {
        const auto dc = header().brokers.at(broker).datacenter;
        return dc < header().datacenters.size() ? header().datacenters[dc].lan_latency_s : 0.0;
    };
    const auto client_of = [this](std::uint32_t request) {
        return Place{Place::Kind::Client,
                     request < header().requests.size() ? header().requests[request].client : 0};
    };

    // Hops waiting for their end: publications by message, forwards by (message, receiving
    // broker, brokerPath on arrival). Records are in time order, so these stay small.
    std::unordered_map<std::uint32_t, std::pair<double, Place>> published;
    struct Sent
    {
        double time_s;
        model::BrokerIndex from;
        std::uint32_t record;
    };
    std::map<std::tuple<std::uint32_t, model::BrokerIndex, std::uint32_t>, std::deque<Sent>>
        forwarded;
    std::vector<bool> arrived(records().size(), false);
    const Place::Kind broker_kind = Place::Kind::Broker;

    for (std::uint32_t i = 0; i < records().size(); ++i) {
        const auto& r = records()[i];
        if (r.tally)
            continue;
        const Place at_broker{broker_kind, r.broker};
        const Place at_group{Place::Kind::Group, r.group, r.node};
        switch (r.kind) {
        case TraceKind::Publish:
            published[r.message] = {r.time_s,
                                    r.node == model::kNone ? client_of(r.request) : at_group};
            break;
        case TraceKind::Arrive: {
            if (r.path == 0) {
                const auto it = published.find(r.message);
                if (it == published.end())
                    break;
                flights_.push_back({it->second.first, r.time_s, it->second.second, at_broker,
                                    flight_kind(r.message_kind), i});
                published.erase(it);
                break;
            }
            const auto it = forwarded.find({r.message, r.broker, r.path});
            if (it == forwarded.end() || it->second.empty())
                break;
            const auto sent = it->second.front();
            it->second.pop_front();
            if (it->second.empty())
                forwarded.erase(it);
            const auto kind = r.message_kind == MessageKind::Request ? FlightKind::Forward
                                                                     : flight_kind(r.message_kind);
            flights_.push_back(
                {sent.time_s, r.time_s, Place{broker_kind, sent.from}, at_broker, kind, i});
            on_wire_.emplace_back(r.time_s, sent.record);
            arrived[sent.record] = true;
            break;
        }
        case TraceKind::Forward: {
            auto hops = trace_.paths.at(r.path);
            hops.push_back(r.broker);
            const auto id = path_ids.find(hops);
            if (id != path_ids.end())
                forwarded[{r.message, r.peer, id->second}].push_back({r.time_s, r.broker, i});
            break;
        }
        case TraceKind::Deliver: {
            const double start_s = r.time_s - lan_latency_s(r.broker);
            if (model::is_reply(r.message_kind)) {
                flights_.push_back({start_s, r.time_s, at_broker, client_of(r.request),
                                    flight_kind(r.message_kind), i});
                break;
            }
            const auto kind = r.copy >= 2 ? FlightKind::Duplicate
                              : r.message_kind == MessageKind::Request
                                  ? FlightKind::Delivery
                                  : flight_kind(r.message_kind);
            flights_.push_back({start_s, r.time_s, at_broker, at_group, kind, i});
            break;
        }
        case TraceKind::Drop:
            if (r.reason == model::DropReason::ClientGone) {
                const Place client = client_of(r.request);
                flights_.push_back({r.time_s - lan_latency_s(r.broker), r.time_s, at_broker, client,
                                    FlightKind::LateReply, i});
                marks_.push_back({r.time_s, client, i});
            } else if (r.node != model::kNone && !model::is_reply(r.message_kind)) {
                marks_.push_back({r.time_s, at_group, i});
            } else {
                marks_.push_back({r.time_s, at_broker, i});
            }
            break;
        default:
            break;
        }
    }

    for (std::uint32_t i = 0; i < records().size(); ++i)
        if (records()[i].kind == TraceKind::Forward && !arrived[i])
            on_wire_.emplace_back(records()[i].time_s, i);

    std::stable_sort(flights_.begin(), flights_.end(),
                     [](const Flight& a, const Flight& b) { return a.start_s < b.start_s; });
    index_flights();
}

void RunData::index_flights()
{
    const std::size_t slots = kFlightSlots;
    flight_slot_s_ = std::max(end_time_s(), 1e-6) / static_cast<double>(slots);
    const auto slot_of = [this, slots](double time_s) {
        return std::min(slots - 1,
                        static_cast<std::size_t>(std::max(0.0, time_s) / flight_slot_s_));
    };

    // Two passes: count the flights per slot, then place them (compressed rows).
    flight_slots_.assign(slots + 1, 0);
    for (const auto& flight : flights_)
        for (auto s = slot_of(flight.start_s); s <= slot_of(flight.end_s); ++s)
            ++flight_slots_[s + 1];
    for (std::size_t s = 0; s < slots; ++s)
        flight_slots_[s + 1] += flight_slots_[s];
    slot_flights_.resize(flight_slots_.back());
    auto next = flight_slots_;
    for (std::uint32_t f = 0; f < flights_.size(); ++f)
        for (auto s = slot_of(flights_[f].start_s); s <= slot_of(flights_[f].end_s); ++s)
            slot_flights_[next[s]++] = f;
}

void RunData::derive_link_traffic()
{
    const auto links = header().links.size();
    const auto intervals =
        static_cast<std::size_t>(kTrafficIntervals) + 1;  // the last one holds the end time
    link_traffic_.interval_s = std::max(end_time_s(), 1e-6) / kTrafficIntervals;
    link_traffic_.bytes_ab.assign(links, std::vector<double>(intervals, 0.0));
    link_traffic_.bytes_ba.assign(links, std::vector<double>(intervals, 0.0));

    for (const auto& [time_s, record] : on_wire_) {
        const auto& r = records()[record];
        const auto interval =
            std::min(intervals - 1, static_cast<std::size_t>(time_s / link_traffic_.interval_s));
        for (const auto& [link, direction] : header().route(r.broker, r.peer)) {
            auto& series = direction > 0 ? link_traffic_.bytes_ab : link_traffic_.bytes_ba;
            series.at(link)[interval] += r.bytes;
        }
    }
}

void RunData::derive_latencies_and_duplicates()
{
    const auto requests = header().requests.size();
    request_sent_s_.assign(requests, -1.0);
    latencies_.assign(requests, {});

    for (std::uint32_t i = 0; i < records().size(); ++i) {
        const auto& r = records()[i];
        if (r.request >= requests)
            continue;
        if (r.kind == TraceKind::Publish && r.message_kind == MessageKind::Request &&
            request_sent_s_[r.request] < 0)
            request_sent_s_[r.request] = r.time_s;
        if (r.kind != TraceKind::Deliver)
            continue;
        const double after_s = r.time_s - std::max(0.0, request_sent_s_[r.request]);
        if (r.message_kind == MessageKind::Reply) {
            latencies_[r.request].push_back({after_s, r.folded});
        } else if (r.message_kind == MessageKind::Request && r.copy >= 2 && !r.tally) {
            duplicates_.push_back({r.request, header().identity(r.node), r.copy,
                                   trace_.path_names(r.path), after_s, i});
        }
    }
    for (auto& samples : latencies_)
        std::stable_sort(samples.begin(), samples.end(),
                         [](const auto& a, const auto& b) { return a.latency_s < b.latency_s; });
}

double RunData::request_sent_s(std::uint32_t request) const
{
    return request < request_sent_s_.size() ? request_sent_s_[request] : -1.0;
}

std::vector<std::uint32_t> RunData::records_of_message(std::uint32_t message) const
{
    const auto less = [this](std::uint32_t index, std::uint32_t m) {
        return records()[index].message < m;
    };
    auto it = std::lower_bound(by_message_.begin(), by_message_.end(), message, less);
    std::vector<std::uint32_t> result;
    for (; it != by_message_.end() && records()[*it].message == message; ++it)
        result.push_back(*it);
    return result;
}

std::size_t RunData::lower_bound(double time_s) const
{
    return static_cast<std::size_t>(
        std::lower_bound(records().begin(), records().end(), time_s,
                         [](const io::TraceRecord& r, double t) { return r.time_s < t; }) -
        records().begin());
}

std::size_t RunData::upper_bound(double time_s) const
{
    return static_cast<std::size_t>(
        std::upper_bound(records().begin(), records().end(), time_s,
                         [](double t, const io::TraceRecord& r) { return t < r.time_s; }) -
        records().begin());
}

std::int64_t RunData::recorded_slot(std::uint32_t node) const
{
    const int group = header().group_of(node);
    if (group < 0)
        return -1;
    const auto local = node - header().node_groups[group].first;
    if (local >= header().node_groups[group].recorded)
        return -1;
    return static_cast<std::int64_t>(slot_base_[group] + local);
}

}  // namespace brokersim::gui
