#include "brokersim/sweep/results.hpp"

#include "brokersim/sweep/job_files.hpp"
#include "input_files.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace brokersim::sweep {

namespace {

// Exit statuses of `brokersim run`.
constexpr int exit_ok = 0;
constexpr int exit_conservation_broken = 3;

using detail::JsonChecker;

RequestResult read_request(const JsonChecker& check, const nlohmann::json& json,
                           const std::string& where)
{
    const auto& request = check.object(&json, where);
    const auto count = [&](const char* key) {
        return check.count(JsonChecker::member(request, key), where + "." + key);
    };
    // Percentiles are null when no reply came; reports of older versions may lack them.
    const auto latency = [&](const char* key) -> std::optional<double> {
        const auto* value = JsonChecker::member(request, key);
        return value == nullptr ? std::nullopt : check.seconds(value, where + "." + key);
    };
    RequestResult result;
    result.expected = count("expected");
    result.replies = count("replies");
    result.replying_nodes = count("replying_nodes");
    result.missing = count("missing");
    result.duplicate_deliveries = count("duplicate_deliveries");
    const auto* timeout = JsonChecker::member(request, "timeout_s");
    if (timeout == nullptr || timeout->is_null())
        check.fail(where + ".timeout_s", "a number, 0 or more", timeout);
    result.timeout_s = *check.seconds(timeout, where + ".timeout_s");
    result.p50_s = latency("p50_s");
    result.p95_s = latency("p95_s");
    result.p99_s = latency("p99_s");
    result.max_s = latency("max_s");
    return result;
}

// The busiest link direction and broker, when the report has them: `links[].peak_utilisation_ab`
// and `_ba`, and `broker_load` as a list of {name, peak_pending, peak_memory_bytes,
// stalled_sends, estimated_peak_bytes, over_budget}. Reports of older versions lack some or all
// of them; those that are there must be what brokersim writes.
void read_peaks(const JsonChecker& check, const nlohmann::json& report, RunResult& result)
{
    if (const auto* links = JsonChecker::member(report, "links")) {
        const auto& list = check.array(links, "links");
        for (std::size_t i = 0; i < list.size(); ++i) {
            const auto where = fmt::format("links[{}]", i);
            const auto& link = check.object(&list[i], where);
            for (const auto* key : {"peak_utilisation_ab", "peak_utilisation_ba"})
                if (const auto* value = JsonChecker::member(link, key))
                    if (const auto utilisation = check.seconds(value, where + "." + key))
                        result.peak_link_utilisation =
                            std::max(result.peak_link_utilisation.value_or(0), *utilisation);
        }
    }

    const auto* brokers = JsonChecker::member(report, "broker_load");
    if (brokers == nullptr)
        return;
    const auto& list = check.array(brokers, "broker_load");
    for (std::size_t i = 0; i < list.size(); ++i) {
        const auto where = fmt::format("broker_load[{}]", i);
        const auto& broker = check.object(&list[i], where);
        const auto count = [&](const char* key) -> std::optional<std::uint64_t> {
            const auto* value = JsonChecker::member(broker, key);
            if (value == nullptr)
                return std::nullopt;
            return check.count(value, where + "." + key);
        };
        if (const auto pending = count("peak_pending"))
            result.peak_broker_pending = std::max(result.peak_broker_pending.value_or(0), *pending);
        if (const auto memory = count("peak_memory_bytes"))
            result.peak_broker_memory_bytes =
                std::max(result.peak_broker_memory_bytes.value_or(0), *memory);
        if (const auto stalled = count("stalled_sends"))
            result.stalled_sends = result.stalled_sends.value_or(0) + *stalled;
        if (const auto estimated = count("estimated_peak_bytes"))
            result.peak_broker_estimated_bytes =
                std::max(result.peak_broker_estimated_bytes.value_or(0), *estimated);
        if (const auto* over = JsonChecker::member(broker, "over_budget"))
            result.brokers_over_budget = result.brokers_over_budget.value_or(0) +
                                         (check.boolean(over, where + ".over_budget") ? 1 : 0);
    }
}

// A missing report is a run that has not run or failed (brokersim run writes its report whole
// or not at all); a report that is there must be one.
void read_report(const std::filesystem::path& path, RunResult& result)
{
    const auto text = detail::read_input_file(path);
    if (!text)
        return;
    const auto report = detail::parse_input_json(path, *text);
    const JsonChecker check(path);
    if (!report.is_object())
        check.fail("", "expected a JSON object (a brokersim run --json report), got " +
                           std::string(report.is_array() ? "an array" : "a single value"));

    const auto& requests = check.array(JsonChecker::member(report, "requests"), "requests");
    std::vector<RequestResult> read;
    for (std::size_t i = 0; i < requests.size(); ++i)
        read.push_back(read_request(check, requests[i], fmt::format("requests[{}]", i)));
    const auto& conservation =
        check.object(JsonChecker::member(report, "conservation"), "conservation");
    const bool held = check.boolean(JsonChecker::member(conservation, "holds"), "conservation.holds");
    read_peaks(check, report, result);

    result.has_report = true;
    result.requests = std::move(read);
    if (result.status.ending == RunStatus::Ending::Unknown)
        result.status = {RunStatus::Ending::Exited, held ? exit_ok : exit_conservation_broken};
}

// Shortest text that reads back as the same double; empty for none.
std::string cell(std::optional<double> value)
{
    return value ? fmt::format("{}", *value) : std::string();
}

std::string count_cell(std::uint64_t value)
{
    return fmt::format("{}", value);
}

// A CSV field: quoted when it holds a comma, a quote or a line break.
std::string csv_field(const std::string& text)
{
    if (text.find_first_of(",\"\n\r") == std::string::npos)
        return text;
    std::string quoted = "\"";
    for (const char c : text)
        quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

std::string csv_line(const std::vector<std::string>& fields)
{
    std::string line;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i > 0)
            line += ',';
        line += csv_field(fields[i]);
    }
    return line + "\n";
}

