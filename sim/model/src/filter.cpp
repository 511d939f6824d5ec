// Parsing and evaluating MCollective request filters; filter.hpp gives the grammar.
//
// A small hand-written lexer feeds a recursive-descent parser one token at a time, so the first
// problem in reading order is the one reported. Every regex is compiled here, once: matching a
// node compiles nothing and allocates nothing beyond what the NodeView itself returns.
//
// Regexes run on RE2, whose matching time grows linearly with the subject, so no pattern can
// stall a run the way a backtracking engine can with /(a+)+$/. MCollective evaluates them with
// Ruby; ruby_to_re2 below carries over what RE2 can express with Ruby's meaning (\h, \H,
// (?<name>...), Ruby's (?m)) and refuses the rest with a hint. What still differs from a real
// node: `^` and `$` anchor the whole value rather than one line of it; \s does not match \v;
// POSIX classes such as [[:alpha:]] are ASCII-only. Ordering operators treat any finite
// decimal number (exponents included) as a number, where MCollective only converts plain
// integers and plain decimals; "1e3" > "999" is true here and false on a real node.
#include "brokersim/model/filter.hpp"

#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <compare>
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
        std::string text; // the literal, or the regex source as written
        std::unique_ptr<const re2::RE2> regex;

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
    return re2::RE2::PartialMatch(re2::StringPiece(subject.data(), subject.size()), *regex);
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

// Ruby's \h is a hex digit (RE2 has no \h); inside brackets it joins the enclosing class.
std::string_view hex_digit_class(bool negated, bool in_brackets)
{
    if (in_brackets)
        return negated ? "[:^xdigit:]" : "[:xdigit:]";
    return negated ? "[[:^xdigit:]]" : "[[:xdigit:]]";
}

struct Translation
{
    std::string re2;     // the pattern in RE2's syntax
    std::string refusal; // why it has none, when it has none
};

// Ruby's inline flags `(?imx-imx)` and `(?imx-imx:...)`, read from `(?`. Ruby's m lets '.'
// match a newline, which RE2 calls s; RE2's own m (line anchors) has no Ruby spelling.
std::size_t translate_flags(std::string_view group, Translation& out)
{
    const std::size_t end = group.find_first_not_of("imxsuadU-", 2);
    if (end == std::string_view::npos || end == 2 || (group[end] != ')' && group[end] != ':'))
        return 0;

    std::string flags;
    for (const char flag : group.substr(2, end - 2)) {
        if (flag == 'i' || flag == '-')
            flags += flag;
        else if (flag == 'm')
            flags += 's';
        else if (flag == 'x')
            out.refusal = fmt::format("extended mode '{}' is not supported by RE2: write the "
                                      "pattern without spaces and comments",
                                      group.substr(0, end + 1));
        else if (flag == 's')
            out.refusal = fmt::format("'{}' is not Ruby syntax: Ruby's '(?m)' lets '.' match a "
                                      "newline",
                                      group.substr(0, end + 1));
        else
            out.refusal = fmt::format("flag '{}' in '{}' is not supported: write i or m", flag,
                                      group.substr(0, end + 1));
        if (!out.refusal.empty())
            return 0;
    }
    out.re2 += fmt::format("(?{}", flags);
    return end;
}

