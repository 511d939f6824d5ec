// Parsing and evaluating MCollective request filters; filter.hpp gives the grammar.
//
// A small hand-written lexer feeds a recursive-descent parser one token at a time, so the first
// problem in reading order is the one reported. Every regex is compiled here, once: matching a
// node compiles nothing and, apart from regex terms, allocates nothing beyond what the NodeView
// itself returns.
//
// Not modelled: MCollective evaluates regexes with Ruby, we use ECMAScript (std::regex). The Ruby
// escapes \A, \z, \Z and \h are rejected with a hint (std::regex would silently read them as
// letters), inline flags such as (?i) are rejected, and `^` and `$` anchor the whole fact rather
// than one line of it. Ordering operators treat any finite
// decimal number (exponents included) as a number, where MCollective only converts plain
// integers and plain decimals; "1e3" > "999" is true here and false on a real node.
#include "brokersim/model/filter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <compare>
#include <regex>
#include <utility>
#include <variant>

namespace brokersim::model {

FilterParseError::FilterParseError(int column, const std::string& message)
    : std::runtime_error(message), column_(column)
{}

struct Filter::Node
{
    enum class Compare
    {
        Equal,
        NotEqual,
        Less,
        Greater,
        LessEqual,
        GreaterEqual,
        Search,
        NotSearch
    };

    // A literal, or a regex searched for anywhere in the subject as Ruby's =~ does.
    struct Pattern
    {
        std::string text; // the literal, or the regex source
        std::optional<std::regex> regex;

        bool matches(std::string_view subject) const;
    };

    struct AllOf
    {
        std::vector<std::unique_ptr<Node>> operands;
        bool matches(const NodeView& node) const;
    };

    struct AnyOf
    {
        std::vector<std::unique_ptr<Node>> operands;
        bool matches(const NodeView& node) const;
    };

    struct Not
    {
        std::unique_ptr<Node> operand;
        bool matches(const NodeView& node) const { return !operand->matches(node); }
    };

    // Identity terms ANDed at the top level, which MCollective reads as repeated -I options: the
    // node passes when exactly one of them matches its identity.
    struct ExactlyOneIdentity
    {
        std::vector<Pattern> identities;
        bool matches(const NodeView& node) const;
    };

    struct FactTest
    {
        std::string fact;
        Compare compare = Compare::Equal;
        Pattern value;
        std::optional<double> number; // the value as a number, when it is one

        bool matches(const NodeView& node) const;
        std::partial_ordering order(std::string_view actual) const;
    };

    struct ClassTest
    {
        Pattern name;
        bool matches(const NodeView& node) const;
    };

    struct IdentityTest
    {
        Pattern identity;
        bool matches(const NodeView& node) const { return identity.matches(node.identity()); }
    };

    struct AgentTest
    {
        Pattern name;
        bool matches(const NodeView& node) const;
    };

    std::variant<AllOf, AnyOf, Not, ExactlyOneIdentity, FactTest, ClassTest, IdentityTest,
                 AgentTest>
        test;

