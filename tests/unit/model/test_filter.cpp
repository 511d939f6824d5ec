#include "brokersim/model/filter.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using brokersim::model::Filter;
using brokersim::model::FilterParseError;
using brokersim::model::NodeView;

namespace {

// A node described inline: `TestNode("web1").fact("datacenter", "a").klass("webserver")`.
class TestNode : public NodeView
{
public:
    explicit TestNode(std::string identity) : identity_(std::move(identity)) {}

    TestNode& fact(std::string name, std::string value)
    {
        facts_[std::move(name)] = std::move(value);
        return *this;
    }
    TestNode& klass(std::string name)
    {
        classes_.push_back(std::move(name));
        return *this;
    }
    TestNode& agent(std::string name)
    {
        agents_.push_back(std::move(name));
        return *this;
    }

    std::string identity() const override { return identity_; }

    std::optional<std::string_view> fact(std::string_view name) const override
    {
        const auto found = facts_.find(name);
        if (found == facts_.end())
            return std::nullopt;
        return found->second;
    }

    bool has_class(std::string_view name) const override { return contains(classes_, name); }
    std::vector<std::string_view> classes() const override { return views(classes_); }
    bool has_agent(std::string_view name) const override { return contains(agents_, name); }
    std::vector<std::string_view> agents() const override { return views(agents_); }

private:
    static bool contains(const std::vector<std::string>& names, std::string_view name)
    {
        return std::find(names.begin(), names.end(), name) != names.end();
    }
    static std::vector<std::string_view> views(const std::vector<std::string>& names)
    {
        return {names.begin(), names.end()};
    }

    std::string identity_;
    std::map<std::string, std::string, std::less<>> facts_;
    std::vector<std::string> classes_;
    std::vector<std::string> agents_;
};

bool passes(std::string_view filter, const NodeView& node)
{
    return Filter::parse(filter).matches(node);
}

struct ParseFailure
{
    int column = 0;
    std::string message;

    friend bool operator==(const ParseFailure&, const ParseFailure&) = default;
    friend std::ostream& operator<<(std::ostream& out, const ParseFailure& failure)
    {
        return out << "column " << failure.column << ": " << failure.message;
    }
};

ParseFailure parse_failure(std::string_view filter)
{
    try {
        Filter::parse(filter);
    } catch (const FilterParseError& error) {
        return {error.column(), error.what()};
    }
    return {0, "(parsed without error)"};
}

TestNode acme_webserver()
{
    TestNode node("web1.a.acme.net");
    node.fact("datacenter", "a").fact("customer", "acmeinc").klass("webserver");
    return node;
}

} // namespace

TEST_CASE("an empty filter passes every node")
{
    const TestNode bare("bare");

    CHECK(Filter().empty());
    CHECK(Filter().matches(bare));
    CHECK(Filter::parse("").empty());
    CHECK(Filter::parse("  \t ").matches(bare));
}

TEST_CASE("a filter keeps the text it was parsed from")
{
    const auto filter = Filter::parse("datacenter=a and webserver");

    CHECK(filter.text() == "datacenter=a and webserver");
    CHECK_FALSE(filter.empty());
}

TEST_CASE("the guide's example passes a webserver of acmeinc in datacenter a")
{
    const auto filter = Filter::parse("datacenter=a and /webserver/ and customer=acmeinc");
    auto other_datacenter = acme_webserver();
    other_datacenter.fact("datacenter", "b");
    auto other_customer = acme_webserver();
    other_customer.fact("customer", "initech");
    TestNode database("db1.a.acme.net");
    database.fact("datacenter", "a").fact("customer", "acmeinc").klass("database");

    CHECK(filter.matches(acme_webserver()));
    CHECK_FALSE(filter.matches(other_datacenter));
    CHECK_FALSE(filter.matches(other_customer));
    CHECK_FALSE(filter.matches(database));
}

TEST_CASE("= and == compare the fact with the value as strings")
{
    TestNode node("n1");
    node.fact("processorcount", "4.0").fact("os", "Debian");

    CHECK(passes("os=Debian", node));
    CHECK(passes("os==Debian", node));
    CHECK_FALSE(passes("os=debian", node));
    CHECK_FALSE(passes("processorcount=4", node));
    CHECK(passes("processorcount=4.0", node));
}

