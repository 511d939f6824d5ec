// Writing command output: to stdout, or to a file that is written whole or not at all.
#pragma once

#include <string>

namespace brokersim::io {

// Empty `path`: standard output. A regular file is written beside the target and renamed into
// place, so readers never see half a report; devices and pipes are written in place.
// Throws std::runtime_error naming the path and the system's reason when anything fails;
// no temporary file is left behind.
void write_output(const std::string& path, const std::string& text);

}  // namespace brokersim::io
