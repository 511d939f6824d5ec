#include "brokersim/model/destination.hpp"

#include <doctest/doctest.h>

using namespace brokersim::model;

TEST_CASE("'>' matches the rest of a destination name, at least one segment")
{
    CHECK(wildcard_match(">", "mcollective.nodes"));
    CHECK(wildcard_match("mcollective.>", "mcollective.reply.noc_1000.0"));
    CHECK_FALSE(wildcard_match("mcollective.reply.>", "mcollective.nodes"));
}

TEST_CASE("'*' matches exactly one segment")
{
    CHECK(wildcard_match("*.reply.>", "mcollective.reply.op_1.3"));
    CHECK_FALSE(wildcard_match("mcollective.*", "mcollective.package.agent"));
    CHECK(wildcard_match("mcollective.*.agent", "mcollective.package.agent"));
}

TEST_CASE("a literal pattern matches only the same name")
{
    CHECK(wildcard_match("mcollective.nodes", "mcollective.nodes"));
    CHECK_FALSE(wildcard_match("mcollective.nodes", "mcollective.nodes.extra"));
    CHECK_FALSE(wildcard_match("mcollective.nodes.extra", "mcollective.nodes"));
}

TEST_CASE("destination filters are type-aware: a queue entry never excludes a topic")
{
    const DestinationFilter all_queues{DestinationType::Queue, ">"};
    CHECK(all_queues.matches({DestinationType::Queue, "mcollective.nodes"}));
    CHECK_FALSE(all_queues.matches({DestinationType::Topic, "mcollective.package.agent"}));
    CHECK(all_queues.to_string() == "queue:>");
}