TEST_CASE("!= passes a node whose fact differs from the value")
{
    TestNode node("n1");
    node.fact("os", "Debian");

    CHECK(passes("os!=RedHat", node));
    CHECK_FALSE(passes("os!=Debian", node));
}

TEST_CASE("< > <= >= compare as numbers when both sides are numbers")
{
    TestNode node("n1");
    node.fact("memory_gb", "10").fact("load", "1.50");

    CHECK(passes("memory_gb>9", node)); // as strings, "10" sorts before "9"
    CHECK_FALSE(passes("memory_gb<9", node));
    CHECK(passes("memory_gb>=10", node));
    CHECK(passes("memory_gb<=10.0", node));
    CHECK(passes("load<=1.5", node));
    CHECK(passes("load>=1.5", node));
    CHECK_FALSE(passes("load<1.5", node));
    CHECK(passes("load>-2", node));
}

TEST_CASE("< > <= >= compare as strings when either side is not a number")
{
    TestNode node("n1");
    node.fact("release", "9a").fact("codename", "bookworm");

    CHECK(passes("release>10", node)); // '9' sorts after '1'
    CHECK_FALSE(passes("release<10", node));
    CHECK_FALSE(passes("codename>bullseye", node));
    CHECK(passes("codename<bullseye", node));
    CHECK(passes("codename>=bookworm", node));
}

TEST_CASE("=~ and =/re/ search for the regex anywhere in the fact")
{
    TestNode node("n1");
    node.fact("hostname", "prod-web-01");

    CHECK(passes("hostname=~web", node));
    CHECK(passes("hostname=~/web-\\d+$/", node));
    CHECK(passes("hostname=/web/", node));
    CHECK(passes("hostname==/^prod-/", node));
    CHECK_FALSE(passes("hostname=/^web/", node));
    CHECK_FALSE(passes("hostname=~db", node));
}

TEST_CASE("!= with a regex passes a node whose fact does not match it")
{
    TestNode node("n1");
    node.fact("hostname", "prod-web-01");

    CHECK(passes("hostname!=/^db/", node));
    CHECK_FALSE(passes("hostname!=/web/", node));
}

TEST_CASE("a regex may contain an escaped slash")
{
    TestNode node("n1");
    node.fact("path", "/usr/local/bin");

    CHECK(passes("path=~/^\\/usr\\/local/", node));
    CHECK_FALSE(passes("path=~/^\\/opt/", node));
}

TEST_CASE("a fact the node lacks fails every comparison, != included")
{
    const TestNode node("n1");

    CHECK_FALSE(passes("rack=r1", node));
    CHECK_FALSE(passes("rack==r1", node));
    CHECK_FALSE(passes("rack!=r1", node));
    CHECK_FALSE(passes("rack<5", node));
    CHECK_FALSE(passes("rack>5", node));
    CHECK_FALSE(passes("rack<=5", node));
    CHECK_FALSE(passes("rack>=5", node));
    CHECK_FALSE(passes("rack=~r", node));
    CHECK_FALSE(passes("rack!=/r/", node));
    CHECK(passes("not rack=r1", node));
}

TEST_CASE("values may be quoted with single or double quotes")
{
    TestNode node("n1");
    node.fact("customer", "acme inc").fact("motto", "say \"hi\"");

    CHECK(passes("customer=\"acme inc\"", node));
    CHECK(passes("customer='acme inc'", node));
    CHECK(passes("motto=\"say \\\"hi\\\"\"", node));
    CHECK(passes("customer=~'^acme\\s'", node));
    CHECK_FALSE(passes("customer=acme", node));
}

TEST_CASE("a keyword right after an operator is a value")
{
    TestNode node("n1");
    node.fact("state", "OR");

    CHECK(passes("state=OR", node));
    CHECK(passes("state=OR and state!=and", node));
}

