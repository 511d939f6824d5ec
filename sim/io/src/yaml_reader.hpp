// Typed reading of a parsed YAML document with errors a person can act on: every problem is
// thrown as model::InputError pointing at the offending key or value, and every map is checked
// for unknown and duplicate keys so that nothing in the file is silently ignored.
#pragma once

#include "brokersim/model/source_pos.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace brokersim::io {

// A node and how to name it in messages: "'latency_ms'" for a map value, "a broker" for a
// list entry. `mark` is where errors about it point; for an empty value that is its key (or
// its list dash), since yaml-cpp places empty values at the next token.
struct Value
{
    YAML::Node node;
    std::string label;
    YAML::Mark mark;
};

// One key of a map, in file order.
struct Entry
{
    std::string key;
    YAML::Mark key_mark;
    Value value;
};

// Text for a one-line message: control characters escaped, cut after `max_length` bytes.
std::string printable(std::string_view text, std::size_t max_length = 200);

// "'text'", printable and shortened, for quoting input in messages.
std::string quoted(std::string_view text);

// " (did you mean 'X'?)" when a choice is a likely typo of `word`, else " (valid: a, b)" when
// there are at most eight choices, else "".
std::string suggestion(std::string_view word, const std::vector<std::string>& choices);

// Reads values out of one YAML text. Keeps a view of the text, which must outlive it.
class YamlReader
{
public:
    YamlReader(std::string file, std::string_view text);

    // The file's only document; throws InputError for a file that is not UTF-8 text, syntax
    // errors, an empty file or a second document.
    Value parse_document() const;

    model::SourcePos pos(const YAML::Mark& mark) const;
    [[noreturn]] void fail(const YAML::Mark& mark, const std::string& message) const;
    [[noreturn]] void fail(const Value& value, const std::string& message) const;
    [[noreturn]] void fail_type(const Value& value, std::string_view expected) const;

    std::string string(const Value& value) const;
    std::string name(const Value& value) const; // a non-empty string
    bool boolean(const Value& value) const;
    double number(const Value& value) const; // finite
    double non_negative(const Value& value) const;
    double positive(const Value& value) const;
    // `max_reason`, when given, follows the message about a value above `max`.
    std::int64_t integer(const Value& value, std::int64_t min, std::int64_t max,
                         std::string_view max_reason = {}) const;

    // The entries of a list, each labelled `item_label` ("a broker").
    std::vector<Value> list(const Value& value, std::string_view item_label) const;
    // A list of distinct non-empty names.
    std::vector<std::string> names(const Value& value) const;
    // The entries of a map with scalar, distinct keys.
    std::vector<Entry> entries(const Value& value) const;

    // Where the character `offset` bytes into a single-line scalar is; the scalar's own mark
    // when its text in the file differs from its value (escapes, folding, block scalars).
    YAML::Mark mark_in_scalar(const Value& value, std::size_t offset) const;

    const std::string& file() const { return file_; }

private:
    void check_text() const;
    void check_documents() const;
    YAML::Mark empty_item_mark(const YAML::Mark& item, const YAML::Mark& list) const;
    std::string_view raw_text_at(const YAML::Mark& mark) const;

    std::string file_;
    std::string_view text_;
    std::size_t mark_offset_ = 0; // yaml-cpp does not count a UTF-8 byte order mark
};

// A map whose keys must all come from a fixed list. `noun` names the map in messages ("link
// is missing 'latency_ms'"), `key_noun` its keys ("unknown link key 'foo'").
class MapReader
{
public:
    MapReader(const YamlReader& reader, const Value& map, std::string noun,
              std::string_view key_noun, std::initializer_list<std::string_view> keys);

    std::optional<Value> find(std::string_view key) const;
    Value require(std::string_view key) const;
    const YAML::Mark& mark() const { return mark_; }
    model::SourcePos pos() const { return reader_.pos(mark_); }

private:
    const YamlReader& reader_;
    std::vector<Entry> entries_;
    std::string noun_;
    YAML::Mark mark_;
};

} // namespace brokersim::io
