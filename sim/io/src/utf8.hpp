// Checks that input files are text: scenarios and activemq.xml files are UTF-8.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace brokersim::io {

// The offset of the first NUL byte or of the first byte that does not begin a well-formed
// UTF-8 sequence (no overlong forms, no surrogates, nothing above U+10FFFF), if any.
std::optional<std::size_t> first_non_text_byte(std::string_view text);

}  // namespace brokersim::io
