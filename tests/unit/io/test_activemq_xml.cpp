#include "brokersim/io/activemq_xml.hpp"
#include "brokersim/io/scenario_loader.hpp"

#include "read_text.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using brokersim::io::BrokerConfigSet;
using brokersim::io::load_activemq_dir;
using brokersim::io::load_activemq_xml;
using brokersim::io::load_activemq_xml_texts;
using brokersim::io::XmlText;
using brokersim::model::Connector;
using brokersim::model::InputError;

using brokersim::testing::read_text;

namespace {

const std::string data_dir = BROKERSIM_SOURCE_DIR "/tests/data/activemq/";

// A broker that listens for OpenWire on 127.0.0.1:`port`, with `body` inside <broker>.
std::string broker_xml(const std::string& name, int port, const std::string& body = "")
{
    std::string xml = "<beans>\n";
    xml += "  <broker brokerName=\"" + name + "\">\n";
    xml += body;
    xml += "    <transportConnectors>\n";
    xml += "      <transportConnector uri=\"tcp://127.0.0.1:" + std::to_string(port) + "\"/>\n";
    xml += "    </transportConnectors>\n";
    xml += "  </broker>\n";
    xml += "</beans>\n";
    return xml;
}

// Broker a (port 61616, `body` inside its <broker>) and broker b (port 61626).
std::vector<XmlText> pair_with(const std::string& body)
{
    return {{"a.xml", broker_xml("a", 61616, body)}, {"b.xml", broker_xml("b", 61626)}};
}

// A <networkConnectors> section holding one connector with these attributes.
std::string connector(const std::string& attributes, const std::string& children = "")
{
    if (children.empty())
        return "    <networkConnectors>\n      <networkConnector " + attributes +
               "/>\n    </networkConnectors>\n";
    return "    <networkConnectors>\n      <networkConnector " + attributes + ">\n" + children +
           "      </networkConnector>\n    </networkConnectors>\n";
}

// what() of the InputError that loading the texts throws, or "loaded".
std::string error_of(const std::vector<XmlText>& texts)
{
    try {
        load_activemq_xml_texts(texts);
    } catch (const InputError& error) {
        return error.what();
    }
    return "loaded";
}

std::vector<std::string> warnings_of(const BrokerConfigSet& set)
{
    std::vector<std::string> lines;
    for (const auto& warning : set.warnings)
        lines.push_back(warning.to_string());
    return lines;
}

// The warnings of a set loaded from tests/data/activemq, with that directory left out.
std::vector<std::string> data_warnings_of(const BrokerConfigSet& set)
{
    auto lines = warnings_of(set);
    for (auto& line : lines)
        if (line.starts_with(data_dir))
            line.erase(0, data_dir.size());
    return lines;
}

const Connector& connector_named(const BrokerConfigSet& set, const std::string& name,
                                 const std::string& to)
{
    const auto it = std::find_if(set.connectors.begin(), set.connectors.end(),
                                 [&](const Connector& c) { return c.name == name && c.to == to; });
    REQUIRE(it != set.connectors.end());
    return *it;
}

} // namespace

TEST_CASE("the star reference configs import to three brokers, in file name order")
{
    const auto set = load_activemq_dir(data_dir + "star");

    REQUIRE(set.brokers.size() == 3);
    CHECK(set.brokers[0].name == "star-hub");
    CHECK(set.brokers[1].name == "star-spoke1");
    CHECK(set.brokers[2].name == "star-spoke2");
    CHECK(set.brokers[0].pos.to_string() == data_dir + "star/star-hub.xml:25:3");
    CHECK(set.brokers[0].datacenter.empty());
}

TEST_CASE("the star hub's four connectors are duplex, networkTTL 2, one topic and one queue "
          "connector per spoke")
{
    const auto set = load_activemq_dir(data_dir + "star");

    REQUIRE(set.connectors.size() == 4);
    const char* const names[] = {"hub-spoke1-topics", "hub-spoke1-queues", "hub-spoke2-topics",
                                 "hub-spoke2-queues"};
    const char* const remotes[] = {"star-spoke1", "star-spoke1", "star-spoke2", "star-spoke2"};
    for (std::size_t i = 0; i < 4; ++i) {
        const auto& c = set.connectors[i];
        CAPTURE(c.name);
        CHECK(c.name == names[i]);
        CHECK(c.on == "star-hub");
        CHECK(c.to == remotes[i]);
        CHECK(c.duplex);
        CHECK(c.message_ttl == 2);
        CHECK(c.consumer_ttl == 2);
        CHECK(c.dynamic_only);
        CHECK(c.decrease_network_consumer_priority);
        REQUIRE(c.excluded_destinations.size() == 1);
    }

    CHECK(set.connectors[0].conduit_subscriptions);
    CHECK(set.connectors[0].excluded_destinations[0].to_string() == "queue:>");
    CHECK_FALSE(set.connectors[1].conduit_subscriptions);
    CHECK(set.connectors[1].excluded_destinations[0].to_string() == "topic:>");
    CHECK(set.connectors[1].pos.to_string() == data_dir + "star/star-hub.xml:55:7");
}

TEST_CASE("attributes a star connector does not set keep ActiveMQ 5.17's defaults")
{
    const auto set = load_activemq_dir(data_dir + "star");

    const auto& c = set.connectors.at(0);
    CHECK(c.consumer_priority_base == -5);
    CHECK(c.suppress_duplicate_topic_subscriptions);
    CHECK_FALSE(c.suppress_duplicate_queue_subscriptions);
    CHECK(c.bridge_temp_destinations);
    CHECK(c.prefetch_size == 1000);
    CHECK(c.dynamically_included_destinations.empty());
    CHECK(c.statically_included_destinations.empty());
}

