#!/usr/bin/python3
"""Runs the oracle cases of cases.py on real ActiveMQ 5.x brokers and counts deliveries.

    /usr/bin/python3 tests/oracle/run_oracle.py [CASE ...] [--out DIR] [--repeat N]
    /usr/bin/python3 tests/oracle/run_oracle.py --list
    /usr/bin/python3 tests/oracle/run_oracle.py --xml-only        # only write the XML files

Needs Debian 12's `activemq` (5.17.x) and `python3-stomp` packages (scripts/install-deps.sh
--with-oracle) and Java. Every broker listens on 127.0.0.1 only, runs from its own temporary
data directory under a hard `timeout`, and is stopped by PID. See README.md.
"""

import argparse
import atexit
import datetime
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import activemq_xml  # noqa: E402
import cases as case_defs  # noqa: E402

try:
    import stomp  # Debian's python3-stomp (stomp.py 8.x)
except ImportError:  # pragma: no cover - environment problem, reported plainly
    stomp = None

AMQ_HOME = os.environ.get("ACTIVEMQ_HOME", "/usr/share/activemq")
AMQ_JAR = os.path.join(AMQ_HOME, "bin", "activemq.jar")
HEAP = os.environ.get("ORACLE_HEAP", "192m")

JVM_OPTS = [
    "-Xms32m", "-Xmx" + HEAP, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
    "-Djava.net.preferIPv4Stack=true",
    # The same module openings as Debian's /usr/bin/activemq launcher for Java > 8.
    "--add-reads=java.xml=java.logging",
    "--add-opens", "java.base/java.security=ALL-UNNAMED",
    "--add-opens", "java.base/java.net=ALL-UNNAMED",
    "--add-opens", "java.base/java.lang=ALL-UNNAMED",
    "--add-opens", "java.base/java.util=ALL-UNNAMED",
    "--add-opens", "java.naming/javax.naming.spi=ALL-UNNAMED",
    "--add-opens", "java.base/java.util.concurrent=ALL-UNNAMED",
    "--add-opens", "java.base/java.util.concurrent.atomic=ALL-UNNAMED",
]

# Logs go to the broker's stdout (captured into a file per broker). Network bridge classes
# log at DEBUG so demand creation shows up and quiescence can be detected.
LOG4J = """log4j.rootLogger=INFO, out
log4j.logger.org.apache.activemq.network=DEBUG
log4j.logger.org.springframework=WARN
log4j.logger.org.apache.xbean=WARN
log4j.appender.out=org.apache.log4j.ConsoleAppender
log4j.appender.out.layout=org.apache.log4j.PatternLayout
log4j.appender.out.layout.ConversionPattern=%d{ISO8601} | %-5p | %m | %c | %t%n
"""

# Timing knobs (seconds).
SUB_GAP = 0.3          # pause after each SUBSCRIBE so demand is created in a fixed order
DEMAND_MIN, DEMAND_QUIET, DEMAND_MAX = 1.5, 1.0, 10.0
SETTLE_MIN, SETTLE_QUIET, SETTLE_MAX = 1.0, 1.5, 15.0
START_TIMEOUT = 60.0
BRIDGE_TIMEOUT = 45.0
RECEIPT_TIMEOUT = 10.0
BROWSE_TIMEOUT = 10.0

_RUNNING = []  # brokers started by this process, for cleanup


