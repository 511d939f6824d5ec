#include "yaml_reader.hpp"

#include "utf8.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <sstream>

namespace brokersim::io {

namespace {

enum class NumberSyntax
{
    Ok,
    Invalid,
    OutOfRange
};

bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

char lower(char c)
{
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

// Decimal numbers only: YAML's .inf, .nan, hex and octal forms are not numbers here.
NumberSyntax parse_number(std::string_view text, double& out)
{
    if (text.size() > 1 && text[0] == '+' && text[1] != '-')
        text.remove_prefix(1);
    const auto digits = text.starts_with('-') ? text.substr(1) : text;
    if (digits.empty() || !(is_digit(digits[0]) || digits[0] == '.'))
        return NumberSyntax::Invalid;

    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (error == std::errc::invalid_argument || end != text.data() + text.size())
        return NumberSyntax::Invalid;
    if (error == std::errc::result_out_of_range || !std::isfinite(out))
        return NumberSyntax::OutOfRange;
    return NumberSyntax::Ok;
}

bool is_integer_syntax(std::string_view text)
{
    if (!text.empty() && (text[0] == '+' || text[0] == '-'))
        text.remove_prefix(1);
    return !text.empty() && std::all_of(text.begin(), text.end(), is_digit);
}

// Numbers as written, shortened: messages quote them without quotes.
std::string shown_number(std::string_view text)
{
    constexpr std::size_t max_length = 30;
    if (text.size() <= max_length)
        return std::string(text);
    return fmt::format("{}...", text.substr(0, max_length - 3));
}

// A scalar written in quotes ('20', "true") is a string, never a number or a boolean.
bool is_quoted(const YAML::Node& node)
{
    return node.IsScalar() && node.Tag() == "!";
}

std::string describe(const YAML::Node& node)
{
    if (node.IsSequence())
        return "a list";
    if (node.IsMap())
        return "a map";
    if (is_quoted(node))
        return "the quoted string " + quoted(node.Scalar());
    if (node.IsScalar())
        return quoted(node.Scalar());
    return "nothing";
}

bool starts_explicit_null(std::string_view raw)
{
    return raw.starts_with('~') || raw.starts_with("null") || raw.starts_with("Null") ||
           raw.starts_with("NULL");
}

// Optimal string alignment distance, ignoring case: a swap of two neighbours costs one edit.
std::size_t edit_distance(std::string_view a, std::string_view b)
{
    std::vector<std::size_t> before(b.size() + 1);
    std::vector<std::size_t> previous(b.size() + 1);
    std::vector<std::size_t> current(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        previous[j] = j;

    for (std::size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const bool same = lower(a[i - 1]) == lower(b[j - 1]);
            current[j] =
                std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (same ? 0 : 1)});
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
                lower(a[i - 2]) == lower(b[j - 1]))
                current[j] = std::min(current[j], before[j - 2] + 1);
        }
        std::swap(before, previous);
        std::swap(previous, current);
    }
    return previous[b.size()];
}


// Where each document of a stream has its root, and whether the root is empty.
class DocumentRoots : public YAML::EventHandler
{
public:
    struct Root
    {
        YAML::Mark mark;
        bool empty = true;
    };

    const Root& last() const { return roots_.back(); }
    std::size_t count() const { return roots_.size(); }

    // True when the last two documents are empty and at the same place: the parser is stuck.
    bool stalled() const
    {
        if (roots_.size() < 2)
            return false;
        const auto& previous = roots_[roots_.size() - 2];
        return previous.empty && last().empty && previous.mark.pos == last().mark.pos;
    }

    void OnDocumentStart(const YAML::Mark&) override { seen_root_ = false; }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { root(mark, true); }
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { root(mark, false); }
    void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  const std::string&) override
    {
        root(mark, false);
    }
    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override
    {
        root(mark, false);
    }
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override
    {
        root(mark, false);
    }
    void OnMapEnd() override {}

private:
    void root(const YAML::Mark& mark, bool empty)
    {
        if (seen_root_)
            return;
        roots_.push_back(Root{mark, empty});
        seen_root_ = true;
    }

    std::vector<Root> roots_;
    bool seen_root_ = false;
};

} // namespace