TEST_CASE("a bare word passes a node that has that class")
{
    TestNode node("n1");
    node.klass("webserver").klass("apache::server");

    CHECK(passes("webserver", node));
    CHECK(passes("apache::server", node));
    CHECK_FALSE(passes("apache", node));
    CHECK_FALSE(passes("database", node));
}

TEST_CASE("a regex alone passes a node when any of its classes matches")
{
    TestNode node("n1");
    node.klass("base").klass("apache::server");
    const TestNode classless("n2");

    CHECK(passes("/^apache::/", node));
    CHECK(passes("/server$/", node));
    CHECK_FALSE(passes("/^server/", node));
    CHECK_FALSE(passes("/./", classless));
}

TEST_CASE("agent= passes a node that has the agent loaded")
{
    TestNode node("n1");
    node.agent("rpcutil").agent("package");

    CHECK(passes("agent=package", node));
    CHECK(passes("agent==rpcutil", node));
    CHECK_FALSE(passes("agent=service", node));
    CHECK(passes("agent=/^pack/", node));
    CHECK(passes("agent=~util", node));
    CHECK_FALSE(passes("agent=/^serv/", node));
}

TEST_CASE("identity= compares with the node's identity, literally or by regex")
{
    const TestNode node("web1.example.com");

    CHECK(passes("identity=web1.example.com", node));
    CHECK_FALSE(passes("identity=web1", node));
    CHECK(passes("identity=/^web\\d/", node));
    CHECK(passes("identity=~example", node));
    CHECK_FALSE(passes("identity=/^db/", node));
}

TEST_CASE("identity terms ANDed at the top level pass when exactly one matches")
{
    const auto filter = Filter::parse("identity=web1 and identity=web2 and webserver");
    TestNode web1("web1");
    web1.klass("webserver");
    TestNode web2("web2");
    web2.klass("webserver");
    TestNode web3("web3");
    web3.klass("webserver");
    const TestNode web1_without_class("web1");

    CHECK(filter.matches(web1));
    CHECK(filter.matches(web2));
    CHECK_FALSE(filter.matches(web3));
    CHECK_FALSE(filter.matches(web1_without_class));
}

TEST_CASE("a node whose identity matches two top-level identity terms fails")
{
    const TestNode web1("web1");

    CHECK_FALSE(passes("identity=web1 and identity=/^web/", web1));
    CHECK(passes("identity=web1 and identity=/^db/", web1));
}

TEST_CASE("identity terms inside parentheses, or and not are plain boolean terms")
{
    const TestNode web1("web1");

    CHECK_FALSE(passes("(identity=web1 and identity=web2)", web1));
    CHECK(passes("identity=web1 or identity=web2", web1));
    CHECK_FALSE(passes("identity=web1 and identity=web2 or identity=web3", web1));
    CHECK_FALSE(passes("not identity=web2 and identity=web1 and identity=/web/", web1));
    CHECK(passes("not identity=web2 and identity=web1 and identity=/db/", web1));
}

TEST_CASE("and binds tighter than or")
{
    TestNode node("n1");
    node.klass("a");

    CHECK(passes("a or b and c", node));
    CHECK_FALSE(passes("b and c or b", node));
    CHECK(passes("b and c or a", node));
}

TEST_CASE("not binds tighter than and")
{
    TestNode node("n1");
    node.klass("a");

    CHECK(passes("not b and a", node));
    CHECK_FALSE(passes("not a and a", node));
    CHECK(passes("not not a", node));
}

TEST_CASE("parentheses group before and and not")
{
    TestNode node("n1");
    node.klass("a");

    CHECK_FALSE(passes("(a or b) and c", node));
    CHECK(passes("a or (b and c)", node));
    CHECK(passes("not (b and a)", node));
    CHECK_FALSE(passes("not (b or a)", node));
    CHECK(passes("((a))", node));
}

TEST_CASE("keywords ignore case and have symbolic spellings")
{
    TestNode node("n1");
    node.klass("a");

    CHECK(passes("a AND not b", node));
    CHECK(passes("b Or a", node));
    CHECK(passes("NOT b", node));
    CHECK(passes("a && !b", node));
    CHECK(passes("b || a", node));
    CHECK(passes("!(b)&&a", node));
}

