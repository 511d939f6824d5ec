"""Declarative oracle cases: small ActiveMQ networks, who consumes what, what is published.

Every case is a plain dict (JSON-serialisable, so the simulator side can read the same data
from the case.json that run_oracle.py writes next to the broker XML files):

    name          unique, also used to derive destination names
    description   one line: what the case checks
    brokers       [{name, openwire, stomp}]            ports on 127.0.0.1
    connectors    [{on, to, name, duplex, networkTTL, conduitSubscriptions,
                    decreaseNetworkConsumerPriority, excludedDestinations, ...}]
                  keys other than on/to/excludedDestinations are copied verbatim as
                  <networkConnector> attributes (ActiveMQ's own attribute names);
                  excludedDestinations entries are "queue:PATTERN" or "topic:PATTERN"
    policies      [{topic|queue: PATTERN, other policyEntry attributes}]  on every broker;
                  a networkBridgeFilterFactory key holds the attributes of a
                  <conditionalNetworkBridgeFilterFactory> inside the entry
    consumers     [{name, broker, dest, selector?, reply?}]
                  dest is a STOMP destination (/topic/x, /queue/y); reply=True makes the
                  consumer answer every message on the message's reply-to destination
    publishes     [{broker, dest, count, headers?, reply_to?}]   sent in list order;
                  message k of the case (1-based, over all publishes) carries the header
                  oracle_msg=m<k>
    expected      {"deliveries": {consumer: count}, "leftover": {broker: count},
                   "source": "..."}   only what semantics.md states (None if nothing)

Cases whose brokers and connectors render to identical XML run on the same broker processes
(run_oracle.py groups them); each case uses destinations of its own so they do not interfere.
"""

import copy
import os

PORT_BASE = int(os.environ.get("ORACLE_PORT_BASE", "62100"))

# Section references in semantics.md.
E1 = "semantics.md 2.13 E1 / 2.15 line rows"
E2 = "semantics.md 2.13 E2 / 2.15 triangle rows"
E3 = "semantics.md 2.13 E3 / 2.15 star rows"
E4 = "semantics.md 2.13 E4 (derived there; 2.15 'selectors, star')"
E5 = "semantics.md 2.13 E5 / 2.15 'duplex at both ends'"
E5B = "semantics.md 2.13 E5b"
E6 = "semantics.md 2.13 E6 / 2.15 'queue priority'"
RR = "semantics.md 3.8 / 2.15 'star request/reply'"


# --------------------------------------------------------------------------- helpers

def brokers(*names):
    """Broker list; ports follow the position in the list (same shape -> same ports)."""
    out = []
    for i, name in enumerate(names):
        out.append({"name": name,
                    "openwire": PORT_BASE + 10 * i + 6,
                    "stomp": PORT_BASE + 10 * i + 3})
    return out


def conn(on, to, **attrs):
    c = {"on": on, "to": to, "name": "%s-%s" % (on, to)}
    c.update(attrs)
    return c


def topic(case):
    return "/topic/oracle.%s" % case


def queue(case, suffix="nodes"):
    return "/queue/oracle.%s.%s" % (case, suffix)


def one_topic_consumer_per_broker(case, names):
    return [{"name": "c" + n, "broker": n, "dest": topic(case)} for n in names]


def identity_consumers(case, placement):
    """placement: [(identity, broker)] -> MCollective-style node consumers on the nodes queue."""
    return [{"name": ident, "broker": b, "dest": queue(case),
             "selector": "mc_identity = '%s'" % ident} for ident, b in placement]


def identity_publishes(case, broker, identities):
    """One direct request per identity, in the given order (like mco's direct mode)."""
    return [{"broker": broker, "dest": queue(case), "count": 1,
             "headers": {"mc_identity": ident}} for ident in identities]


def case(name, description, topo, consumers, publishes, expected=None, checks=None):
    c = copy.deepcopy(topo)
    c.update({"name": name, "description": description, "consumers": consumers,
              "publishes": publishes, "expected": expected})
    if checks:
        c["checks"] = checks
    return c


# --------------------------------------------------------------------------- topologies