std::optional<std::size_t> first_non_text_byte(std::string_view text)
{
    const auto byte_at = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const auto is_continuation = [&](std::size_t i) {
        return i < text.size() && (byte_at(i) & 0xC0) == 0x80;
    };

    std::size_t i = 0;
    while (i < text.size()) {
        const unsigned lead = byte_at(i);
        if (lead == 0)
            return i;
        if (lead < 0x80) {
            ++i;
            continue;
        }

        // The range of the second byte narrows for the leads where overlong forms,
        // surrogates or code points past U+10FFFF would begin.
        std::size_t length = 0;
        unsigned second_min = 0x80, second_max = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF)
            length = 2;
        else if (lead >= 0xE0 && lead <= 0xEF)
            length = 3;
        else if (lead >= 0xF0 && lead <= 0xF4)
            length = 4;
        else
            return i;
        if (lead == 0xE0)
            second_min = 0xA0;
        else if (lead == 0xED)
            second_max = 0x9F;
        else if (lead == 0xF0)
            second_min = 0x90;
        else if (lead == 0xF4)
            second_max = 0x8F;

        if (i + 1 >= text.size() || byte_at(i + 1) < second_min || byte_at(i + 1) > second_max)
            return i;
        for (std::size_t k = 2; k < length; ++k)
            if (!is_continuation(i + k))
                return i;
        i += length;
    }
    return std::nullopt;
}

std::string printable(std::string_view text, std::size_t max_length)
{
    std::string shown;
    for (const char c : text) {
        if (shown.size() >= max_length) {
            shown += "...";
            break;
        }
        const auto byte = static_cast<unsigned char>(c);
        if (c == '\n')
            shown += "\\n";
        else if (c == '\t')
            shown += "\\t";
        else if (byte < 0x20 || byte == 0x7f)
            shown += fmt::format("\\x{:02x}", byte);
        else
            shown += c;
    }
    return shown;
}

std::string quoted(std::string_view text)
{
    constexpr std::size_t max_length = 60;
    return fmt::format("'{}'", printable(text, max_length));
}

std::string suggestion(std::string_view word, const std::vector<std::string>& choices)
{
    // Short words get one edit, so that 'foo' is not taken for a typo of 'to'.
    constexpr std::size_t longest_compared = 200;
    const std::size_t allowed = word.size() <= 3 ? 1 : std::max<std::size_t>(2, word.size() / 3);
    const std::string* best = nullptr;
    std::size_t best_distance = allowed + 1;
    if (word.size() <= longest_compared) {
        for (const auto& choice : choices) {
            const auto distance = edit_distance(word, choice);
            if (distance < best_distance) {
                best = &choice;
                best_distance = distance;
            }
        }
    }

    if (best != nullptr)
        return fmt::format(" (did you mean '{}'?)", *best);
    constexpr std::size_t most_listed = 8;
    if (choices.empty() || choices.size() > most_listed)
        return "";
    return fmt::format(" (valid: {})", fmt::join(choices, ", "));
}

YamlReader::YamlReader(std::string file, std::string_view text)
    : file_(std::move(file)), text_(text), mark_offset_(text.starts_with("\xEF\xBB\xBF") ? 3 : 0)
{}

Value YamlReader::parse_document() const
{
    check_text();
    check_documents();

    YAML::Node root;
    try {
        root = YAML::Load(std::string(text_));
    } catch (const YAML::Exception& error) {
        fail(error.mark, fmt::format("invalid YAML: {}", printable(error.msg)));
    }
    if (root.IsNull())
        fail(YAML::Mark(), "the scenario file is empty");
    return Value{root, "the scenario", root.Mark()};
}

// yaml-cpp guesses UTF-16 or UTF-32 from a file's first bytes and reads on, so a binary file
// would otherwise be reported with its bytes reinterpreted. Scenarios are UTF-8 text.
void YamlReader::check_text() const
{
    const auto bad = first_non_text_byte(text_.substr(mark_offset_));
    if (!bad)
        return;

    const auto before = text_.substr(mark_offset_, *bad);
    const auto line_start = before.rfind('\n');
    YAML::Mark mark;
    mark.pos = static_cast<int>(*bad);
    mark.line = static_cast<int>(std::count(before.begin(), before.end(), '\n'));
    mark.column =
        static_cast<int>(line_start == std::string_view::npos ? *bad : *bad - line_start - 1);
    fail(mark, fmt::format("not a UTF-8 text file (byte 0x{:02x})",
                           static_cast<unsigned char>(text_[mark_offset_ + *bad])));
}

// Parses every document, so that neither a syntax error nor content after the scenario goes
// unnoticed. yaml-cpp 0.7's LoadAll cannot be used for this: on a stray ',' at the start of a
// document its parser returns empty documents at the same place forever, and LoadAll collects
// them until memory runs out. Here a document that does not move forward is an error.
void YamlReader::check_documents() const
{
    std::istringstream in{std::string(text_)};
    YAML::Parser parser(in);
    DocumentRoots roots;
    try {
        while (parser.HandleNextDocument(roots)) {
            const auto& root = roots.last();
            if (roots.count() > 1 && !root.empty)
                fail(root.mark, "unexpected content after the end of the scenario document");
            if (roots.stalled() || roots.count() > text_.size() + 1)
                fail(root.mark, fmt::format("invalid YAML: unexpected {}",
                                            quoted(raw_text_at(root.mark).substr(0, 1))));
        }
    } catch (const YAML::Exception& error) {
        fail(error.mark, fmt::format("invalid YAML: {}", printable(error.msg)));
    }
}