TEST_CASE("keywords are whole words")
{
    TestNode node("n1");
    node.klass("android").klass("order").klass("nothing");

    CHECK(passes("android and order and nothing", node));
}

TEST_CASE("spaces around comparison operators are allowed")
{
    TestNode node("n1");
    node.fact("datacenter", "a");

    CHECK(passes("datacenter = a", node));
    CHECK(passes("datacenter != b", node));
}

TEST_CASE("a parse error gives the column and what was expected")
{
    CHECK(parse_failure("datacenter=") ==
          ParseFailure{12, "expected a value after '=', found end of filter"});
    CHECK(parse_failure("datacenter= and webserver") ==
          ParseFailure{13, "expected a value after '=', found 'and'"});
    CHECK(parse_failure("a and and b") ==
          ParseFailure{7, "expected a term after 'and', found 'and'"});
    CHECK(parse_failure("or a") == ParseFailure{1, "expected a term, found 'or'"});
    CHECK(parse_failure("a b") ==
          ParseFailure{3, "expected 'and', 'or' or end of filter, found 'b'"});
    CHECK(parse_failure("(a b)") == ParseFailure{4, "expected 'and', 'or' or ')', found 'b'"});
    CHECK(parse_failure("not") ==
          ParseFailure{4, "expected a term after 'not', found end of filter"});
    CHECK(parse_failure("a and =b") == ParseFailure{7, "expected a term after 'and', found '='"});
    CHECK(parse_failure("a and \"b\"") ==
          ParseFailure{7, "expected a term after 'and', found quoted value \"b\""});
}

TEST_CASE("a parse error reports unbalanced parentheses where they are")
{
    CHECK(parse_failure("(a and b") ==
          ParseFailure{1, "unbalanced parenthesis: '(' is never closed"});
    CHECK(parse_failure("a and (b or (c)") ==
          ParseFailure{7, "unbalanced parenthesis: '(' is never closed"});
    CHECK(parse_failure("a and b)") ==
          ParseFailure{8, "unbalanced parenthesis: ')' without a matching '('"});
    CHECK(parse_failure("()") == ParseFailure{2, "expected a term after '(', found ')'"});
}

TEST_CASE("a parse error reports an unterminated regex or quoted value at its start")
{
    CHECK(parse_failure("a and /web") ==
          ParseFailure{7, "unterminated regex: no closing '/' before end of filter"});
    CHECK(parse_failure("hostname=~/web\\/") ==
          ParseFailure{11, "unterminated regex: no closing '/' before end of filter"});
    CHECK(parse_failure("customer=\"acme inc") ==
          ParseFailure{10, "unterminated quoted value: no closing \" before end of filter"});
    CHECK(parse_failure("customer='acme") ==
          ParseFailure{10, "unterminated quoted value: no closing ' before end of filter"});
}

TEST_CASE("a parse error names an invalid regular expression and why")
{
    CHECK(parse_failure("hostname=~/web[/") ==
          ParseFailure{11, "invalid regular expression 'web[': '[' without a matching ']'"});
    CHECK(parse_failure("/(web/") ==
          ParseFailure{1, "invalid regular expression '(web': '(' without a matching ')'"});
    CHECK(parse_failure("/web)/") ==
          ParseFailure{1, "invalid regular expression 'web)': ')' without a matching '('"});
    CHECK(parse_failure("/[[:vowel:]]/") ==
          ParseFailure{1, "invalid regular expression '[[:vowel:]]': unknown character class "
                          "'[:vowel:]'"});
    CHECK(parse_failure("a and hostname=~\"*web\"") ==
          ParseFailure{17, "invalid regular expression '*web': '*', '+', '?' or '{' with "
                           "nothing to repeat"});
    CHECK(parse_failure("agent=/x{2,1}/") ==
          ParseFailure{7, "invalid regular expression 'x{2,1}': invalid repeat count between "
                          "'{' and '}'"});
    CHECK(parse_failure("agent=/x{1001}/") ==
          ParseFailure{7, "invalid regular expression 'x{1001}': repeat count above 1000 in "
                          "'{1001}', the most RE2 allows"});
    CHECK(parse_failure("agent=/(x{100}){100}/") ==
          ParseFailure{7, "invalid regular expression '(x{100}){100}': repeats nested around "
                          "'{100}' come to more than 1000 in all, the most RE2 allows"});
    CHECK(parse_failure("/(?<a-b>x)/") ==
          ParseFailure{1, "invalid regular expression '(?<a-b>x)': invalid group name in "
                          "'(?<a-b>'"});
}

