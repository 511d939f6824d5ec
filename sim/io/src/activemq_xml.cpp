#include "brokersim/io/activemq_xml.hpp"

#include "utf8.hpp"

#include "memory_size.hpp"
#include "yaml_reader.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <pugixml.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>

namespace brokersim::io {

namespace {

using model::Broker;
using model::Connector;
using model::DestinationFilter;
using model::DestinationType;
using model::PolicyEntry;
using model::SourcePos;

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";
constexpr int int_min = std::numeric_limits<int>::min();
constexpr int most_port = 65535;
constexpr std::size_t most_endpoints_listed = 8;

bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view trimmed(std::string_view text)
{
    while (!text.empty() && is_space(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && is_space(text.back()))
        text.remove_suffix(1);
    return text;
}

std::string lower(std::string_view text)
{
    std::string result(text);
    for (auto& c : result)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return result;
}

bool has_placeholder(std::string_view text)
{
    return text.find("${") != std::string_view::npos;
}

// The element's name without its namespace prefix: <amq:broker> is a <broker>.
std::string_view local_name(pugi::xml_node node)
{
    const std::string_view name = node.name();
    const auto colon = name.find(':');
    return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

// Namespace declarations and xsi: attributes describe the XML, not the broker.
bool is_xml_machinery(std::string_view attribute)
{
    return attribute == "xmlns" || attribute.starts_with("xmlns:") || attribute.starts_with("xsi:");
}

// " (did you mean 'X'?)" when `word` is a likely typo of a choice; never a list of choices,
// since what is not modelled may well be valid ActiveMQ.
std::string typo_hint(std::string_view word, const std::vector<std::string>& choices)
{
    auto hint = suggestion(word, choices);
    return hint.starts_with(" (did you mean") ? hint : "";
}

// pugixml's messages start with a capital ("Start-end tags mismatch").
std::string parser_message(std::string_view description)
{
    std::string message(description);
    if (!message.empty())
        message[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(message[0])));
    return message;
}

// One parsed file. pugixml parses a copy of the text in place, so every name and value it
// hands out points into that copy and its distance from the start is a byte offset in the
// file; line and column are counted in the untouched text.
class XmlFile
{
public:
    XmlFile(std::string path, std::string text);
    XmlFile(const XmlFile&) = delete;
    XmlFile& operator=(const XmlFile&) = delete;

    // The only root element; throws for anything else at the top of the document.
    pugi::xml_node root() const;

    SourcePos pos(pugi::xml_node node) const;
    SourcePos pos(pugi::xml_attribute attribute) const;
    [[noreturn]] void fail(const SourcePos& pos, const std::string& message) const;

private:
    SourcePos pos_at(std::size_t offset) const;
    void check_references() const;
    std::optional<std::size_t> offset_of(const char* p) const;

    std::string path_;
    std::string text_;
    std::vector<char> buffer_;
    std::vector<std::size_t> line_starts_;
    pugi::xml_document document_;
};

XmlFile::XmlFile(std::string path, std::string text)
    : path_(std::move(path)), text_(std::move(text)), buffer_(text_.begin(), text_.end())
{
    line_starts_.push_back(0);
    for (std::size_t i = 0; i < text_.size(); ++i)
        if (text_[i] == '\n')
            line_starts_.push_back(i + 1);

    // pugixml would take other bytes as they come; activemq.xml files are UTF-8 text.
    if (const auto bad = first_non_text_byte(text_))
        fail(pos_at(*bad), fmt::format("not a UTF-8 text file (byte 0x{:02x})",
                                       static_cast<unsigned char>(text_[*bad])));

    check_references();

    // A fragment parse keeps text outside the root element, so that root() can refuse it.
    const auto result = document_.load_buffer_inplace(buffer_.data(), buffer_.size(),
                                                      pugi::parse_default | pugi::parse_fragment,
                                                      pugi::encoding_utf8);
    if (!result)
        fail(pos_at(static_cast<std::size_t>(std::max<std::ptrdiff_t>(result.offset, 0))),
             fmt::format("invalid XML: {}", parser_message(result.description())));
}

// pugixml leaves an entity reference it does not know as text, so `brokerName="hub&x;"` would
// name a broker "hub&x;". Only XML's five predefined entities and character references are
// read; a DOCTYPE (where entities would be declared) is refused. Comments and CDATA sections
// may hold any '&'.
void XmlFile::check_references() const
{
    constexpr std::array<std::string_view, 5> predefined = {"lt;", "gt;", "amp;", "apos;",
                                                            "quot;"};
    for (std::size_t i = 0; i < text_.size(); ++i) {
        const auto rest = std::string_view(text_).substr(i);
        if (rest.starts_with("<!--") || rest.starts_with("<![CDATA[")) {
            const auto end = text_.find(rest.starts_with("<!--") ? "-->" : "]]>", i);
            if (end == std::string::npos)
                return;  // the parser reports the unterminated section
            i = end;
            continue;
        }
        if (rest.starts_with("<!DOCTYPE"))
            fail(pos_at(i), "a DOCTYPE is not supported: activemq.xml needs no entity "
                            "declarations");
        if (rest[0] != '&')
            continue;
        const auto name = rest.substr(1);
        const bool character = name.starts_with('#') && name.find(';') != std::string_view::npos;
        const bool known = character || std::any_of(predefined.begin(), predefined.end(),
                                                    [&](std::string_view entity) {
                                                        return name.starts_with(entity);
                                                    });
        if (!known) {
            // As written, up to its ';' (or the first 20 characters when it has none nearby).
            const auto semicolon = name.substr(0, 40).find(';');
            const auto shown = name.substr(0, semicolon == std::string_view::npos ? 20
                                                                                 : semicolon + 1);
            fail(pos_at(i), fmt::format("unknown entity reference '&{}': only &lt; &gt; &amp; "
                                        "&apos; &quot; and character references are read",
                                        shown));
        }
    }
}

pugi::xml_node XmlFile::root() const
{
    pugi::xml_node root;
    for (const auto node : document_.children()) {
        if (node.type() == pugi::node_element && !root) {
            root = node;
        } else if (node.type() == pugi::node_element) {
            fail(pos(node), fmt::format("invalid XML: a second root element <{}>", node.name()));
        } else if (!trimmed(node.value()).empty()) {
            fail(pos(node), "invalid XML: text outside the root element");
        }
    }
    if (!root)
        fail(pos_at(0), "no XML element: expected <beans> or <broker>");
    return root;
}

SourcePos XmlFile::pos(pugi::xml_node node) const
{
    if (node.type() == pugi::node_element) {
        const auto offset = offset_of(node.name());
        return offset && *offset > 0 ? pos_at(*offset - 1) : SourcePos{path_};
    }

    const std::string_view value = node.value();
    const auto offset = offset_of(value.data());
    if (!offset)
        return SourcePos{path_};
    const auto first_visible = std::find_if_not(value.begin(), value.end(), is_space);
    return pos_at(*offset + static_cast<std::size_t>(first_visible - value.begin()));
}

SourcePos XmlFile::pos(pugi::xml_attribute attribute) const
{
    const auto offset = offset_of(attribute.name());
    return offset ? pos_at(*offset) : SourcePos{path_};
}

void XmlFile::fail(const SourcePos& pos, const std::string& message) const
{
    throw model::InputError(pos, message);
}

// Columns count characters, not bytes, and a byte order mark is not one.
SourcePos XmlFile::pos_at(std::size_t offset) const
{
    offset = std::min(offset, text_.size());
    const auto next_line = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
    const auto line = static_cast<int>(next_line - line_starts_.begin());
    auto start = *(next_line - 1);
    if (start == 0 && text_.starts_with(utf8_bom) && offset >= utf8_bom.size())
        start = utf8_bom.size();

    int column = 1;
    for (auto i = start; i < offset; ++i)
        if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80)
            ++column;
    return SourcePos{path_, line, column};
}

std::optional<std::size_t> XmlFile::offset_of(const char* p) const
{
    const auto* begin = buffer_.data();
    if (p == nullptr || begin == nullptr || p < begin || p > begin + buffer_.size())
        return std::nullopt;
    return static_cast<std::size_t>(p - begin);
}

// Spring converts attribute text to a boolean with these words, in any case.
std::optional<bool> spring_boolean(std::string_view text)
{
    const auto word = lower(trimmed(text));
    if (word == "true" || word == "on" || word == "yes" || word == "1")
        return true;
    if (word == "false" || word == "off" || word == "no" || word == "0")
        return false;
    return std::nullopt;
}

// Spring's integer conversion: decimal, or hexadecimal after 0x, 0X or #, with a sign.
// nullopt when the text is no integer; the int64 range leaves room to name an int bound.
std::optional<std::int64_t> spring_integer(std::string_view text)
{
    text = trimmed(text);
    const bool negative = text.starts_with('-');
    if (negative || text.starts_with('+'))
        text.remove_prefix(1);
    int base = 10;
    if (text.starts_with("0x") || text.starts_with("0X")) {
        text.remove_prefix(2);
        base = 16;
    } else if (text.starts_with('#')) {
        text.remove_prefix(1);
        base = 16;
    }

    std::uint64_t magnitude = 0;
    const auto [end, error] =
        std::from_chars(text.data(), text.data() + text.size(), magnitude, base);
    if (text.empty() || end != text.data() + text.size())
        return std::nullopt;
    constexpr auto saturated = std::uint64_t{1} << 40;
    if (error == std::errc::result_out_of_range || magnitude > saturated)
        magnitude = saturated;
    const auto value = static_cast<std::int64_t>(magnitude);
    return negative ? -value : value;
}

// The attributes of one element. Those brokersim models are read by name; every other one
// gets its warning when the element is opened, so none is passed over in silence.
class Attributes
{
public:
    Attributes(const XmlFile& file, pugi::xml_node element,
               std::initializer_list<std::string_view> modelled, std::vector<Warning>& warnings);