// Ruby's \uXXXX and \u{X...} are RE2's \x{...}; returns how many characters it read, less one.
std::size_t translate_unicode_escape(std::string_view escape, Translation& out)
{
    const auto is_hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
    // Ruby refuses code points past U+10FFFF and the UTF-16 surrogates, which are no
    // characters; RE2 would report them in its own spelling.
    const auto code_point = [&](std::string_view digits, std::string_view written) {
        const auto value = digits.size() > 6 ? 0x110000 : std::stoul(std::string(digits), nullptr, 16);
        if (value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
            if (out.refusal.empty())
                out.refusal = fmt::format("'{}' is not a Unicode character (at most U+10FFFF, "
                                          "and no surrogates U+D800 to U+DFFF)",
                                          written);
            return false;
        }
        out.re2 += fmt::format("\\x{{{}}}", digits);
        return true;
    };
    if (escape.starts_with("\\u{")) {
        const auto close = escape.find('}');
        const auto digits =
            close == std::string_view::npos ? std::string_view() : escape.substr(3, close - 3);
        if (digits.empty() || !std::all_of(digits.begin(), digits.end(), is_hex)) {
            if (out.refusal.empty())
                out.refusal = "'\\u{...}' takes one to six hex digits between the braces";
            return close == std::string_view::npos ? 2 : close;
        }
        code_point(digits, escape.substr(0, close + 1));
        return close;
    }
    if (escape.size() >= 6 && std::all_of(escape.begin() + 2, escape.begin() + 6, is_hex)) {
        code_point(escape.substr(2, 4), escape.substr(0, 6));
        return 5;
    }
    out.refusal = "'\\u' takes four hex digits or '{...}'";
    return 0;
}

// Lookaround needs backtracking, which RE2 gives up to match in linear time. A filter can
// say the same with a second test.
std::optional<std::string> lookaround_refusal(std::string_view group)
{
    struct Lookaround
    {
        std::string_view spelling;
        std::string_view name;
    };
    constexpr Lookaround lookarounds[] = {{"(?=", "lookahead"},
                                          {"(?!", "negative lookahead"},
                                          {"(?<=", "lookbehind"},
                                          {"(?<!", "negative lookbehind"}};

    for (const auto& lookaround : lookarounds) {
        if (group.starts_with(lookaround.spelling))
            return fmt::format("{} '{}...)' is not supported by RE2: join a second test with "
                               "'and' instead ('fact=~/re/', 'fact!=/re/', 'not /re/')",
                               lookaround.name, lookaround.spelling);
    }
    return std::nullopt;
}

