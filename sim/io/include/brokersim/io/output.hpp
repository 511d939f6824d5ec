// Writing command output: to stdout, or to a file that is written whole or not at all.
#pragma once

#include <string>

namespace brokersim::io {

// Empty `path`: standard output. A regular file is written beside the target and renamed into
// place, so readers never see half a report; devices and pipes are written in place.
// Throws std::runtime_error naming the path and the system's reason when anything fails;
// no temporary file is left behind.
void write_output(const std::string& path, const std::string& text);

// The file that writing to `path` must change: `path` itself, or, when it is a symbolic link,
// the file the chain of links ends at (which need not exist yet). Renaming a finished file
// over `path` would replace the link rather than write where it points. Throws
// std::runtime_error for a loop of links.
std::string output_target(const std::string& path);

}  // namespace brokersim::io