    pugi::xml_attribute find(std::string_view name) const;
    SourcePos pos(pugi::xml_attribute attribute) const { return file_.pos(attribute); }

    // "networkConnector attribute 'duplex'", for messages.
    std::string label(pugi::xml_attribute attribute) const;
    [[noreturn]] void fail(pugi::xml_attribute attribute, const std::string& message) const
    {
        file_.fail(pos(attribute), message);
    }

    // The value as written; a ${...} placeholder is an error, since brokersim needs the value.
    std::string text(pugi::xml_attribute attribute) const;
    std::string name(pugi::xml_attribute attribute) const; // non-empty text
    bool boolean(pugi::xml_attribute attribute) const;
    int integer(pugi::xml_attribute attribute, int min) const;

    void set(std::string_view name, bool& target) const;
    void set(std::string_view name, int& target, int min) const;

private:
    const XmlFile& file_;
    pugi::xml_node element_;
};

Attributes::Attributes(const XmlFile& file, pugi::xml_node element,
                       std::initializer_list<std::string_view> modelled,
                       std::vector<Warning>& warnings)
    : file_(file), element_(element)
{
    const std::vector<std::string> choices(modelled.begin(), modelled.end());
    std::map<std::string_view, SourcePos> seen;
    for (const auto attribute : element.attributes()) {
        const std::string_view name = attribute.name();
        const auto [first, inserted] = seen.try_emplace(name, file.pos(attribute));
        if (!inserted)
            file.fail(file.pos(attribute),
                      fmt::format("invalid XML: attribute '{}' given twice on <{}> (first on "
                                  "line {})",
                                  name, element.name(), first->second.line));

        const bool is_modelled =
            std::find(modelled.begin(), modelled.end(), name) != modelled.end();
        if (is_modelled || is_xml_machinery(name))
            continue;
        warnings.push_back(Warning{file.pos(attribute),
                                   fmt::format("attribute '{}' of <{}> is not modelled; ignored{}",
                                               name, element.name(), typo_hint(name, choices))});
    }
}

pugi::xml_attribute Attributes::find(std::string_view name) const
{
    for (const auto attribute : element_.attributes())
        if (attribute.name() == name)
            return attribute;
    return {};
}

std::string Attributes::label(pugi::xml_attribute attribute) const
{
    return fmt::format("{} attribute '{}'", local_name(element_), attribute.name());
}

std::string Attributes::text(pugi::xml_attribute attribute) const
{
    std::string value = attribute.value();
    if (has_placeholder(value))
        file_.fail(pos(attribute),
                   fmt::format("{} is the Spring placeholder {}: brokersim does not resolve "
                               "placeholders in the attributes it models; write the value",
                               label(attribute), io::quoted(value)));
    return value;
}

// A memory size attribute ("64 mb"); more than zero bytes.
std::uint64_t memory_size(const Attributes& attributes, pugi::xml_attribute attribute)
{
    const auto text = attributes.text(attribute);
    const auto bytes = parse_memory_size(text);
    if (!bytes || *bytes == 0)
        attributes.fail(attribute, fmt::format("{} must be a memory size such as 65536, "
                                               "'512 kb' or '64 mb', got {}",
                                               attributes.label(attribute), io::quoted(text)));
    return *bytes;
}

std::string Attributes::name(pugi::xml_attribute attribute) const
{
    auto value = text(attribute);
    if (value.empty())
        file_.fail(pos(attribute), fmt::format("{} must not be empty", label(attribute)));
    return value;
}

bool Attributes::boolean(pugi::xml_attribute attribute) const
{
    const auto value = text(attribute);
    const auto result = spring_boolean(value);
    if (!result)
        file_.fail(pos(attribute), fmt::format("expected true or false for {}, got {}",
                                               label(attribute), io::quoted(value)));
    return *result;
}

int Attributes::integer(pugi::xml_attribute attribute, int min) const
{
    const auto value = text(attribute);
    const auto result = spring_integer(value);
    if (!result)
        file_.fail(pos(attribute), fmt::format("expected an integer for {}, got {}",
                                               label(attribute), io::quoted(value)));

    constexpr int int_max = std::numeric_limits<int>::max();
    if (*result < min)
        file_.fail(pos(attribute), fmt::format("{} must be at least {}, got {}", label(attribute),
                                               min, trimmed(value)));
    if (*result > int_max)
        file_.fail(pos(attribute), fmt::format("{} must be at most {}, got {}", label(attribute),
                                               int_max, trimmed(value)));
    return static_cast<int>(*result);
}

void Attributes::set(std::string_view name, bool& target) const
{
    if (const auto attribute = find(name))
        target = boolean(attribute);
}

void Attributes::set(std::string_view name, int& target, int min) const
{
    if (const auto attribute = find(name))
        target = integer(attribute, min);
}

// Where a network connector's URI dials: "tcp://127.0.0.1:61616".
struct Endpoint
{
    std::string uri; // as written
    std::string scheme;
    std::string host; // lower case, without IPv6 brackets
    int port = 0;
};

// One bridge of a <networkConnector>. static:(a,b) makes a bridge to each of a and b; a
// failover:(a,b) entry is one bridge that may reach either, and lists both here.
struct Dial
{
    std::vector<Endpoint> endpoints;
    std::string group; // "failover" or "masterslave" when there is a choice
};

struct ParsedUri
{
    std::vector<Dial> dials;
    std::vector<std::string> options; // names of ?key=value options anywhere in the URI
};

// A URI brokersim cannot use; the caller adds where it is.
struct UriProblem
{
    std::string message;
};

// Splits at `separator` where it is not inside parentheses.
std::vector<std::string_view> split_top_level(std::string_view text, char separator)
{
    std::vector<std::string_view> parts;
    int depth = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '(')
            ++depth;
        else if (text[i] == ')')
            --depth;
        else if (text[i] == separator && depth == 0) {
            parts.push_back(text.substr(start, i - start));
            start = i + 1;
        }
    }
    parts.push_back(text.substr(start));
    return parts;
}

