#include "commands.hpp"

#include "brokersim/model/source_pos.hpp"

#include <iostream>

namespace brokersim::app {

int report_errors(const std::function<int()>& body, int input_status, int other_status)
{
    try {
        return body();
    } catch (const model::InputError& error) {
        std::cerr << error.what() << "\n";
        return input_status;
    } catch (const std::exception& error) {
        std::cerr << "brokersim: error: " << error.what() << "\n";
        return other_status;
    }
}

const CLI::Validator positive(
    [](const std::string& text) -> std::string {
        double value = 0;
        if (!CLI::detail::lexical_cast(text, value))
            return "must be a number, got '" + text + "'";
        if (!(value > 0))
            return "must be greater than 0, got " + text;
        return {};
    },
    "POSITIVE");

const CLI::Validator path_given(
    [](const std::string& text) -> std::string {
        return text.empty() ? "must name a file, got an empty path" : std::string();
    },
    "PATH");

}  // namespace brokersim::app
