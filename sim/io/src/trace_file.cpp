#include "brokersim/io/trace_file.hpp"

#include "brokersim/io/output.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include <unistd.h>

namespace brokersim::io {

static_assert(std::endian::native == std::endian::little,
              "trace files are little-endian and written with memcpy");

namespace {

constexpr char kMagic[8] = {'B', 'S', 'T', 'R', 'A', 'C', 'E', '1'};
constexpr char kEndMagic[8] = {'B', 'S', 'T', 'R', 'E', 'N', 'D', '1'};
constexpr std::size_t kFooterBytes = 32;

// Appends plain values to a byte buffer in the file's encoding.
class ByteWriter
{
public:
    template <typename T> void put(T value)
    {
        static_assert(std::is_trivially_copyable_v<T>);
        const auto at = bytes_.size();
        bytes_.resize(at + sizeof(T));
        std::memcpy(bytes_.data() + at, &value, sizeof(T));
    }
    void put_string(const std::string& text)
    {
        put<std::uint32_t>(static_cast<std::uint32_t>(text.size()));
        bytes_ += text;
    }
    void put_raw(const char* data, std::size_t size) { bytes_.append(data, size); }
    const std::string& bytes() const { return bytes_; }

private:
    std::string bytes_;
};

// Reads them back, refusing to run past the end.
class ByteReader
{
public:
    ByteReader(const std::string& bytes, std::size_t begin, std::size_t end,
               const std::string& file)
        : bytes_(bytes), at_(begin), end_(end), file_(file)
    {}
    template <typename T> T get()
    {
        need(sizeof(T));
        T value;
        std::memcpy(&value, bytes_.data() + at_, sizeof(T));
        at_ += sizeof(T);
        return value;
    }
    std::string get_string()
    {
        const auto size = get<std::uint32_t>();
        need(size);
        std::string text = bytes_.substr(at_, size);
        at_ += size;
        return text;
    }
    // A count that must fit in what is left, so a corrupt count cannot ask for gigabytes.
    std::uint32_t get_count(std::size_t min_item_bytes)
    {
        const auto count = get<std::uint32_t>();
        need(static_cast<std::size_t>(count) * min_item_bytes);
        return count;
    }

private:
    void need(std::size_t size) const
    {
        if (size > end_ - at_)
            throw std::runtime_error(fmt::format("{}: truncated or corrupt trace file", file_));
    }