def line(ttl):
    # A -> B -> C, plain (non-duplex) connectors, as in the 2.15 'line' rows.
    return {"brokers": brokers("A", "B", "C"),
            "connectors": [conn("A", "B", duplex=False, networkTTL=ttl),
                           conn("B", "C", duplex=False, networkTTL=ttl)],
            "policies": []}


def triangle(ttl, topic_policy):
    # Full mesh, one duplex connector per pair, each declared on one side only
    # (A dials B and C, B dials C), as in configs/triangle-a.xml.
    return {"brokers": brokers("A", "B", "C"),
            "connectors": [conn("A", "B", duplex=True, networkTTL=ttl),
                           conn("A", "C", duplex=True, networkTTL=ttl),
                           conn("B", "C", duplex=True, networkTTL=ttl)],
            "policies": [{"topic": ">"}] if topic_policy else []}


def star(ttl, conduit=True):
    # Hub H dials the three spokes with duplex connectors; spokes declare nothing.
    return {"brokers": brokers("H", "S1", "S2", "S3"),
            "connectors": [conn("H", s, duplex=True, networkTTL=ttl,
                                conduitSubscriptions=conduit)
                           for s in ("S1", "S2", "S3")],
            "policies": []}


def star_mco():
    # MCollective's recommended layout (configs/star-hub.xml): per spoke a topics-only
    # connector (queues excluded, conduit on) and a queues-only one (topics excluded,
    # conduit off), duplex, networkTTL 2, decreaseNetworkConsumerPriority on, and a topic
    # policyEntry on every broker.
    conns = []
    for s in ("S1", "S2", "S3"):
        common = dict(duplex=True, networkTTL=2, decreaseNetworkConsumerPriority=True,
                      dynamicOnly=True)
        conns.append(dict(conn("H", s, name="H-%s-topics" % s, **common),
                          excludedDestinations=["queue:>"]))
        conns.append(dict(conn("H", s, name="H-%s-queues" % s, conduitSubscriptions=False,
                               **common),
                          excludedDestinations=["topic:>"]))
    return {"brokers": brokers("H", "S1", "S2", "S3"), "connectors": conns,
            "policies": [{"topic": ">", "producerFlowControl": False}]}


def pair(conduit=True, decrease=False):
    # A dials B, duplex, TTL 1.
    return {"brokers": brokers("A", "B"),
            "connectors": [conn("A", "B", duplex=True, networkTTL=1,
                                conduitSubscriptions=conduit,
                                decreaseNetworkConsumerPriority=decrease)],
            "policies": []}


def pair_both_ends():
    # Duplex connector configured on both ends (two independent bridges each way), TTL 1.
    return {"brokers": brokers("A", "B"),
            "connectors": [conn("A", "B", duplex=True, networkTTL=1),
                           conn("B", "A", duplex=True, networkTTL=1)],
            "policies": []}


N = 10  # topic messages per topic case (2.15 used 10)
IDS4 = ["n1", "n2", "n3", "n4"]


def topic_case(name, description, topo, origin, expected=None, source=None, count=N):
    names = [b["name"] for b in topo["brokers"]]
    exp = None
    if expected is not None:
        exp = {"deliveries": {"c" + k: v for k, v in expected.items()}, "source": source}
    return case(name, description, topo,
                one_topic_consumer_per_broker(name, names),
                [{"broker": origin, "dest": topic(name), "count": count}],
                exp)


def sel_case(name, description, topo, placement, origin, identities, expected=None):
    return case(name, description, topo,
                identity_consumers(name, placement),
                identity_publishes(name, origin, identities),
                expected)


# --------------------------------------------------------------------------- the cases

CASES = []

# Line A -> B -> C -----------------------------------------------------------------------
CASES.append(topic_case(
    "line_ttl1", "line A->B->C, plain connectors, networkTTL 1, topic published on A",
    line(1), "A", {"A": N, "B": N, "C": 0}, E1))
CASES.append(topic_case(
    "line_ttl2", "line A->B->C, plain connectors, networkTTL 2, topic published on A",
    line(2), "A", {"A": N, "B": N, "C": N}, E1))
CASES.append(topic_case(
    "line_ttl2_pub_c", "line A->B->C, networkTTL 2, topic published on C (against the "
    "direction of the plain connectors)",
    line(2), "C", {"A": 0, "B": 0, "C": N}, E5B))

