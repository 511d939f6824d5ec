#include "brokersim/model/selector.hpp"

#include <fmt/format.h>

#include <cctype>

namespace brokersim::model {

namespace {

class SelectorParser
{
public:
    explicit SelectorParser(std::string_view text) : text_(text) {}

    HeaderSelector parse()
    {
        HeaderSelector selector;
        selector.text = std::string(text_);
        skip_spaces();
        if (at_end())
            return selector;
        while (true) {
            selector.equals.push_back(term());
            skip_spaces();
            if (at_end())
                return selector;
            if (!keyword("AND"))
                fail("expected AND or the end of the selector (only header = 'value' terms "
                     "joined by AND are supported)");
        }
    }

private:
    std::pair<std::string, std::string> term()
    {
        skip_spaces();
        const auto start = pos_;
        while (!at_end() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) ||
                             text_[pos_] == '_' || text_[pos_] == '.' || text_[pos_] == '-'))
            ++pos_;
        if (pos_ == start)
            fail("expected a header name");
        std::string header(text_.substr(start, pos_ - start));
        skip_spaces();
        if (at_end() || text_[pos_] != '=')
            fail(fmt::format("expected '=' after '{}' (only equality is supported)", header));
        ++pos_;
        skip_spaces();
        if (at_end() || text_[pos_] != '\'')
            fail("expected a quoted string literal such as 'n1'");
        const auto literal_start = ++pos_;
        std::string value;
        while (true) {
            if (at_end()) {
                pos_ = literal_start - 1;
                fail("unterminated string literal");
            }
            if (text_[pos_] == '\'') {
                if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '\'') {
                    value += '\'';  // '' is an escaped quote in JMS selectors
                    pos_ += 2;
                    continue;
                }
                ++pos_;
                break;
            }
            value += text_[pos_++];
        }
        return {std::move(header), std::move(value)};
    }

    bool keyword(std::string_view word)
    {
        if (text_.size() - pos_ < word.size())
            return false;
        for (std::size_t i = 0; i < word.size(); ++i)
            if (std::toupper(static_cast<unsigned char>(text_[pos_ + i])) != word[i])
                return false;
        const auto after = pos_ + word.size();
        if (after < text_.size() && !std::isspace(static_cast<unsigned char>(text_[after])))
            return false;
        pos_ = after;
        return true;
    }

    void skip_spaces()
    {
        while (!at_end() && std::isspace(static_cast<unsigned char>(text_[pos_])))
            ++pos_;
    }
    bool at_end() const { return pos_ >= text_.size(); }
    [[noreturn]] void fail(const std::string& message) const
    {
        throw FilterParseError(static_cast<int>(pos_) + 1, message);
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

}  // namespace

HeaderSelector parse_selector(std::string_view text)
{
    return SelectorParser(text).parse();
}

}  // namespace brokersim::model
