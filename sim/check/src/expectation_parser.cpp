// The expectation language's parser: words separated by spaces, numbers with their unit
// attached or not ("3s", "3 s", "95%"), names as single words or in single quotes.
#include "brokersim/check/expectation.hpp"

#include "text_util.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace brokersim::check {

namespace {

const std::vector<std::string> first_words = {"every", "at", "no", "reply", "link", "node"};

std::string_view describe(ExpectationKind kind)
{
    switch (kind) {
    case ExpectationKind::NoStrandedMessages:
        return "'no stranded messages'";
    case ExpectationKind::LinkUtilisation:
        return "a link's utilisation";
    case ExpectationKind::GroupReachable:
        return "reachability";
    case ExpectationKind::NoBrokerOverBudget:
        return "'no broker over memory budget'";
    default:
        return "this expectation";
    }
}

bool takes_request(ExpectationKind kind)
{
    return kind != ExpectationKind::NoStrandedMessages &&
           kind != ExpectationKind::LinkUtilisation && kind != ExpectationKind::GroupReachable &&
           kind != ExpectationKind::NoBrokerOverBudget;
}

class Parser
{
public:
    Parser(std::string_view text, const model::SourcePos& start) : text_(text)
    {
        result_.text = std::string(text);
        result_.pos = start;
    }

    Expectation parse()
    {
        const auto first = peek();
        if (first.text.empty())
            fail(first.offset,
                 fmt::format("empty expectation (expectations start with {})", join(first_words)));
        if (first.text == "every")
            parse_replies_within();
        else if (first.text == "at")
            parse_at_most();
        else if (first.text == "no")
            parse_no();
        else if (first.text == "reply")
            parse_completeness();
        else if (first.text == "link")
            parse_link();
        else if (first.text == "node")
            parse_reachable();
        else
            fail(first.offset,
                 fmt::format("unknown expectation starting with {}{}", single_quoted(first.text),
                             suggestion(first.text, first_words)));

        parse_request_suffix();
        if (const auto rest = peek(); !rest.text.empty())
            fail(rest.offset,
                 fmt::format("unexpected {} after the expectation", single_quoted(rest.text)));
        return std::move(result_);
    }

private:
    struct Word
    {
        std::string_view text; // empty at the end of the expectation
        std::size_t offset = 0;
    };

    void parse_replies_within()
    {
        result_.kind = ExpectationKind::RepliesWithin;
        for (const auto* word : {"every", "matching", "node", "replies", "within"})
            keyword(word);
        result_.limit = duration_s();
    }

    void parse_at_most()
    {
        keyword("at");
        keyword("most");
        result_.limit = count();
        const auto what = take();
        if (what.text == "duplicate") {
            const auto which = take();
            if (which.text == "deliveries")
                result_.kind = ExpectationKind::MaxDuplicateDeliveries;
            else if (which.text == "executions")
                result_.kind = ExpectationKind::MaxDuplicateExecutions;
            else
                fail(which.offset, fmt::format("expected 'deliveries' or 'executions' after "
                                               "'duplicate', got {}",
                                               shown(which)));
        } else if (what.text == "missing") {
            keyword("replies");
            result_.kind = ExpectationKind::MaxMissingReplies;
        } else {
            fail(what.offset, fmt::format("expected 'duplicate deliveries', 'duplicate "
                                          "executions' or 'missing replies' after the count, "
                                          "got {}",
                                          shown(what)));
        }
    }

    void parse_no()
    {
        keyword("no");
        const auto what = peek();
        if (what.text == "stranded") {
            result_.kind = ExpectationKind::NoStrandedMessages;
            for (const auto* word : {"stranded", "messages"})
                keyword(word);
        } else if (what.text == "broker") {
            result_.kind = ExpectationKind::NoBrokerOverBudget;
            for (const auto* word : {"broker", "over", "memory", "budget"})
                keyword(word);
        } else {
            fail(what.offset, fmt::format("expected 'stranded messages' or 'broker over memory "
                                          "budget' after 'no', got {}",
                                          shown(what)));
        }
    }

    void parse_completeness()
    {
        result_.kind = ExpectationKind::ReplyCompleteness;
        keyword("reply");
        keyword("completeness");
        symbol(">=");
        result_.limit = percentage();
    }

    void parse_link()
    {
        result_.kind = ExpectationKind::LinkUtilisation;
        keyword("link");
        result_.first = name("a datacenter name", "<->");
        symbol("<->", " between the link's datacenters");
        result_.second = name("a datacenter name");
        const auto word = take();
        if (word.text != "utilisation" && word.text != "utilization")
            fail(word.offset, fmt::format("expected 'utilisation', got {}", shown(word)));
        keyword("below");
        result_.limit = percentage();
    }

    void parse_reachable()
    {
        result_.kind = ExpectationKind::GroupReachable;
        keyword("node");
        keyword("group");
        result_.first = name("a node group name");
        for (const auto* word : {"reachable", "from", "client"})
            keyword(word);
        result_.second = name("a client name");
    }