TEST_CASE("each star broker keeps its topic and reply-queue policy entries in file order")
{
    const auto set = load_activemq_dir(data_dir + "star");

    for (const auto& broker : set.brokers) {
        CAPTURE(broker.name);
        REQUIRE(broker.policies.size() == 2);
        CHECK(broker.policies[0].destination.to_string() == "topic:>");
        CHECK(broker.policies[0].enable_audit);
        CHECK_FALSE(broker.policies[0].producer_flow_control);
        CHECK(broker.policies[1].destination.to_string() == "queue:*.reply.>");
        CHECK(broker.policies[1].enable_audit);
        CHECK(broker.policies[1].producer_flow_control);
    }
    CHECK(set.brokers[0].policies[1].pos.to_string() == data_dir + "star/star-hub.xml:37:11");
}

TEST_CASE("transport connectors record where each star broker listens")
{
    const auto set = load_activemq_dir(data_dir + "star");

    REQUIRE(set.transports.size() == 6);
    const auto& openwire = set.transports[2];
    CHECK(openwire.broker == "star-spoke1");
    CHECK(openwire.name == "openwire");
    CHECK(openwire.uri == "tcp://127.0.0.1:61626");
    CHECK(openwire.scheme == "tcp");
    CHECK(openwire.host == "127.0.0.1");
    CHECK(openwire.port == 61626);
    const auto& stomp = set.transports[1];
    CHECK(stomp.broker == "star-hub");
    CHECK(stomp.scheme == "stomp+ssl");
    CHECK(stomp.port == 61614);
    CHECK(stomp.pos.to_string() == data_dir + "star/star-hub.xml:120:7");
}

TEST_CASE("what the star hub sets and brokersim does not model is warned about once each")
{
    const auto set =
        load_activemq_xml({data_dir + "star/star-hub.xml", data_dir + "star/star-spoke1.xml",
                           data_dir + "star/star-spoke2.xml"});

    CHECK(set.warnings.size() == 33);
    const auto warnings = data_warnings_of(set);
    const std::vector<std::string> hub(warnings.begin(), warnings.begin() + 11);
    CHECK(hub == std::vector<std::string>{
                     "star/star-hub.xml:23:3: warning: element <bean> in <beans> is not "
                     "modelled; ignored",
                     "star/star-hub.xml:27:11: warning: attribute 'dataDirectory' of <broker> is "
                     "not modelled; ignored",
                     "star/star-hub.xml:28:11: warning: attribute 'useJmx' of <broker> is not "
                     "modelled; ignored",
                     "star/star-hub.xml:29:11: warning: attribute "
                     "'schedulePeriodForDestinationPurge' of <broker> is not modelled; ignored",
                     "star/star-hub.xml:37:42: warning: attribute 'gcInactiveDestinations' of "
                     "<policyEntry> is not modelled; ignored",
                     "star/star-hub.xml:38:24: warning: attribute 'inactiveTimoutBeforeGC' of "
                     "<policyEntry> is not modelled; ignored",
                     "star/star-hub.xml:91:5: warning: element <persistenceAdapter> in <broker> "
                     "is not modelled; ignored",
                     "star/star-hub.xml:95:5: warning: element <sslContext> in <broker> is not "
                     "modelled; ignored",
                     "star/star-hub.xml:107:9: warning: element <storeUsage> in <systemUsage> "
                     "is not modelled; ignored",
                     "star/star-hub.xml:110:9: warning: element <tempUsage> in <systemUsage> is "
                     "not modelled; ignored",
                     "star/star-hub.xml:121:5: warning: options of the transportConnector uri are "
                     "not modelled; ignored: needClientAuth, transport.enabledProtocols",
                 });
}

TEST_CASE("triangle-a alone is an error: the brokers it dials are not in the set")
{
    const auto expected = data_dir + "triangle/triangle-a.xml:44:25: error: networkConnector "
                                     "'tri-a-tri-b-topics' dials 127.0.0.1:61656, where no other "
                                     "broker of the set listens (known endpoints: "
                                     "127.0.0.1:61646 on 'tri-a', 127.0.0.1:61644 on 'tri-a')";
    CHECK_THROWS_WITH_AS(load_activemq_dir(data_dir + "triangle"), expected.c_str(), InputError);
}

TEST_CASE("the oracle's triangle at networkTTL 2 imports as a duplex mesh with a topic policy")
{
    const auto set = load_activemq_dir(data_dir + "oracle-triangle_ttl2_policy");

    REQUIRE(set.brokers.size() == 3);
    REQUIRE(set.connectors.size() == 3);
    CHECK(set.connectors[0].on == "A");
    CHECK(set.connectors[0].to == "B");
    CHECK(set.connectors[1].on == "A");
    CHECK(set.connectors[1].to == "C");
    CHECK(set.connectors[2].on == "B");
    CHECK(set.connectors[2].to == "C");
    for (const auto& c : set.connectors) {
        CHECK(c.duplex);
        CHECK(c.message_ttl == 2);
        CHECK(c.consumer_ttl == 2);
        CHECK(c.conduit_subscriptions);
    }
    for (const auto& broker : set.brokers) {
        REQUIRE(broker.policies.size() == 1);
        CHECK(broker.policies[0].destination.to_string() == "topic:>");
        CHECK(broker.policies[0].enable_audit);
    }
    CHECK(data_warnings_of(set).front() ==
          "oracle-triangle_ttl2_policy/A.xml:12:26: warning: attribute 'persistent' of <broker> "
          "is not modelled; ignored");
}

TEST_CASE("the oracle's hub without conduit subscriptions dials each spoke once")
{
    const auto set = load_activemq_dir(data_dir + "oracle-hub_sel4_noconduit");

    REQUIRE(set.connectors.size() == 3);
    CHECK(set.connectors[2].name == "H-S3");
    CHECK(set.connectors[2].to == "S3");
    for (const auto& c : set.connectors)
        CHECK_FALSE(c.conduit_subscriptions);
    CHECK(set.brokers[1].policies.empty());
}