# Triangle (full mesh, duplex) -------------------------------------------------------------
CASES.append(topic_case(
    "triangle_ttl1", "triangle full duplex mesh, networkTTL 1, topic published on A",
    triangle(1, False), "A", {"A": N, "B": N, "C": N}, E2))
CASES.append(topic_case(
    "triangle_ttl2_nopolicy", "triangle full duplex mesh, networkTTL 2, no topic "
    "policyEntry (subscription audit off): duplicates at B and C",
    triangle(2, False), "A", {"A": N, "B": 2 * N, "C": 2 * N}, E2))
CASES.append(topic_case(
    "triangle_ttl2_policy", "triangle full duplex mesh, networkTTL 2, topic policyEntry "
    "'>' (audit on): duplicates dropped",
    triangle(2, True), "A", {"A": N, "B": N, "C": N}, E2))

# Star: hub H dials S1..S3 (duplex) --------------------------------------------------------
CASES.append(topic_case(
    "star_ttl1", "hub with three spokes, networkTTL 1, topic published on spoke S1",
    star(1), "S1", {"H": N, "S1": N, "S2": 0, "S3": 0}, E3))
CASES.append(case(
    "star_ttl1_queue_stuck", "hub, networkTTL 1: queue consumer on S1, 10 messages "
    "produced on S2 never leave S2 (consumer two hops away is invisible)",
    star(1),
    [{"name": "q1", "broker": "S1", "dest": queue("star_ttl1_queue_stuck", "reply")}],
    [{"broker": "S2", "dest": queue("star_ttl1_queue_stuck", "reply"), "count": N}],
    {"deliveries": {"q1": 0}, "leftover": {"H": 0, "S1": 0, "S2": N, "S3": 0},
     "source": "semantics.md 2.13 E3 (TTL 1 reply-queue row)"}))
CASES.append(topic_case(
    "star_ttl2", "hub with three spokes, networkTTL 2, topic published on spoke S1",
    star(2), "S1", {"H": N, "S1": N, "S2": N, "S3": N}, E3))

HUB_PLACEMENT = [("n1", "S1"), ("n2", "S1"), ("n3", "S2"), ("n4", "S2")]

for conduit in (True, False):
    tag = "conduit" if conduit else "noconduit"
    topo = star(2, conduit)
    CASES.append(sel_case(
        "hub_sel4_%s" % tag,
        "hub, networkTTL 2, conduitSubscriptions=%s: queue consumers n1,n2 on S1 and n3,n4 "
        "on S2 with selector mc_identity='nX'; one message per identity (n1..n4) "
        "published on S3" % str(conduit).lower(),
        topo, HUB_PLACEMENT, "S3", IDS4,
        None if conduit else {"deliveries": {i: 1 for i in IDS4},
                              "leftover": {"H": 0, "S1": 0, "S2": 0, "S3": 0},
                              "source": E4 + ", conduit off: every message reaches its node"}))
    CASES.append(sel_case(
        "hub_sel_rounds3_%s" % tag,
        "same layout as hub_sel4_%s, three rounds n1,n2,n3,n4 (12 messages) to expose the "
        "dispatch rotation" % tag,
        topo, HUB_PLACEMENT, "S3", IDS4 * 3,
        None if conduit else {"deliveries": {i: 3 for i in IDS4},
                              "leftover": {"H": 0, "S1": 0, "S2": 0, "S3": 0},
                              "source": E4 + ", conduit off"}))
    CASES.append(sel_case(
        "hub_sel_n3x10_%s" % tag,
        "same layout, 10 consecutive messages for n3 (the E4 example with renamed brokers)",
        topo, HUB_PLACEMENT, "S3", ["n3"] * 10,
        {"deliveries": {"n1": 0, "n2": 0, "n3": 5 if conduit else 10, "n4": 0},
         "leftover": ({"H": 0, "S1": 5, "S2": 0, "S3": 0} if conduit
                      else {"H": 0, "S1": 0, "S2": 0, "S3": 0}),
         "source": E4 + (": strict alternation, half stranded on the wrong spoke"
                         if conduit else ": all arrive")}))
    if not conduit:
        CASES.append(topic_case(
            "star_ttl2_topic_noconduit",
            "hub, networkTTL 2, conduitSubscriptions=false, topic published on S1 "
            "(one demand per remote consumer instead of one per bridge)",
            topo, "S1", None, None))