// Removes a trailing ?query outside parentheses and records its option names.
std::string_view strip_query(std::string_view text, std::vector<std::string>& options)
{
    const auto parts = split_top_level(text, '?');
    if (parts.size() == 1)
        return text;
    const auto query = text.substr(parts[0].size() + 1);
    for (const auto option : split_top_level(query, '&'))
        if (!option.empty())
            options.emplace_back(option.substr(0, option.find('=')));
    return parts[0];
}

// The items of "(a,b)", or the text itself when it has no parentheses.
std::vector<std::string_view> composite_items(std::string_view text)
{
    if (!text.starts_with('('))
        return {trimmed(text)};
    if (!text.ends_with(')'))
        throw UriProblem{"unbalanced parentheses"};
    std::vector<std::string_view> items;
    for (const auto item : split_top_level(text.substr(1, text.size() - 2), ','))
        items.push_back(trimmed(item));
    return items;
}

// scheme://host[:port][/path][?options]; `port` stays 0 when the URI names none.
Endpoint parse_endpoint(std::string_view text, std::vector<std::string>& options)
{
    Endpoint endpoint;
    endpoint.uri = std::string(text);
    const auto separator = text.find("://");
    if (separator == std::string_view::npos || separator == 0)
        throw UriProblem{fmt::format("{} is not a scheme://host:port URI", io::quoted(text))};
    endpoint.scheme = lower(text.substr(0, separator));

    auto rest = strip_query(text.substr(separator + 3), options);
    rest = rest.substr(0, rest.find('/'));
    std::string_view host = rest;
    std::string_view port;
    if (rest.starts_with('[')) {
        const auto close = rest.find(']');
        if (close == std::string_view::npos)
            throw UriProblem{fmt::format("{} has an unclosed '['", io::quoted(text))};
        host = rest.substr(1, close - 1);
        if (rest.substr(close + 1).starts_with(':'))
            port = rest.substr(close + 2);
    } else if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
    }
    if (host.empty())
        throw UriProblem{fmt::format("{} names no host", io::quoted(text))};
    endpoint.host = lower(host);

    if (port.empty())
        return endpoint;
    const auto [end, error] =
        std::from_chars(port.data(), port.data() + port.size(), endpoint.port);
    if (error != std::errc{} || end != port.data() + port.size() || endpoint.port < 1 ||
        endpoint.port > most_port)
        throw UriProblem{fmt::format("{} has a bad port {}", io::quoted(text), io::quoted(port))};
    return endpoint;
}

// One item of a static:(...) list: a transport URI, or failover:(...) / masterslave:(...).
Dial parse_dial(std::string_view text, std::vector<std::string>& options)
{
    Dial dial;
    for (const std::string_view group : {"failover:", "masterslave:"}) {
        if (!text.starts_with(group))
            continue;
        dial.group = std::string(group.substr(0, group.size() - 1));
        auto inner = strip_query(text.substr(group.size()), options);
        if (inner.starts_with("//"))
            inner.remove_prefix(2);
        for (const auto item : composite_items(inner))
            dial.endpoints.push_back(parse_endpoint(item, options));
        return dial;
    }
    dial.endpoints.push_back(parse_endpoint(text, options));
    return dial;
}

