// MCollective request filters: what a node checks before it runs a request.
//
// Grammar (MCollective 2.x compound filters, plus the classic -F/-C/-I/-A forms written inline):
//   expr     := or_expr
//   or_expr  := and_expr ( ("or" | "||") and_expr )*
//   and_expr := unary ( ("and" | "&&") unary )*
//   unary    := ("not" | "!") unary | "(" expr ")" | term
//   term     := fact OP value       OP one of == = != < > <= >= =~   (value /re/ means regex)
//             | /regex/             a class matched by regex
//             | word                a class by name ("webserver", "apache::server")
//             | "identity=" value   identity, literal or /regex/
//             | "agent=" value      a loaded agent, literal or /regex/
// `fact=value` and `fact==value` are the same; numbers compare numerically when both sides
// are numbers. Identity terms that are ANDed at top level are ORed among themselves, as
// MCollective does for repeated -I options.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace brokersim::model {

// What a filter can ask of a node. Implemented by the engine over its compact node data.
class NodeView
{
public:
    virtual ~NodeView() = default;
    virtual std::string identity() const = 0;
    virtual std::optional<std::string_view> fact(std::string_view name) const = 0;
    virtual bool has_class(std::string_view name) const = 0;
    virtual std::vector<std::string_view> classes() const = 0;
    virtual bool has_agent(std::string_view name) const = 0;
    virtual std::vector<std::string_view> agents() const = 0;
};

class FilterParseError : public std::runtime_error
{
public:
    FilterParseError(int column, const std::string& message);
    int column() const { return column_; }  // 1-based, into the filter text

private:
    int column_;
};

class Filter
{
public:
    Filter();  // the empty filter: every node passes
    static Filter parse(std::string_view text);  // throws FilterParseError

    bool matches(const NodeView& node) const;
    bool empty() const;
    const std::string& text() const { return text_; }

    struct Node;  // the parsed expression; defined in filter.cpp

private:
    std::string text_;
    std::shared_ptr<const Node> root_;
};

}  // namespace brokersim::model
