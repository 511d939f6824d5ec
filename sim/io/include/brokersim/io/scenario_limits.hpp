// The bounds the scenario loader sets on a scenario's values (docs/scenario-format.md,
// "Limits"), for whatever else writes scenario values, such as `brokersim sweep --vary`.
#pragma once

#include <cstdint>

namespace brokersim::io::limits {

// The engine keeps about 1 KiB per node (its state, subscriptions, identity and reply
// bookkeeping), so 50 million nodes need some 50 GiB: a large machine, not an absurd one.
inline constexpr std::int64_t max_nodes = 50'000'000;

// Plain producers' messages, summed over all producers: each is a message record and events of
// its own, so the same bound as for nodes keeps a typo (count: 2147483647) from filling memory
// or running for days.
inline constexpr std::int64_t max_produced = 50'000'000;

// Times, durations and latencies are at most 1e9 s (some 32 years): a double still resolves a
// microsecond there, so latencies and the engine's 100 us quantum keep their meaning, and no
// scenario needs more.
inline constexpr double max_time_s = 1e9;

// Bandwidths: 1 kbit/s (slower is taken for a mistake in units) to 1 Pbit/s.
inline constexpr double min_bandwidth_mbps = 1e-3;
inline constexpr double max_bandwidth_mbps = 1e9;

// Memory sizes (memory_limit_mb, memory_budget_mb) in bytes: at least one, at most 4 EiB.
inline constexpr double max_memory_bytes = 0x1p62;

// ActiveMQ keeps a message's size in an int; a connection larger than 1 GiB is a unit mistake.
inline constexpr std::int64_t max_message_overhead_bytes = 1000000000;
inline constexpr double max_connection_memory_kb = 1024 * 1024;

}  // namespace brokersim::io::limits
