// Report formats: text for people, JSON for tools. Both are deterministic: the same report
// gives the same bytes.
#pragma once

#include "brokersim/stats/report.hpp"

#include <string>

namespace brokersim::io {

std::string report_text(const stats::Report& report);
std::string report_json(const stats::Report& report);

}  // namespace brokersim::io