    const std::string& bytes_;
    std::size_t at_;
    std::size_t end_;
    const std::string& file_;
};

template <typename T> std::uint32_t index_of(const std::vector<T>& items, const std::string& name)
{
    for (std::size_t i = 0; i < items.size(); ++i)
        if (items[i].name == name)
            return static_cast<std::uint32_t>(i);
    return 0;
}

std::uint32_t index_of_name(const std::vector<std::string>& names, const std::string& name)
{
    const auto it = std::find(names.begin(), names.end(), name);
    return it == names.end() ? 0 : static_cast<std::uint32_t>(it - names.begin());
}

TraceHeader make_header(const model::Scenario& scenario, const model::RunInfo& info,
                        std::uint32_t nodes_per_group)
{
    TraceHeader header;
    header.scenario_name = scenario.name;
    header.scenario_file = scenario.file;
    if (std::ifstream in{scenario.file, std::ios::binary})
        header.scenario_text.assign(std::istreambuf_iterator<char>(in),
                                    std::istreambuf_iterator<char>());
    header.seed = scenario.seed;
    header.node_count = info.node_count;
    header.nodes_per_group = nodes_per_group;

    for (const auto& dc : scenario.datacenters)
        header.datacenters.push_back({dc.name, dc.lan_latency_s});
    for (const auto& name : info.brokers) {
        const auto* broker = scenario.find_broker(name);
        header.brokers.push_back(
            {name, broker ? index_of(scenario.datacenters, broker->datacenter) : 0});
    }
    for (std::size_t i = 0; i < scenario.links.size(); ++i) {
        const auto& link = scenario.links[i];
        header.links.push_back({i < info.links.size() ? info.links[i] : link.a + "<->" + link.b,
                                index_of(scenario.datacenters, link.a),
                                index_of(scenario.datacenters, link.b), link.latency_s,
                                link.bandwidth_bps});
    }
    for (const auto& connector : scenario.connectors) {
        TraceConnector c{connector.name,
                         static_cast<model::BrokerIndex>(index_of_name(info.brokers, connector.on)),
                         static_cast<model::BrokerIndex>(index_of_name(info.brokers, connector.to)),
                         connector.duplex,
                         connector.conduit_subscriptions,
                         connector.message_ttl};
        for (const auto& excluded : connector.excluded_destinations)
            c.excluded_destinations.push_back(excluded.to_string());
        header.connectors.push_back(std::move(c));
    }
    for (const auto& client : scenario.clients)
        header.clients.push_back({client.name, static_cast<model::BrokerIndex>(
                                                   index_of_name(info.brokers, client.broker))});

    // The engine numbers nodes group by group, in scenario order.
    std::uint32_t first = 0;
    for (const auto& group : scenario.node_groups) {
        TraceNodeGroup g;
        g.name = group.name;
        g.broker = static_cast<model::BrokerIndex>(index_of_name(info.brokers, group.broker));
        g.first = first;
        g.count = static_cast<std::uint32_t>(group.count);
        g.recorded = std::min(g.count, nodes_per_group);
        for (const auto& fact : group.facts) {
            std::vector<std::pair<std::string, double>> values;
            for (const auto& value : fact.values)
                values.emplace_back(value.value, value.share);
            g.facts.emplace_back(fact.name, std::move(values));
        }
        for (const auto& share : group.classes)
            g.classes.emplace_back(share.name, share.probability);
        g.agents = group.agents;
        for (std::uint32_t i = 0; i < g.recorded; ++i)
            g.identities.push_back(info.node_identity(first + i));
        first += g.count;
        header.node_groups.push_back(std::move(g));
    }

    for (std::size_t i = 0; i < scenario.requests.size(); ++i) {
        const auto& request = scenario.requests[i];
        TraceRequest r;
        r.client = index_of(scenario.clients, request.client);
        r.agent = request.agent;
        r.action = request.action;
        r.collective = request.collective;
        r.filter = request.filter_text;
        r.at_s = request.at_s;
        r.timeout_s = request.timeout_s.value_or(scenario.agent(request.agent).timeout_s + 2.0);
        r.expected = i < info.expected_replies.size() ? info.expected_replies[i] : 0;
        header.requests.push_back(std::move(r));
    }

    const auto brokers = info.brokers.size();
    for (std::size_t from = 0; from < brokers; ++from)
        for (std::size_t to = 0; to < brokers; ++to)
            header.routes.push_back(info.route(static_cast<model::BrokerIndex>(from),
                                               static_cast<model::BrokerIndex>(to)));
    return header;
}

void put_header(ByteWriter& w, const TraceHeader& h)
{
    w.put_string(h.scenario_name);
    w.put_string(h.scenario_file);
    w.put_string(h.scenario_text);
    w.put<std::uint64_t>(h.seed);
    w.put<std::uint64_t>(h.node_count);
    w.put<std::uint32_t>(h.nodes_per_group);

    w.put<std::uint32_t>(static_cast<std::uint32_t>(h.datacenters.size()));
    for (const auto& dc : h.datacenters) {
        w.put_string(dc.name);
        w.put<double>(dc.lan_latency_s);
    }
    w.put<std::uint32_t>(static_cast<std::uint32_t>(h.brokers.size()));
    for (const auto& broker : h.brokers) {
        w.put_string(broker.name);
        w.put<std::uint32_t>(broker.datacenter);
    }
    w.put<std::uint32_t>(static_cast<std::uint32_t>(h.links.size()));
    for (const auto& link : h.links) {
        w.put_string(link.name);
        w.put<std::uint32_t>(link.a);
        w.put<std::uint32_t>(link.b);
        w.put<double>(link.latency_s);
        w.put<double>(link.bandwidth_bps);
    }
    w.put<std::uint32_t>(static_cast<std::uint32_t>(h.connectors.size()));
    for (const auto& c : h.connectors) {
        w.put_string(c.name);
        w.put<std::uint16_t>(c.on);
        w.put<std::uint16_t>(c.to);
        w.put<std::uint8_t>(c.duplex ? 1 : 0);
        w.put<std::uint8_t>(c.conduit_subscriptions ? 1 : 0);
        w.put<std::int32_t>(c.network_ttl);
        w.put<std::uint32_t>(static_cast<std::uint32_t>(c.excluded_destinations.size()));
        for (const auto& excluded : c.excluded_destinations)
            w.put_string(excluded);
    }
    w.put<std::uint32_t>(static_cast<std::uint32_t>(h.clients.size()));
    for (const auto& client : h.clients) {
        w.put_string(client.name);
        w.put<std::uint16_t>(client.broker);
    }

    w.put<std::uint32_t>(static_cast<std::uint32_t>(h.node_groups.size()));
    for (const auto& g : h.node_groups) {
        w.put_string(g.name);
        w.put<std::uint16_t>(g.broker);
        w.put<std::uint32_t>(g.first);
        w.put<std::uint32_t>(g.count);
        w.put<std::uint32_t>(g.recorded);
        w.put<std::uint32_t>(static_cast<std::uint32_t>(g.facts.size()));
        for (const auto& [name, values] : g.facts) {
            w.put_string(name);
            w.put<std::uint32_t>(static_cast<std::uint32_t>(values.size()));
            for (const auto& [value, share] : values) {
                w.put_string(value);
                w.put<double>(share);
            }
        }
        w.put<std::uint32_t>(static_cast<std::uint32_t>(g.classes.size()));
        for (const auto& [name, probability] : g.classes) {
            w.put_string(name);
            w.put<double>(probability);
        }
        w.put<std::uint32_t>(static_cast<std::uint32_t>(g.agents.size()));
        for (const auto& agent : g.agents)
            w.put_string(agent);
        for (const auto& identity : g.identities)  // exactly `recorded` of them
            w.put_string(identity);
    }

    w.put<std::uint32_t>(static_cast<std::uint32_t>(h.requests.size()));
    for (const auto& r : h.requests) {
        w.put<std::uint32_t>(r.client);
        w.put_string(r.agent);
        w.put_string(r.action);
        w.put_string(r.collective);
        w.put_string(r.filter);
        w.put<double>(r.at_s);
        w.put<double>(r.timeout_s);
        w.put<std::uint64_t>(r.expected);
    }

    for (const auto& route : h.routes) {  // brokers x brokers of them
        w.put<std::uint32_t>(static_cast<std::uint32_t>(route.size()));
        for (const auto& [link, direction] : route) {
            w.put<std::uint32_t>(static_cast<std::uint32_t>(link));
            w.put<std::int8_t>(static_cast<std::int8_t>(direction));
        }
    }
}

TraceHeader get_header(ByteReader& r)
{
    TraceHeader h;
    h.scenario_name = r.get_string();
    h.scenario_file = r.get_string();
    h.scenario_text = r.get_string();
    h.seed = r.get<std::uint64_t>();
    h.node_count = r.get<std::uint64_t>();
    h.nodes_per_group = r.get<std::uint32_t>();

    for (auto n = r.get_count(12); n > 0; --n) {
        TraceDatacenter dc;
        dc.name = r.get_string();
        dc.lan_latency_s = r.get<double>();
        h.datacenters.push_back(std::move(dc));
    }
    for (auto n = r.get_count(8); n > 0; --n) {
        TraceBroker broker;
        broker.name = r.get_string();
        broker.datacenter = r.get<std::uint32_t>();
        h.brokers.push_back(std::move(broker));
    }
    for (auto n = r.get_count(28); n > 0; --n) {
        TraceLink link;
        link.name = r.get_string();
        link.a = r.get<std::uint32_t>();
        link.b = r.get<std::uint32_t>();
        link.latency_s = r.get<double>();
        link.bandwidth_bps = r.get<double>();
        h.links.push_back(std::move(link));
    }
    for (auto n = r.get_count(14); n > 0; --n) {
        TraceConnector c;
        c.name = r.get_string();
        c.on = r.get<std::uint16_t>();
        c.to = r.get<std::uint16_t>();
        c.duplex = r.get<std::uint8_t>() != 0;
        c.conduit_subscriptions = r.get<std::uint8_t>() != 0;
        c.network_ttl = r.get<std::int32_t>();
        for (auto e = r.get_count(4); e > 0; --e)
            c.excluded_destinations.push_back(r.get_string());
        h.connectors.push_back(std::move(c));
    }
    for (auto n = r.get_count(6); n > 0; --n) {
        TraceClient client;
        client.name = r.get_string();
        client.broker = r.get<std::uint16_t>();
        h.clients.push_back(std::move(client));
    }

    for (auto n = r.get_count(30); n > 0; --n) {
        TraceNodeGroup g;
        g.name = r.get_string();
        g.broker = r.get<std::uint16_t>();
        g.first = r.get<std::uint32_t>();
        g.count = r.get<std::uint32_t>();
        g.recorded = r.get<std::uint32_t>();
        for (auto f = r.get_count(8); f > 0; --f) {
            auto name = r.get_string();
            std::vector<std::pair<std::string, double>> values;
            for (auto v = r.get_count(12); v > 0; --v) {
                auto value = r.get_string();
                values.emplace_back(std::move(value), r.get<double>());
            }
            g.facts.emplace_back(std::move(name), std::move(values));
        }
        for (auto c = r.get_count(12); c > 0; --c) {
            auto name = r.get_string();
            g.classes.emplace_back(std::move(name), r.get<double>());
        }
        for (auto a = r.get_count(4); a > 0; --a)
            g.agents.push_back(r.get_string());
        for (std::uint32_t i = 0; i < g.recorded; ++i)
            g.identities.push_back(r.get_string());
        h.node_groups.push_back(std::move(g));
    }

    for (auto n = r.get_count(44); n > 0; --n) {
        TraceRequest request;
        request.client = r.get<std::uint32_t>();
        request.agent = r.get_string();
        request.action = r.get_string();
        request.collective = r.get_string();
        request.filter = r.get_string();
        request.at_s = r.get<double>();
        request.timeout_s = r.get<double>();
        request.expected = r.get<std::uint64_t>();
        h.requests.push_back(std::move(request));
    }

    for (std::size_t i = 0; i < h.brokers.size() * h.brokers.size(); ++i) {
        std::vector<std::pair<int, int>> route;
        for (auto n = r.get_count(5); n > 0; --n) {
            const auto link = static_cast<int>(r.get<std::uint32_t>());
            route.emplace_back(link, r.get<std::int8_t>());
        }
        h.routes.push_back(std::move(route));
    }
    return h;
}

}  // namespace

bool TraceHeader::complete() const
{
    return std::all_of(node_groups.begin(), node_groups.end(),
                       [](const TraceNodeGroup& g) { return g.recorded == g.count; });
}

int TraceHeader::group_of(std::uint32_t node) const
{
    const auto it =
        std::upper_bound(node_groups.begin(), node_groups.end(), node,
                         [](std::uint32_t n, const TraceNodeGroup& g) { return n < g.first; });
    if (it == node_groups.begin())
        return -1;
    const auto index = static_cast<int>(it - node_groups.begin()) - 1;
    return node - node_groups[index].first < node_groups[index].count ? index : -1;
}

std::string TraceHeader::identity(std::uint32_t node) const
{
    const int g = group_of(node);
    if (g < 0)
        return {};
    const auto& group = node_groups[g];
    const auto local = node - group.first;
    return local < group.identities.size() ? group.identities[local] : std::string();
}

const std::vector<std::pair<int, int>>& TraceHeader::route(model::BrokerIndex from,
                                                           model::BrokerIndex to) const
{
    return routes.at(static_cast<std::size_t>(from) * brokers.size() + to);
}

TraceWriter::TraceWriter(std::string path, const model::Scenario& scenario,
                         TraceWriterOptions options)
    : path_(output_target(path)),
      temporary_path_(fmt::format("{}.brokersim-tmp.{}", path_, ::getpid())), scenario_(scenario),
      options_(options)
{
    // A trace is written beside its target and renamed into place when complete: renaming over
    // a device or a pipe would replace it, so those are refused.
    std::error_code error;
    const auto status = std::filesystem::status(path_, error);
    if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status))
        throw std::runtime_error(
            fmt::format("cannot write '{}': {}", path,
                        std::filesystem::is_directory(status)
                            ? "Is a directory"
                            : "not a regular file (a trace is written whole and then renamed "
                              "into place)"));
    errno = 0;
    out_.open(temporary_path_, std::ios::binary | std::ios::trunc);
    if (!out_)
        throw std::runtime_error(fmt::format("cannot write '{}': {}", path,
                                             std::strerror(errno != 0 ? errno : EIO)));
}