// Transports a network bridge can dial, and those that answer it (auto detects OpenWire).
bool is_openwire_client(std::string_view scheme)
{
    return scheme == "tcp" || scheme == "ssl" || scheme == "nio" || scheme == "nio+ssl";
}

bool speaks_openwire(std::string_view scheme)
{
    return is_openwire_client(scheme) || scheme == "auto" || scheme == "auto+ssl" ||
           scheme == "auto+nio" || scheme == "auto+nio+ssl";
}

bool uses_tls(std::string_view scheme)
{
    return scheme.find("ssl") != std::string_view::npos;
}

// static:(tcp://a:61616,failover:(tcp://b:61616,tcp://c:61616))?options, or masterslave:(...).
ParsedUri parse_network_uri(std::string_view text)
{
    ParsedUri parsed;
    text = trimmed(text);
    if (text.starts_with("masterslave:")) {
        parsed.dials.push_back(parse_dial(text, parsed.options));
    } else if (text.starts_with("static:")) {
        auto body = strip_query(text.substr(std::string_view("static:").size()), parsed.options);
        if (body.starts_with("//"))
            body.remove_prefix(2);
        for (const auto item : composite_items(body))
            parsed.dials.push_back(parse_dial(item, parsed.options));
    } else if (is_openwire_client(text.substr(0, text.find("://")))) {
        throw UriProblem{
            fmt::format("ActiveMQ takes a discovery URI here: write 'static:({})'", text)};
    } else {
        const auto colon = text.find(':');
        const auto scheme = text.substr(0, colon);
        throw UriProblem{fmt::format(
            "{} discovery is not modelled: brokersim needs static:(tcp://host:port) URIs to "
            "know which broker a connector dials",
            io::quoted(colon == std::string_view::npos ? text : scheme))};
    }

    for (const auto& dial : parsed.dials)
        for (const auto& endpoint : dial.endpoints)
            if (endpoint.port == 0)
                throw UriProblem{fmt::format("{} names no port", io::quoted(endpoint.uri))};
    return parsed;
}

std::string endpoint_text(const std::string& host, int port)
{
    const bool ipv6 = host.find(':') != std::string::npos;
    return ipv6 ? fmt::format("[{}]:{}", host, port) : fmt::format("{}:{}", host, port);
}

// A <networkConnector> bridge read from a file, waiting for every file to be read so that
// its remote broker can be looked up.
struct PendingConnector
{
    Connector connector; // everything but `to`, and the name when the element has none
    bool named = false;
    Dial dial;
    SourcePos uri_pos;
    SourcePos name_pos; // the name attribute, or the element when it has none
};

// Children ActiveMQ takes once: a second one replaces the first.
class SingleChildren
{
public:
    void check(const XmlFile& file, pugi::xml_node child)
    {
        const auto pos = file.pos(child);
        const auto [first, inserted] =
            first_lines_.try_emplace(std::string(local_name(child)), pos.line);
        if (!inserted)
            file.fail(pos, fmt::format("<{}> given twice in <{}> (first on line {}); ActiveMQ "
                                       "would keep only the last",
                                       child.name(), child.parent().name(), first->second));
    }

private:
    std::map<std::string, int, std::less<>> first_lines_;
};

class Importer
{
public:
    void read(const XmlText& source);
    BrokerConfigSet finish();

private:
    std::vector<pugi::xml_node> child_elements(const XmlFile& file, pugi::xml_node element);
    void warn_unmodelled(const XmlFile& file, pugi::xml_node element);

    void read_broker(const XmlFile& file, pugi::xml_node element);
    void read_destination_policy(const XmlFile& file, pugi::xml_node element, Broker& broker);
    void read_system_usage(const XmlFile& file, pugi::xml_node element, Broker& broker);
    std::optional<std::uint64_t> read_memory_usage(const XmlFile& file, pugi::xml_node element);
    void read_policy_map(const XmlFile& file, pugi::xml_node element, Broker& broker);
    std::vector<PolicyEntry> read_policy_entry(const XmlFile& file, pugi::xml_node element,
                                               bool is_default);
    void read_bridge_filter_factory(const XmlFile& file, pugi::xml_node element,
                                    PolicyEntry& entry);
    void read_network_connectors(const XmlFile& file, pugi::xml_node element,
                                 const std::string& broker);
    void read_network_connector(const XmlFile& file, pugi::xml_node element,
                                const std::string& broker);
    void read_connector_attributes(const Attributes& attributes, Connector& connector) const;
    void read_destination_lists(const XmlFile& file, pugi::xml_node element, Connector& connector);
    ParsedUri read_connector_uri(const Attributes& attributes, pugi::xml_attribute uri);
    std::vector<DestinationFilter> read_destination_list(const XmlFile& file,
                                                         pugi::xml_node element);
    void read_transport_connectors(const XmlFile& file, pugi::xml_node element,
                                   const std::string& broker);
    void read_transport_connector(const XmlFile& file, pugi::xml_node element,
                                  const std::string& broker);

    const TransportConnector& resolve(const PendingConnector& pending,
                                      const Endpoint& endpoint) const;
    [[noreturn]] void fail_unresolved(const PendingConnector& pending,
                                      const Endpoint& endpoint) const;
    void add_connector(PendingConnector pending);

    BrokerConfigSet set_;
    std::vector<PendingConnector> pending_;
    std::map<std::string, SourcePos, std::less<>> broker_positions_;
    std::map<std::pair<std::string, std::string>, SourcePos> connector_names_;
};

void Importer::read(const XmlText& source)
{
    const XmlFile file(source.file, source.text);
    const auto root = file.root();
    const auto root_name = local_name(root);
    if (root_name == "broker") {
        read_broker(file, root);
        return;
    }
    if (root_name != "beans")
        file.fail(
            file.pos(root),
            fmt::format("expected <beans> or <broker> as the root element, got <{}>", root.name()));

    const Attributes attributes(file, root, {}, set_.warnings);
    bool found = false;
    for (const auto child : child_elements(file, root)) {
        if (local_name(child) != "broker") {
            warn_unmodelled(file, child);
            continue;
        }
        read_broker(file, child);
        found = true;
    }
    if (!found)
        file.fail(file.pos(root), "no <broker> element in <beans>");
}