    bool matches(const NodeView& node) const
    {
        return std::visit([&node](const auto& t) { return t.matches(node); }, test);
    }
};

namespace {

using Node = Filter::Node;
using NodePtr = std::unique_ptr<Node>;
using Compare = Node::Compare;

// Deep enough for any filter a person writes, shallow enough that recursion cannot overflow.
constexpr int max_nesting = 100;

std::optional<double> parse_number(std::string_view text)
{
    double value = 0;
    const char* last = text.data() + text.size();
    const auto [end, error] = std::from_chars(text.data(), last, value);
    if (error != std::errc{} || end != last || !std::isfinite(value))
        return std::nullopt;
    return value;
}

bool any_matches(const std::vector<std::string_view>& names, const Node::Pattern& pattern)
{
    return std::any_of(names.begin(), names.end(),
                       [&pattern](std::string_view name) { return pattern.matches(name); });
}

} // namespace

bool Node::Pattern::matches(std::string_view subject) const
{
    if (!regex)
        return subject == text;
    return std::regex_search(subject.data(), subject.data() + subject.size(), *regex);
}

bool Node::AllOf::matches(const NodeView& node) const
{
    return std::all_of(operands.begin(), operands.end(),
                       [&node](const NodePtr& operand) { return operand->matches(node); });
}

bool Node::AnyOf::matches(const NodeView& node) const
{
    return std::any_of(operands.begin(), operands.end(),
                       [&node](const NodePtr& operand) { return operand->matches(node); });
}

bool Node::ExactlyOneIdentity::matches(const NodeView& node) const
{
    const std::string identity = node.identity();
    int matched = 0;
    for (const auto& pattern : identities) {
        if (pattern.matches(identity) && ++matched > 1)
            return false;
    }
    return matched == 1;
}

std::partial_ordering Node::FactTest::order(std::string_view actual) const
{
    if (number) {
        if (const auto actual_number = parse_number(actual))
            return *actual_number <=> *number;
    }
    return actual <=> std::string_view(value.text);
}

bool Node::FactTest::matches(const NodeView& node) const
{
    const auto actual = node.fact(fact);
    if (!actual)
        return false; // MCollective fails every test on a missing fact, `!=` included

    switch (compare) {
    case Compare::Equal:
        return *actual == value.text;
    case Compare::NotEqual:
        return *actual != value.text;
    case Compare::Search:
        return value.matches(*actual);
    case Compare::NotSearch:
        return !value.matches(*actual);
    case Compare::Less:
        return order(*actual) < 0;
    case Compare::Greater:
        return order(*actual) > 0;
    case Compare::LessEqual:
        return order(*actual) <= 0;
    case Compare::GreaterEqual:
        return order(*actual) >= 0;
    }
    return false;
}

bool Node::ClassTest::matches(const NodeView& node) const
{
    if (!name.regex)
        return node.has_class(name.text);
    return any_matches(node.classes(), name);
}

bool Node::AgentTest::matches(const NodeView& node) const
{
    if (!name.regex)
        return node.has_agent(name.text);
    return any_matches(node.agents(), name);
}

namespace {

enum class TokenKind
{
    End,
    Word,
    Quoted,
    Regex,
    Compare,
    And,
    Or,
    Not,
    LeftParen,
    RightParen
};

struct Token
{
    TokenKind kind = TokenKind::End;
    std::string_view spelling; // as written, quotes and slashes included
    std::string text;          // the word, or the content of a quoted value or regex
    Compare compare = Compare::Equal;
    int column = 0;      // 1-based; 0 before the first token
    bool spaced = false; // whitespace comes before it
};

struct Symbol
{
    std::string_view spelling;
    TokenKind kind;
    Compare compare = Compare::Equal;
};

// Longest spelling first, so that "<=" is never read as "<" followed by "=".
constexpr Symbol symbols[] = {
    {"&&", TokenKind::And},
    {"||", TokenKind::Or},
    {"==", TokenKind::Compare, Compare::Equal},
    {"=~", TokenKind::Compare, Compare::Search},
    {"!=", TokenKind::Compare, Compare::NotEqual},
    {"<=", TokenKind::Compare, Compare::LessEqual},
    {">=", TokenKind::Compare, Compare::GreaterEqual},
    {"=", TokenKind::Compare, Compare::Equal},
    {"<", TokenKind::Compare, Compare::Less},
    {">", TokenKind::Compare, Compare::Greater},
    {"!", TokenKind::Not},
    {"(", TokenKind::LeftParen},
    {")", TokenKind::RightParen},
};

bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool is_word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.' || c == ':';
}

// `keyword` is lowercase ASCII.
bool equals_ignoring_case(std::string_view word, std::string_view keyword)
{
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
    return std::equal(word.begin(), word.end(), keyword.begin(), keyword.end(),
                      [&lower](char a, char b) { return lower(a) == b; });
}

std::string describe(const Token& token)
{
    switch (token.kind) {
    case TokenKind::End:
        return "end of filter";
    case TokenKind::Quoted:
        return fmt::format("quoted value {}", token.spelling);
    case TokenKind::Regex:
        return fmt::format("regex {}", token.spelling);
    default:
        return fmt::format("'{}'", token.spelling);
    }
}

std::string describe_char(char c)
{
    if (c >= 0x20 && c < 0x7f)
        return fmt::format("'{}'", c);
    return fmt::format("byte 0x{:02x}", static_cast<unsigned char>(c));
}

// libstdc++ reports unbalanced parentheses and a quantifier with nothing before it under the
// same code, so the pattern is looked at again to say which one it was.
std::string_view explain_paren_error(std::string_view pattern)
{
    int open = 0;
    bool in_brackets = false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (c == '\\')
            ++i;
        else if (in_brackets)
            in_brackets = c != ']';
        else if (c == '[')
            in_brackets = true;
        else if (c == '(')
            ++open;
        else if (c == ')' && --open < 0)
            return "')' without a matching '('";
    }
    if (open > 0)
        return "'(' without a matching ')'";
    return "'*', '+', '?' or '{' with nothing to repeat";
}