TraceWriter::~TraceWriter()
{
    if (finished_)
        return;
    out_.close();
    std::error_code ignored;
    std::filesystem::remove(temporary_path_, ignored);
}

void TraceWriter::on_start(const model::RunInfo& info)
{
    header_ = make_header(scenario_, info, options_.nodes_per_group);
    paths_.push_back({});  // id 0: the empty path of a copy fresh from its producer
    path_ids_[{}] = 0;

    ByteWriter body;
    put_header(body, header_);
    ByteWriter head;
    head.put_raw(kMagic, sizeof kMagic);
    head.put<std::uint32_t>(kTraceFormatVersion);
    head.put<std::uint32_t>(sizeof(TraceRecord));
    head.put<std::uint64_t>(body.bytes().size());
    out_.write(head.bytes().data(), static_cast<std::streamsize>(head.bytes().size()));
    out_.write(body.bytes().data(), static_cast<std::streamsize>(body.bytes().size()));
    events_offset_ = head.bytes().size() + body.bytes().size();
}

std::uint32_t TraceWriter::path_id(const model::BrokerPath& path)
{
    std::vector<model::BrokerIndex> hops(path.size());
    for (std::size_t i = 0; i < path.size(); ++i)
        hops[i] = path[i];
    const auto [it, added] = path_ids_.try_emplace(hops, static_cast<std::uint32_t>(paths_.size()));
    if (added)
        paths_.push_back(std::move(hops));
    return it->second;
}