CASES.append(sel_case(
    "hub_sel4_pub_s1_remote_first_conduit",
    "hub, networkTTL 2, conduit on: n3,n4 on S2 subscribe first, then n1,n2 on S1; one "
    "message per identity published on S1 (where n1,n2 are local)",
    star(2, True), [("n3", "S2"), ("n4", "S2"), ("n1", "S1"), ("n2", "S1")], "S1", IDS4,
    None))

# Request/reply across the hub: the requester (client) is on S2 and owns the reply queue;
# the responder (node) listens to the request topic on S1 and answers on the reply queue.
RRQ = queue("star_reqreply", "reply")
CASES.append(case(
    "star_reqreply", "hub, networkTTL 2: request topic published on S2, responder on S1 "
    "replies to a reply queue whose consumer is on S2",
    star(2),
    [{"name": "client_replies", "broker": "S2", "dest": RRQ},
     {"name": "node_requests", "broker": "S1", "dest": topic("star_reqreply"),
      "reply": True}],
    [{"broker": "S2", "dest": topic("star_reqreply"), "count": N, "reply_to": RRQ}],
    {"deliveries": {"node_requests": N, "client_replies": N},
     "leftover": {"H": 0, "S1": 0, "S2": 0, "S3": 0}, "source": RR}))

# MCollective's recommended two-connector star ---------------------------------------------
CASES.append(topic_case(
    "mco_star_topic", "MCollective layout (topics/queues connector pairs, excludes, TTL 2, "
    "topic policy): broadcast topic published on S1",
    star_mco(), "S1", {"H": N, "S1": N, "S2": N, "S3": N},
    "semantics.md 3.8 (broadcast: each node exactly 1)"))
CASES.append(sel_case(
    "mco_star_sel4", "MCollective layout: n1,n2 on S1, n3,n4 on S2, one direct request per "
    "identity published on S3",
    star_mco(), HUB_PLACEMENT, "S3", IDS4,
    {"deliveries": {i: 1 for i in IDS4}, "leftover": {"H": 0, "S1": 0, "S2": 0, "S3": 0},
     "source": "semantics.md 3.8 (direct request: 1 copy) / 2.13 E4 (conduit off)"}))
MRQ = queue("mco_star_reqreply", "reply")
CASES.append(case(
    "mco_star_reqreply", "MCollective layout: request topic published on S2, responder on "
    "S1 replies to a reply queue whose consumer is on S2",
    star_mco(),
    [{"name": "client_replies", "broker": "S2", "dest": MRQ},
     {"name": "node_requests", "broker": "S1", "dest": topic("mco_star_reqreply"),
      "reply": True}],
    [{"broker": "S2", "dest": topic("mco_star_reqreply"), "count": N, "reply_to": MRQ}],
    {"deliveries": {"node_requests": N, "client_replies": N},
     "leftover": {"H": 0, "S1": 0, "S2": 0, "S3": 0}, "source": RR}))

# Two brokers, A dials B duplex -------------------------------------------------------------
for conduit in (True, False):
    tag = "conduit" if conduit else "noconduit"
    CASES.append(sel_case(
        "pair_sel4_%s" % tag,
        "A->B duplex, networkTTL 1, conduitSubscriptions=%s: n1..n4 on B with selectors, "
        "one message per identity published on A" % str(conduit).lower(),
        pair(conduit), [(i, "B") for i in IDS4], "A", IDS4, None))
    CASES.append(sel_case(
        "pair_sel4_local_remote_first_%s" % tag,
        "as pair_sel4_local_%s, but n3,n4 on B subscribe before n1,n2 on A, so A's demand "
        "subscription for B precedes the local consumers in A's dispatch order" % tag,
        pair(conduit), [("n3", "B"), ("n4", "B"), ("n1", "A"), ("n2", "A")], "A", IDS4,
        None))
    CASES.append(sel_case(
        "pair_sel4_local_%s" % tag,
        "A->B duplex, conduitSubscriptions=%s: n1,n2 on A (local to the producer), n3,n4 on "
        "B; one message per identity published on A" % str(conduit).lower(),
        pair(conduit), [("n1", "A"), ("n2", "A"), ("n3", "B"), ("n4", "B")], "A", IDS4,
        None))

