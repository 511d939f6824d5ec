#include "brokersim/model/topology.hpp"

#include <doctest/doctest.h>

using namespace brokersim::model;

namespace {

Scenario line_of_three()
{
    Scenario s;
    s.datacenters = {{"a"}, {"b"}, {"c"}, {"island"}};
    s.links.push_back({"a", "b", 0.010, 1e8});
    s.links.push_back({"b", "c", 0.020, 1e8});
    s.links.push_back({"a", "c", 0.100, 1e8});
    return s;
}

}  // namespace

TEST_CASE("routes take the lowest-latency path between datacenters")
{
    const auto scenario = line_of_three();
    const Topology topology(scenario);
    const auto route = topology.route(0, 2);
    REQUIRE(route.has_value());
    REQUIRE(route->size() == 2);
    CHECK((*route)[0].link == 0);
    CHECK((*route)[1].link == 1);
    CHECK(topology.latency_s(*route) == doctest::Approx(0.030));
}

TEST_CASE("a route records the direction each link is crossed in")
{
    const auto scenario = line_of_three();
    const Topology topology(scenario);
    const auto route = topology.route(2, 0);
    REQUIRE(route.has_value());
    REQUIRE(route->size() == 2);
    CHECK((*route)[0].link == 1);
    CHECK_FALSE((*route)[0].forward);
}

TEST_CASE("a connector to a datacenter with no WAN path is an error at the connector")
{
    auto scenario = line_of_three();
    scenario.brokers = {{"ba", "a"}, {"bi", "island"}};
    Connector connector;
    connector.name = "to-island";
    connector.on = "ba";
    connector.to = "bi";
    connector.pos = {"s.yaml", 12, 5};
    scenario.connectors.push_back(connector);
    const Topology topology(scenario);
    CHECK(!topology.route(0, 3).has_value());
    CHECK_THROWS_WITH(topology.check_connectors(),
                      "s.yaml:12:5: error: connector 'to-island' cannot reach broker 'bi': no WAN "
                      "link path between datacenters 'a' and 'island'");
}