TEST_CASE("a parse error is the first problem in reading order")
{
    CHECK(parse_failure("/web[/ & b") ==
          ParseFailure{1, "invalid regular expression 'web[': '[' without a matching ']'"});
    CHECK(parse_failure("os=~/(/ | b") ==
          ParseFailure{5, "invalid regular expression '(': '(' without a matching ')'"});
}

TEST_CASE("a pathological regex takes linear time")
{
    const TestNode almost(std::string(40, 'a') + "!");
    const TestNode all_a(std::string(40, 'a'));

    CHECK_FALSE(passes("identity=/(a+)+$/", almost));
    CHECK(passes("identity=/(a+)+$/", all_a));
    CHECK(passes("identity=/^(a|aa)+!$/", almost));
}

TEST_CASE("a regex whose compiled program is too large is refused, not run slowly")
{
    // (.*a){1000}: 11,004 RE2 instructions; (.*a){200} (2,204) is still accepted.
    CHECK(parse_failure("identity=/(.*a){1000}/") ==
          ParseFailure{10, "invalid regular expression '(.*a){1000}': too complex: it compiles "
                           "to 11004 RE2 instructions, at most 2500 (nested counted repeats "
                           "multiply)"});
    CHECK(passes("identity=/(.*a){3}/", TestNode("xaxaxa")));
    CHECK_FALSE(passes("identity=/(.*a){4}/", TestNode("xaxaxa")));
}

TEST_CASE("counted repeats: Ruby's {,n} is {0,n}, counts past 1000 are refused, not literal")
{
    CHECK(passes("identity=/^ab{,2}c$/", TestNode("abbc")));
    CHECK(passes("identity=/^ab{,2}c$/", TestNode("ac")));
    CHECK_FALSE(passes("identity=/^ab{,2}c$/", TestNode("abbbc")));
    CHECK(parse_failure("/a{99999999999999999999}/") ==
          ParseFailure{1, "invalid regular expression 'a{99999999999999999999}': repeat count "
                          "above 1000 in '{99999999999999999999}', the most RE2 allows"});
    CHECK(parse_failure("/a{1,4294967297}/") ==
          ParseFailure{1, "invalid regular expression 'a{1,4294967297}': repeat count above 1000 "
                          "in '{1,4294967297}', the most RE2 allows"});
    // A brace that starts no repetition is text, in Ruby and here.
    CHECK(passes("identity=/x{abc}/", TestNode("x{abc}")));
}

TEST_CASE("Ruby's \\A and \\z anchor the whole value")
{
    TestNode node("n1");
    node.fact("hostname", "web01").fact("motd", "hi\nweb");

    CHECK(passes("hostname=~/\\Aweb/", node));
    CHECK(passes("hostname=~/01\\z/", node));
    CHECK_FALSE(passes("hostname=~/\\A01/", node));
    CHECK_FALSE(passes("motd=~/\\Aweb/", node));
    CHECK(passes("path=~/C:\\\\Apps/", TestNode("n").fact("path", "C:\\Apps")));
}

TEST_CASE("^ and $ anchor the whole value, not one line of it")
{
    TestNode node("n1");
    node.fact("motd", "hi\nweb");

    CHECK_FALSE(passes("motd=~/^web/", node)); // Ruby would match: its ^ starts every line
    CHECK(passes("motd=~/^hi/", node));
    CHECK_FALSE(passes("motd=~/hi$/", node));
}