void TraceWriter::write_record(const TraceRecord& record)
{
    out_.write(reinterpret_cast<const char*>(&record), sizeof record);
    ++record_count_;
}

void TraceWriter::add_to_tally(const TraceRecord& record)
{
    if (tallies_.empty())
        tally_until_s_ =
            (std::floor(record.time_s / options_.tally_interval_s) + 1) * options_.tally_interval_s;
    const TallyKey key{static_cast<std::uint8_t>(record.kind),
                       static_cast<std::uint8_t>(record.reason),
                       static_cast<std::uint8_t>(record.message_kind),
                       static_cast<std::uint8_t>(record.copy | (record.on_queue << 7)),
                       record.request,
                       record.group,
                       record.broker,
                       record.peer};
    auto& tally = tallies_[key];
    ++tally.count;
    tally.bytes += record.bytes;
}

void TraceWriter::flush_tallies(double time_s)
{
    for (const auto& [key, tally] : tallies_) {
        TraceRecord record;
        record.time_s = time_s;
        record.kind = static_cast<model::TraceKind>(std::get<0>(key));
        record.reason = static_cast<model::DropReason>(std::get<1>(key));
        record.message_kind = static_cast<model::MessageKind>(std::get<2>(key));
        record.copy = std::get<3>(key) & 0x7f;
        record.on_queue = std::get<3>(key) >> 7;
        record.request = std::get<4>(key);
        record.group = std::get<5>(key);
        record.broker = std::get<6>(key);
        record.peer = std::get<7>(key);
        record.folded = tally.count;
        record.bytes =
            static_cast<std::uint32_t>(std::min<std::uint64_t>(tally.bytes, 0xffffffffu));
        record.tally = 1;
        write_record(record);
    }
    tallies_.clear();
}