CASES.append(case(
    "pair_queue_rr", "A->B duplex, decreaseNetworkConsumerPriority=false: queue consumers on "
    "A and B, 20 messages on A are round-robined",
    pair(True, False),
    [{"name": "cA", "broker": "A", "dest": queue("pair_queue_rr")},
     {"name": "cB", "broker": "B", "dest": queue("pair_queue_rr")}],
    [{"broker": "A", "dest": queue("pair_queue_rr"), "count": 20}],
    {"deliveries": {"cA": 10, "cB": 10}, "leftover": {"A": 0, "B": 0}, "source": E6}))
CASES.append(case(
    "pair_queue_prio", "A->B duplex, decreaseNetworkConsumerPriority=true: the local "
    "consumer on A takes all 20 messages",
    pair(True, True),
    [{"name": "cA", "broker": "A", "dest": queue("pair_queue_prio")},
     {"name": "cB", "broker": "B", "dest": queue("pair_queue_prio")}],
    [{"broker": "A", "dest": queue("pair_queue_prio"), "count": 20}],
    {"deliveries": {"cA": 20, "cB": 0}, "leftover": {"A": 0, "B": 0}, "source": E6}))

# Duplex configured on both ends --------------------------------------------------------------
CASES.append(topic_case(
    "both_ends_duplex", "A->B duplex and B->A duplex (two bridges each way), networkTTL 1, "
    "topic published on A",
    pair_both_ends(), "A", {"A": N, "B": N}, E5))
CASES.append(case(
    "both_ends_duplex_queue", "A<->B configured on both ends, networkTTL 1: queue consumers "
    "on A and B, 20 messages on A (two competing network consumers at A)",
    pair_both_ends(),
    [{"name": "cA", "broker": "A", "dest": queue("both_ends_duplex_queue")},
     {"name": "cB", "broker": "B", "dest": queue("both_ends_duplex_queue")}],
    [{"broker": "A", "dest": queue("both_ends_duplex_queue"), "count": 20}],
    None))

# Statically included destinations: standing demand -----------------------------------------
# Every case of a topology uses destinations named oracle.<case>.static, so one pattern per
# type covers them all and the cases share their brokers.
STATIC_INCLUDES = ["queue:oracle.*.static", "topic:oracle.*.static"]


def static_line(conduit=True):
    # A -> B -> C, plain connectors, networkTTL 1, both statically including the case's queue
    # and topic.
    return {"brokers": brokers("A", "B", "C"),
            "connectors": [conn("A", "B", duplex=False, networkTTL=1,
                                conduitSubscriptions=conduit,
                                staticallyIncludedDestinations=STATIC_INCLUDES),
                           conn("B", "C", duplex=False, networkTTL=1,
                                conduitSubscriptions=conduit,
                                staticallyIncludedDestinations=STATIC_INCLUDES)],
            "policies": []}


def static_queue(name):
    return queue(name, "static")


def static_topic(name):
    return "/topic/oracle.%s.static" % name


CASES.append(case(
    "static_queue_no_consumer", "line A->B->C, TTL 1, queue statically included: with no "
    "consumer anywhere, 10 messages on A cross to B and wait there (TTL 1 stops them at B)",
    static_line(),
    [], [{"broker": "A", "dest": static_queue("static_queue_no_consumer"), "count": N}],
    None))
CASES.append(case(
    "static_queue_local_consumer", "line A->B->C, queue statically included: the static "
    "demand on A predates A's own consumer, so the two alternate from m1 (to B) on",
    static_line(),
    [{"name": "cA", "broker": "A", "dest": static_queue("static_queue_local_consumer")}],
    [{"broker": "A", "dest": static_queue("static_queue_local_consumer"), "count": N}],
    None))