// The child elements; text between them is not configuration and gets a warning.
std::vector<pugi::xml_node> Importer::child_elements(const XmlFile& file, pugi::xml_node element)
{
    std::vector<pugi::xml_node> children;
    for (const auto child : element.children()) {
        if (child.type() == pugi::node_element)
            children.push_back(child);
        else if (!trimmed(child.value()).empty())
            set_.warnings.push_back(
                Warning{file.pos(child),
                        fmt::format("text in <{}> is not modelled; ignored", element.name())});
    }
    return children;
}

// One warning for an element brokersim does not read, and none for what is inside it.
void Importer::warn_unmodelled(const XmlFile& file, pugi::xml_node element)
{
    set_.warnings.push_back(
        Warning{file.pos(element), fmt::format("element <{}> in <{}> is not modelled; ignored",
                                               element.name(), element.parent().name())});
}

void Importer::read_broker(const XmlFile& file, pugi::xml_node element)
{
    const Attributes attributes(file, element, {"brokerName"}, set_.warnings);
    Broker broker;
    broker.pos = file.pos(element);
    const auto name = attributes.find("brokerName");
    if (!name)
        file.fail(broker.pos, "<broker> has no brokerName: brokersim names brokers by it");
    broker.name = attributes.name(name);
    const auto [first, inserted] = broker_positions_.try_emplace(broker.name, file.pos(name));
    if (!inserted)
        file.fail(file.pos(name), fmt::format("duplicate brokerName {} (first at {})",
                                              io::quoted(broker.name), first->second.to_string()));

    SingleChildren once;
    for (const auto child : child_elements(file, element)) {
        const auto child_name = local_name(child);
        if (child_name == "destinationPolicy") {
            once.check(file, child);
            read_destination_policy(file, child, broker);
        } else if (child_name == "systemUsage") {
            once.check(file, child);
            read_system_usage(file, child, broker);
        } else if (child_name == "networkConnectors") {
            once.check(file, child);
            read_network_connectors(file, child, broker.name);
        } else if (child_name == "transportConnectors") {
            once.check(file, child);
            read_transport_connectors(file, child, broker.name);
        } else {
            warn_unmodelled(file, child);
        }
    }
    set_.brokers.push_back(std::move(broker));
}

void Importer::read_destination_policy(const XmlFile& file, pugi::xml_node element, Broker& broker)
{
    const Attributes attributes(file, element, {}, set_.warnings);
    SingleChildren once;
    for (const auto child : child_elements(file, element)) {
        if (local_name(child) != "policyMap") {
            warn_unmodelled(file, child);
            continue;
        }
        once.check(file, child);
        read_policy_map(file, child, broker);
    }
}

// <systemUsage><systemUsage><memoryUsage><memoryUsage limit="64 mb"/>: only the memory limit
// is modelled; store, temp and job scheduler usage are warned about.
void Importer::read_system_usage(const XmlFile& file, pugi::xml_node element, Broker& broker)
{
    const Attributes attributes(file, element, {}, set_.warnings);
    SingleChildren once;
    for (const auto bean : child_elements(file, element)) {
        if (local_name(bean) != "systemUsage") {
            warn_unmodelled(file, bean);
            continue;
        }
        once.check(file, bean);
        const Attributes bean_attributes(file, bean, {}, set_.warnings);
        SingleChildren once_in_bean;
        for (const auto child : child_elements(file, bean)) {
            if (local_name(child) != "memoryUsage") {
                warn_unmodelled(file, child);
                continue;
            }
            once_in_bean.check(file, child);
            if (const auto limit = read_memory_usage(file, child))
                broker.memory_limit_bytes = *limit;
        }
    }
}

// <memoryUsage><memoryUsage limit="..."/></memoryUsage>: the limit, if one is written.
std::optional<std::uint64_t> Importer::read_memory_usage(const XmlFile& file,
                                                         pugi::xml_node element)
{
    const Attributes attributes(file, element, {}, set_.warnings);
    std::optional<std::uint64_t> limit;
    SingleChildren once;
    for (const auto bean : child_elements(file, element)) {
        if (local_name(bean) != "memoryUsage") {
            warn_unmodelled(file, bean);
            continue;
        }
        once.check(file, bean);
        const Attributes bean_attributes(file, bean, {"limit"}, set_.warnings);
        for (const auto child : child_elements(file, bean))
            warn_unmodelled(file, child);
        if (const auto attribute = bean_attributes.find("limit"))
            limit = memory_size(bean_attributes, attribute);
    }
    return limit;
}

// A <defaultEntry> applies where no entry matches, so its topic and queue entries go after
// all others: the engine takes the first entry that matches.
void Importer::read_policy_map(const XmlFile& file, pugi::xml_node element, Broker& broker)
{
    const Attributes attributes(file, element, {}, set_.warnings);
    SingleChildren once;
    std::vector<PolicyEntry> defaults;
    for (const auto child : child_elements(file, element)) {
        const auto child_name = local_name(child);
        if (child_name != "policyEntries" && child_name != "defaultEntry") {
            warn_unmodelled(file, child);
            continue;
        }
        once.check(file, child);
        const Attributes child_attributes(file, child, {}, set_.warnings);
        const bool is_default = child_name == "defaultEntry";
        for (const auto entry : child_elements(file, child)) {
            if (local_name(entry) != "policyEntry") {
                warn_unmodelled(file, entry);
                continue;
            }
            auto read = read_policy_entry(file, entry, is_default);
            auto& target = is_default ? defaults : broker.policies;
            target.insert(target.end(), read.begin(), read.end());
        }
    }
    broker.policies.insert(broker.policies.end(), defaults.begin(), defaults.end());
}