TEST_CASE("Ruby's \\h is a hex digit and \\H anything else, inside brackets too")
{
    TestNode node("n1");
    node.fact("serial", "00ff").fact("name", "web-g1");

    CHECK(passes("serial=~/^\\h+$/", node));
    CHECK_FALSE(passes("name=~/^\\h+$/", node));
    CHECK(passes("name=~/^\\H/", node));
    CHECK(passes("name=~/^[\\h\\-w]+$/", TestNode("n").fact("name", "web-f1")));
    CHECK_FALSE(passes("serial=~/[\\H]/", node));
}

TEST_CASE("Ruby's \\uXXXX and \\u{X} name a character")
{
    TestNode node("n1");
    node.fact("city", "Z\xc3\xbcrich");

    CHECK(passes("city=~/Z\\u00fcrich/", node));
    CHECK(passes("city=~/Z\\u{fc}rich/", node));
    CHECK(passes("city=~/^Z.rich$/", node)); // '.' is one character, not one byte
    CHECK(passes("city=~/^Z\\u{fc}{1}r/", node));
}

TEST_CASE("a \\u escape that names no character is refused as Ruby refuses it")
{
    CHECK(parse_failure("/\\u{110000}/") ==
          ParseFailure{1, "invalid regular expression '\\u{110000}': '\\u{110000}' is not a "
                          "Unicode character (at most U+10FFFF, and no surrogates U+D800 to "
                          "U+DFFF)"});
    CHECK(parse_failure("/\\uD800/") ==
          ParseFailure{1, "invalid regular expression '\\uD800': '\\uD800' is not a Unicode "
                          "character (at most U+10FFFF, and no surrogates U+D800 to U+DFFF)"});
    CHECK(parse_failure("/\\u{zz}/") ==
          ParseFailure{1, "invalid regular expression '\\u{zz}': '\\u{...}' takes one to six hex "
                          "digits between the braces"});
}

TEST_CASE("inline flags have Ruby's meaning: (?i) ignores case, (?m) lets '.' match a newline")
{
    TestNode node("n1");
    node.fact("hostname", "Prod-WEB-01").fact("motd", "hi\nweb");

    CHECK(passes("hostname=~/(?i)prod-web/", node));
    CHECK(passes("hostname=~/(?i:prod)-WEB/", node));
    CHECK_FALSE(passes("hostname=~/(?i:prod)-web/", node));
    CHECK_FALSE(passes("motd=~/hi.web/", node));
    CHECK(passes("motd=~/(?m)hi.web/", node));
    CHECK(passes("motd=~/(?mi:HI.WEB)/", node));
}

TEST_CASE("Ruby's named groups (?<name>...) group like any other")
{
    TestNode node("n1");
    node.fact("hostname", "web-01");

    CHECK(passes("hostname=~/^(?<role>web|db)-(?<n>\\d+)$/", node));
    CHECK_FALSE(passes("hostname=~/^(?<role>db)-/", node));
}

TEST_CASE("a parse error refuses backreferences and lookaround, which RE2 cannot run")
{
    CHECK(parse_failure("identity=/(a)\\1/") ==
          ParseFailure{10, "invalid regular expression '(a)\\1': backreference '\\1' is not "
                           "supported by RE2, which matches in linear time: spell the repeated "
                           "text out"});
    CHECK(parse_failure("a and hostname=~/web(?=-prod)/") ==
          ParseFailure{17, "invalid regular expression 'web(?=-prod)': lookahead '(?=...)' is "
                           "not supported by RE2: join a second test with 'and' instead "
                           "('fact=~/re/', 'fact!=/re/', 'not /re/')"});
    CHECK(parse_failure("/^(?!test)/") ==
          ParseFailure{1, "invalid regular expression '^(?!test)': negative lookahead '(?!...)' "
                          "is not supported by RE2: join a second test with 'and' instead "
                          "('fact=~/re/', 'fact!=/re/', 'not /re/')"});
    CHECK(parse_failure("/(?<=web)01/") ==
          ParseFailure{1, "invalid regular expression '(?<=web)01': lookbehind '(?<=...)' is "
                          "not supported by RE2: join a second test with 'and' instead "
                          "('fact=~/re/', 'fact!=/re/', 'not /re/')"});
    CHECK(parse_failure("/(?>a+)b/") ==
          ParseFailure{1, "invalid regular expression '(?>a+)b': atomic group '(?>...)' is not "
                          "supported by RE2 (a plain '(?:...)' may match more)"});
    CHECK(parse_failure("/a++/") ==
          ParseFailure{1, "invalid regular expression 'a++': possessive repetition '++' is not "
                          "supported by RE2"});
}