void TraceWriter::on_event(const model::TraceEvent& event)
{
    if (!tallies_.empty() && event.time_s >= tally_until_s_)
        flush_tallies(tally_until_s_);
    last_time_s_ = event.time_s;

    TraceRecord record;
    record.time_s = event.time_s;
    record.message = event.message;
    record.request = event.request;
    record.node = event.node;
    record.bytes = event.bytes;
    record.broker = event.broker;
    record.peer = event.peer;
    record.kind = event.kind;
    record.reason = event.reason;
    record.message_kind = event.message_kind;
    record.copy = event.copy;
    record.count = event.count;
    record.consumer = event.consumer;
    record.addressing = event.addressing;
    record.on_queue = event.on_queue ? 1 : 0;

    // Which node the message concerns: the engine names it on node events and on a reply's
    // publication; a reply's later hops are traced back to its sender here.
    std::uint32_t concerns = event.node;
    if (model::is_reply(event.message_kind)) {
        if (event.kind == model::TraceKind::Publish) {
            if (reply_sender_.size() <= event.message)
                reply_sender_.resize(static_cast<std::size_t>(event.message) + 1, model::kNone);
            reply_sender_[event.message] = event.node;
        } else if (event.message < reply_sender_.size()) {
            concerns = reply_sender_[event.message];
        }
    }
    if (concerns != model::kNone) {
        const int group = header_.group_of(concerns);
        if (group >= 0) {
            record.group = static_cast<std::uint32_t>(group);
            const auto& g = header_.node_groups[group];
            if (concerns - g.first >= g.recorded) {
                add_to_tally(record);
                return;
            }
        }
    }
    record.path = path_id(event.path);
    write_record(record);
}

void TraceWriter::on_finish(double end_time_s)
{
    end_time_s_ = end_time_s;
    if (!tallies_.empty())
        flush_tallies(std::max(last_time_s_, std::min(tally_until_s_, end_time_s)));
}