std::string_view explain_regex_error(const std::regex_error& error, std::string_view pattern)
{
    namespace rc = std::regex_constants;
    switch (error.code()) {
    case rc::error_collate:
    case rc::error_ctype:
        return "unknown name inside '[: :]', '[. .]' or '[= =]'";
    case rc::error_escape:
        return "invalid escape sequence";
    case rc::error_backref:
        return "back reference to a group that does not exist";
    case rc::error_brack:
        return "'[' without a matching ']'";
    case rc::error_paren:
        return explain_paren_error(pattern);
    case rc::error_brace:
    case rc::error_badbrace:
        return "invalid repeat count between '{' and '}'";
    case rc::error_range:
        return "invalid character range";
    case rc::error_badrepeat:
        return "'*', '+', '?' or '{' with nothing to repeat";
    case rc::error_space:
    case rc::error_complexity:
    case rc::error_stack:
        return "too complex to compile";
    default:
        return "not a valid ECMAScript regular expression";
    }
}

// The escapes a Ruby user reaches for that ECMAScript lacks; libstdc++ would read them as the
// plain letters, so a filter would silently match the wrong nodes.
std::optional<std::string> ruby_escape_hint(std::string_view pattern)
{
    struct Replacement
    {
        char escape;
        std::string_view instead;
    };
    constexpr Replacement replacements[] = {
        {'A', "^"}, {'z', "$"}, {'Z', "$"}, {'h', "[0-9a-fA-F]"}};

    for (std::size_t i = 0; i + 1 < pattern.size(); ++i) {
        if (pattern[i] != '\\')
            continue;
        ++i;
        for (const auto& replacement : replacements) {
            if (pattern[i] == replacement.escape)
                return fmt::format("'\\{}' is Ruby syntax, write '{}' instead", replacement.escape,
                                   replacement.instead);
        }
    }
    return std::nullopt;
}

class Parser
{
public:
    explicit Parser(std::string_view text) : text_(text) { next_ = lex(); }

    NodePtr parse_filter();

private:
    [[noreturn]] static void fail(const Token& at, const std::string& message)
    {
        throw FilterParseError(at.column, message);
    }

    // Consumes the lookahead token, lexes the one after it, and returns the consumed one.
    const Token& advance();

    Token lex();
    Token lex_word(Token token);
    Token lex_quoted(Token token);
    Token lex_regex(Token token);
    Token lex_symbol(Token token);