CASES.append(case(
    "static_topic_remote_consumer", "line A->B->C, topic statically included, conduit on: "
    "B's consumer joins the static demand on A, so it gets each message once",
    static_line(),
    [{"name": "cB", "broker": "B", "dest": static_topic("static_topic_remote_consumer")}],
    [{"broker": "A", "dest": static_topic("static_topic_remote_consumer"), "count": N}],
    None))
CASES.append(case(
    "static_topic_remote_consumer_noconduit", "as static_topic_remote_consumer with conduit "
    "off: the static and the dynamic demand both forward, so B's consumer gets 2 copies",
    static_line(False),
    [{"name": "cB", "broker": "B",
      "dest": static_topic("static_topic_remote_consumer_noconduit")}],
    [{"broker": "A", "dest": static_topic("static_topic_remote_consumer_noconduit"),
      "count": N}],
    None))
CASES.append(case(
    "static_queue_remote_consumer_noconduit", "line A->B->C, conduit off, queue statically "
    "included: static and dynamic demand on A alternate, and both reach B's consumer",
    static_line(False),
    [{"name": "cB", "broker": "B",
      "dest": static_queue("static_queue_remote_consumer_noconduit")}],
    [{"broker": "A", "dest": static_queue("static_queue_remote_consumer_noconduit"),
      "count": N}],
    None))


# replayWhenNoConsumers: a queue message may go back where it came from ----------------------
def replay_pair(selector_aware):
    topo = pair(True)
    factory = {"replayWhenNoConsumers": True}
    if selector_aware:
        factory["selectorAware"] = True
    topo["policies"] = [{"queue": ">", "networkBridgeFilterFactory": factory}]
    return topo


REMOTE_FIRST = [("n3", "B"), ("n4", "B"), ("n1", "A"), ("n2", "A")]
CASES.append(sel_case(
    "replay_selector_aware", "pair_sel4_local_remote_first_conduit with "
    "replayWhenNoConsumers and selectorAware: m1, misrouted to B, goes back to A and n1",
    replay_pair(True), REMOTE_FIRST, "A", IDS4, None))
CASES.append(sel_case(
    "replay_not_selector_aware", "as replay_selector_aware without selectorAware: B's own "
    "consumers (selectors for n3, n4) block the replay and m1 stays on B",
    replay_pair(False), REMOTE_FIRST, "A", IDS4, None))


def by_name():
    return {c["name"]: c for c in CASES}


def validate(c):
    """Raise ValueError on a malformed case (names that refer to nothing, bad dests)."""
    names = [b["name"] for b in c["brokers"]]
    if len(set(names)) != len(names):
        raise ValueError("%s: duplicate broker names" % c["name"])
    for k in c["connectors"]:
        if k["on"] not in names or k["to"] not in names or k["on"] == k["to"]:
            raise ValueError("%s: connector %s: bad on/to" % (c["name"], k.get("name")))
        for e in k.get("excludedDestinations", []):
            kind, _, pat = e.partition(":")
            if kind not in ("queue", "topic") or not pat:
                raise ValueError("%s: bad excludedDestinations entry %r" % (c["name"], e))
    cnames = [x["name"] for x in c["consumers"]]
    if len(set(cnames)) != len(cnames):
        raise ValueError("%s: duplicate consumer names" % c["name"])
    for x in c["consumers"] + c["publishes"]:
        if x["broker"] not in names:
            raise ValueError("%s: unknown broker %s" % (c["name"], x["broker"]))
        if not (x["dest"].startswith("/topic/") or x["dest"].startswith("/queue/")):
            raise ValueError("%s: bad destination %s" % (c["name"], x["dest"]))
    for p in c["publishes"]:
        if p.get("count", 1) < 1:
            raise ValueError("%s: publish count must be >= 1" % c["name"])
    exp = c.get("expected") or {}
    for k in (exp.get("deliveries") or {}):
        if k not in cnames:
            raise ValueError("%s: expected count for unknown consumer %s" % (c["name"], k))
    for k in (exp.get("leftover") or {}):
        if k not in names:
            raise ValueError("%s: expected leftover for unknown broker %s" % (c["name"], k))


for _c in CASES:
    validate(_c)
if len(by_name()) != len(CASES):
    raise ValueError("duplicate case names")