void TraceWriter::finish(const std::string& report_json)
{
    ByteWriter trailer;
    trailer.put<double>(end_time_s_);
    trailer.put<std::uint32_t>(static_cast<std::uint32_t>(paths_.size()));
    for (const auto& path : paths_) {
        trailer.put<std::uint8_t>(static_cast<std::uint8_t>(path.size()));
        for (const auto hop : path)
            trailer.put<std::uint16_t>(hop);
    }
    trailer.put_string(report_json);

    const auto trailer_offset = events_offset_ + record_count_ * sizeof(TraceRecord);
    trailer.put<std::uint64_t>(events_offset_);
    trailer.put<std::uint64_t>(record_count_);
    trailer.put<std::uint64_t>(trailer_offset);
    trailer.put_raw(kEndMagic, sizeof kEndMagic);
    out_.write(trailer.bytes().data(), static_cast<std::streamsize>(trailer.bytes().size()));
    out_.close();

    std::error_code error;
    if (out_)
        std::filesystem::rename(temporary_path_, path_, error);
    if (!out_ || error)
        throw std::runtime_error(fmt::format("cannot write '{}'", path_));
    finished_ = true;
}

model::TraceEvent TraceFile::event(const TraceRecord& record) const
{
    model::TraceEvent event;
    event.time_s = record.time_s;
    event.kind = record.kind;
    event.reason = record.reason;
    event.message_kind = record.message_kind;
    event.copy = record.copy;
    event.message = record.message;
    event.request = record.request;
    event.broker = record.broker;
    event.peer = record.peer;
    event.node = record.node;
    event.bytes = record.bytes;
    event.count = record.count;
    event.consumer = record.consumer;
    event.addressing = record.addressing;
    event.on_queue = record.on_queue != 0;
    if (record.path < paths.size())
        for (const auto hop : paths[record.path])
            event.path = event.path.plus(hop);
    return event;
}

std::string TraceFile::path_names(std::uint32_t path) const
{
    std::string names;
    if (path >= paths.size())
        return names;
    for (const auto hop : paths[path])
        names += (names.empty() ? "" : " > ") +
                 (hop < header.brokers.size() ? header.brokers[hop].name : std::to_string(hop));
    return names;
}

TraceFile read_trace(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error(fmt::format("{}: cannot open", path));
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.size() < sizeof kMagic + 16 + kFooterBytes ||
        std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
        throw std::runtime_error(fmt::format("{}: not a brokersim trace file", path));
    if (std::memcmp(bytes.data() + bytes.size() - sizeof kEndMagic, kEndMagic, sizeof kEndMagic) !=
        0)
        throw std::runtime_error(
            fmt::format("{}: truncated trace file (the run did not finish)", path));

    ByteReader head(bytes, sizeof kMagic, bytes.size(), path);
    const auto version = head.get<std::uint32_t>();
    if (version != kTraceFormatVersion)
        throw std::runtime_error(fmt::format("{}: trace format version {}, this build reads {}",
                                             path, version, kTraceFormatVersion));
    if (head.get<std::uint32_t>() != sizeof(TraceRecord))
        throw std::runtime_error(fmt::format("{}: unexpected trace record size", path));
    const auto header_bytes = head.get<std::uint64_t>();

    ByteReader footer(bytes, bytes.size() - kFooterBytes, bytes.size(), path);
    const auto events_offset = footer.get<std::uint64_t>();
    const auto record_count = footer.get<std::uint64_t>();
    const auto trailer_offset = footer.get<std::uint64_t>();
    const auto header_begin = sizeof kMagic + 16;
    if (events_offset != header_begin + header_bytes ||
        trailer_offset != events_offset + record_count * sizeof(TraceRecord) ||
        trailer_offset > bytes.size() - kFooterBytes)
        throw std::runtime_error(fmt::format("{}: truncated or corrupt trace file", path));

    TraceFile file;
    ByteReader header(bytes, header_begin, events_offset, path);
    file.header = get_header(header);
    file.records.resize(record_count);
    std::memcpy(file.records.data(), bytes.data() + events_offset,
                record_count * sizeof(TraceRecord));

    ByteReader trailer(bytes, trailer_offset, bytes.size() - kFooterBytes, path);
    file.end_time_s = trailer.get<double>();
    for (auto n = trailer.get_count(1); n > 0; --n) {
        std::vector<model::BrokerIndex> hops(trailer.get<std::uint8_t>());
        for (auto& hop : hops)
            hop = trailer.get<std::uint16_t>();
        file.paths.push_back(std::move(hops));
    }
    file.report_json = trailer.get_string();
    return file;
}

}  // namespace brokersim::io
