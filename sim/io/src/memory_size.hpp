// ActiveMQ's memory sizes as its XML configuration writes them: "65536", "512 kb", "64 mb",
// "1 gb", "1g" (a whole number, optional blanks, an optional unit b, k(b), m(b), g(b) in any
// case; the units are powers of 1024). Shared by the activemq.xml import and the scenario
// loader's policy `memoryLimit`.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace brokersim::io {

// The size in bytes, or nothing when the text is not a memory size (or exceeds 2^62 bytes).
std::optional<std::uint64_t> parse_memory_size(std::string_view text);

}  // namespace brokersim::io
