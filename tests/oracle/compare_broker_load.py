#!/usr/bin/env python3
"""Compares brokersim's memory accounting with the counts a real broker gave.

    compare_broker_load.py BROKERSIM [--results FILE]

FILE (default tests/oracle/out/broker_load/memory.json) is written by
`run_broker_load.py memory`: per variant, how many messages of a body size (and headers) a
queue with a 1 MiB policy memoryLimit accepted before the broker refused one. For each
variant this runs the same queue, limit and producer in brokersim, where producer flow
control holds the send the real broker refused, and checks that the same number were sent.
Exit status 0 when every variant agrees.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def scenario(variant, limit_bytes):
    headers = ", ".join("%s: %s" % (k, v) for k, v in sorted(variant["headers"].items()))
    return """name: oracle-broker-load-{name}
datacenters: [dc]
brokers:
  - name: load
    datacenter: dc
    memory_limit_mb: 64
    policies:
      - {{queue: ">", memoryLimit: {limit}}}
producers:
  - {{name: p, broker: load, destination: "queue:oracle.load.{name}", count: {count},
     bytes: {bytes}, at_s: 0, interval_ms: 1, headers: {{{headers}}}}}
""".format(name=variant["name"], limit=limit_bytes, count=variant["accepted"] + 10,
           bytes=variant["body_bytes"], headers=headers)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("brokersim")
    ap.add_argument("--results", default=os.path.join(HERE, "out", "broker_load", "memory.json"))
    args = ap.parse_args()
    with open(args.results) as f:
        recorded = json.load(f)

    failures = 0
    with tempfile.TemporaryDirectory(prefix="brokersim-load-compare-") as tmp:
        for variant in recorded["variants"]:
            path = os.path.join(tmp, variant["name"] + ".yaml")
            with open(path, "w") as f:
                f.write(scenario(variant, recorded["limit_bytes"]))
            run = subprocess.run([args.brokersim, "run", "--json", path], capture_output=True,
                                 text=True, timeout=60)
            if run.returncode != 0:
                print("%s: brokersim failed: %s" % (variant["name"], run.stderr.strip()))
                failures += 1
                continue
            sent = json.loads(run.stdout)["conservation"]["published"]
            ok = sent == variant["accepted"]
            failures += not ok
            print("%-16s body %5d bytes, headers %-22s ActiveMQ accepted %4d, brokersim sent "
                  "%4d  %s" % (variant["name"], variant["body_bytes"],
                               json.dumps(variant["headers"]), variant["accepted"], sent,
                               "ok" if ok else "MISMATCH"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