TEST_CASE("a parse error explains Ruby syntax RE2 lacks")
{
    CHECK(parse_failure("/server\\Z/") ==
          ParseFailure{1, "invalid regular expression 'server\\Z': '\\Z' is not supported by "
                          "RE2: write '\\z' or '$', which do not match before a final newline"});
    CHECK(parse_failure("/(?x) web /") ==
          ParseFailure{1, "invalid regular expression '(?x) web ': extended mode '(?x)' is not "
                          "supported by RE2: write the pattern without spaces and comments"});
    CHECK(parse_failure("/(?s)a.b/") ==
          ParseFailure{1, "invalid regular expression '(?s)a.b': '(?s)' is not Ruby syntax: "
                          "Ruby's '(?m)' lets '.' match a newline"});
    CHECK(parse_failure("/(?P<role>web)/") ==
          ParseFailure{1, "invalid regular expression '(?P<role>web)': '(?P<' is not Ruby "
                          "syntax: Ruby names a group '(?<name>...)'"});
    CHECK(parse_failure("/(?P=role)/") ==
          ParseFailure{1, "invalid regular expression '(?P=role)': '(?P=' is not Ruby "
                          "syntax: Ruby names a group '(?<name>...)'"});
    CHECK(parse_failure("/\\Qa.b\\E/") ==
          ParseFailure{1, "invalid regular expression '\\Qa.b\\E': '\\Q...\\E' is not "
                          "supported: escape each special character with '\\' instead"});
    CHECK(parse_failure("hostname=~\"web\\\\\"") ==
          ParseFailure{11, "invalid regular expression 'web\\': '\\' at the end with nothing "
                           "to escape"});
}

TEST_CASE("a parse error points at a character the language does not use")
{
    CHECK(parse_failure("a & b") ==
          ParseFailure{3, "unexpected character '&' (did you mean '&&'?)"});
    CHECK(parse_failure("a | b") ==
          ParseFailure{3, "unexpected character '|' (did you mean '||'?)"});
    CHECK(parse_failure("os=debian, a") == ParseFailure{10, "unexpected character ','"});
    CHECK(parse_failure("a\x01") == ParseFailure{2, "unexpected character byte 0x01"});
}

TEST_CASE("a parse error rejects operators a term cannot take")
{
    CHECK(parse_failure("load>/1/") ==
          ParseFailure{6, "a regex can only follow '=', '==', '=~' or '!=', not '>'"});
    CHECK(parse_failure("identity!=web1") ==
          ParseFailure{9, "identity can only be compared with '=', '==' or '=~', not '!='"});
    CHECK(parse_failure("agent<x") ==
          ParseFailure{6, "agent can only be compared with '=', '==' or '=~', not '<'"});
}

TEST_CASE("a parse error stops nesting deeper than 100 levels")
{
    const std::string deep = std::string(101, '(') + "a" + std::string(101, ')');
    const std::string nots = [] {
        std::string text;
        for (int i = 0; i < 101; ++i)
            text += "not ";
        return text + "a";
    }();

    CHECK(parse_failure(deep) ==
          ParseFailure{101, "filter nested too deeply: more than 100 levels of parentheses "
                            "and 'not'"});
    CHECK(parse_failure(nots) ==
          ParseFailure{401, "filter nested too deeply: more than 100 levels of parentheses "
                            "and 'not'"});
    CHECK(passes(std::string(100, '(') + "a" + std::string(100, ')'), TestNode("n").klass("a")));
}

TEST_CASE("a FilterParseError's message has no column prefix")
{
    try {
        Filter::parse("a and");
        FAIL("parse should have thrown");
    } catch (const FilterParseError& error) {
        CHECK(std::string(error.what()) == "expected a term after 'and', found end of filter");
        CHECK(error.column() == 6);
    }
}