// One entry per destination pattern: "a,b" is a composite of two.
std::vector<PolicyEntry> Importer::read_policy_entry(const XmlFile& file, pugi::xml_node element,
                                                     bool is_default)
{
    const auto attributes =
        is_default
            ? Attributes(file, element, {"enableAudit", "producerFlowControl", "memoryLimit"},
                         set_.warnings)
            : Attributes(file, element,
                         {"topic", "queue", "tempTopic", "tempQueue", "enableAudit",
                          "producerFlowControl", "memoryLimit"},
                         set_.warnings);
    PolicyEntry entry;
    entry.pos = file.pos(element);
    SingleChildren once;
    for (const auto child : child_elements(file, element)) {
        if (local_name(child) != "networkBridgeFilterFactory") {
            warn_unmodelled(file, child);
            continue;
        }
        once.check(file, child);
        read_bridge_filter_factory(file, child, entry);
    }

    attributes.set("enableAudit", entry.enable_audit);
    attributes.set("producerFlowControl", entry.producer_flow_control);
    if (const auto limit = attributes.find("memoryLimit"))
        entry.memory_limit_bytes = memory_size(attributes, limit);
    if (is_default) {
        auto queue_entry = entry;
        entry.destination = DestinationFilter{DestinationType::Topic, ">"};
        queue_entry.destination = DestinationFilter{DestinationType::Queue, ">"};
        return {entry, queue_entry};
    }

    const auto topic = attributes.find("topic");
    const auto queue = attributes.find("queue");
    if (topic && queue)
        file.fail(file.pos(queue), "<policyEntry> has both 'topic' and 'queue'; ActiveMQ would "
                                   "keep only the last");
    if (!topic && !queue) {
        for (const std::string_view temporary : {"tempTopic", "tempQueue"}) {
            const auto attribute = attributes.find(temporary);
            if (!attribute || !attributes.boolean(attribute))
                continue;
            set_.warnings.push_back(Warning{file.pos(attribute),
                                            "policies for temporary destinations are not modelled; "
                                            "<policyEntry> ignored"});
            return {};
        }
        file.fail(entry.pos, "<policyEntry> needs a 'topic' or 'queue' attribute");
    }

    if (topic && entry.replay_when_no_consumers)
        set_.warnings.push_back(Warning{entry.pos, "replayWhenNoConsumers applies to queues "
                                                   "only; ignored for this topic entry"});
    const auto pattern = topic ? topic : queue;
    const auto text = attributes.text(pattern);
    entry.destination.type = topic ? DestinationType::Topic : DestinationType::Queue;
    std::vector<PolicyEntry> entries;
    for (const auto part : split_top_level(text, ',')) {
        if (trimmed(part).empty())
            file.fail(file.pos(pattern),
                      fmt::format("empty destination pattern in {}", attributes.label(pattern)));
        entry.destination.pattern = std::string(trimmed(part));
        entries.push_back(entry);
    }
    return entries;
}

// The filter a broker's bridges apply to the entry's destinations. Only the conditional one
// differs from the default: it can replay queue messages back along their path.
void Importer::read_bridge_filter_factory(const XmlFile& file, pugi::xml_node element,
                                          PolicyEntry& entry)
{
    const Attributes attributes(file, element, {}, set_.warnings);
    SingleChildren once;
    for (const auto child : child_elements(file, element)) {
        if (local_name(child) != "conditionalNetworkBridgeFilterFactory") {
            warn_unmodelled(file, child);
            continue;
        }
        once.check(file, child);
        const Attributes factory(
            file, child, {"replayWhenNoConsumers", "replayDelay", "selectorAware"}, set_.warnings);
        for (const auto inner : child_elements(file, child))
            warn_unmodelled(file, inner);
        factory.set("replayWhenNoConsumers", entry.replay_when_no_consumers);
        factory.set("selectorAware", entry.selector_aware);
        int delay_ms = 0;
        factory.set("replayDelay", delay_ms, 0);
        entry.replay_delay_s = delay_ms / 1000.0;
    }
}

void Importer::read_network_connectors(const XmlFile& file, pugi::xml_node element,
                                       const std::string& broker)
{
    const Attributes attributes(file, element, {}, set_.warnings);
    for (const auto child : child_elements(file, element)) {
        if (local_name(child) == "networkConnector")
            read_network_connector(file, child, broker);
        else
            warn_unmodelled(file, child);
    }
}

void Importer::read_network_connector(const XmlFile& file, pugi::xml_node element,
                                      const std::string& broker)
{
    const Attributes attributes(
        file, element,
        {"name", "uri", "duplex", "networkTTL", "messageTTL", "consumerTTL", "conduitSubscriptions",
         "dynamicOnly", "decreaseNetworkConsumerPriority", "consumerPriorityBase",
         "suppressDuplicateTopicSubscriptions", "suppressDuplicateQueueSubscriptions",
         "bridgeTempDestinations", "prefetchSize"},
        set_.warnings);
    PendingConnector pending;
    auto& connector = pending.connector;
    connector.on = broker;
    connector.pos = file.pos(element);
    pending.name_pos = connector.pos;
    if (const auto name = attributes.find("name")) {
        connector.name = attributes.name(name);
        pending.named = true;
        pending.name_pos = file.pos(name);
    }
    read_connector_attributes(attributes, connector);
    read_destination_lists(file, element, connector);

    const auto uri = attributes.find("uri");
    if (!uri)
        file.fail(connector.pos, "<networkConnector> has no uri attribute");
    pending.uri_pos = file.pos(uri);
    auto parsed = read_connector_uri(attributes, uri);

    for (auto& dial : parsed.dials) {
        auto bridge = pending;
        bridge.dial = std::move(dial);
        pending_.push_back(std::move(bridge));
    }
}

// networkTTL sets both TTLs; an explicit messageTTL or consumerTTL wins wherever it is.
void Importer::read_connector_attributes(const Attributes& attributes, Connector& connector) const
{
    int network_ttl = connector.message_ttl;
    attributes.set("networkTTL", network_ttl, -1);
    connector.message_ttl = network_ttl;
    connector.consumer_ttl = network_ttl;
    attributes.set("messageTTL", connector.message_ttl, -1);
    attributes.set("consumerTTL", connector.consumer_ttl, -1);

    attributes.set("duplex", connector.duplex);
    attributes.set("conduitSubscriptions", connector.conduit_subscriptions);
    attributes.set("dynamicOnly", connector.dynamic_only);
    attributes.set("decreaseNetworkConsumerPriority", connector.decrease_network_consumer_priority);
    attributes.set("consumerPriorityBase", connector.consumer_priority_base, int_min);
    attributes.set("suppressDuplicateTopicSubscriptions",
                   connector.suppress_duplicate_topic_subscriptions);
    attributes.set("suppressDuplicateQueueSubscriptions",
                   connector.suppress_duplicate_queue_subscriptions);
    attributes.set("bridgeTempDestinations", connector.bridge_temp_destinations);
    attributes.set("prefetchSize", connector.prefetch_size, 1);
}