// The harness writes one <broker>.xml per broker and case. Each set must import with one
// connector per <networkConnector>, and every warning about what it sets on <broker> itself
// (persistent, useJmx): the connectors, policies and destination lists are all read.
TEST_CASE("every activemq.xml set the oracle harness wrote imports")
{
    const std::filesystem::path out = BROKERSIM_SOURCE_DIR "/tests/oracle/out";
    int sets = 0;
    for (const auto& entry : std::filesystem::directory_iterator(out)) {
        std::vector<std::filesystem::path> files;
        std::size_t connector_elements = 0;
        if (entry.is_directory())
            for (const auto& file : std::filesystem::directory_iterator(entry.path()))
                if (file.path().extension() == ".xml")
                    files.push_back(file.path());
        if (files.empty())
            continue;
        for (const auto& file : files) {
            const auto text = read_text(file);
            for (auto at = text.find("<networkConnector "); at != std::string::npos;
                 at = text.find("<networkConnector ", at + 1))
                ++connector_elements;
        }

        CAPTURE(entry.path().filename().string());
        const auto set = load_activemq_dir(entry.path().string());
        CHECK(set.brokers.size() == files.size());
        CHECK(set.connectors.size() == connector_elements);
        for (const auto& warning : set.warnings)
            CHECK(warning.message.ends_with("of <broker> is not modelled; ignored"));
        ++sets;
    }
    CHECK(sets > 0);
}

TEST_CASE("a static list makes one bridge per remote, all named after the connector")
{
    const auto set = load_activemq_dir(data_dir + "mesh");

    REQUIRE(set.brokers.size() == 3);
    CHECK(set.brokers[2].name == "west");
    REQUIRE(set.connectors.size() == 3);
    CHECK(set.connectors[0].name == "east-out");
    CHECK(set.connectors[0].to == "west");
    CHECK(set.connectors[1].name == "east-out");
    CHECK(set.connectors[1].to == "north");
    CHECK(set.connectors[0].pos.to_string() == set.connectors[1].pos.to_string());
}

TEST_CASE("every modelled connector attribute is read, in Spring's spellings of values")
{
    const auto set = load_activemq_dir(data_dir + "mesh");

    const auto& c = connector_named(set, "east-out", "north");
    CHECK(c.on == "east");
    CHECK(c.message_ttl == -1);
    CHECK(c.consumer_ttl == 3);
    CHECK(c.duplex);
    CHECK_FALSE(c.conduit_subscriptions);
    CHECK(c.dynamic_only);
    CHECK(c.decrease_network_consumer_priority);
    CHECK(c.consumer_priority_base == -10);
    CHECK_FALSE(c.suppress_duplicate_topic_subscriptions);
    CHECK(c.suppress_duplicate_queue_subscriptions);
    CHECK_FALSE(c.bridge_temp_destinations);
    CHECK(c.prefetch_size == 16);
}

TEST_CASE("destination lists keep their type, and a composite name is one filter per part")
{
    const auto set = load_activemq_dir(data_dir + "mesh");

    const auto& c = connector_named(set, "east-out", "west");
    REQUIRE(c.dynamically_included_destinations.size() == 3);
    CHECK(c.dynamically_included_destinations[0].to_string() == "topic:mcollective.>");
    CHECK(c.dynamically_included_destinations[1].to_string() == "queue:mcollective.nodes");
    CHECK(c.dynamically_included_destinations[2].to_string() == "queue:mcollective.reply.>");
    REQUIRE(c.statically_included_destinations.size() == 1);
    CHECK(c.statically_included_destinations[0].to_string() == "queue:static.q");
    CHECK(c.excluded_destinations.empty());
}

TEST_CASE("an explicit TTL wins over networkTTL whichever attribute comes first")
{
    const auto after = load_activemq_xml_texts(
        pair_with(connector("uri=\"static:(tcp://127.0.0.1:61626)\" networkTTL=\"4\" "
                            "consumerTTL=\"2\"")));
    const auto before = load_activemq_xml_texts(
        pair_with(connector("uri=\"static:(tcp://127.0.0.1:61626)\" messageTTL=\"3\" "
                            "networkTTL=\"4\"")));

    CHECK(after.connectors.at(0).message_ttl == 4);
    CHECK(after.connectors.at(0).consumer_ttl == 2);
    CHECK(before.connectors.at(0).message_ttl == 3);
    CHECK(before.connectors.at(0).consumer_ttl == 4);
}

TEST_CASE("an IPv6 host and a masterslave pair resolve like any other endpoint")
{
    const auto ipv6_b = std::string("<broker brokerName=\"b\"><transportConnectors>") +
                        "<transportConnector uri=\"tcp://[::1]:61626\"/>" +
                        "</transportConnectors></broker>";
    const auto set = load_activemq_xml_texts(
        {{"a.xml", broker_xml("a", 61616,
                              connector("uri=\"masterslave:(tcp://[::1]:61626,"
                                        "tcp://127.0.0.1:61636)\""))},
         {"b.xml", ipv6_b},
         {"c.xml", broker_xml("c", 61636)}});

    CHECK(set.transports.at(1).host == "::1");
    REQUIRE(set.connectors.size() == 1);
    CHECK(set.connectors[0].to == "b");
    CHECK(warnings_of(set) ==
          std::vector<std::string>{"a.xml:4:25: warning: masterslave is not modelled: the bridge "
                                   "always dials 'tcp://[::1]:61626' (broker 'b'), never "
                                   "'tcp://127.0.0.1:61636' (broker 'c')"});
}

