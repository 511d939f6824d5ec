"""Broker-free checks of the oracle's case list and XML writer (stdlib unittest).

    python3 -m unittest discover -s tests/oracle -p 'test_*.py'
"""

import copy
import os
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import activemq_xml  # noqa: E402
import cases  # noqa: E402

AMQ = "{http://activemq.apache.org/schema/core}"


def parse(text):
    root = ET.fromstring(text.encode())
    broker = root.find(AMQ + "broker")
    assert broker is not None
    return broker


class XmlTest(unittest.TestCase):
    def test_every_case_renders_loopback_only(self):
        for c in cases.CASES:
            for name, text in activemq_xml.case_xmls(c).items():
                b = parse(text)
                self.assertEqual(b.get("brokerName"), name)
                self.assertEqual(b.get("persistent"), "false")
                self.assertEqual(b.get("useJmx"), "false")
                for el in b.iter():
                    uri = el.get("uri")
                    if uri is not None:
                        self.assertIn("127.0.0.1", uri)
                        self.assertNotIn("multicast", uri)
                self.assertNotIn("discoveryUri", text)
                # children in alphabetical order
                tags = [ch.tag.replace(AMQ, "") for ch in b]
                self.assertEqual(tags, sorted(tags), c["name"])

    def test_connectors_carry_case_attributes(self):
        c = cases.by_name()["mco_star_sel4"]
        b = parse(activemq_xml.broker_xml(c, "H"))
        ncs = b.find(AMQ + "networkConnectors").findall(AMQ + "networkConnector")
        self.assertEqual(len(ncs), 6)
        q = [n for n in ncs if n.get("name") == "H-S2-queues"][0]
        self.assertEqual(q.get("uri"), "static:(tcp://127.0.0.1:%d)"
                         % cases.brokers("H", "S1", "S2")[2]["openwire"])
        self.assertEqual(q.get("conduitSubscriptions"), "false")
        self.assertEqual(q.get("duplex"), "true")
        self.assertEqual(q.get("networkTTL"), "2")
        ex = q.find(AMQ + "excludedDestinations")
        self.assertEqual([(e.tag.replace(AMQ, ""), e.get("physicalName")) for e in ex],
                         [("topic", ">")])
        pol = b.find(AMQ + "destinationPolicy").iter(AMQ + "policyEntry")
        self.assertEqual([(p.get("topic"), p.get("producerFlowControl")) for p in pol],
                         [(">", "false")])
        # spokes declare no connectors
        self.assertIsNone(parse(activemq_xml.broker_xml(c, "S1")).find(AMQ + "networkConnectors"))

    def test_refuses_non_loopback(self):
        with self.assertRaises(ValueError):
            activemq_xml.check_loopback_only('<x uri="tcp://0.0.0.0:1"/>')
        with self.assertRaises(ValueError):
            activemq_xml.check_loopback_only('<x uri="multicast://default"/>')
        with self.assertRaises(ValueError):
            activemq_xml.check_loopback_only('<x uri="static:(tcp://10.0.0.1:61616)"/>')

    def test_write_case(self):
        c = cases.by_name()["line_ttl1"]
        with tempfile.TemporaryDirectory() as d:
            paths = activemq_xml.write_case(c, d)
            self.assertEqual(sorted(os.path.basename(p) for p in paths.values()),
                             ["A.xml", "B.xml", "C.xml"])

    def test_groups_share_identical_xml(self):
        key = activemq_xml.topology_key
        n = cases.by_name()
        self.assertEqual(key(n["star_ttl2"]), key(n["hub_sel4_conduit"]))
        self.assertNotEqual(key(n["hub_sel4_conduit"]), key(n["hub_sel4_noconduit"]))
        self.assertNotEqual(key(n["triangle_ttl2_policy"]), key(n["triangle_ttl2_nopolicy"]))


class CaseTest(unittest.TestCase):
    def test_names_unique_and_destinations_private(self):
        names = [c["name"] for c in cases.CASES]
        self.assertEqual(len(names), len(set(names)))
        owner = {}
        for c in cases.CASES:
            for x in c["consumers"] + c["publishes"]:
                owner.setdefault(x["dest"], set()).add(c["name"])
        shared = {d: o for d, o in owner.items() if len(o) > 1}
        self.assertEqual(shared, {})

    def test_validate_rejects_bad_cases(self):
        base = cases.by_name()["line_ttl1"]
        bad = copy.deepcopy(base)
        bad["consumers"][0]["broker"] = "Z"
        self.assertRaises(ValueError, cases.validate, bad)
        bad = copy.deepcopy(base)
        bad["connectors"][0]["to"] = "A"
        self.assertRaises(ValueError, cases.validate, bad)
        bad = copy.deepcopy(base)
        bad["expected"]["deliveries"]["nobody"] = 1
        self.assertRaises(ValueError, cases.validate, bad)

    def test_port_layout(self):
        for c in cases.CASES:
            ports = [p for b in c["brokers"] for p in (b["openwire"], b["stomp"])]
            self.assertEqual(len(ports), len(set(ports)))
            self.assertLessEqual(len(c["brokers"]), 4)



class BrokerLoadXmlTest(unittest.TestCase):
    def test_broker_load_xml_is_loopback_only_and_fails_sends_when_full(self):
        import run_broker_load  # imports stomp lazily through run_oracle; no broker is started
        b = parse(run_broker_load.broker_xml("load", 1048576, send_fail=True))
        self.assertEqual(b.get("persistent"), "false")
        uris = [el.get("uri") for el in b.iter() if el.get("uri") is not None]
        self.assertEqual(uris, ["stomp://127.0.0.1:%d" % run_broker_load.PORT])
        usage = b.find(AMQ + "systemUsage/" + AMQ + "systemUsage")
        self.assertEqual(usage.get("sendFailIfNoSpace"), "true")
        entry = b.find(".//" + AMQ + "policyEntry")
        self.assertEqual((entry.get("queue"), entry.get("memoryLimit")), (">", "1048576"))

if __name__ == "__main__":
    unittest.main()
