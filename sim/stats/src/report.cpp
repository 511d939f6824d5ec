#include "brokersim/stats/report.hpp"

#include <fmt/format.h>

#include <iterator>

namespace brokersim::stats {

std::string bytes_text(std::uint64_t bytes)
{
    if (bytes < 1024)
        return fmt::format("{} bytes", bytes);
    constexpr const char* units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double value = bytes / 1024.0;
    std::size_t unit = 0;
    while (value >= 1024 && unit + 1 < std::size(units)) {
        value /= 1024;
        ++unit;
    }
    return fmt::format("{:.1f} {}", value, units[unit]);
}

}  // namespace brokersim::stats
