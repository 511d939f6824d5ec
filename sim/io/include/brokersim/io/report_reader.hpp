// Reads the JSON report that io::report_json writes back into a stats::Report, so that a run
// made in another process (a forked child, `brokersim run --json`) can be judged here. Every
// field the writer writes is read; a test writes a run's report again and compares the bytes,
// so a field added to one side and not the other shows at once.
#pragma once

#include "brokersim/stats/report.hpp"

#include <string_view>

namespace brokersim::io {

// Throws std::runtime_error naming the missing or mistyped field. Times come back rounded to
// the microsecond, as the JSON report writes them.
stats::Report report_from_json(std::string_view json);

} // namespace brokersim::io