    NodePtr parse_or(bool top_level);
    std::vector<NodePtr> parse_and_operands();
    NodePtr parse_unary();
    NodePtr parse_group();
    NodePtr parse_comparison();
    void check_value(const Token& compare) const;
    [[noreturn]] void fail_expected_term() const;

    void descend(const Token& at);
    static Node::Pattern compile(const Token& token);
    static NodePtr make_listed_test(const Token& name, const Token& compare, const Token& value);
    static NodePtr make_fact_test(const Token& name, const Token& compare, const Token& value);
    static NodePtr make_and(std::vector<NodePtr> operands);
    static NodePtr make_top_level_and(std::vector<NodePtr> operands);

    std::string_view text_;
    std::size_t pos_ = 0;
    Token next_;
    Token previous_;
    int depth_ = 0;
};

template <typename Test> NodePtr make_node(Test test)
{
    return std::make_unique<Node>(Node{std::move(test)});
}

const Token& Parser::advance()
{
    previous_ = std::move(next_);
    next_ = lex();
    return previous_;
}

Token Parser::lex()
{
    const std::size_t before = pos_;
    while (pos_ < text_.size() && is_space(text_[pos_]))
        ++pos_;

    Token token;
    token.column = static_cast<int>(pos_) + 1;
    token.spaced = pos_ > before;
    if (pos_ == text_.size())
        return token;

    const char c = text_[pos_];
    if (is_word_char(c))
        return lex_word(std::move(token));
    if (c == '"' || c == '\'')
        return lex_quoted(std::move(token));
    if (c == '/')
        return lex_regex(std::move(token));
    return lex_symbol(std::move(token));
}

Token Parser::lex_word(Token token)
{
    const std::size_t start = pos_;
    while (pos_ < text_.size() && is_word_char(text_[pos_]))
        ++pos_;
    token.spelling = text_.substr(start, pos_ - start);
    token.text = std::string(token.spelling);

    if (equals_ignoring_case(token.spelling, "and"))
        token.kind = TokenKind::And;
    else if (equals_ignoring_case(token.spelling, "or"))
        token.kind = TokenKind::Or;
    else if (equals_ignoring_case(token.spelling, "not"))
        token.kind = TokenKind::Not;
    else
        token.kind = TokenKind::Word;
    return token;
}

// A backslash escapes the quote character and itself; any other backslash is kept, so that a
// quoted value after =~ can carry regex escapes such as \d.
Token Parser::lex_quoted(Token token)
{
    const std::size_t start = pos_;
    const char quote = text_[pos_++];
    while (pos_ < text_.size() && text_[pos_] != quote) {
        const bool escape = text_[pos_] == '\\' && pos_ + 1 < text_.size() &&
                            (text_[pos_ + 1] == quote || text_[pos_ + 1] == '\\');
        if (escape)
            ++pos_;
        token.text += text_[pos_++];
    }
    if (pos_ == text_.size())
        fail(token,
             fmt::format("unterminated quoted value: no closing {} before end of filter", quote));

    ++pos_;
    token.kind = TokenKind::Quoted;
    token.spelling = text_.substr(start, pos_ - start);
    return token;
}

// `\/` stands for a slash inside the regex; every other escape is left for std::regex.
Token Parser::lex_regex(Token token)
{
    const std::size_t start = pos_++;
    while (pos_ < text_.size() && text_[pos_] != '/') {
        if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) {
            if (text_[pos_ + 1] != '/')
                token.text += '\\';
            ++pos_;
        }
        token.text += text_[pos_++];
    }
    if (pos_ == text_.size())
        fail(token, "unterminated regex: no closing '/' before end of filter");

    ++pos_;
    token.kind = TokenKind::Regex;
    token.spelling = text_.substr(start, pos_ - start);
    return token;
}

