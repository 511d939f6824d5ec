// A position in an input file, for `file:line:col: error: ...` messages.
#pragma once

#include <stdexcept>
#include <string>

namespace brokersim::model {

struct SourcePos
{
    std::string file;
    int line = 0;    // 1-based; 0 when unknown
    int column = 0;  // 1-based; 0 when unknown

    std::string to_string() const;  // "file:line:col", or just "file" when unknown
};

// An error a person can act on: where, and what was wrong.
class InputError : public std::runtime_error
{
public:
    InputError(SourcePos pos, const std::string& message);

    const SourcePos& pos() const { return pos_; }
    const std::string& message() const { return message_; }

private:
    SourcePos pos_;
    std::string message_;
};

}  // namespace brokersim::model