def log(msg):
    sys.stdout.write("[%s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stdout.flush()


# --------------------------------------------------------------------------- brokers

class Broker:
    def __init__(self, spec, xml_path, workdir, conf_dir, hard_timeout):
        self.name = spec["name"]
        self.openwire = spec["openwire"]
        self.stomp = spec["stomp"]
        self.xml_path = xml_path
        self.workdir = workdir
        self.conf_dir = conf_dir
        self.hard_timeout = hard_timeout
        self.log_path = os.path.join(workdir, "broker.log")
        self.proc = None
        self.java_pid = None
        self.started_at = None

    def start(self):
        os.makedirs(os.path.join(self.workdir, "data"), exist_ok=True)
        cmd = ["timeout", "--kill-after=5", str(int(self.hard_timeout)), "java"] + JVM_OPTS + [
            "-Dactivemq.home=" + AMQ_HOME,
            "-Dactivemq.base=" + self.workdir,
            "-Dactivemq.conf=" + self.conf_dir,
            "-Dactivemq.data=" + os.path.join(self.workdir, "data"),
            "-Dactivemq.classpath=" + self.conf_dir,
            "-Dorg.apache.activemq.default.directory.prefix=" + self.workdir + "/",
            "-jar", AMQ_JAR, "start", "xbean:file:" + self.xml_path]
        self._logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, cwd=self.workdir, stdin=subprocess.DEVNULL,
                                     stdout=self._logf, stderr=subprocess.STDOUT)
        self.started_at = time.time()
        _RUNNING.append(self)

    def text(self):
        try:
            with open(self.log_path, "r", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def size(self):
        try:
            return os.path.getsize(self.log_path)
        except OSError:
            return 0

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def wait_started(self, timeout=START_TIMEOUT):
        pat = re.compile(r"Apache ActiveMQ (\S+) \(%s, [^)]*\) started" % re.escape(self.name))
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = pat.search(self.text())
            if m:
                self._find_java_pid()
                return m.group(1)
            if not self.alive():
                raise RuntimeError("broker %s exited during start-up:\n%s"
                                   % (self.name, self.text()[-3000:]))
            time.sleep(0.1)
        raise RuntimeError("broker %s did not start within %.0f s:\n%s"
                           % (self.name, timeout, self.text()[-3000:]))

    def _find_java_pid(self):
        try:
            with open("/proc/%d/task/%d/children" % (self.proc.pid, self.proc.pid)) as f:
                kids = f.read().split()
            self.java_pid = int(kids[0]) if kids else None
        except OSError:
            self.java_pid = None

    def stop(self, grace=15.0):
        """SIGTERM to our `timeout` wrapper (it relays to java); SIGKILL both if needed."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                for pid in (self.java_pid, self.proc.pid):
                    if pid:
                        try:
                            os.kill(pid, signal.SIGKILL)
                        except ProcessLookupError:
                            pass
                self.proc.wait(timeout=5)
        # the java child must be gone too
        if self.java_pid and os.path.exists("/proc/%d" % self.java_pid):
            try:
                with open("/proc/%d/cmdline" % self.java_pid, "rb") as f:
                    mine = self.xml_path.encode() in f.read()
            except OSError:
                mine = False
            if mine:
                try:
                    os.kill(self.java_pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self._logf.close()
        if self in _RUNNING:
            _RUNNING.remove(self)


def _cleanup():
    for b in list(_RUNNING):
        try:
            b.stop(grace=5.0)
        except Exception as e:  # noqa: BLE001 - best effort at exit
            sys.stderr.write("cleanup of broker %s failed: %s\n" % (b.name, e))


def _on_signal(signum, _frame):
    _cleanup()
    sys.exit(128 + signum)


def port_free(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # like Java's ServerSocket: TIME_WAIT leftovers of the previous group are no obstacle
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


# --------------------------------------------------------------------------- STOMP clients

class Client:
    """One STOMP connection (one per consumer, like an mcollectived / mco process)."""

    def __init__(self, label, port):
        self.label = label
        self.cond = threading.Condition()
        self.messages = []      # (t, headers, body)
        self.receipts = set()
        self.errors = []
        self.browse_done = False
        self.reply = False
        self.reply_count = 0
        self.conn = stomp.Connection([("127.0.0.1", port)], prefer_localhost=False,
                                     try_loopback_connect=False, reconnect_attempts_max=1,
                                     heartbeats=(0, 0))
        self.conn.set_listener("oracle", self)
        self.conn.connect(wait=True, headers={"client-id": label})

    # stomp.py listener interface
    def on_message(self, frame):
        h = dict(frame.headers)
        with self.cond:
            if h.get("browser") == "end":
                self.browse_done = True
            else:
                self.messages.append((time.time(), h, frame.body))
            self.cond.notify_all()
        if self.reply and h.get("reply-to"):
            self.conn.send(h["reply-to"], "reply to %s" % h.get("oracle_msg"),
                           headers={"oracle_msg": h.get("oracle_msg", "?"),
                                    "oracle_reply_from": self.label})
            self.reply_count += 1

    def on_receipt(self, frame):
        with self.cond:
            self.receipts.add(frame.headers.get("receipt-id"))
            self.cond.notify_all()

    def on_error(self, frame):
        with self.cond:
            self.errors.append("%s %s" % (dict(frame.headers), frame.body))
            self.cond.notify_all()

    def on_disconnected(self):
        pass

    def _wait(self, pred, timeout, what):
        deadline = time.time() + timeout
        with self.cond:
            while not pred():
                if self.errors:
                    raise RuntimeError("%s: STOMP error: %s" % (self.label, self.errors))
                left = deadline - time.time()
                if left <= 0:
                    raise RuntimeError("%s: timed out waiting for %s" % (self.label, what))
                self.cond.wait(left)

    def subscribe(self, dest, sub_id, selector=None, browser=False):
        rid = "sub-%s-%s" % (self.label, sub_id)
        headers = {"receipt": rid}
        if selector:
            headers["selector"] = selector
        if browser:
            headers["browser"] = "true"
        self.conn.subscribe(dest, id=sub_id, ack="auto", headers=headers)
        self._wait(lambda: rid in self.receipts, RECEIPT_TIMEOUT, "subscription receipt")

    def send(self, dest, body, headers, receipt=None):
        h = dict(headers)
        if receipt:
            h["receipt"] = receipt
        self.conn.send(dest, body, headers=h)
        if receipt:
            self._wait(lambda: receipt in self.receipts, RECEIPT_TIMEOUT, "send receipt")

    def count(self):
        with self.cond:
            return len(self.messages)

    def close(self):
        try:
            self.conn.disconnect()
        except Exception:  # noqa: BLE001 - connection may already be gone
            pass


def browse(port, dest, label):
    """Messages currently waiting on queue `dest` at one broker (STOMP queue browser;
    network bridges ignore browsers, so this creates no demand)."""
    c = Client(label, port)
    try:
        c.subscribe(dest, "browse", browser=True)
        c._wait(lambda: c.browse_done, BROWSE_TIMEOUT, "end of browse")
        return [h for _, h, _ in c.messages]
    finally:
        c.close()


# --------------------------------------------------------------------------- waiting

def wait_quiet(brokers, clients, minimum, quiet, maximum):
    """Waits until no broker log grows and no client receives for `quiet` seconds."""
    t0 = time.time()
    last = None
    last_change = t0
    while True:
        now = time.time()
        state = (tuple(b.size() for b in brokers), tuple(c.count() for c in clients))
        if state != last:
            last, last_change = state, now
        if now - t0 >= minimum and now - last_change >= quiet:
            return now - t0
        if now - t0 >= maximum:
            return now - t0
        time.sleep(0.1)


def expected_bridges(case):
    """Per broker, how many 'Network connection ... has been established' lines to expect."""
    n = {b["name"]: 0 for b in case["brokers"]}
    for k in case["connectors"]:
        n[k["on"]] += 1
        if k.get("duplex"):
            n[k["to"]] += 1
    return n


ESTABLISHED = re.compile(r"Network connection between \S+ and \S+ \((\S+)\) has been established")


def wait_bridges(brokers, case, timeout=BRIDGE_TIMEOUT):
    want = expected_bridges(case)
    deadline = time.time() + timeout
    while True:
        have = {b.name: len(ESTABLISHED.findall(b.text())) for b in brokers}
        if all(have[n] >= want[n] for n in want):
            return have
        if time.time() > deadline:
            raise RuntimeError("bridges not up after %.0f s: want %s, have %s"
                               % (timeout, want, have))
        for b in brokers:
            if not b.alive():
                raise RuntimeError("broker %s died:\n%s" % (b.name, b.text()[-3000:]))
        time.sleep(0.1)


def start_order(case):
    """Waves: brokers whose connector targets are all up start first (fewer reconnects)."""
    names = [b["name"] for b in case["brokers"]]
    targets = {n: {k["to"] for k in case["connectors"] if k["on"] == n} for n in names}
    waves, up = [], set()
    while len(up) < len(names):
        wave = [n for n in names if n not in up and targets[n] <= up]
        if not wave:  # a cycle: start the rest together
            wave = [n for n in names if n not in up]
        waves.append(wave)
        up |= set(wave)
    return waves


# --------------------------------------------------------------------------- one case

DUP_PAT = re.compile(r"[Dd]uplicate")
BRIDGING = re.compile(r"bridging \((\S+) -> (\S+)\), consumer: (\S+), destination: (\S+), "
                      r"brokerPath: \[([^\]]*)\], message: (\S+)")


def run_case(case, brokers, out_case_dir):
    """Runs one case on already running brokers; returns the result dict."""
    t_case = time.time()
    bmap = {b.name: b for b in brokers}
    log_offsets = {b.name: b.size() for b in brokers}
    timings = {}
    consumers = {}
    publishers = {}
    try:
        # 1. consumers, in declaration order, one connection each
        t = time.time()
        for spec in case["consumers"]:
            c = Client("%s.%s" % (case["name"], spec["name"]), bmap[spec["broker"]].stomp)
            c.reply = bool(spec.get("reply"))
            c.subscribe(spec["dest"], spec["name"], selector=spec.get("selector"))
            consumers[spec["name"]] = c
            time.sleep(SUB_GAP)
        timings["subscribe_s"] = round(time.time() - t, 3)

        # 2. demand propagation: wait for the network logs to go quiet
        timings["demand_wait_s"] = round(
            wait_quiet(brokers, list(consumers.values()), DEMAND_MIN, DEMAND_QUIET,
                       DEMAND_MAX), 3)

        # 3. publish, in declaration order
        t = time.time()
        seq = 0
        published = []
        plan = []
        for p in case["publishes"]:
            for _ in range(p.get("count", 1)):
                seq += 1
                plan.append((p, "m%d" % seq))
        for i, (p, mid) in enumerate(plan):
            c = publishers.get(p["broker"])
            if c is None:
                c = Client("%s.pub.%s" % (case["name"], p["broker"]), bmap[p["broker"]].stomp)
                publishers[p["broker"]] = c
            headers = dict(p.get("headers") or {})
            headers["oracle_msg"] = mid
            headers["oracle_case"] = case["name"]
            if p.get("reply_to"):
                headers["reply-to"] = p["reply_to"]
            last_on_conn = all(q["broker"] != p["broker"] for q, _ in plan[i + 1:])
            c.send(p["dest"], "%s %s" % (case["name"], mid), headers,
                   receipt="pub-%s" % mid if last_on_conn else None)
            published.append({"msg": mid, "broker": p["broker"], "dest": p["dest"],
                              "headers": dict(p.get("headers") or {})})
        timings["publish_s"] = round(time.time() - t, 3)

        # 4. settle
        timings["settle_s"] = round(
            wait_quiet(brokers, list(consumers.values()), SETTLE_MIN, SETTLE_QUIET,
                       SETTLE_MAX), 3)

        # 5. what is left on every queue of the case, on every broker
        t = time.time()
        queues = sorted({x["dest"] for x in case["consumers"] + case["publishes"]
                         if x["dest"].startswith("/queue/")}
                        | {p["reply_to"] for p in case["publishes"] if p.get("reply_to")})
        leftover = {}
        leftover_ids = {}
        for b in brokers:
            per = {}
            for q in queues:
                hs = browse(b.stomp, q, "%s.browse.%s" % (case["name"], b.name))
                per[q] = [h.get("oracle_msg", h.get("message-id")) for h in hs]
                for h in hs:
                    if h.get("oracle_msg") and h.get("message-id"):
                        leftover_ids[h["message-id"]] = h["oracle_msg"]
            leftover[b.name] = per
        timings["browse_s"] = round(time.time() - t, 3)

        # 6. collect
        specs = {s["name"]: s for s in case["consumers"]}
        per_consumer = {}
        for name, c in consumers.items():
            with c.cond:
                msgs = list(c.messages)
            per_consumer[name] = {
                "broker": specs[name]["broker"], "dest": specs[name]["dest"],
                "selector": specs[name].get("selector"),
                "count": len(msgs),
                "messages": [h.get("oracle_msg") for _, h, _ in msgs],
                "message_ids": [h.get("message-id") for _, h, _ in msgs],
                "first_ms": (round((msgs[0][0] - t_case) * 1000) if msgs else None),
            }
            if c.reply:
                per_consumer[name]["replies_sent"] = c.reply_count
        assignment = {}
        for pub in published:
            mid = pub["msg"]
            assignment[mid] = {
                "published_on": pub["broker"], "dest": pub["dest"],
                "headers": pub["headers"],
                "delivered_to": [n for n, pc in per_consumer.items()
                                 for m in pc["messages"] if m == mid],
                "left_on": sorted(bn for bn, per in leftover.items()
                                  for q, ms in per.items() if mid in ms),
            }
    finally:
        for c in list(consumers.values()) + list(publishers.values()):
            c.close()

    # 7. the case's slice of every broker log
    os.makedirs(out_case_dir, exist_ok=True)
    dup_lines = {}
    for b in brokers:
        with open(b.log_path, "r", errors="replace") as f:
            f.seek(log_offsets[b.name])
            chunk = f.read()
        with open(os.path.join(out_case_dir, "%s.log" % b.name), "w") as f:
            f.write(chunk)
        dup_lines[b.name] = [ln for ln in chunk.splitlines() if DUP_PAT.search(ln)]

    # 8. per message, the bridge hops the brokers logged ("bridging (X -> Y) ...")
    jms_to_msg = {}
    for pc in per_consumer.values():
        for m, j in zip(pc["messages"], pc["message_ids"]):
            if m and j:
                jms_to_msg[j] = m
    jms_to_msg.update(leftover_ids)
    hops = {mid: [] for mid in assignment}
    for b in brokers:
        with open(os.path.join(out_case_dir, "%s.log" % b.name), "r", errors="replace") as f:
            for ln in f:
                m = BRIDGING.search(ln)
                if not m or m.group(4).startswith("topic://ActiveMQ.Advisory"):
                    continue
                mid = jms_to_msg.get(m.group(6))
                if mid in hops:
                    path = [p for p in m.group(5).split(", ") if p]
                    hops[mid].append((ln[:23], "%s->%s" % (m.group(1), m.group(2)),
                                      {"at": ln[:23], "from": m.group(1), "to": m.group(2),
                                       "demand_consumer": m.group(3),
                                       "path_len_after": len(path)}))
    for mid, a in assignment.items():
        hs = sorted(hops.get(mid, []), key=lambda x: x[0])
        a["bridged"] = [h for _, h, _ in hs]
        a["bridged_detail"] = [d for _, _, d in hs]

    result = {
        "name": case["name"], "description": case["description"],
        "deliveries": {n: pc["count"] for n, pc in per_consumer.items()},
        "leftover_counts": {bn: sum(len(v) for v in per.values())
                            for bn, per in leftover.items()},
        "consumers": per_consumer,
        "assignment": assignment,
        "leftover": leftover,
        "duplicate_log_lines": {k: v for k, v in dup_lines.items() if v},
        "timings": timings,
    }
    result["total_s"] = round(time.time() - t_case, 3)
    result["comparison"], result["pass"] = compare(case, result)
    time.sleep(0.5)  # let removal advisories pass before the next case
    return result


def compare(case, result):
    exp = case.get("expected")
    if not exp:
        return None, None
    rows = []
    ok = True
    for name, want in (exp.get("deliveries") or {}).items():
        got = result["deliveries"].get(name)
        rows.append({"what": "deliveries", "key": name, "expected": want, "observed": got,
                     "ok": got == want})
        ok = ok and got == want
    for bn, want in (exp.get("leftover") or {}).items():
        got = result["leftover_counts"].get(bn)
        rows.append({"what": "leftover", "key": bn, "expected": want, "observed": got,
                     "ok": got == want})
        ok = ok and got == want
    return rows, ok


def signature(r):
    """What must be identical between repeated runs: counts, which consumer got which
    messages (as a multiset: arrival order over two network paths is a race) and where
    undelivered messages were left."""
    return json.dumps({"deliveries": r["deliveries"],
                       "leftover": {b: {q: sorted(ms) for q, ms in per.items()}
                                    for b, per in r["leftover"].items()},
                       "per_consumer": {n: sorted(pc["messages"])
                                        for n, pc in r["consumers"].items()}},
                      sort_keys=True)


# --------------------------------------------------------------------------- groups

def group_cases(selected):
    groups = []
    index = {}
    for c in selected:
        key = activemq_xml.topology_key(c)
        if key not in index:
            index[key] = len(groups)
            groups.append([])
        groups[index[key]].append(c)
    return groups


def write_case_files(case, group_names, out_dir):
    d = os.path.join(out_dir, case["name"])
    paths = activemq_xml.write_case(case, d, group_names)
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(dict(case, xml_files={n: os.path.basename(p) for n, p in paths.items()},
                       shared_brokers_with=[n for n in group_names if n != case["name"]]),
                  f, indent=2, sort_keys=True)
    return paths


def run_group(gi, group, out_dir, tmp_root, conf, hard_timeout):
    names = [c["name"] for c in group]
    log("group %d: %s" % (gi, ", ".join(names)))
    first = group[0]
    paths = {}
    for c in group:
        paths = write_case_files(c, names, out_dir)
    # every case of the group has byte-identical XML; the brokers load the first case's copy
    xml_paths = {n: os.path.join(out_dir, first["name"], os.path.basename(p))
                 for n, p in paths.items()}

    for b in first["brokers"]:
        for port in (b["openwire"], b["stomp"]):
            if not port_free(port):
                raise RuntimeError("port 127.0.0.1:%d is busy (set ORACLE_PORT_BASE)" % port)

    gdir = os.path.join(tmp_root, "g%02d" % gi)
    specs = {b["name"]: b for b in first["brokers"]}
    brokers = {n: Broker(specs[n], xml_paths[n], os.path.join(gdir, n), conf, hard_timeout)
               for n in specs}
    info = {"cases": names, "brokers": [b["name"] for b in first["brokers"]]}
    results = []
    t0 = time.time()
    try:
        version = None
        for wave in start_order(first):
            for n in wave:
                brokers[n].start()
            for n in wave:
                version = brokers[n].wait_started()
        info["activemq_version"] = version
        info["pids"] = {n: b.java_pid for n, b in brokers.items()}
        info["start_s"] = round(time.time() - t0, 3)
        t1 = time.time()
        info["bridges_established"] = wait_bridges(list(brokers.values()), first)
        info["bridges_s"] = round(time.time() - t1, 3)
        # let the initial advisory exchange finish
        wait_quiet(list(brokers.values()), [], 0.5, 0.5, 5.0)
        ordered = [brokers[b["name"]] for b in first["brokers"]]
        for c in group:
            log("  case %s" % c["name"])
            r = run_case(c, ordered, os.path.join(out_dir, c["name"]))
            r["group"] = gi
            results.append(r)
            log("    deliveries %s leftover %s%s" % (
                r["deliveries"], r["leftover_counts"],
                "" if r["pass"] is None else (" PASS" if r["pass"] else " MISMATCH")))
    finally:
        t2 = time.time()
        for b in brokers.values():
            b.stop()
        info["stop_s"] = round(time.time() - t2, 3)
        logdir = os.path.join(out_dir, "logs", "g%02d" % gi)
        os.makedirs(logdir, exist_ok=True)
        for n, b in brokers.items():
            if os.path.exists(b.log_path):
                shutil.copy(b.log_path, os.path.join(logdir, "%s.log" % n))
        info["total_s"] = round(time.time() - t0, 3)
    return info, results


# --------------------------------------------------------------------------- reporting

def fmt(v):
    return "-" if v is None else str(v)


def summary_table(case_list, results):
    lines = ["| case | what | expected | observed | ok |", "|---|---|---|---|---|"]
    by = {r["name"]: r for r in results}
    for c in case_list:
        r = by.get(c["name"])
        if r is None:
            continue
        exp = c.get("expected") or {}
        ed = exp.get("deliveries") or {}
        el = exp.get("leftover") or {}
        for s in c["consumers"]:
            n = s["name"]
            want, got = ed.get(n), r["deliveries"].get(n)
            ok = "" if want is None else ("yes" if want == got else "NO")
            lines.append("| %s | %s@%s | %s | %s | %s |" % (c["name"], n, s["broker"],
                                                          fmt(want), got, ok))
        if any(x["dest"].startswith("/queue/") for x in c["consumers"] + c["publishes"]):
            for bn, got in r["leftover_counts"].items():
                want = el.get(bn)
                ok = "" if want is None else ("yes" if want == got else "NO")
                lines.append("| %s | left on %s | %s | %s | %s |" % (c["name"], bn, fmt(want),
                                                                  got, ok))
    return "\n".join(lines)


def assignment_table(case_list, results):
    lines = ["| case | msg | mc_identity | delivered to | left on | bridged |",
             "|---|---|---|---|---|---|"]
    by = {r["name"]: r for r in results}
    for c in case_list:
        r = by.get(c["name"])
        if r is None or not any(s.get("selector") for s in c["consumers"]) and not \
                any(x["dest"].startswith("/queue/") for x in c["consumers"]):
            continue
        for mid, a in r["assignment"].items():
            lines.append("| %s | %s | %s | %s | %s | %s |" % (
                c["name"], mid, a["headers"].get("mc_identity", ""),
                ",".join(a["delivered_to"]) or "-", ",".join(a["left_on"]) or "-",
                " ".join(a["bridged"]) or "-"))
    return "\n".join(lines)


def tool_versions():
    v = {}
    try:
        v["activemq_package"] = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", "activemq"], capture_output=True,
            text=True, timeout=20).stdout.strip()
    except Exception:  # noqa: BLE001
        v["activemq_package"] = None
    try:
        out = subprocess.run(["java", "-version"], capture_output=True, text=True,
                             timeout=30).stderr
        v["java"] = out.splitlines()[0] if out else None
    except Exception:  # noqa: BLE001
        v["java"] = None
    v["stomp_py"] = ".".join(map(str, stomp.__version__)) if stomp else None
    v["python"] = sys.version.split()[0]
    return v


# --------------------------------------------------------------------------- main

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cases", nargs="*", help="case names (default: all)")
    ap.add_argument("--out", default=os.path.join(HERE, "out"),
                    help="output directory (default tests/oracle/out)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run the selection N times and check the results are identical")
    ap.add_argument("--broker-timeout", type=int, default=300,
                    help="hard limit in seconds for every broker process (default 300)")
    ap.add_argument("--keep-data", action="store_true",
                    help="keep the temporary broker data directories")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--xml-only", action="store_true",
                    help="only write the XML files and case.json of the selected cases")
    args = ap.parse_args(argv)

    all_cases = case_defs.by_name()
    if args.list:
        for c in case_defs.CASES:
            print("%-28s %s" % (c["name"], c["description"]))
        return 0
    unknown = [n for n in args.cases if n not in all_cases]
    if unknown:
        ap.error("unknown case(s): %s (see --list)" % ", ".join(unknown))
    selected = [c for c in case_defs.CASES if not args.cases or c["name"] in args.cases]
    groups = group_cases(selected)
    os.makedirs(args.out, exist_ok=True)

    if args.xml_only:
        for g in groups:
            for c in g:
                write_case_files(c, [x["name"] for x in g], args.out)
        log("wrote XML for %d case(s) under %s" % (len(selected), args.out))
        return 0

    if stomp is None:
        sys.exit("python3-stomp is missing for %s; install Debian's python3-stomp and run "
                 "with /usr/bin/python3" % sys.executable)
    if not os.path.exists(AMQ_JAR):
        sys.exit("%s not found: apt-get install activemq" % AMQ_JAR)
    if shutil.which("java") is None or shutil.which("timeout") is None:
        sys.exit("java and coreutils timeout are needed")

    atexit.register(_cleanup)
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)

    tmp_root = tempfile.mkdtemp(prefix="brokersim-oracle-")
    os.makedirs(os.path.join(tmp_root, "conf"))
    with open(os.path.join(tmp_root, "conf", "log4j.properties"), "w") as f:
        f.write(LOG4J)

    t_all = time.time()
    runs = []
    version = None
    try:
        for rep in range(args.repeat):
            log("run %d/%d: %d case(s) in %d broker group(s)" % (rep + 1, args.repeat,
                                                               len(selected), len(groups)))
            t_run = time.time()
            ginfos, results = [], []
            for gi, g in enumerate(groups, 1):
                info, res = run_group(gi, g, args.out, os.path.join(tmp_root, "r%d" % rep),
                                      os.path.join(tmp_root, "conf"), args.broker_timeout)
                version = version or info.get("activemq_version")
                ginfos.append(info)
                results.extend(res)
            runs.append({"groups": ginfos, "results": results,
                         "seconds": round(time.time() - t_run, 1)})
    finally:
        _cleanup()
        if not args.keep_data:
            shutil.rmtree(tmp_root, ignore_errors=True)

    first = runs[0]["results"]
    stable = {}
    for r in first:
        sigs = {signature(x) for run in runs for x in run["results"] if x["name"] == r["name"]}
        stable[r["name"]] = len(sigs) == 1
    doc = {
        "generated": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "activemq_version": version,
        "tools": tool_versions(),
        "repeat": args.repeat,
        "total_seconds": round(time.time() - t_all, 1),
        "run_seconds": [r["seconds"] for r in runs],
        "groups": runs[0]["groups"],
        "cases": {r["name"]: dict(r, stable_across_runs=stable[r["name"]],
                                  expected=all_cases[r["name"]].get("expected"))
                  for r in first},
        "other_runs": [{"seconds": run["seconds"],
                        "results": {x["name"]: json.loads(signature(x))
                                    for x in run["results"]}}
                       for run in runs[1:]],
    }
    res_path = os.path.join(args.out, "results.json")
    with open(res_path, "w") as f:
        json.dump(doc, f, indent=2, sort_keys=True)
    table = summary_table(selected, first)
    assign = assignment_table(selected, first)
    with open(os.path.join(args.out, "summary.md"), "w") as f:
        f.write("# Oracle run %s (ActiveMQ %s, %d run(s), %.0f s)\n\n" % (
            doc["generated"], version, args.repeat, doc["total_seconds"]))
        f.write("## Deliveries and leftovers\n\n%s\n\n" % table)
        f.write("## Queue message assignment\n\n%s\n\n" % assign)
        f.write("## Stable across runs\n\n%s\n" % "\n".join(
            "- %s: %s" % (k, "yes" if v else "NO") for k, v in stable.items()))
    print(table)
    print()
    print(assign)
    mismatches = [r["name"] for r in first if r["pass"] is False]
    unstable = [k for k, v in stable.items() if not v]
    log("results: %s; %d case(s), %d mismatch(es) %s, %d unstable %s; %.0f s" % (
        res_path, len(first), len(mismatches), mismatches, len(unstable), unstable,
        doc["total_seconds"]))
    return 1 if mismatches or unstable else 0


if __name__ == "__main__":
    sys.exit(main())