Token Parser::lex_symbol(Token token)
{
    const std::string_view rest = text_.substr(pos_);
    for (const auto& symbol : symbols) {
        if (rest.starts_with(symbol.spelling)) {
            pos_ += symbol.spelling.size();
            token.kind = symbol.kind;
            token.compare = symbol.compare;
            token.spelling = symbol.spelling;
            return token;
        }
    }

    const char c = rest.front();
    if (c == '&' || c == '|')
        fail(token, fmt::format("unexpected character '{0}' (did you mean '{0}{0}'?)", c));
    fail(token, fmt::format("unexpected character {}", describe_char(c)));
}

NodePtr Parser::parse_filter()
{
    if (next_.kind == TokenKind::End)
        return nullptr;

    auto root = parse_or(true);
    if (next_.kind == TokenKind::RightParen)
        fail(next_, "unbalanced parenthesis: ')' without a matching '('");
    if (next_.kind != TokenKind::End)
        fail(next_,
             fmt::format("expected 'and', 'or' or end of filter, found {}", describe(next_)));
    return root;
}

NodePtr Parser::parse_or(bool top_level)
{
    auto operands = parse_and_operands();
    if (next_.kind != TokenKind::Or)
        return top_level ? make_top_level_and(std::move(operands)) : make_and(std::move(operands));

    Node::AnyOf any;
    any.operands.push_back(make_and(std::move(operands)));
    while (next_.kind == TokenKind::Or) {
        advance();
        any.operands.push_back(make_and(parse_and_operands()));
    }
    return make_node(std::move(any));
}

std::vector<NodePtr> Parser::parse_and_operands()
{
    std::vector<NodePtr> operands;
    operands.push_back(parse_unary());
    while (next_.kind == TokenKind::And) {
        advance();
        operands.push_back(parse_unary());
    }
    return operands;
}

NodePtr Parser::parse_unary()
{
    switch (next_.kind) {
    case TokenKind::Not: {
        descend(advance());
        auto operand = parse_unary();
        --depth_;
        return make_node(Node::Not{std::move(operand)});
    }
    case TokenKind::LeftParen:
        return parse_group();
    case TokenKind::Regex: {
        auto term = make_node(Node::ClassTest{compile(next_)});
        advance();
        return term;
    }
    case TokenKind::Word:
        advance();
        if (next_.kind == TokenKind::Compare)
            return parse_comparison();
        return make_node(Node::ClassTest{Node::Pattern{previous_.text, std::nullopt}});
    default:
        fail_expected_term();
    }
}

NodePtr Parser::parse_group()
{
    const Token open = advance();
    descend(open);
    auto inner = parse_or(false);
    --depth_;

    if (next_.kind == TokenKind::End)
        fail(open, "unbalanced parenthesis: '(' is never closed");
    if (next_.kind != TokenKind::RightParen)
        fail(next_, fmt::format("expected 'and', 'or' or ')', found {}", describe(next_)));
    advance();
    return inner;
}

// Each value is consumed only after its regex compiled, so that errors come in reading order.
NodePtr Parser::parse_comparison()
{
    const Token name = previous_;
    const Token compare = advance();
    check_value(compare);

    const bool listed = name.text == "identity" || name.text == "agent";
    auto term =
        listed ? make_listed_test(name, compare, next_) : make_fact_test(name, compare, next_);
    advance();
    return term;
}

// A keyword is taken as a value only when it touches the operator: `state=OR` compares with
// "OR", while `state= or x` is a value left out.
void Parser::check_value(const Token& compare) const
{
    switch (next_.kind) {
    case TokenKind::Word:
    case TokenKind::Quoted:
    case TokenKind::Regex:
        return;
    case TokenKind::And:
    case TokenKind::Or:
    case TokenKind::Not:
        if (!next_.spaced && is_word_char(next_.spelling.front()))
            return;
        break;
    default:
        break;
    }
    fail(next_,
         fmt::format("expected a value after '{}', found {}", compare.spelling, describe(next_)));
}