// A counted repetition at the start of `rest` ('{'): Ruby's {,n} is RE2's {0,n}, and a count
// above 1000 is refused, where RE2 would read the braces as literal text rather than fail. A
// brace that starts no repetition is copied, as both read it literally. Returns how many
// characters it read, less one.
std::size_t translate_repeat(std::string_view rest, Translation& out)
{
    const auto close = rest.find('}');
    if (close == std::string_view::npos)
        return (out.re2 += '{', 0);
    const auto inside = rest.substr(1, close - 1);
    const auto comma = inside.find(',');
    const auto low = inside.substr(0, comma);
    const auto high = comma == std::string_view::npos ? std::string_view() : inside.substr(comma + 1);
    const auto digits = [](std::string_view text) {
        return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    if (inside.empty() || !digits(low) || !digits(high) ||
        (comma != std::string_view::npos && inside.find(',', comma + 1) != std::string_view::npos) ||
        (low.empty() && high.empty()))
        return (out.re2 += '{', 0);
    for (const auto count : {low, high})
        if (count.size() > 4 || (!count.empty() && std::stoi(std::string(count)) > 1000)) {
            if (out.refusal.empty())
                out.refusal = fmt::format("repeat count above 1000 in '{}', the most RE2 allows",
                                          rest.substr(0, close + 1));
            return close;
        }
    out.re2 += low.empty() ? fmt::format("{{0{}}}", inside) : std::string(rest.substr(0, close + 1));
    return close;
}

// Rewrites the Ruby syntax RE2 spells differently, keeping Ruby's meaning; everything else is
// copied for RE2 to judge. Escapes and bracket expressions are stepped over whole, so that their
// contents are never mistaken for groups.
Translation ruby_to_re2(std::string_view ruby)
{
    Translation out;
    bool in_brackets = false;
    for (std::size_t i = 0; i < ruby.size() && out.refusal.empty(); ++i) {
        const std::string_view rest = ruby.substr(i);
        if (rest.starts_with("\\Q")) {
            out.refusal = "'\\Q...\\E' is not supported: escape each special character with "
                          "'\\' instead";
        } else if (rest.starts_with("\\h") || rest.starts_with("\\H")) {
            out.re2 += hex_digit_class(rest[1] == 'H', in_brackets);
            ++i;
        } else if (rest.starts_with("\\u")) {
            i += translate_unicode_escape(rest, out);
        } else if (rest.size() > 1 && rest[0] == '\\') {
            out.re2 += rest.substr(0, 2);
            ++i;
        } else if (in_brackets) {
            const std::size_t named_end = rest.starts_with("[:") ? rest.find(":]") : 0;
            if (named_end != 0 && named_end != std::string_view::npos) {
                out.re2 += rest.substr(0, named_end + 2);
                i += named_end + 1;
                continue;
            }
            in_brackets = rest[0] != ']';
            out.re2 += rest[0];
        } else if (rest[0] == '[') {
            // A ']' right after '[' or '[^' is a member, not the end.
            std::size_t opening = rest.starts_with("[^") ? 2 : 1;
            if (rest.substr(opening).starts_with("]"))
                ++opening;
            out.re2 += rest.substr(0, opening);
            i += opening - 1;
            in_brackets = true;
        } else if (rest.starts_with("(?")) {
            if (auto refusal = lookaround_refusal(rest)) {
                out.refusal = std::move(*refusal);
            } else if (rest.starts_with("(?P") && rest.size() > 3) {
                // RE2 (and Python) name groups so; Ruby, and so MCollective, refuses it.
                out.refusal = fmt::format("'{}' is not Ruby syntax: Ruby names a group "
                                          "'(?<name>...)'",
                                          rest.substr(0, 4));
            } else if (rest.starts_with("(?<")) {
                out.re2 += "(?P<"; // Ruby's named group, in the spelling this RE2 knows
                i += 2;
            } else if (const std::size_t flags_end = translate_flags(rest, out)) {
                i += flags_end - 1;
            } else if (out.refusal.empty()) {
                out.re2 += "(?";
                ++i;
            }
        } else if (rest[0] == '{') {
            i += translate_repeat(rest, out);
        } else {
            out.re2 += rest[0];
        }
    }
    return out;
}

std::string explain_bad_escape(std::string_view escape)
{
    if (escape.size() == 2 && escape[1] >= '1' && escape[1] <= '9')
        return fmt::format("backreference '{}' is not supported by RE2, which matches in linear "
                           "time: spell the repeated text out",
                           escape);
    if (escape == "\\k" || escape == "\\g")
        return fmt::format("named backreference or subroutine '{}' is not supported by RE2",
                           escape);
    if (escape == "\\Z")
        return "'\\Z' is not supported by RE2: write '\\z' or '$', which do not match before a "
               "final newline";
    if (escape == "\\e")
        return "'\\e' is not supported by RE2: write '\\x1b' instead";
    if (escape == "\\c")
        return "control escape '\\c' is not supported by RE2: write '\\x01' for '\\cA' and so "
               "on";
    return fmt::format("invalid escape sequence '{}'", escape);
}

std::string explain_bad_group(std::string_view group)
{
    if (group == "(?>")
        return "atomic group '(?>...)' is not supported by RE2 (a plain '(?:...)' may match "
               "more)";
    if (group == "(?#")
        return "comment '(?#...)' is not supported by RE2: leave it out";
    if (group == "(?(")
        return "conditional group '(?(...)...)' is not supported by RE2";
    return fmt::format("unsupported group '{}'", group);
}

// RE2's own repeat-size errors: a count range backwards, or repeats nested to more than 1000
// in all, as in (a{100}){100}. A single count over 1000 never gets here (translate_repeat).
std::string explain_repeat_size(std::string_view repeat)
{
    const auto comma = repeat.find(',');
    if (comma != std::string_view::npos && comma + 2 < repeat.size()) {
        int low = 0;
        int high = 0;
        std::from_chars(repeat.data() + 1, repeat.data() + comma, low);
        std::from_chars(repeat.data() + comma + 1, repeat.data() + repeat.size() - 1, high);
        if (high < low)
            return "invalid repeat count between '{' and '}'";
    }
    return fmt::format("repeats nested around '{}' come to more than 1000 in all, the most RE2 "
                       "allows",
                       repeat);
}

std::string explain_re2_error(const re2::RE2& regex)
{
    std::string arg = regex.error_arg();
    switch (regex.error_code()) {
    case re2::RE2::ErrorBadEscape:
        return explain_bad_escape(arg);
    case re2::RE2::ErrorBadPerlOp:
        return explain_bad_group(arg);
    case re2::RE2::ErrorMissingBracket:
        return "'[' without a matching ']'";
    case re2::RE2::ErrorMissingParen:
        return "'(' without a matching ')'";
    case re2::RE2::ErrorUnexpectedParen:
        return "')' without a matching '('";
    case re2::RE2::ErrorTrailingBackslash:
        return "'\\' at the end with nothing to escape";
    case re2::RE2::ErrorRepeatArgument:
        return "'*', '+', '?' or '{' with nothing to repeat";
    case re2::RE2::ErrorRepeatSize:
        return explain_repeat_size(arg);
    case re2::RE2::ErrorRepeatOp:
        if (arg.size() == 2 && arg[1] == '+')
            return fmt::format("possessive repetition '{}' is not supported by RE2", arg);
        return fmt::format("'{}' repeats a repetition: put the inner one in parentheses", arg);
    case re2::RE2::ErrorBadCharRange:
        if (arg.starts_with("[:"))
            return fmt::format("unknown character class '{}'", arg);
        if (arg.starts_with("\\p") || arg.starts_with("\\P"))
            return fmt::format("unknown Unicode class '{}'", arg);
        return fmt::format("invalid character range '{}'", arg);
    case re2::RE2::ErrorBadNamedCapture:
        if (arg.starts_with("(?P<"))
            arg.erase(2, 1); // as the user wrote it, before translation
        return fmt::format("invalid group name in '{}'", arg);
    case re2::RE2::ErrorBadUTF8:
        return "not valid UTF-8";
    case re2::RE2::ErrorPatternTooLarge:
        return "too large to compile";
    default:
        return fmt::format("not valid in RE2: {}", regex.error());
    }
}

re2::RE2::Options regex_options()
{
    re2::RE2::Options options; // UTF-8, case-sensitive, Perl classes, '^' and '$' at the ends
    options.set_log_errors(false);
    return options;
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

// `\/` stands for a slash inside the regex; every other escape is left for ruby_to_re2.
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
        return make_node(Node::ClassTest{Node::Pattern{previous_.text, nullptr}});
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
    auto pattern = regex ? compile(value) : Node::Pattern{value.text, nullptr};
    if (name.text == "identity")
        return make_node(Node::IdentityTest{std::move(pattern)});
    return make_node(Node::AgentTest{std::move(pattern)});
}

NodePtr Parser::make_fact_test(const Token& name, const Token& compare, const Token& value)
{
    Node::FactTest test{name.text, compare.compare, {value.text, nullptr}, std::nullopt};
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
    const auto fail_regex = [&token](std::string_view why) {
        fail(token, fmt::format("invalid regular expression '{}': {}", token.text, why));
    };

    const auto translation = ruby_to_re2(token.text);
    if (!translation.refusal.empty())
        fail_regex(translation.refusal);

    auto regex = std::make_unique<const re2::RE2>(translation.re2, regex_options());
    if (!regex->ok())
        fail_regex(explain_re2_error(*regex));
    // Matching stays linear in the value, but its factor is the compiled program's size once
    // RE2's DFA runs out of memory, as it does for nested counted repeats: (.*a){1000} compiles
    // to 11,004 instructions and took seconds per node on long values. Filters that select
    // machines are a few dozen instructions.
    constexpr int most_instructions = 2500;
    if (regex->ProgramSize() > most_instructions)
        fail_regex(fmt::format("too complex: it compiles to {} RE2 instructions, at most {} "
                               "(nested counted repeats multiply)",
                               regex->ProgramSize(), most_instructions));
    return {token.text, std::move(regex)};
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
