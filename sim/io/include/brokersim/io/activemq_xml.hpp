// Reads the brokers, network connectors and policy entries of a set of ActiveMQ activemq.xml
// files, one broker each, into the model. A connector's remote broker is the one whose
// transport connector listens on the host:port its URI dials. What brokersim does not model
// is reported as one warning per element or attribute; what it cannot read is an error.
// docs/activemq-import.md lists both.
#pragma once

#include "brokersim/model/scenario.hpp"
#include "brokersim/model/source_pos.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace brokersim::io {

// A <transportConnector>: where a broker listens. `port` is 0 when the URI names none or
// holds a ${...} placeholder; such a connector cannot be dialled.
struct TransportConnector
{
    std::string broker;
    std::string name;
    std::string uri;
    std::string scheme; // "tcp", "ssl", "stomp+ssl", ...
    std::string host;   // lower case, without IPv6 brackets
    int port = 0;
    model::SourcePos pos;
};

// Something in a file that brokersim reads past without modelling it.
struct Warning
{
    model::SourcePos pos;
    std::string message;

    std::string to_string() const; // "file:line:col: warning: message"
};

// Brokers and connectors in file order. Brokers have no datacenter: the files do not say
// where a broker runs, the scenario does.
struct BrokerConfigSet
{
    std::vector<model::Broker> brokers;
    std::vector<model::Connector> connectors;
    std::vector<TransportConnector> transports;
    std::vector<Warning> warnings;
};

// One file's name, for positions, and its text.
struct XmlText
{
    std::string file;
    std::string text;
};

// Throws model::InputError ("file:line:col: error: ...") on the first problem: malformed XML,
// a value brokersim cannot read, a missing or duplicate brokerName, or a connector whose
// remote broker is not in the set.
BrokerConfigSet load_activemq_xml(const std::vector<std::string>& files);

// Every *.xml file directly in `dir`, in sorted order. An error about the directory itself
// (unreadable, no *.xml files) is reported at `named_at`, quoting the directory as `written`
// there, when `named_at` has a line; otherwise against the directory.
BrokerConfigSet load_activemq_dir(const std::string& dir, const model::SourcePos& named_at = {},
                                  std::string_view written = {});

// The same from texts already in memory.
BrokerConfigSet load_activemq_xml_texts(const std::vector<XmlText>& texts);

} // namespace brokersim::io
