// The broadcast + reply workload at several node counts, on the engine and on a minimal event
// loop of our own (the ceiling), measured side by side in one run.
//
// Workload: a NOC broker and three datacenter brokers in a star (connectors on the NOC,
// networkTTL 2, topic and queue connector pairs), N nodes spread evenly over the three
// datacenters, one client on the NOC sending 10 fleet-wide rpcutil pings one second apart;
// every node replies. A delivery is a request copy handed to a node or a reply handed to the
// client. Each measurement runs in its own child process (SimGrid allows one engine per
// process), so peak memory is the child's own.
//
// Usage: brokersim-bench [NODES...]               (default: 10000 100000 1000000)
//        brokersim-bench --one engine|ceiling NODES
// A NODES that is not a whole number from 3 to a scenario's most nodes (50 M) is refused
// (exit status 2).
// --one runs a single measurement in this process and prints its deliveries, for tools that
// watch one process, such as callgrind (bench/callgrind.sh).
#include "brokersim/engine/engine.hpp"
#include "brokersim/io/scenario_limits.hpp"
#include "brokersim/model/trace.hpp"

#include <fmt/format.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <queue>
#include <string>
#include <string_view>
#include <vector>

namespace model = brokersim::model;

namespace {

constexpr int kRequests = 10;
constexpr int kDatacenters = 3;
constexpr double kWanLatency_s = 0.020;
constexpr double kLanLatency_s = 0.0002;

model::Scenario workload(int nodes)
{
    model::Scenario s;
    s.name = fmt::format("bench-{}", nodes);
    s.seed = 1;
    s.datacenters.push_back({"noc"});
    s.brokers.push_back({"noc", "noc"});
    for (int d = 1; d <= kDatacenters; ++d) {
        const auto dc = fmt::format("dc{}", d);
        s.datacenters.push_back({dc});
        s.brokers.push_back({dc, dc});
        s.links.push_back({"noc", dc, kWanLatency_s, 1e9});
        model::Connector topics;
        topics.name = dc + "-topics";
        topics.on = "noc";
        topics.to = dc;
        topics.duplex = true;
        topics.message_ttl = topics.consumer_ttl = 2;
        topics.excluded_destinations.push_back({model::DestinationType::Queue, ">"});
        model::Connector queues = topics;
        queues.name = dc + "-queues";
        queues.conduit_subscriptions = false;
        queues.excluded_destinations = {{model::DestinationType::Topic, ">"}};
        s.connectors.push_back(topics);
        s.connectors.push_back(queues);

        model::NodeGroup group;
        group.count = nodes / kDatacenters + (d <= nodes % kDatacenters ? 1 : 0);
        group.broker = dc;
        group.identity_pattern = dc + "-{i:07}";
        group.agents = {"rpcutil"};
        s.node_groups.push_back(group);
    }
    s.clients.push_back({"op", "noc", "op"});
    model::Agent rpcutil;
    rpcutil.name = "rpcutil";
    rpcutil.run_time_min_s = 0.005;
    rpcutil.run_time_max_s = 0.020;
    s.agents.push_back(rpcutil);
    for (int r = 0; r < kRequests; ++r) {
        model::Request request;
        request.at_s = 1.0 + r;
        request.client = "op";
        request.agent = "rpcutil";
        request.action = "ping";
        request.discovery = model::Discovery::None;  // the bare broadcast and its replies
        s.requests.push_back(request);
    }
    return s;
}

class CountingSink final : public model::DirectBatchSink<CountingSink>
{
public:
    void on_start(const model::RunInfo&) override {}
    void on_event(const model::TraceEvent& event) override
    {
        deliveries += event.kind == model::TraceKind::Deliver ? 1 : 0;
    }
    void on_finish(double end_s) override { end_time_s = end_s; }
    std::uint64_t deliveries = 0;
    double end_time_s = 0;
};

// The ceiling: the same deliveries and replies as bare events in a binary heap.
std::uint64_t plain_event_loop(int nodes)
{
    struct Event
    {
        double time_s;
        std::uint64_t seq;
        std::uint32_t node;
        bool reply;
        bool operator>(const Event& o) const
        {
            return time_s != o.time_s ? time_s > o.time_s : seq > o.seq;
        }
    };
    std::priority_queue<Event, std::vector<Event>, std::greater<>> heap;
    std::uint64_t seq = 0;
    std::uint64_t deliveries = 0;
    const double spacing_s = 1020.0 * 8 / 1e9;
    for (int r = 0; r < kRequests; ++r) {
        const double sent_s = 1.0 + r;
        for (std::uint32_t n = 0; n < static_cast<std::uint32_t>(nodes); ++n)
            heap.push({sent_s + kWanLatency_s + kLanLatency_s + (n / kDatacenters) * spacing_s,
                       seq++, n, false});
    }
    while (!heap.empty()) {
        const Event e = heap.top();
        heap.pop();
        ++deliveries;
        if (!e.reply) {
            const double run_s = 0.005 + 0.015 * ((e.node * 2654435761u) % 1000) / 1000.0;
            heap.push({e.time_s + run_s + kLanLatency_s + kWanLatency_s, seq++, e.node, true});
        }
    }
    return deliveries;
}

struct Measurement
{
    std::uint64_t deliveries = 0;
    double wall_s = 0;
    long peak_kib = 0;
};

Measurement measure_in_child(const std::function<std::uint64_t()>& work)
{
    int fds[2];
    if (pipe(fds) != 0)
        std::exit(2);
    std::fflush(stdout);
    const pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        const auto start = std::chrono::steady_clock::now();
        const std::uint64_t deliveries = work();
        const double wall_s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const auto line = fmt::format("{} {:.6f}", deliveries, wall_s);
        if (write(fds[1], line.data(), line.size()) < 0)
            _exit(3);
        _exit(0);
    }
    close(fds[1]);
    char buffer[128] = {};
    const auto n = read(fds[0], buffer, sizeof buffer - 1);
    close(fds[0]);
    int status = 0;
    rusage usage{};
    wait4(pid, &status, 0, &usage);
    Measurement m;
    if (n > 0)
        std::sscanf(buffer, "%" SCNu64 " %lf", &m.deliveries, &m.wall_s);
    m.peak_kib = usage.ru_maxrss;
    return m;
}