// The figures per request, in the order of their columns.
const char* const request_columns[] = {"completeness", "missing", "p50_s",     "p95_s",
                                       "p99_s",        "max_s",   "duplicates"};

std::vector<std::string> request_cells(const RequestResult& request)
{
    return {cell(std::optional(request.completeness())),
            count_cell(request.missing),
            cell(request.p50_s),
            cell(request.p95_s),
            cell(request.p99_s),
            cell(request.max_s),
            count_cell(request.duplicate_deliveries)};
}

// Replies a request needs to reach `share` of its expected nodes, in whole replies: 0.99 of
// 100 nodes is 99.
double replies_needed(const RequestResult& request, double share)
{
    constexpr double rounding_slack = 1e-9;
    return std::ceil(share * static_cast<double>(request.expected) - rounding_slack);
}

// Whether `needed` replies arrived within `within_s`, as far as the percentiles tell: the
// nearest-rank percentile p covers ceil(p * replies) replies.
bool replied_within(const RequestResult& request, double needed, double within_s)
{
    if (needed <= 0)
        return true;
    if (request.replies == 0)
        return false;
    const double fraction = needed / static_cast<double>(request.replies);
    const std::pair<double, std::optional<double>> percentiles[] = {
        {0.5, request.p50_s}, {0.95, request.p95_s}, {0.99, request.p99_s}, {1.0, request.max_s}};
    for (const auto& [covered, latency_s] : percentiles)
        if (fraction <= covered)
            return latency_s && *latency_s <= within_s;
    return false;
}

} // namespace

double RequestResult::completeness() const
{
    if (expected == 0)
        return 1.0;
    return static_cast<double>(replying_nodes) / static_cast<double>(expected);
}

std::optional<double> RunResult::completeness() const
{
    std::optional<double> lowest;
    for (const auto& request : requests)
        lowest = std::min(lowest.value_or(1.0), request.completeness());
    return lowest;
}

std::optional<double> RunResult::worst(std::optional<double> RequestResult::*latency) const
{
    std::optional<double> highest;
    for (const auto& request : requests)
        if (const auto& value = request.*latency)
            highest = std::max(highest.value_or(*value), *value);
    return highest;
}

std::uint64_t RunResult::missing() const
{
    std::uint64_t total = 0;
    for (const auto& request : requests)
        total += request.missing;
    return total;
}

