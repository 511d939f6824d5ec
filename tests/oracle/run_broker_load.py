#!/usr/bin/python3
"""Measures broker load figures on one real ActiveMQ 5.x broker (127.0.0.1 only).

    /usr/bin/python3 tests/oracle/run_broker_load.py memory [--out FILE]
    /usr/bin/python3 tests/oracle/run_broker_load.py connections [--out FILE]
    /usr/bin/python3 tests/oracle/run_broker_load.py heartbeats [--out FILE]

memory (the oracle case, about 10 s): a queue per variant whose policy memoryLimit is
LIMIT_BYTES, no consumer, producerFlowControl on and systemUsage sendFailIfNoSpace="true".
Messages of one body size (and headers) are sent with a receipt each until the broker refuses
one; the count accepted bounds the bytes the broker accounts per message:
LIMIT/accepted <= bytes < LIMIT/(accepted-1), since ActiveMQ's usage is full once it reaches
the limit and the check is made before each send.

connections: the broker's resident set size, live heap after a full GC (jcmd) and thread
count with 0, 200 and 400 idle STOMP connections, under Debian's default JVM options
(/usr/share/activemq/activemq-options). heartbeats: the broker's CPU time over a fixed
window with N STOMP connections exchanging heart-beats every second, against the same
connections without heart-beats. Both are one-off calibrations recorded in
docs/scenario-format.md, not run in CI.

Every broker is wrapped in `timeout` and stopped by its PID (see run_oracle.Broker).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import activemq_xml  # noqa: E402
import run_oracle  # noqa: E402

PORT = int(os.environ.get("ORACLE_LOAD_PORT", "62150"))
LIMIT_BYTES = 1024 * 1024

# body bytes and STOMP headers (which become message properties) per memory variant
MEMORY_VARIANTS = [
    {"name": "b100", "body_bytes": 100, "headers": {}},
    {"name": "b1000", "body_bytes": 1000, "headers": {}},
    {"name": "b10000", "body_bytes": 10000, "headers": {}},
    {"name": "b1000_identity", "body_bytes": 1000, "headers": {"mc_identity": "n1"}},
]

# Debian's /usr/share/activemq/activemq-options, as the packaged service starts the broker
DEBIAN_JVM = ["-Xms512M", "-Xmx512M", "-Dorg.apache.activemq.UseDedicatedTaskRunner=true"]


def broker_xml(name, policy_limit=None, send_fail=False):
    policy = ""
    if policy_limit:
        policy = ("    <destinationPolicy><policyMap><policyEntries>\n"
                  '      <policyEntry queue="&gt;" memoryLimit="%d" producerFlowControl="true"/>\n'
                  "    </policyEntries></policyMap></destinationPolicy>\n" % policy_limit)
    usage = ""
    if send_fail:
        usage = ('    <systemUsage><systemUsage sendFailIfNoSpace="true"><memoryUsage>'
                 '<memoryUsage limit="64 mb"/></memoryUsage></systemUsage></systemUsage>\n')
    text = activemq_xml.HEADER.format(cases="broker-load", name=name, openwire=0, stomp=PORT)
    text += ('  <broker xmlns="http://activemq.apache.org/schema/core" brokerName="%s" '
             'persistent="false" useJmx="false">\n' % name)
    text += policy + usage
    text += ('    <transportConnectors>\n'
             '      <transportConnector name="stomp" uri="stomp://127.0.0.1:%d"/>\n'
             '    </transportConnectors>\n  </broker>\n</beans>\n' % PORT)
    activemq_xml.check_loopback_only(text)
    return text


def start_broker(name, text, tmp, jvm=None, timeout_s=120):
    if not run_oracle.port_free(PORT):
        raise RuntimeError("port 127.0.0.1:%d is busy (set ORACLE_LOAD_PORT)" % PORT)
    conf = os.path.join(tmp, "conf")
    os.makedirs(conf, exist_ok=True)
    with open(os.path.join(conf, "log4j.properties"), "w") as f:
        f.write(run_oracle.LOG4J)
    xml = os.path.join(tmp, name + ".xml")
    with open(xml, "w") as f:
        f.write(text)
    if jvm is not None:
        # keep the oracle's IPv4 switch and module openings, replace heap and GC options
        run_oracle.JVM_OPTS = jvm + run_oracle.JVM_OPTS[run_oracle.JVM_OPTS.index(
            "-Djava.net.preferIPv4Stack=true"):]
    broker = run_oracle.Broker({"name": name, "openwire": 0, "stomp": PORT}, xml,
                               os.path.join(tmp, name), conf, timeout_s)
    broker.start()
    broker.wait_started()
    return broker


def measure_memory(tmp):
    broker = start_broker("load", broker_xml("load", LIMIT_BYTES, send_fail=True), tmp)
    results = []
    try:
        for v in MEMORY_VARIANTS:
            client = run_oracle.Client("p-" + v["name"], PORT)
            body = "x" * v["body_bytes"]
            accepted = 0
            try:
                while accepted < 100000:
                    rid = "r%d" % accepted
                    client.send("/queue/oracle.load.%s" % v["name"], body, v["headers"], rid)
                    accepted += 1
            except RuntimeError as e:
                if "STOMP error" not in str(e) and "timed out" not in str(e):
                    raise
                refusal = str(e)
            finally:
                client.close()
            bounds = [LIMIT_BYTES / accepted, LIMIT_BYTES / (accepted - 1)]
            run_oracle.log("%s: %d accepted, %.1f <= bytes per message < %.1f"
                           % (v["name"], accepted, bounds[0], bounds[1]))
            results.append(dict(v, accepted=accepted, refused_with=refusal[:200],
                                bytes_per_message_bounds=[round(b, 2) for b in bounds]))
    finally:
        broker.stop()
    return {"limit_bytes": LIMIT_BYTES, "variants": results}


def proc_status(pid):
    with open("/proc/%d/status" % pid) as f:
        text = f.read()
    rss_kb = int(re.search(r"VmRSS:\s+(\d+)", text).group(1))
    threads = int(re.search(r"Threads:\s+(\d+)", text).group(1))
    return rss_kb * 1024, threads


def live_heap_bytes(pid):
    jcmd = os.path.join(os.path.dirname(os.path.realpath(subprocess.check_output(
        ["sh", "-c", "command -v java"], text=True).strip())), "jcmd")
    subprocess.run([jcmd, str(pid), "GC.run"], check=True, capture_output=True, timeout=30)
    time.sleep(1)
    out = subprocess.run([jcmd, str(pid), "GC.heap_info"], check=True, capture_output=True,
                         text=True, timeout=30).stdout
    m = re.search(r"used (\d+)K", out)
    return int(m.group(1)) * 1024 if m else None


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def open_idle(n, heartbeat_ms=0, first=0):
    clients = []
    for i in range(first, first + n):
        c = run_oracle.stomp.Connection([("127.0.0.1", PORT)], prefer_localhost=False,
                                        try_loopback_connect=False, reconnect_attempts_max=1,
                                        heartbeats=(heartbeat_ms, heartbeat_ms))
        c.connect(wait=True, headers={"client-id": "idle-%d" % i})
        clients.append(c)
    return clients


def close_all(clients):
    for c in clients:
        try:
            c.disconnect()
        except Exception:  # noqa: BLE001 - the connection may already be gone
            pass


def measure_connections(tmp, steps=(0, 200, 400)):
    broker = start_broker("conns", broker_xml("conns"), tmp, DEBIAN_JVM)
    rows = []
    clients = []
    try:
        time.sleep(5)
        for n in steps:
            clients += open_idle(n - len(clients), first=len(clients))
            time.sleep(5)
            heap = live_heap_bytes(broker.java_pid)
            time.sleep(2)
            rss, threads = proc_status(broker.java_pid)
            rows.append({"connections": n, "rss_bytes": rss, "live_heap_bytes": heap,
                         "threads": threads})
            run_oracle.log("%d connections: rss %d KiB, live heap %s KiB, %d threads"
                           % (n, rss // 1024, heap and heap // 1024, threads))
    finally:
        close_all(clients)
        broker.stop()
    return {"jvm": DEBIAN_JVM, "steps": rows}


def measure_heartbeats(tmp, n=200, window_s=20):
    broker = start_broker("beats", broker_xml("beats"), tmp, DEBIAN_JVM)
    rows = []
    try:
        time.sleep(5)
        for heartbeat_ms in (0, 1000):
            clients = open_idle(n, heartbeat_ms)
            time.sleep(3)
            before = cpu_seconds(broker.java_pid)
            time.sleep(window_s)
            used = cpu_seconds(broker.java_pid) - before
            close_all(clients)
            rows.append({"connections": n, "heartbeat_ms": heartbeat_ms, "window_s": window_s,
                         "broker_cpu_s": round(used, 3)})
            run_oracle.log("%d connections, heart-beat %d ms: %.3f s CPU in %d s"
                           % (n, heartbeat_ms, used, window_s))
            time.sleep(3)
    finally:
        broker.stop()
    return {"jvm": DEBIAN_JVM, "runs": rows}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["memory", "connections", "heartbeats"])
    ap.add_argument("--out", help="write the results as JSON to this file")
    args = ap.parse_args(argv)
    if run_oracle.stomp is None:
        sys.exit("python3-stomp is missing for %s; run with /usr/bin/python3" % sys.executable)

    tmp = tempfile.mkdtemp(prefix="brokersim-load-")
    measure = {"memory": measure_memory, "connections": measure_connections,
               "heartbeats": measure_heartbeats}[args.what]
    started = time.time()
    try:
        result = measure(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    result.update(what=args.what, date=time.strftime("%Y-%m-%d"),
                  wall_s=round(time.time() - started, 1), tools=run_oracle.tool_versions())
    text = json.dumps(result, indent=2, sort_keys=True) + "\n"
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