    void parse_request_suffix()
    {
        const auto word = peek();
        if (word.text != "for")
            return;
        if (!takes_request(result_.kind))
            fail(word.offset, fmt::format("'for request' does not apply to {}, which covers the "
                                          "whole run",
                                          describe(result_.kind)));
        keyword("for");
        keyword("request");
        result_.request_offset = peek().offset;
        result_.request = static_cast<int>(count());
    }

    // The next run of non-space characters, not consumed.
    Word peek() const
    {
        auto start = text_.find_first_not_of(" \t", at_);
        if (start == std::string_view::npos)
            return {{}, text_.size()};
        const auto end = std::min(text_.find_first_of(" \t", start), text_.size());
        return {text_.substr(start, end - start), start};
    }

    Word take()
    {
        const auto word = peek();
        at_ = word.offset + word.text.size();
        return word;
    }

    // Consumes the first `length` characters of the next word.
    void take_part(const Word& word, std::size_t length) { at_ = word.offset + length; }

    void keyword(std::string_view expected)
    {
        const auto word = take();
        if (word.text != expected)
            fail(word.offset,
                 fmt::format("expected {}, got {}", single_quoted(expected), shown(word)));
    }

    double number(std::string_view what)
    {
        const auto word = peek();
        double value = 0;
        const auto* end = word.text.data() + word.text.size();
        const auto [stop, error] = std::from_chars(word.text.data(), end, value);
        if (error != std::errc{} || !std::isfinite(value) || word.text.starts_with('-') ||
            word.text.starts_with('+'))
            fail(word.offset, fmt::format("expected {}, got {}", what, shown(word)));
        take_part(word, static_cast<std::size_t>(stop - word.text.data()));
        return value;
    }

    // At most 1e9 s, as every time in a scenario.
    double duration_s()
    {
        const auto word = peek();
        const auto value = number("a number of seconds");
        const auto unit = take();
        double seconds = 0;
        if (unit.text == "s")
            seconds = value;
        else if (unit.text == "ms")
            seconds = value / 1000.0;
        else
            fail(unit.offset, fmt::format("expected a unit 's' or 'ms' after {}, got {}",
                                          plain_number(value), shown(unit)));
        if (seconds > 1e9)
            fail(word.offset, fmt::format("a time is at most 1e9 s, got {} {}", value, unit.text));
        return seconds;
    }

    double percentage()
    {
        const auto word = peek();
        const auto value = number("a percentage");
        if (value > 100)
            fail(word.offset,
                 fmt::format("a percentage is at most 100, got {}", value));
        const auto unit = take();
        if (unit.text != "%")
            fail(unit.offset,
                 fmt::format("expected '%' after {}, got {}", plain_number(value), shown(unit)));
        return value;
    }

    std::uint64_t count()
    {
        const auto word = take();
        std::uint64_t value = 0;
        const auto* end = word.text.data() + word.text.size();
        const auto [stop, error] = std::from_chars(word.text.data(), end, value);
        if (error != std::errc{} || stop != end || value > 1'000'000'000)
            fail(word.offset, fmt::format("expected a whole number, got {}", shown(word)));
        return value;
    }

    // A single word, or anything in single quotes; a word ends early at `stop`.
    NameRef name(std::string_view what, std::string_view stop = {})
    {
        const auto word = peek();
        if (word.text.starts_with('\'')) {
            const auto close = text_.find('\'', word.offset + 1);
            if (close == std::string_view::npos)
                fail(word.offset, "unterminated quote");
            at_ = close + 1;
            return {std::string(text_.substr(word.offset + 1, close - word.offset - 1)),
                    word.offset + 1};
        }

        auto length = word.text.size();
        if (!stop.empty())
            length = std::min(word.text.find(stop), length);
        if (length == 0)
            fail(word.offset, fmt::format("expected {}, got {}", what, shown(word)));
        take_part(word, length);
        return {std::string(word.text.substr(0, length)), word.offset};
    }

    // A symbol that may touch the word after it: ">=95 %", "noc<->uk".
    void symbol(std::string_view expected, std::string_view context = {})
    {
        const auto word = peek();
        if (!word.text.starts_with(expected))
            fail(word.offset, fmt::format("expected {}{}, got {}", single_quoted(expected), context,
                                          shown(word)));
        take_part(word, expected.size());
    }

    static std::string shown(const Word& word)
    {
        return word.text.empty() ? std::string("the end of the expectation")
                                 : single_quoted(word.text);
    }

    [[noreturn]] void fail(std::size_t offset, const std::string& message) const
    {
        throw model::InputError(result_.pos_at(offset), "bad expectation: " + message);
    }

    std::string_view text_;
    std::size_t at_ = 0;
    Expectation result_;
};

} // namespace

model::SourcePos Expectation::pos_at(std::size_t offset) const
{
    auto result = pos;
    if (result.column > 0)
        result.column += static_cast<int>(offset);
    return result;
}

Expectation parse_expectation(std::string_view text, const model::SourcePos& start)
{
    return Parser(text, start).parse();
}

} // namespace brokersim::check