void Importer::read_destination_lists(const XmlFile& file, pugi::xml_node element,
                                      Connector& connector)
{
    SingleChildren once;
    for (const auto child : child_elements(file, element)) {
        const auto child_name = local_name(child);
        std::vector<DestinationFilter>* target = nullptr;
        if (child_name == "excludedDestinations")
            target = &connector.excluded_destinations;
        else if (child_name == "dynamicallyIncludedDestinations")
            target = &connector.dynamically_included_destinations;
        else if (child_name == "staticallyIncludedDestinations")
            target = &connector.statically_included_destinations;

        if (target == nullptr) {
            warn_unmodelled(file, child);
            continue;
        }
        once.check(file, child);
        *target = read_destination_list(file, child);
    }
}

ParsedUri Importer::read_connector_uri(const Attributes& attributes, pugi::xml_attribute uri)
{
    ParsedUri parsed;
    try {
        parsed = parse_network_uri(attributes.text(uri));
    } catch (const UriProblem& problem) {
        throw model::InputError(attributes.pos(uri),
                                fmt::format("bad networkConnector uri {}: {}",
                                            io::quoted(uri.value()), problem.message));
    }

    if (!parsed.options.empty())
        set_.warnings.push_back(
            Warning{attributes.pos(uri), fmt::format("options of the networkConnector uri are "
                                                     "not modelled; ignored: {}",
                                                     fmt::join(parsed.options, ", "))});
    return parsed;
}

// <queue physicalName=".."/> and <topic physicalName=".."/>; "a,b" names two destinations.
std::vector<DestinationFilter> Importer::read_destination_list(const XmlFile& file,
                                                               pugi::xml_node element)
{
    const Attributes list_attributes(file, element, {}, set_.warnings);
    std::vector<DestinationFilter> filters;
    for (const auto child : child_elements(file, element)) {
        const auto child_name = local_name(child);
        if (child_name != "queue" && child_name != "topic") {
            warn_unmodelled(file, child);
            continue;
        }

        const Attributes attributes(file, child, {"physicalName"}, set_.warnings);
        for (const auto grandchild : child_elements(file, child))
            warn_unmodelled(file, grandchild);
        const auto name = attributes.find("physicalName");
        if (!name)
            file.fail(file.pos(child), fmt::format("<{}> has no physicalName", child.name()));

        const auto type = child_name == "queue" ? DestinationType::Queue : DestinationType::Topic;
        const auto text = attributes.text(name);
        for (const auto part : split_top_level(text, ',')) {
            if (const auto problem = model::pattern_problem(trimmed(part)))
                file.fail(file.pos(name), fmt::format("bad destination pattern '{}' in {} ({})",
                                                      trimmed(part), attributes.label(name),
                                                      *problem));
            filters.push_back(DestinationFilter{type, std::string(trimmed(part))});
        }
    }
    return filters;
}

void Importer::read_transport_connectors(const XmlFile& file, pugi::xml_node element,
                                         const std::string& broker)
{
    const Attributes attributes(file, element, {}, set_.warnings);
    for (const auto child : child_elements(file, element)) {
        if (local_name(child) == "transportConnector")
            read_transport_connector(file, child, broker);
        else
            warn_unmodelled(file, child);
    }
}

// Nothing dials a transport connector whose URI has a placeholder, so that is a warning,
// not an error: many configs set their STOMP port from a property.
void Importer::read_transport_connector(const XmlFile& file, pugi::xml_node element,
                                        const std::string& broker)
{
    const Attributes attributes(file, element, {"name", "uri"}, set_.warnings);
    for (const auto child : child_elements(file, element))
        warn_unmodelled(file, child);

    TransportConnector transport;
    transport.broker = broker;
    transport.pos = file.pos(element);
    if (const auto name = attributes.find("name"))
        transport.name = name.value();
    const auto uri = attributes.find("uri");
    if (!uri)
        file.fail(transport.pos, "<transportConnector> has no uri attribute");
    transport.uri = uri.value();

    if (has_placeholder(transport.uri)) {
        set_.warnings.push_back(
            Warning{file.pos(uri), fmt::format("transport connector uri {} has a placeholder; no "
                                               "networkConnector can dial it here",
                                               io::quoted(transport.uri))});
        set_.transports.push_back(std::move(transport));
        return;
    }

    std::vector<std::string> options;
    try {
        const auto endpoint = parse_endpoint(trimmed(transport.uri), options);
        transport.scheme = endpoint.scheme;
        transport.host = endpoint.host;
        transport.port = endpoint.port;
    } catch (const UriProblem& problem) {
        file.fail(file.pos(uri), fmt::format("bad transportConnector uri: {}", problem.message));
    }
    if (!options.empty())
        set_.warnings.push_back(
            Warning{file.pos(uri), fmt::format("options of the transportConnector uri are not "
                                               "modelled; ignored: {}",
                                               fmt::join(options, ", "))});
    set_.transports.push_back(std::move(transport));
}

BrokerConfigSet Importer::finish()
{
    for (auto& pending : pending_) {
        const auto& remote = resolve(pending, pending.dial.endpoints.front());
        for (std::size_t i = 1; i < pending.dial.endpoints.size(); ++i) {
            const auto& other = resolve(pending, pending.dial.endpoints[i]);
            set_.warnings.push_back(Warning{
                pending.uri_pos,
                fmt::format("{} is not modelled: the bridge always dials {} (broker {}), never "
                            "{} (broker {})",
                            pending.dial.group, io::quoted(pending.dial.endpoints.front().uri),
                            io::quoted(remote.broker), io::quoted(pending.dial.endpoints[i].uri),
                            io::quoted(other.broker))});
        }
        pending.connector.to = remote.broker;
        add_connector(std::move(pending));
    }
    return std::move(set_);
}

