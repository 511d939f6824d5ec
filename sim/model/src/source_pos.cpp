#include "brokersim/model/source_pos.hpp"

#include <fmt/format.h>

namespace brokersim::model {

std::string SourcePos::to_string() const
{
    if (line <= 0)
        return file;
    if (column <= 0)
        return fmt::format("{}:{}", file, line);
    return fmt::format("{}:{}:{}", file, line, column);
}

InputError::InputError(SourcePos pos, const std::string& message)
    : std::runtime_error(fmt::format("{}: error: {}", pos.to_string(), message)),
      pos_(std::move(pos)), message_(message)
{
}

}  // namespace brokersim::model