TEST_CASE("a failover pair is one bridge to its first broker, with a warning")
{
    const auto set = load_activemq_dir(data_dir + "mesh");

    const auto& c = set.connectors.at(2);
    CHECK(c.name == "east-west");
    CHECK(c.to == "west");
    CHECK(c.pos.to_string() == data_dir + "mesh/east.xml:42:7");
    const auto warnings = data_warnings_of(set);
    CHECK(warnings.back() == "mesh/east.xml:42:25: warning: failover is not modelled: the bridge "
                             "always dials 'tcp://10.0.0.2:61616' (broker 'west'), never "
                             "'tcp://10.0.0.3:61616' (broker 'north')");
}

TEST_CASE("a defaultEntry applies after every policyEntry, to topics and queues")
{
    const auto set = load_activemq_dir(data_dir + "mesh");

    const auto& policies = set.brokers.at(0).policies;
    REQUIRE(policies.size() == 5);
    CHECK(policies[0].destination.to_string() == "topic:mcollective.>");
    CHECK_FALSE(policies[0].enable_audit);
    CHECK(policies[1].destination.to_string() == "queue:a.reply");
    CHECK(policies[2].destination.to_string() == "queue:b.reply");
    CHECK(policies[3].destination.to_string() == "topic:>");
    CHECK(policies[3].enable_audit);
    CHECK_FALSE(policies[3].producer_flow_control);
    CHECK(policies[4].destination.to_string() == "queue:>");
    CHECK(policies[4].pos.to_string() == data_dir + "mesh/east.xml:11:11");
}

TEST_CASE("a root <broker> with a namespace prefix is read, and placeholder ports warn")
{
    const auto set = load_activemq_dir(data_dir + "mesh");

    const auto& west = set.brokers.at(2);
    CHECK(west.pos.to_string() == data_dir + "mesh/west.xml:4:1");
    const auto& nio = set.transports.at(3);
    CHECK(nio.broker == "west");
    CHECK(nio.scheme == "nio");
    CHECK(nio.port == 61616);
    CHECK(set.transports.at(4).port == 0);
    CHECK(data_warnings_of(set) ==
          std::vector<std::string>{
              "mesh/east.xml:21:25: warning: options of the networkConnector uri are not "
              "modelled; ignored: maxReconnectDelay",
              "mesh/east.xml:42:25: warning: options of the networkConnector uri are not "
              "modelled; ignored: randomize",
              "mesh/west.xml:7:42: warning: transport connector uri "
              "'stomp://0.0.0.0:${stomp.port}' has a placeholder; no networkConnector can dial "
              "it here",
              "mesh/east.xml:42:25: warning: failover is not modelled: the bridge always dials "
              "'tcp://10.0.0.2:61616' (broker 'west'), never 'tcp://10.0.0.3:61616' (broker "
              "'north')",
          });
}

TEST_CASE("an unmodelled element is warned about once, whatever it holds")
{
    const auto set = load_activemq_xml_texts(
        pair_with("    <plugins>\n      <simpleAuthenticationPlugin>\n        <users/>\n"
                  "      </simpleAuthenticationPlugin>\n    </plugins>\n"));

    CHECK(warnings_of(set) ==
          std::vector<std::string>{
              "a.xml:3:5: warning: element <plugins> in <broker> is not modelled; ignored"});
}

TEST_CASE("the memoryUsage limit and a policy's memoryLimit are read in ActiveMQ's units")
{
    const auto set = load_activemq_xml_texts(pair_with(
        "    <destinationPolicy><policyMap><policyEntries>\n"
        "      <policyEntry queue=\"big.>\" memoryLimit=\"512 kb\"/>\n"
        "      <policyEntry queue=\">\" memoryLimit=\"1g\" producerFlowControl=\"false\"/>\n"
        "    </policyEntries></policyMap></destinationPolicy>\n"
        "    <systemUsage>\n      <systemUsage>\n        <memoryUsage>\n"
        "          <memoryUsage limit=\"64 mb\"/>\n        </memoryUsage>\n"
        "      </systemUsage>\n    </systemUsage>\n"));

    const auto& a = set.brokers.at(0);
    CHECK(a.memory_limit_bytes == 64ULL * 1024 * 1024);
    REQUIRE(a.policies.size() == 2);
    CHECK(a.policies[0].memory_limit_bytes == 512 * 1024);
    CHECK(a.policies[1].memory_limit_bytes == 1024ULL * 1024 * 1024);
    CHECK_FALSE(a.policies[1].producer_flow_control);
    CHECK(set.brokers.at(1).memory_limit_bytes == 1024ULL * 1024 * 1024);  // ActiveMQ's default
    CHECK(warnings_of(set).empty());
}

TEST_CASE("a memory size ActiveMQ cannot read is an error naming the attribute")
{
    CHECK(error_of(pair_with("    <systemUsage><systemUsage><memoryUsage>\n"
                             "      <memoryUsage limit=\"64 MiB\"/>\n"
                             "    </memoryUsage></systemUsage></systemUsage>\n")) ==
          "a.xml:4:20: error: memoryUsage attribute 'limit' must be a memory size such as "
          "65536, '512 kb' or '64 mb', got '64 MiB'");
}

TEST_CASE("percentOfJvmHeap is warned about: the limit stays ActiveMQ's default")
{
    const auto set = load_activemq_xml_texts(
        pair_with("    <systemUsage><systemUsage><memoryUsage>\n"
                  "      <memoryUsage percentOfJvmHeap=\"70\"/>\n"
                  "    </memoryUsage></systemUsage></systemUsage>\n"));

    CHECK(set.brokers.at(0).memory_limit_bytes == 1024ULL * 1024 * 1024);
    CHECK(warnings_of(set) ==
          std::vector<std::string>{"a.xml:4:20: warning: attribute 'percentOfJvmHeap' of "
                                   "<memoryUsage> is not modelled; ignored"});
}