// The other broker listening where `endpoint` dials, if it speaks OpenWire there.
const TransportConnector& Importer::resolve(const PendingConnector& pending,
                                            const Endpoint& endpoint) const
{
    if (!is_openwire_client(endpoint.scheme))
        throw model::InputError(pending.uri_pos,
                                fmt::format("network bridges speak OpenWire; {} is not an "
                                            "OpenWire transport (valid: tcp, ssl, nio, nio+ssl)",
                                            io::quoted(endpoint.scheme)));

    const auto& on = pending.connector.on;
    const TransportConnector* found = nullptr;
    for (const auto& transport : set_.transports) {
        if (transport.port != endpoint.port || transport.host != endpoint.host)
            continue;
        if (transport.broker == on)
            throw model::InputError(pending.uri_pos,
                                    fmt::format("networkConnector dials its own broker {} at {}",
                                                io::quoted(on), io::quoted(endpoint.uri)));
        if (found != nullptr)
            throw model::InputError(
                pending.uri_pos,
                fmt::format("{} is where brokers {} ({}) and {} ({}) both listen",
                            endpoint_text(endpoint.host, endpoint.port), io::quoted(found->broker),
                            found->pos.to_string(), io::quoted(transport.broker),
                            transport.pos.to_string()));
        found = &transport;
    }
    if (found == nullptr)
        fail_unresolved(pending, endpoint);

    const auto where =
        fmt::format("the {} transport connector of broker {} ({})", io::quoted(found->scheme),
                    io::quoted(found->broker), found->pos.to_string());
    if (!speaks_openwire(found->scheme))
        throw model::InputError(pending.uri_pos,
                                fmt::format("{} reaches {}, which does not speak OpenWire",
                                            io::quoted(endpoint.uri), where));
    if (uses_tls(endpoint.scheme) != uses_tls(found->scheme))
        throw model::InputError(pending.uri_pos,
                                fmt::format("{} dials {} {} TLS", io::quoted(endpoint.uri), where,
                                            uses_tls(endpoint.scheme) ? "with" : "without"));
    return *found;
}

// Lists the known endpoints, and names the likely one when a single other broker listens on
// the same port under another host name (localhost for 127.0.0.1, a host for 0.0.0.0).
void Importer::fail_unresolved(const PendingConnector& pending, const Endpoint& endpoint) const
{
    std::vector<std::string> known;
    std::vector<const TransportConnector*> same_port;
    for (const auto& transport : set_.transports) {
        if (transport.port == 0)
            continue;
        if (known.size() < most_endpoints_listed)
            known.push_back(fmt::format("{} on {}", endpoint_text(transport.host, transport.port),
                                        io::quoted(transport.broker)));
        else if (known.size() == most_endpoints_listed)
            known.emplace_back("...");
        if (transport.port == endpoint.port && transport.broker != pending.connector.on)
            same_port.push_back(&transport);
    }

    const auto connector =
        pending.named ? fmt::format("networkConnector {}", io::quoted(pending.connector.name))
                      : std::string("the networkConnector");
    auto message = fmt::format("{} dials {}, where no other broker of the set listens", connector,
                               endpoint_text(endpoint.host, endpoint.port));
    if (same_port.size() == 1)
        message += fmt::format(" (did you mean {} of broker {}?)",
                               io::quoted(endpoint_text(same_port[0]->host, same_port[0]->port)),
                               io::quoted(same_port[0]->broker));
    else if (known.empty())
        message += " (no transport connector names a host:port)";
    else
        message += fmt::format(" (known endpoints: {})", fmt::join(known, ", "));
    throw model::InputError(pending.uri_pos, message);
}

// Bridges of one element share its name: ActiveMQ names them all after the connector.
void Importer::add_connector(PendingConnector pending)
{
    auto& connector = pending.connector;
    if (!pending.named)
        connector.name = fmt::format("{}-{}", connector.on, connector.to);

    const auto [first, inserted] =
        connector_names_.try_emplace(std::pair(connector.on, connector.name), connector.pos);
    const bool same_element = first->second.to_string() == connector.pos.to_string();
    if (!inserted && !same_element) {
        if (!pending.named)
            throw model::InputError(
                pending.name_pos,
                fmt::format("this networkConnector has no name, and its default name {} is "
                            "taken on broker {} (at {}); give it a name attribute",
                            io::quoted(connector.name), io::quoted(connector.on),
                            first->second.to_string()));
        throw model::InputError(pending.name_pos,
                                fmt::format("duplicate networkConnector name {} on broker {} "
                                            "(first at {})",
                                            io::quoted(connector.name), io::quoted(connector.on),
                                            first->second.to_string()));
    }
    set_.connectors.push_back(std::move(connector));
}

std::string read_file(const std::string& path)
{
    const auto cannot_read = [&path] {
        return model::InputError(
            SourcePos{path},
            fmt::format("cannot read ActiveMQ configuration file: {}", std::strerror(errno)));
    };
    errno = 0;
    const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                               &std::fclose);
    if (!file)
        throw cannot_read();

    std::string text;
    std::array<char, 1 << 16> chunk{};
    std::size_t got = 0;
    while ((got = std::fread(chunk.data(), 1, chunk.size(), file.get())) > 0)
        text.append(chunk.data(), got);
    if (std::ferror(file.get()))
        throw cannot_read();
    return text;
}

} // namespace

std::string Warning::to_string() const
{
    return fmt::format("{}: warning: {}", pos.to_string(), message);
}

BrokerConfigSet load_activemq_xml_texts(const std::vector<XmlText>& texts)
{
    Importer importer;
    for (const auto& text : texts)
        importer.read(text);
    return importer.finish();
}

BrokerConfigSet load_activemq_xml(const std::vector<std::string>& files)
{
    std::vector<XmlText> texts;
    texts.reserve(files.size());
    for (const auto& file : files)
        texts.push_back(XmlText{file, read_file(file)});
    return load_activemq_xml_texts(texts);
}

BrokerConfigSet load_activemq_dir(const std::string& dir, const SourcePos& named_at,
                                  std::string_view written)
{
    std::error_code error;
    std::vector<std::string> files;
    for (std::filesystem::directory_iterator it(dir, error), end; !error && it != end;
         it.increment(error)) {
        if (it->path().extension() != ".xml")
            continue;
        // Every *.xml entry is meant as a broker's configuration: one that cannot be read as a
        // file (a directory, a dangling link, a loop of links) is an error, not skipped.
        std::error_code status_error;
        const auto status = it->status(status_error);
        if (status_error)
            throw model::InputError(SourcePos{it->path().string()},
                                    fmt::format("cannot read: {}", status_error.message()));
        if (!std::filesystem::is_regular_file(status))
            throw model::InputError(SourcePos{it->path().string()},
                                    "cannot read: not a regular file");
        files.push_back(it->path().string());
    }

    const bool named = named_at.line > 0;
    const auto where = named ? named_at : SourcePos{dir};
    const auto which = named ? " " + io::quoted(written) : std::string();
    if (error)
        throw model::InputError(where,
                                fmt::format("cannot read directory{}: {}", which, error.message()));
    if (files.empty())
        throw model::InputError(where, named ? fmt::format("no *.xml files in directory{}", which)
                                             : "no *.xml files in this directory");

    std::sort(files.begin(), files.end());
    return load_activemq_xml(files);
}

} // namespace brokersim::io