std::uint64_t RunResult::duplicate_deliveries() const
{
    std::uint64_t total = 0;
    for (const auto& request : requests)
        total += request.duplicate_deliveries;
    return total;
}

std::string Deadline::describe() const
{
    const auto share = fmt::format("{:g} %", completeness * 100);
    if (!within_s)
        return fmt::format("every request gets {} of its expected replies within its timeout",
                           share);
    return fmt::format("every request gets {} of its expected replies within {:g} s of being "
                       "sent, and within its timeout",
                       share, *within_s);
}

bool meets_deadline(const RunResult& result, const Deadline& deadline)
{
    if (!result.status.succeeded() || !result.has_report)
        return false;
    const auto enough = [&](const RequestResult& request) {
        const double needed = replies_needed(request, deadline.completeness);
        return static_cast<double>(request.replying_nodes) >= needed &&
               (!deadline.within_s || replied_within(request, needed, *deadline.within_s));
    };
    return std::all_of(result.requests.begin(), result.requests.end(), enough);
}

std::vector<RunResult> collect_results(const Plan& plan, const SweepDir& dir)
{
    const auto joblog = read_parallel_joblog(dir.joblog(), plan.runs.size());
    std::vector<RunResult> results;
    for (std::size_t i = 0; i < plan.runs.size(); ++i) {
        const auto& run = plan.runs[i];
        RunResult result;
        if (const auto status = read_status(dir.status(run)))
            result.status = *status;
        else if (const auto logged = joblog.find(i + 1); logged != joblog.end())
            result.status = logged->second;
        read_report(dir.report(run), result);
        results.push_back(std::move(result));
    }
    return results;
}

std::string results_csv(const Plan& plan, const std::vector<RunResult>& results,
                        const Deadline& deadline)
{
    std::size_t request_count = 0;
    for (const auto& result : results)
        request_count = std::max(request_count, result.requests.size());

    std::vector<std::string> header = {"run"};
    for (const auto& parameter : plan.parameters)
        header.push_back(parameter.key);
    for (const auto* name : {"exit_status", "meets_deadline"})
        header.push_back(name);
    for (const auto* name : request_columns)
        header.push_back(name);
    for (const auto* name :
         {"peak_link_utilisation", "peak_broker_pending", "peak_broker_memory_bytes",
          "stalled_sends", "peak_broker_estimated_bytes", "brokers_over_budget", "wall_s"})
        header.push_back(name);
    for (std::size_t i = 0; i < request_count; ++i)
        for (const auto* name : request_columns)
            header.push_back(fmt::format("request{}_{}", i, name));
    auto text = csv_line(header);

    for (std::size_t r = 0; r < plan.runs.size() && r < results.size(); ++r) {
        const auto& run = plan.runs[r];
        const auto& result = results[r];
        std::vector<std::string> row = {run.id};
        row.insert(row.end(), run.values.begin(), run.values.end());
        row.push_back(result.status.to_string());
        row.push_back(meets_deadline(result, deadline) ? "yes" : "no");
        if (result.has_report) {
            row.push_back(cell(result.completeness()));
            row.push_back(count_cell(result.missing()));
            for (const auto latency : {&RequestResult::p50_s, &RequestResult::p95_s,
                                       &RequestResult::p99_s, &RequestResult::max_s})
                row.push_back(cell(result.worst(latency)));
            row.push_back(count_cell(result.duplicate_deliveries()));
        } else {
            row.insert(row.end(), std::size(request_columns), "");
        }
        row.push_back(cell(result.peak_link_utilisation));
        for (const auto& figure :
             {result.peak_broker_pending, result.peak_broker_memory_bytes, result.stalled_sends,
              result.peak_broker_estimated_bytes, result.brokers_over_budget})
            row.push_back(figure ? count_cell(*figure) : "");
        row.push_back(result.status.wall_s ? fmt::format("{:.3f}", *result.status.wall_s) : "");
        for (std::size_t i = 0; i < request_count; ++i) {
            if (i < result.requests.size()) {
                const auto cells = request_cells(result.requests[i]);
                row.insert(row.end(), cells.begin(), cells.end());
            } else {
                row.insert(row.end(), std::size(request_columns), "");
            }
        }
        text += csv_line(row);
    }
    return text;
}

} // namespace brokersim::sweep