TEST_CASE("unmodelled connector attributes warn, a near miss with the attribute it resembles")
{
    const auto set = load_activemq_xml_texts(
        pair_with(connector("uri=\"static:(tcp://127.0.0.1:61626)\" userName=\"${user}\" "
                            "networkTtl=\"2\"")));

    CHECK(warnings_of(set) ==
          std::vector<std::string>{
              "a.xml:4:62: warning: attribute 'userName' of <networkConnector> is not modelled; "
              "ignored",
              "a.xml:4:81: warning: attribute 'networkTtl' of <networkConnector> is not "
              "modelled; ignored (did you mean 'networkTTL'?)",
          });
    CHECK(set.connectors.at(0).message_ttl == 1);
}

TEST_CASE("unmodelled children of a connector and its destination lists warn")
{
    const auto set = load_activemq_xml_texts(
        pair_with(connector("uri=\"static:(tcp://127.0.0.1:61626)\"",
                            "        <excludedDestinations>\n"
                            "          <tempQueue physicalName=\"x\"/>\n"
                            "          <queue physicalName=\"q\" dlq=\"true\"/>\n"
                            "        </excludedDestinations>\n"
                            "        <durableDestinations/>\n")));

    CHECK(warnings_of(set) ==
          std::vector<std::string>{
              "a.xml:6:11: warning: element <tempQueue> in <excludedDestinations> is not "
              "modelled; ignored",
              "a.xml:7:35: warning: attribute 'dlq' of <queue> is not modelled; ignored",
              "a.xml:9:9: warning: element <durableDestinations> in <networkConnector> is not "
              "modelled; ignored",
          });
    REQUIRE(set.connectors.at(0).excluded_destinations.size() == 1);
    CHECK(set.connectors.at(0).excluded_destinations[0].to_string() == "queue:q");
}

TEST_CASE("a policy entry for temporary destinations is warned about and left out")
{
    const auto set = load_activemq_xml_texts(
        pair_with("    <destinationPolicy><policyMap><policyEntries>\n"
                  "      <policyEntry tempTopic=\"true\" advisoryForConsumed=\"true\"/>\n"
                  "    </policyEntries></policyMap></destinationPolicy>\n"));

    CHECK(warnings_of(set) ==
          std::vector<std::string>{
              "a.xml:4:37: warning: attribute 'advisoryForConsumed' of <policyEntry> is not "
              "modelled; ignored",
              "a.xml:4:20: warning: policies for temporary destinations are not modelled; "
              "<policyEntry> ignored",
          });
    CHECK(set.brokers.at(0).policies.empty());
}

TEST_CASE("a conditional network bridge filter factory brings its replay settings along")
{
    const auto set = load_activemq_xml_texts(pair_with(
        "    <destinationPolicy><policyMap><policyEntries>\n"
        "      <policyEntry queue=\">\"><networkBridgeFilterFactory>\n"
        "        <conditionalNetworkBridgeFilterFactory replayWhenNoConsumers=\"true\"\n"
        "            replayDelay=\"250\" selectorAware=\"true\" rateLimit=\"10\"/>\n"
        "      </networkBridgeFilterFactory></policyEntry>\n"
        "      <policyEntry topic=\">\"><networkBridgeFilterFactory>\n"
        "        <conditionalNetworkBridgeFilterFactory replayWhenNoConsumers=\"true\"/>\n"
        "      </networkBridgeFilterFactory></policyEntry>\n"
        "    </policyEntries></policyMap></destinationPolicy>\n"));

    const auto& policies = set.brokers.at(0).policies;
    REQUIRE(policies.size() == 2);
    CHECK(policies[0].replay_when_no_consumers);
    CHECK(policies[0].replay_delay_s == doctest::Approx(0.25));
    CHECK(policies[0].selector_aware);
    CHECK(warnings_of(set) ==
          std::vector<std::string>{
              "a.xml:6:52: warning: attribute 'rateLimit' of "
              "<conditionalNetworkBridgeFilterFactory> is not modelled; ignored",
              "a.xml:8:7: warning: replayWhenNoConsumers applies to queues only; ignored for "
              "this topic entry",
          });
}

TEST_CASE("text inside an element is not configuration and warns")
{
    const auto set = load_activemq_xml_texts(pair_with("    stray words\n"));

    CHECK(warnings_of(set) == std::vector<std::string>{
                                  "a.xml:3:5: warning: text in <broker> is not modelled; ignored"});
}

TEST_CASE("malformed XML is an error at the line and column where the parser stopped")
{
    CHECK(error_of({{"a.xml", "<beans>\n  <broker brokerName=\"a\">\n  </brokr>\n</beans>\n"}}) ==
          "a.xml:3:5: error: invalid XML: start-end tags mismatch");
    CHECK(error_of({{"a.xml", "<beans>\n  <broker brokerName=a/>\n</beans>\n"}}) ==
          "a.xml:2:22: error: invalid XML: error parsing element attribute");
}

TEST_CASE("columns count characters, and CRLF line ends and a byte order mark do not shift them")
{
    CHECK(error_of({{"a.xml", "\xEF\xBB\xBF<beans>\r\n  <broker brokerName=\"z\xC3\xBCrich\" "
                              "useJmx=\"no\" brokerName=\"b\"/>\r\n</beans>\r\n"}}) ==
          "a.xml:2:43: error: invalid XML: attribute 'brokerName' given twice on <broker> "
          "(first on line 2)");
    CHECK(error_of({{"a.xml", "\xEF\xBB\xBF<other/>"}}) ==
          "a.xml:1:1: error: expected <beans> or <broker> as the root element, got <other>");
}