// identity= and agent= name one thing a node has, literally or by regex.
NodePtr Parser::make_listed_test(const Token& name, const Token& compare, const Token& value)
{
    if (compare.compare != Compare::Equal && compare.compare != Compare::Search)
        fail(compare, fmt::format("{} can only be compared with '=', '==' or '=~', not '{}'",
                                  name.text, compare.spelling));

    const bool regex = value.kind == TokenKind::Regex || compare.compare == Compare::Search;
    auto pattern = regex ? compile(value) : Node::Pattern{value.text, std::nullopt};
    if (name.text == "identity")
        return make_node(Node::IdentityTest{std::move(pattern)});
    return make_node(Node::AgentTest{std::move(pattern)});
}

NodePtr Parser::make_fact_test(const Token& name, const Token& compare, const Token& value)
{
    Node::FactTest test{name.text, compare.compare, {value.text, std::nullopt}, std::nullopt};
    if (value.kind == TokenKind::Regex) {
        if (test.compare == Compare::Equal)
            test.compare = Compare::Search;
        else if (test.compare == Compare::NotEqual)
            test.compare = Compare::NotSearch;
        else if (test.compare != Compare::Search)
            fail(value, fmt::format("a regex can only follow '=', '==', '=~' or '!=', not '{}'",
                                    compare.spelling));
    }

    if (test.compare == Compare::Search || test.compare == Compare::NotSearch)
        test.value = compile(value);
    else
        test.number = parse_number(value.text);
    return make_node(std::move(test));
}

void Parser::fail_expected_term() const
{
    if (previous_.column == 0)
        fail(next_, fmt::format("expected a term, found {}", describe(next_)));
    fail(next_,
         fmt::format("expected a term after '{}', found {}", previous_.spelling, describe(next_)));
}

void Parser::descend(const Token& at)
{
    if (++depth_ > max_nesting)
        fail(at, fmt::format("filter nested too deeply: more than {} levels of parentheses and "
                             "'not'",
                             max_nesting));
}

Node::Pattern Parser::compile(const Token& token)
{
    if (const auto hint = ruby_escape_hint(token.text))
        fail(token, fmt::format("invalid regular expression '{}': {}", token.text, *hint));

    try {
        return {token.text, std::regex(token.text, std::regex::ECMAScript)};
    } catch (const std::regex_error& error) {
        fail(token, fmt::format("invalid regular expression '{}': {}", token.text,
                                explain_regex_error(error, token.text)));
    }
}

NodePtr Parser::make_and(std::vector<NodePtr> operands)
{
    if (operands.size() == 1)
        return std::move(operands.front());
    return make_node(Node::AllOf{std::move(operands)});
}

// Only identity terms that are direct operands of the top-level AND chain are gathered; inside
// parentheses, under `not` or beside an `or` they stay plain boolean terms.
NodePtr Parser::make_top_level_and(std::vector<NodePtr> operands)
{
    const auto is_identity = [](const NodePtr& operand) {
        return std::holds_alternative<Node::IdentityTest>(operand->test);
    };
    if (std::count_if(operands.begin(), operands.end(), is_identity) < 2)
        return make_and(std::move(operands));

    // The identity group goes first: it is cheap and rules out nearly every node.
    Node::ExactlyOneIdentity identities;
    std::vector<NodePtr> rest(1);
    for (auto& operand : operands) {
        if (is_identity(operand))
            identities.identities.push_back(
                std::move(std::get<Node::IdentityTest>(operand->test).identity));
        else
            rest.push_back(std::move(operand));
    }
    rest.front() = make_node(std::move(identities));
    return make_and(std::move(rest));
}

} // namespace

Filter::Filter() = default;

Filter Filter::parse(std::string_view text)
{
    Filter filter;
    filter.text_ = std::string(text);
    filter.root_ = Parser(text).parse_filter();
    return filter;
}

bool Filter::matches(const NodeView& node) const
{
    return !root_ || root_->matches(node);
}

bool Filter::empty() const
{
    return !root_;
}

} // namespace brokersim::model