model::SourcePos YamlReader::pos(const YAML::Mark& mark) const
{
    if (mark.line < 0)
        return model::SourcePos{file_, 0, 0};
    return model::SourcePos{file_, mark.line + 1, mark.column + 1};
}

void YamlReader::fail(const YAML::Mark& mark, const std::string& message) const
{
    throw model::InputError(pos(mark), message);
}

void YamlReader::fail(const Value& value, const std::string& message) const
{
    fail(value.mark, message);
}

void YamlReader::fail_type(const Value& value, std::string_view expected) const
{
    fail(value,
         fmt::format("expected {} for {}, got {}", expected, value.label, describe(value.node)));
}

std::string YamlReader::string(const Value& value) const
{
    if (!value.node.IsScalar())
        fail_type(value, "a string");
    return value.node.Scalar();
}

std::string YamlReader::name(const Value& value) const
{
    auto text = string(value);
    if (text.empty())
        fail(value, fmt::format("{} must not be empty", value.label));
    return text;
}

bool YamlReader::boolean(const Value& value) const
{
    if (value.node.IsScalar() && !is_quoted(value.node)) {
        const auto& text = value.node.Scalar();
        if (text == "true" || text == "True" || text == "TRUE")
            return true;
        if (text == "false" || text == "False" || text == "FALSE")
            return false;
    }
    fail_type(value, "true or false");
}

double YamlReader::number(const Value& value) const
{
    if (!value.node.IsScalar() || is_quoted(value.node))
        fail_type(value, "a number");

    double result = 0;
    const auto& text = value.node.Scalar();
    switch (parse_number(text, result)) {
    case NumberSyntax::Ok:
        return result;
    case NumberSyntax::OutOfRange:
        fail(value, fmt::format("{} is out of range, got {}", value.label, shown_number(text)));
    case NumberSyntax::Invalid:
        break;
    }
    fail_type(value, "a number");
}

double YamlReader::non_negative(const Value& value) const
{
    const double result = number(value);
    if (result < 0)
        fail(value, fmt::format("{} must be at least 0, got {}", value.label,
                                shown_number(value.node.Scalar())));
    return result;
}

double YamlReader::positive(const Value& value) const
{
    const double result = number(value);
    if (result <= 0)
        fail(value, fmt::format("{} must be greater than 0, got {}", value.label,
                                shown_number(value.node.Scalar())));
    return result;
}

std::int64_t YamlReader::integer(const Value& value, std::int64_t min, std::int64_t max,
                                 std::string_view max_reason) const
{
    if (!value.node.IsScalar() || is_quoted(value.node) ||
        !is_integer_syntax(value.node.Scalar()))
        fail_type(value, "an integer");

    const auto& text = value.node.Scalar();
    std::string_view digits = text;
    if (digits.starts_with('+'))
        digits.remove_prefix(1);
    std::int64_t result = 0;
    const auto error = std::from_chars(digits.data(), digits.data() + digits.size(), result).ec;
    const bool too_small = error != std::errc{} ? digits.starts_with('-') : result < min;
    const bool too_large = error != std::errc{} ? !digits.starts_with('-') : result > max;
    if (too_small)
        fail(value,
             fmt::format("{} must be at least {}, got {}", value.label, min, shown_number(text)));
    if (too_large)
        fail(value, fmt::format("{} must be at most {}, got {}{}{}", value.label, max,
                                shown_number(text), max_reason.empty() ? "" : ": ", max_reason));
    return result;
}

std::vector<Value> YamlReader::list(const Value& value, std::string_view item_label) const
{
    if (!value.node.IsSequence())
        fail_type(value, "a list");

    std::vector<Value> items;
    items.reserve(value.node.size());
    for (const auto& item : value.node) {
        const auto mark = item.IsNull() ? empty_item_mark(item.Mark(), value.mark) : item.Mark();
        items.push_back(Value{item, std::string(item_label), mark});
    }
    return items;
}

std::vector<std::string> YamlReader::names(const Value& value) const
{
    std::vector<std::string> result;
    for (const auto& item : list(value, fmt::format("an entry of {}", value.label))) {
        auto text = name(item);
        if (std::find(result.begin(), result.end(), text) != result.end())
            fail(item, fmt::format("duplicate {} in {}", quoted(text), value.label));
        result.push_back(std::move(text));
    }
    return result;
}

