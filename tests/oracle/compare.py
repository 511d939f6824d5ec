#!/usr/bin/env python3
"""Runs brokersim on every oracle case and compares its counts with the real brokers'.

For each case in OUT (default tests/oracle/out) with a recorded result in OUT/results.json,
this writes a brokersim scenario that imports the very activemq.xml files the real brokers ran
(`brokers_from:` the case's directory: brokers, network connectors, policies), adds the case's
consumers and publishes, runs `brokersim run --json`, and compares:

- messages received per consumer;
- for every published message (m1, m2, ... in publish order): which consumers got it and on
  which brokers it was left;
- messages left per broker.

Consumers subscribe one after another, 0.3 s apart, in the case's order, as the oracle does;
publishing starts once demand has spread. The simulated WAN links are 1 ms, 1 Gbit/s: the
oracle's brokers are on loopback.

Usage: compare.py BROKERSIM [--out DIR] [--markdown FILE] [CASE...]
Exit status 0 when every compared case agrees, 1 otherwise.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

SUBSCRIBE_SPACING_S = 0.3
PUBLISH_SPACING_S = 0.05


def destination(stomp_dest):
    """'/queue/a.b' -> 'queue:a.b'."""
    kind, _, name = stomp_dest.strip("/").partition("/")
    if kind not in ("queue", "topic") or not name:
        raise ValueError("unsupported destination %r" % stomp_dest)
    return "%s:%s" % (kind, name)


def yaml_value(value):
    return json.dumps(value)  # JSON scalars, lists and maps are valid YAML flow values


def scenario_yaml(case, case_dir):
    brokers = [b["name"] for b in case["brokers"]]
    lines = ["name: %s" % yaml_value("oracle-" + case["name"]),
             "datacenters: %s" % yaml_value(brokers),
             "brokers_from: %s" % yaml_value(os.path.abspath(case_dir))]

    # One datacenter per broker (named after it), joined wherever a connector dials.
    pairs = []
    for c in case["connectors"]:
        pair = tuple(sorted((c["on"], c["to"])))
        if pair not in pairs:
            pairs.append(pair)
    lines.append("links:")
    for a, b in pairs:
        lines.append("  - %s" % yaml_value({"between": [a, b], "latency_ms": 1,
                                             "bandwidth_mbps": 1000, "transport": "tcp"}))

    if case["consumers"]:
        lines.append("consumers:")
    for i, c in enumerate(case["consumers"]):
        entry = {"name": c["name"], "broker": c["broker"],
                 "destination": destination(c["dest"]),
                 "at_s": round(SUBSCRIBE_SPACING_S * i, 3)}
        if c.get("selector"):
            entry["selector"] = c["selector"]
        if c.get("reply"):
            entry["reply"] = True
        lines.append("  - %s" % yaml_value(entry))

    start_s = SUBSCRIBE_SPACING_S * len(case["consumers"]) + 2.0
    lines.append("producers:")
    for i, p in enumerate(case["publishes"]):
        entry = {"name": "p%d" % (i + 1), "broker": p["broker"],
                 "destination": destination(p["dest"]), "count": p.get("count", 1),
                 "at_s": round(start_s + PUBLISH_SPACING_S * i, 3), "interval_ms": 1}
        if p.get("headers"):
            entry["headers"] = p["headers"]
        if p.get("reply_to"):
            entry["reply_to"] = destination(p["reply_to"])
        lines.append("  - %s" % yaml_value(entry))
    return "\n".join(lines) + "\n"


def run_brokersim(brokersim, yaml_text):
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(yaml_text)
        path = f.name
    try:
        done = subprocess.run([brokersim, "run", "--json", path], capture_output=True,
                              text=True, timeout=120)
    finally:
        os.unlink(path)
    if done.returncode != 0:
        raise RuntimeError("brokersim failed: %s" % done.stderr.strip())
    return json.loads(done.stdout)


def compare(case, real, simulated):
    """Returns (rows, ok): rows of (what, real, simulated, ok)."""
    rows = []
    sim_consumers = {c["name"]: c for c in simulated["consumers"]}
    for name, observed in real["consumers"].items():
        sim = sim_consumers.get(name, {"received": None})
        rows.append(("received by " + name, observed["count"], sim["received"],
                     observed["count"] == sim["received"]))

    # Replies are labelled by the request they answer in the oracle's record and numbered after
    # the published messages in brokersim's, so consumers of reply-to destinations are compared
    # by their counts (above) only.
    reply_destinations = {p["reply_to"] for p in case["publishes"] if p.get("reply_to")}
    reply_consumers = {c["name"] for c in case["consumers"] if c["dest"] in reply_destinations}
    published = sum(p.get("count", 1) for p in case["publishes"])
    sim_messages = {m["id"]: m for m in simulated["messages"]}
    for i in range(1, published + 1):
        mid = "m%d" % i
        observed = real["assignment"].get(mid)
        sim = sim_messages.get(mid)
        if observed is None or sim is None:
            rows.append((mid, "missing" if observed is None else "-",
                         "missing" if sim is None else "-", False))
            continue
        real_to = sorted(c for c in observed["delivered_to"] if c not in reply_consumers)
        sim_to = sorted(sim["delivered_to"])
        real_left = sorted(observed["left_on"])
        sim_left = sorted(sim["left_on"])
        rows.append((mid + " delivered to / left on",
                     "%s / %s" % (",".join(real_to) or "-", ",".join(real_left) or "-"),
                     "%s / %s" % (",".join(sim_to) or "-", ",".join(sim_left) or "-"),
                     real_to == sim_to and real_left == sim_left))

    sim_left_counts = {}
    for m in simulated["messages"]:
        for broker in m["left_on"]:
            sim_left_counts[broker] = sim_left_counts.get(broker, 0) + 1
    for broker, count in real["leftover_counts"].items():
        rows.append(("left on " + broker, count, sim_left_counts.get(broker, 0),
                     count == sim_left_counts.get(broker, 0)))
    return rows, all(row[3] for row in rows)


def markdown(results, version):
    out = ["# Fidelity: brokersim against real ActiveMQ",
           "",
           "Generated by `tests/oracle/compare.py` from the oracle's recorded run on real "
           "brokers (ActiveMQ %s, loopback, see `tests/oracle/README.md`) and brokersim run on the "
           "very activemq.xml files those brokers ran, with the same consumers and publishes. "
           "Each row: a consumer's message count, a message's fate (which consumers got it, on "
           "which broker it was left), or the messages left on a broker." % version,
           "",
           "| case | what | ActiveMQ | brokersim | agree |",
           "|---|---|---|---|---|"]
    for name, rows, _ in results:
        for what, real, sim, ok in rows:
            out.append("| %s | %s | %s | %s | %s |" % (name, what, real, sim,
                                                      "yes" if ok else "**NO**"))
    agreed = sum(1 for _, _, ok in results if ok)
    out += ["", "%d of %d cases agree in every row." % (agreed, len(results)), ""]
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("brokersim")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "out"))
    parser.add_argument("--markdown")
    parser.add_argument("cases", nargs="*")
    args = parser.parse_args()

    with open(os.path.join(args.out, "results.json")) as f:
        recorded = json.load(f)
    names = args.cases or sorted(recorded["cases"])
    results = []
    for name in names:
        with open(os.path.join(args.out, name, "case.json")) as f:
            case = json.load(f)
        case_dir = os.path.join(args.out, name)
        simulated = run_brokersim(args.brokersim, scenario_yaml(case, case_dir))
        rows, ok = compare(case, recorded["cases"][name], simulated)
        results.append((name, rows, ok))
        print("%-45s %s" % (name, "agrees" if ok else "DIFFERS"))
        if not ok:
            for what, real, sim, row_ok in rows:
                if not row_ok:
                    print("    %s: ActiveMQ %s, brokersim %s" % (what, real, sim))

    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(markdown(results, recorded.get("activemq_version", "?")))
    agreed = sum(1 for _, _, ok in results if ok)
    print("%d passed, %d failed" % (agreed, len(results) - agreed))
    return 0 if agreed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
