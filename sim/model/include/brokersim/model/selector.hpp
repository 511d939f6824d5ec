// Parsing of the JMS selectors brokersim evaluates: `header = 'literal'` terms joined by AND.
#pragma once

#include "brokersim/model/filter.hpp"
#include "brokersim/model/scenario.hpp"

#include <string_view>

namespace brokersim::model {

// Throws FilterParseError (1-based column) for anything else, naming what is supported.
HeaderSelector parse_selector(std::string_view text);

}  // namespace brokersim::model