std::vector<Entry> YamlReader::entries(const Value& value) const
{
    if (!value.node.IsMap())
        fail_type(value, "a map");

    std::vector<Entry> result;
    std::map<std::string, int, std::less<>> first_lines;
    for (auto it = value.node.begin(); it != value.node.end(); ++it) {
        const auto key_mark = it->first.Mark().line < 0 ? value.mark : it->first.Mark();
        if (!it->first.IsScalar())
            fail(key_mark, fmt::format("expected a key name, got {}", describe(it->first)));

        const auto& key = it->first.Scalar();
        const auto [first, inserted] = first_lines.try_emplace(key, key_mark.line + 1);
        if (!inserted)
            fail(key_mark,
                 fmt::format("duplicate key {} (first on line {})", quoted(key), first->second));

        const auto value_mark = it->second.IsNull() ? key_mark : it->second.Mark();
        result.push_back(Entry{key, key_mark, Value{it->second, quoted(key), value_mark}});
    }
    return result;
}

YAML::Mark YamlReader::mark_in_scalar(const Value& value, std::size_t offset) const
{
    const auto mark = value.node.Mark();
    if (!value.node.IsScalar())
        return mark;
    const auto& text = value.node.Scalar();
    const auto raw = raw_text_at(mark);
    const bool is_quoted = raw.starts_with('"') || raw.starts_with('\'');
    const auto written = raw.substr(is_quoted ? 1 : 0);
    if (text.find('\n') != std::string::npos || !written.starts_with(text))
        return mark;

    auto result = mark;
    const auto shift = static_cast<int>((is_quoted ? 1 : 0) + std::min(offset, text.size()));
    result.pos += shift;
    result.column += shift;
    return result;
}

// yaml-cpp marks an empty list entry at the token after it, often the next entry; point at
// its own dash instead, or at the list when the dash cannot be found.
YAML::Mark YamlReader::empty_item_mark(const YAML::Mark& item, const YAML::Mark& list) const
{
    const auto raw = raw_text_at(item);
    if (starts_explicit_null(raw) || raw.starts_with(',') || raw.starts_with(']'))
        return item;
    if (item.pos < 0 || raw.data() == nullptr)
        return list;

    auto end = static_cast<std::size_t>(raw.data() - text_.data());
    while (end > mark_offset_ && std::isspace(static_cast<unsigned char>(text_[end - 1])))
        --end;
    if (end <= mark_offset_ || text_[end - 1] != '-')
        return list;

    const auto dash = end - 1;
    const auto line_start = text_.rfind('\n', dash);
    YAML::Mark result;
    result.pos = static_cast<int>(dash - mark_offset_);
    result.line =
        static_cast<int>(std::count(text_.begin() + static_cast<std::ptrdiff_t>(mark_offset_),
                                    text_.begin() + static_cast<std::ptrdiff_t>(dash), '\n'));
    result.column = static_cast<int>(line_start == std::string_view::npos ? dash - mark_offset_
                                                                          : dash - line_start - 1);
    return result;
}

std::string_view YamlReader::raw_text_at(const YAML::Mark& mark) const
{
    if (mark.pos < 0)
        return {};
    const auto at = static_cast<std::size_t>(mark.pos) + mark_offset_;
    if (at > text_.size())
        return {};
    return text_.substr(at);
}

MapReader::MapReader(const YamlReader& reader, const Value& map, std::string noun,
                     std::string_view key_noun, std::initializer_list<std::string_view> keys)
    : reader_(reader), entries_(reader.entries(map)), noun_(std::move(noun)), mark_(map.mark)
{
    for (const auto& entry : entries_) {
        if (std::find(keys.begin(), keys.end(), entry.key) != keys.end())
            continue;
        const std::vector<std::string> valid(keys.begin(), keys.end());
        reader_.fail(entry.key_mark, fmt::format("unknown {} {}{}", key_noun, quoted(entry.key),
                                                 suggestion(entry.key, valid)));
    }
}

std::optional<Value> MapReader::find(std::string_view key) const
{
    const auto it = std::find_if(entries_.begin(), entries_.end(),
                                 [&](const Entry& entry) { return entry.key == key; });
    if (it == entries_.end())
        return std::nullopt;
    return it->value;
}

Value MapReader::require(std::string_view key) const
{
    auto value = find(key);
    if (!value)
        reader_.fail(mark_, fmt::format("{} is missing '{}'", noun_, key));
    return *value;
}

} // namespace brokersim::io