// The engine's run on the workload. Not inlined, so a profiler can collect exactly this call.
[[gnu::noinline]] std::uint64_t engine_run(int nodes)
{
    const auto scenario = workload(nodes);
    CountingSink sink;
    brokersim::engine::run(scenario, sink);
    return sink.deliveries;
}

[[gnu::noinline]] std::uint64_t ceiling_run(int nodes)
{
    return plain_event_loop(nodes);
}

// `which` is "engine" or "ceiling" (main checks).
int run_one(std::string_view which, int nodes)
{
    const auto deliveries = which == "engine" ? engine_run(nodes) : ceiling_run(nodes);
    fmt::print("{} nodes={} deliveries={}\n", which, nodes, deliveries);
    return 0;
}

}  // namespace

// A node count as written, or 0 when it is not one: digits only, 3 (a node per datacenter)
// to the most a scenario may have.
int node_count(std::string_view text)
{
    if (text.empty() || text.size() > 9 ||
        text.find_first_not_of("0123456789") != std::string_view::npos)
        return 0;
    const auto nodes = std::atoll(std::string(text).c_str());
    return nodes >= kDatacenters && nodes <= brokersim::io::limits::max_nodes ? static_cast<int>(nodes)
                                                                      : 0;
}

const std::string kUsage = fmt::format(
    "usage: brokersim-bench [NODES...]            (default: 10000 100000 1000000)\n"
    "       brokersim-bench --one engine|ceiling NODES\n"
    "NODES: a node count from {} to {}.\n",
    kDatacenters, brokersim::io::limits::max_nodes);

int main(int argc, char** argv)
{
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
        if (args.size() > 1) {
            std::fprintf(stderr, "brokersim-bench: --help takes no arguments\n%s", kUsage.c_str());
            return 2;
        }
        std::fputs(kUsage.c_str(), stdout);
        return 0;
    }
    if (!args.empty() && args[0] == "--one") {
        const auto refuse = [](const std::string& why) {
            std::fprintf(stderr, "brokersim-bench: %s\n%s", why.c_str(), kUsage.c_str());
            return 2;
        };
        if (args.size() != 3)
            return refuse("--one takes a measurement (engine or ceiling) and a node count");
        if (args[1] != "engine" && args[1] != "ceiling")
            return refuse(fmt::format("--one: not a measurement: '{}' (engine or ceiling)",
                                      args[1]));
        if (node_count(args[2]) == 0)
            return refuse(fmt::format("not a node count: '{}'", args[2]));
        return run_one(args[1], node_count(args[2]));
    }

    std::vector<int> sizes;
    for (const auto arg : args) {
        const int nodes = node_count(arg);
        if (nodes == 0) {
            std::fprintf(stderr, "brokersim-bench: not a node count: '%.*s'\n%s",
                         static_cast<int>(arg.size()), arg.data(), kUsage.c_str());
            return 2;
        }
        sizes.push_back(nodes);
    }
    if (sizes.empty())
        sizes = {10000, 100000, 1000000};

    fmt::print("| nodes | engine deliveries | engine wall s | engine deliveries/s | "
               "ceiling deliveries/s | ratio | engine peak MiB | engine bytes/node | "
               "ceiling peak MiB |\n|---|---|---|---|---|---|---|---|---|\n");
    for (const int nodes : sizes) {
        const auto engine = measure_in_child([nodes] { return engine_run(nodes); });
        const auto ceiling = measure_in_child([nodes] { return ceiling_run(nodes); });
        const double engine_rate = engine.deliveries / engine.wall_s;
        const double ceiling_rate = ceiling.deliveries / ceiling.wall_s;
        fmt::print("| {} | {} | {:.2f} | {:.3g} | {:.3g} | {:.0f} % | {:.0f} | {:.0f} | {:.0f} |\n",
                   nodes, engine.deliveries, engine.wall_s, engine_rate, ceiling_rate,
                   100.0 * engine_rate / ceiling_rate, engine.peak_kib / 1024.0,
                   engine.peak_kib * 1024.0 / nodes, ceiling.peak_kib / 1024.0);
        std::fflush(stdout);
    }
    return 0;
}