TEST_CASE("the document must be one <beans> or <broker> element holding a broker")
{
    CHECK(error_of({{"a.xml", ""}}) ==
          "a.xml:1:1: error: no XML element: expected <beans> or <broker>");
    CHECK(error_of({{"a.xml", "<beans/>\n<beans/>\n"}}) ==
          "a.xml:2:1: error: invalid XML: a second root element <beans>");
    CHECK(error_of({{"a.xml", "<beans/>\ntrailing words\n"}}) ==
          "a.xml:2:1: error: invalid XML: text outside the root element");
    CHECK(error_of({{"a.xml", "<beans>\n  <bean class=\"x\"/>\n</beans>\n"}}) ==
          "a.xml:1:1: error: no <broker> element in <beans>");
}

TEST_CASE("a broker needs a brokerName, unique across the set")
{
    CHECK(error_of({{"a.xml", "<beans>\n  <broker useJmx=\"false\"/>\n</beans>\n"}}) ==
          "a.xml:2:3: error: <broker> has no brokerName: brokersim names brokers by it");
    CHECK(error_of({{"a.xml", broker_xml("a", 61616)}, {"b.xml", broker_xml("a", 61626)}}) ==
          "b.xml:2:11: error: duplicate brokerName 'a' (first at a.xml:2:11)");
    CHECK(error_of({{"a.xml", "<broker brokerName=\"\"/>"}}) ==
          "a.xml:1:9: error: broker attribute 'brokerName' must not be empty");
}

TEST_CASE("values brokersim cannot read are errors naming the attribute and the value")
{
    const std::string uri = "uri=\"static:(tcp://127.0.0.1:61626)\" ";
    CHECK(error_of(pair_with(connector(uri + "networkTTL=\"two\""))) ==
          "a.xml:4:62: error: expected an integer for networkConnector attribute 'networkTTL', "
          "got 'two'");
    CHECK(error_of(pair_with(connector(uri + "duplex=\"maybe\""))) ==
          "a.xml:4:62: error: expected true or false for networkConnector attribute 'duplex', "
          "got 'maybe'");
    CHECK(error_of(pair_with(connector(uri + "networkTTL=\"-2\""))) ==
          "a.xml:4:62: error: networkConnector attribute 'networkTTL' must be at least -1, got "
          "-2");
    CHECK(error_of(pair_with(connector(uri + "prefetchSize=\"0\""))) ==
          "a.xml:4:62: error: networkConnector attribute 'prefetchSize' must be at least 1, got "
          "0");
    CHECK(error_of(pair_with(connector(uri + "consumerPriorityBase=\"99999999999\""))) ==
          "a.xml:4:62: error: networkConnector attribute 'consumerPriorityBase' must be at most "
          "2147483647, got 99999999999");
}

TEST_CASE("a placeholder in an attribute brokersim models is an error")
{
    CHECK(error_of(pair_with(connector("uri=\"static:(tcp://127.0.0.1:61626)\" "
                                       "networkTTL=\"${ttl}\""))) ==
          "a.xml:4:62: error: networkConnector attribute 'networkTTL' is the Spring placeholder "
          "'${ttl}': brokersim does not resolve placeholders in the attributes it models; write "
          "the value");
}

TEST_CASE("a connector's uri must be a static list of OpenWire host:port URIs")
{
    CHECK(error_of(pair_with(connector("name=\"n\""))) ==
          "a.xml:4:7: error: <networkConnector> has no uri attribute");
    CHECK(error_of(pair_with(connector("uri=\"multicast://default\""))) ==
          "a.xml:4:25: error: bad networkConnector uri 'multicast://default': 'multicast' "
          "discovery is not modelled: brokersim needs static:(tcp://host:port) URIs to know "
          "which broker a connector dials");
    CHECK(error_of(pair_with(connector("uri=\"tcp://127.0.0.1:61626\""))) ==
          "a.xml:4:25: error: bad networkConnector uri 'tcp://127.0.0.1:61626': ActiveMQ takes a "
          "discovery URI here: write 'static:(tcp://127.0.0.1:61626)'");
    CHECK(error_of(pair_with(connector("uri=\"static:(tcp://127.0.0.1)\""))) ==
          "a.xml:4:25: error: bad networkConnector uri 'static:(tcp://127.0.0.1)': "
          "'tcp://127.0.0.1' names no port");
    CHECK(error_of(pair_with(connector("uri=\"static:(tcp://127.0.0.1:616x)\""))) ==
          "a.xml:4:25: error: bad networkConnector uri 'static:(tcp://127.0.0.1:616x)': "
          "'tcp://127.0.0.1:616x' has a bad port '616x'");
    CHECK(error_of(pair_with(connector("uri=\"static:(tcp://127.0.0.1:61626\""))) ==
          "a.xml:4:25: error: bad networkConnector uri 'static:(tcp://127.0.0.1:61626': "
          "unbalanced parentheses");
    CHECK(error_of(pair_with(connector("uri=\"static:(stomp://127.0.0.1:61626)\""))) ==
          "a.xml:4:25: error: network bridges speak OpenWire; 'stomp' is not an OpenWire "
          "transport (valid: tcp, ssl, nio, nio+ssl)");
}

TEST_CASE("an unresolved remote names the endpoint, and the likely one on the same port")
{
    CHECK(error_of(pair_with(connector("name=\"to-b\" uri=\"static:(tcp://localhost:61626)\""))) ==
          "a.xml:4:37: error: networkConnector 'to-b' dials localhost:61626, where no other "
          "broker of the set listens (did you mean '127.0.0.1:61626' of broker 'b'?)");
    CHECK(error_of(pair_with(connector("uri=\"static:(tcp://127.0.0.1:61616)\""))) ==
          "a.xml:4:25: error: networkConnector dials its own broker 'a' at "
          "'tcp://127.0.0.1:61616'");
}

TEST_CASE("a bridge must reach an OpenWire listener, with TLS on both ends or neither")
{
    const auto stomp_b = std::string("<broker brokerName=\"b\"><transportConnectors>") +
                         "<transportConnector uri=\"stomp://127.0.0.1:61626\"/>" +
                         "<transportConnector uri=\"ssl://127.0.0.1:61627\"/>" +
                         "</transportConnectors></broker>";
    CHECK(error_of({{"a.xml",
                     broker_xml("a", 61616, connector("uri=\"static:(tcp://127.0.0.1:61626)\""))},
                    {"b.xml", stomp_b}}) ==
          "a.xml:4:25: error: 'tcp://127.0.0.1:61626' reaches the 'stomp' transport connector "
          "of broker 'b' (b.xml:1:45), which does not speak OpenWire");
    CHECK(error_of({{"a.xml",
                     broker_xml("a", 61616, connector("uri=\"static:(tcp://127.0.0.1:61627)\""))},
                    {"b.xml", stomp_b}}) ==
          "a.xml:4:25: error: 'tcp://127.0.0.1:61627' dials the 'ssl' transport connector of "
          "broker 'b' (b.xml:1:96) without TLS");
}

TEST_CASE("two brokers listening on one endpoint make a dial there ambiguous")
{
    CHECK(error_of({{"a.xml",
                     broker_xml("a", 61616, connector("uri=\"static:(tcp://127.0.0.1:61626)\""))},
                    {"b.xml", broker_xml("b", 61626)},
                    {"c.xml", broker_xml("c", 61626)}}) ==
          "a.xml:4:25: error: 127.0.0.1:61626 is where brokers 'b' (b.xml:4:7) and 'c' "
          "(c.xml:4:7) both listen");
}

TEST_CASE("connector names are unique per broker, the default <on>-<to> included")
{
    const std::string to_b = "uri=\"static:(tcp://127.0.0.1:61626)\"";
    const auto twice = [](const std::string& first, const std::string& second) {
        return "    <networkConnectors>\n      <networkConnector " + first +
               "/>\n      <networkConnector " + second + "/>\n    </networkConnectors>\n";
    };
    CHECK(error_of(pair_with(twice("name=\"n\" " + to_b, "name=\"n\" " + to_b))) ==
          "a.xml:5:25: error: duplicate networkConnector name 'n' on broker 'a' (first at "
          "a.xml:4:7)");
    CHECK(error_of(pair_with(twice(to_b, to_b))) ==
          "a.xml:5:7: error: this networkConnector has no name, and its default name 'a-b' is "
          "taken on broker 'a' (at a.xml:4:7); give it a name attribute");
}

TEST_CASE("a policy entry names exactly one of topic or queue")
{
    const auto policy = [](const std::string& attributes) {
        return "    <destinationPolicy><policyMap><policyEntries>\n      <policyEntry " +
               attributes + "/>\n    </policyEntries></policyMap></destinationPolicy>\n";
    };
    CHECK(error_of(pair_with(policy("topic=\">\" queue=\">\""))) ==
          "a.xml:4:30: error: <policyEntry> has both 'topic' and 'queue'; ActiveMQ would keep "
          "only the last");
    CHECK(error_of(pair_with(policy("producerFlowControl=\"false\""))) ==
          "a.xml:4:7: error: <policyEntry> needs a 'topic' or 'queue' attribute");
}

TEST_CASE("a section ActiveMQ takes once may not be given twice")
{
    CHECK(error_of(pair_with(connector("uri=\"static:(tcp://127.0.0.1:61626)\"",
                                       "        <excludedDestinations/>\n"
                                       "        <excludedDestinations/>\n"))) ==
          "a.xml:6:9: error: <excludedDestinations> given twice in <networkConnector> (first on "
          "line 5); ActiveMQ would keep only the last");
}

TEST_CASE("files and directories that cannot be read name the reason")
{
    CHECK_THROWS_WITH_AS(load_activemq_xml({"no/such/activemq.xml"}),
                         "no/such/activemq.xml: error: cannot read ActiveMQ configuration file: "
                         "No such file or directory",
                         InputError);
    CHECK_THROWS_WITH_AS(load_activemq_dir("no/such/dir"),
                         "no/such/dir: error: cannot read directory: No such file or directory",
                         InputError);
    const auto no_xml = data_dir + ": error: no *.xml files in this directory";
    CHECK_THROWS_WITH_AS(load_activemq_dir(data_dir), no_xml.c_str(), InputError);
}

TEST_CASE("destination patterns are checked as in scenarios: '>' only as the last segment")
{
    const std::string uri = "uri=\"static:(tcp://127.0.0.1:61626)\"";
    const auto children = "        <excludedDestinations>\n"
                          "          <queue physicalName=\"a.>.b\"/>\n"
                          "        </excludedDestinations>\n";
    CHECK(error_of(pair_with(connector(uri, children))) ==
          "a.xml:6:18: error: bad destination pattern 'a.>.b' in queue attribute "
          "'physicalName' ('>' must be the last segment)");
}

TEST_CASE("brokers_from imports a directory of configs into a scenario, placing brokers in "
          "datacenters")
{
    const auto yaml = "name: t\n"
                      "datacenters: [noc, uk, de]\n"
                      "brokers_from: {dir: '" + data_dir + "star', datacenters: "
                      "{star-hub: noc, star-spoke1: uk, star-spoke2: de}}\n"
                      "links:\n"
                      "  - {between: [noc, uk], latency_ms: 3, bandwidth_mbps: 100}\n"
                      "  - {between: [noc, de], latency_ms: 4, bandwidth_mbps: 100}\n"
                      "nodes:\n  - {count: 2, broker: star-spoke2, identity: 'n{i}'}\n";
    const auto scenario = brokersim::io::load_scenario_text(yaml, "t.yaml");
    REQUIRE(scenario.brokers.size() == 3);
    CHECK(scenario.brokers[0].name == "star-hub");
    CHECK(scenario.brokers[0].datacenter == "noc");
    CHECK(scenario.brokers[2].datacenter == "de");
    CHECK(scenario.connectors.size() == 4);
    CHECK(scenario.node_groups[0].broker == "star-spoke2");
    CHECK_FALSE(scenario.warnings.empty());  // unmodelled elements are reported, not dropped
}

TEST_CASE("brokers_from cannot place a broker the activemq.xml files do not define")
{
    const auto scenario = [](std::string_view broker) {
        return "name: t\n"
               "datacenters: [noc, uk, de]\n"
               "brokers_from:\n"
               "  dir: " +
               data_dir +
               "star\n"
               "  datacenters:\n"
               "    star-hub: noc\n"
               "    " +
               std::string(broker) + ": uk\n";
    };
    CHECK_THROWS_WITH(brokersim::io::load_scenario_text(scenario("star-spok1"), "t.yaml"),
                      "t.yaml:7:5: error: unknown broker 'star-spok1' (did you mean "
                      "'star-spoke1'?)");
    CHECK_THROWS_WITH(brokersim::io::load_scenario_text(scenario("nosuch"), "t.yaml"),
                      "t.yaml:7:5: error: unknown broker 'nosuch' (valid: star-hub, star-spoke1, "
                      "star-spoke2)");
}

TEST_CASE("a brokers_from directory that cannot be read is reported where the scenario names it")
{
    CHECK_THROWS_WITH(brokersim::io::load_scenario_text(
                          "name: t\ndatacenters: [a]\nbrokers_from: nosuchdir\n", "t.yaml"),
                      "t.yaml:3:15: error: cannot read directory 'nosuchdir': No such file or "
                      "directory");

    const auto no_xml = "t.yaml:4:8: error: no *.xml files in directory '" + data_dir + "'";
    CHECK_THROWS_WITH(
        brokersim::io::load_scenario_text(
            "name: t\ndatacenters: [a]\nbrokers_from:\n  dir: " + data_dir + "\n", "t.yaml"),
        no_xml.c_str());
}

TEST_CASE("a --brokers directory that cannot be read is reported against the directory")
{
    CHECK_THROWS_WITH(
        brokersim::io::load_scenario_text("name: t\ndatacenters: [a]\n", "t.yaml", {"nosuchdir"}),
        "nosuchdir: error: cannot read directory: No such file or directory");
}

TEST_CASE("brokers_from and brokers cannot both be given")
{
    const auto yaml = "name: t\ndatacenters: [a]\nbrokers_from: x\n"
                      "brokers:\n  - {name: a, datacenter: a}\n";
    CHECK_THROWS_WITH(brokersim::io::load_scenario_text(yaml, "t.yaml"),
                      "t.yaml:5:3: error: 'brokers' cannot be given with 'brokers_from': the "
                      "activemq.xml files define them");
}

TEST_CASE("an activemq.xml that is not UTF-8 text is refused at its first bad byte")
{
    auto texts = pair_with("");
    // Before the indented <broker> element: the bad byte is its line's eleventh character.
    texts[0].text.insert(texts[0].text.find("<broker"), "<!-- caf\xE9 -->\n  ");
    const auto line = 1 + std::count(texts[0].text.begin(),
                                     texts[0].text.begin() + texts[0].text.find("caf"), '\n');
    CHECK(error_of(texts) ==
          "a.xml:" + std::to_string(line) + ":11: error: not a UTF-8 text file (byte 0xe9)");
}

TEST_CASE("an *.xml entry of a brokers directory that is not a readable file is an error")
{
    const auto dir = std::filesystem::temp_directory_path() / "brokersim-test-xml-entries";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir / "sub.xml");
    std::ofstream(dir / "a.xml") << broker_xml("a", 61616);
    CHECK_THROWS_WITH_AS(load_activemq_dir(dir.string()),
                         ((dir / "sub.xml").string() + ": error: cannot read: not a regular file")
                             .c_str(),
                         InputError);
    std::filesystem::remove(dir / "sub.xml");
    std::filesystem::create_symlink("loop.xml", dir / "loop.xml");
    CHECK_THROWS_WITH_AS(
        load_activemq_dir(dir.string()),
        ((dir / "loop.xml").string() + ": error: cannot read: Too many levels of symbolic links")
            .c_str(),
        InputError);
    std::filesystem::remove_all(dir);
}

TEST_CASE("an entity reference other than XML's five is refused, and so is a DOCTYPE")
{
    auto texts = pair_with("");
    const auto at = texts[0].text.find("brokerName=\"a\"");
    REQUIRE(at != std::string::npos);
    texts[0].text.replace(at, 15, "brokerName=\"a&x;\"");
    const auto line = 1 + std::count(texts[0].text.begin(), texts[0].text.begin() + at, '\n');
    const auto column = at - texts[0].text.rfind('\n', at) + 13;  // the '&', 1-based
    CHECK(error_of(texts) == "a.xml:" + std::to_string(line) + ":" + std::to_string(column) +
                                 ": error: unknown entity reference '&x;': only &lt; &gt; "
                                 "&amp; &apos; &quot; and character references are read");

    // In a comment any '&' may stand; &amp; and character references are read as usual.
    auto fine = pair_with("");
    fine[0].text.insert(fine[0].text.find("<broker"), "<!-- a & b &c; -->\n  ");
    CHECK(error_of(fine) == "loaded");

    auto doctype = pair_with("");
    doctype[0].text.insert(0, "<!DOCTYPE beans [<!ENTITY x \"y\">]>\n");
    CHECK(error_of(doctype) == "a.xml:1:1: error: a DOCTYPE is not supported: activemq.xml "
                               "needs no entity declarations");
}
