#!/usr/bin/env python3
"""The arithmetic of bench/scale.sh: writes its scenario and exporter config, and turns two
snapshots (taken at the start and the end of the measuring span) into one table row.

  scale_report.py scenario N HANG_EVERY      vmq-sim scenario on stdout (HANG_EVERY 0: none hang)
  scale_report.py config PORTS_FILE          exporter config on stdout
  scale_report.py header
  scale_report.py row N MODE HANG_EVERY SNAP_A SNAP_B    one or two rows (answering, hanging)

A snapshot directory holds: t (monotonic seconds), wall (Unix seconds), exporter.stat, exporter.status, sim.stat,
sim.status, sim.fds, metrics.txt (the exporter's /metrics), scrape_s (its curl time_total).
"""

import json
import os
import re
import sys

INTERVAL_S = 5.0
WINDOWS = ["1m", "5m"]
# Bars of issue 9's "Done when", printed next to each row.
BAR_CPU_PCT = 25.0
BAR_RSS_MB = 64.0
BAR_DONE_PCT = 95.0

SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def node_name(i):
    return "vmq-%04d" % i


def hangs(i, hang_every):
    return hang_every > 0 and i % hang_every == 0


def scenario(n, hang_every):
    out = ["# written by bench/scale.sh", "control_port: 0", "nodes:"]
    for i in range(1, n + 1):
        out.append(
            '  - {name: %s, layout: "2.x", node_label: VerneMQ@sim-%04d, '
            "background: {qos0_per_s: 2, qos1_per_s: 1, qos2_per_s: 1}}" % (node_name(i), i)
        )
    out.append("timeline:")
    for i in range(1, n + 1):
        if hangs(i, hang_every):
            # Before the exporter starts: these nodes accept connections and never answer.
            out.append("  - {at: 0s, node: %s, event: down, mode: hang}" % node_name(i))
    for i in range(1, n + 1):
        # Unexpected PUBCOMPs spread over the run, so the windows count something real.
        out.append(
            "  - {at: %ds, node: %s, event: v5_pubcomp_unknown_id, count: %d}"
            % (10 + (i * 7) % 110, node_name(i), 1 + i % 3)
        )
    return "\n".join(out) + "\n"


def config(ports_file):
    with open(ports_file) as f:
        nodes = json.load(f)["nodes"]
    out = ["# written by bench/scale.sh", "targets:"]
    for name in sorted(nodes):
        out.append('  - {url: "http://127.0.0.1:%d/metrics", name: %s}' % (nodes[name], name))
    out.append("poll: {interval: 5s, timeout: 4s}")
    out.append("windows: [%s]" % ", ".join(WINDOWS))
    return "\n".join(out) + "\n"


def read(path):
    with open(path) as f:
        return f.read()


def cpu_ticks(stat_path):
    # Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    text = read(stat_path)
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])


def status(path):
    out = {}
    for line in read(path).splitlines():
        key, _, value = line.partition(":")
        out[key] = value.split()[0] if value.split() else ""
    return out


def samples(metrics_path):
    """{(name, frozenset(labels)): value} of the exporter's page."""
    out = {}
    for line in read(metrics_path).splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        if not m:
            continue
        labels = dict(LABEL.findall(m.group(2) or ""))
        try:
            out.setdefault(m.group(1), []).append((labels, float(m.group(3))))
        except ValueError:
            pass
    return out


def per_target(page, name, where=None):
    totals = {}
    for labels, value in page.get(name, []):
        if where and any(labels.get(k) != v for k, v in where.items()):
            continue
        target = labels.get("target")
        if target is not None:
            totals[target] = totals.get(target, 0.0) + value
    return totals


class Snapshot:
    def __init__(self, path):
        self.t = float(read(os.path.join(path, "t")))
        self.wall = float(read(os.path.join(path, "wall")))
        self.exporter_ticks = cpu_ticks(os.path.join(path, "exporter.stat"))
        self.sim_ticks = cpu_ticks(os.path.join(path, "sim.stat"))
        self.exporter = status(os.path.join(path, "exporter.status"))
        self.sim = status(os.path.join(path, "sim.status"))
        self.sim_fds = int(read(os.path.join(path, "sim.fds")).strip() or 0)
        self.scrape_s = float(read(os.path.join(path, "scrape_s")).strip() or "nan")
        page = samples(os.path.join(path, "metrics.txt"))
        self.polls = per_target(page, "vmq_target_polls_total")
        self.errors = per_target(page, "vmq_target_poll_errors_total")
        self.last_ok = per_target(page, "vmq_target_last_success_timestamp_seconds")
        self.coverage = per_target(page, "vmq_window_coverage_ratio", {"window": "1m"})


def ok_rate(a, b, target, span):
    """Successful polls per second of one target, free of the snapshots' phase.

    Counting polls between two scrapes is off by up to one poll per target (8 % of 12), and
    when every target polls at the same instant the errors add up instead of averaging out.
    So the polls are timed by the target's own last-success timestamps, lengthened by any
    staleness beyond one interval at the end of the span (a target that stopped is not let
    off) and shortened by any at the start (polls missed before the span do not count).
    """
    done = b.polls.get(target, 0) - a.polls.get(target, 0)
    done -= b.errors.get(target, 0) - a.errors.get(target, 0)
    if done <= 0:
        return 0.0
    if target not in a.last_ok or target not in b.last_ok or a.last_ok[target] <= 0:
        return done / span
    stale_a = max(0.0, a.wall - a.last_ok[target] - INTERVAL_S)
    stale_b = max(0.0, b.wall - b.last_ok[target] - INTERVAL_S)
    timed = b.last_ok[target] - a.last_ok[target] + stale_b - stale_a
    return done / timed if timed > 0 else done / span


def mib(kb):
    return int(kb) / 1024.0


COLUMNS = [
    ("N", 5),
    ("mode", 9),
    ("group", 10),
    ("CPU%", 6),
    ("RSS MiB", 8),
    ("HWM MiB", 8),
    ("thr", 5),
    ("ok/s", 7),
    ("fail/s", 7),
    ("due/s", 6),
    ("ok%due", 7),
    ("1m cov=1", 10),
    ("min cov", 8),
    ("scrape s", 8),
    ("sim CPU%", 8),
    ("sim thr", 7),
    ("sim fds", 7),
    ("bar", 4),
]


def line(cells):
    return " ".join(str(c).rjust(w) for c, (_, w) in zip(cells, COLUMNS))


def header():
    return line([name for name, _ in COLUMNS])


def row(n, mode, hang_every, a_dir, b_dir):
    a, b = Snapshot(a_dir), Snapshot(b_dir)
    span = b.t - a.t
    hz = os.sysconf("SC_CLK_TCK")
    cpu = 100.0 * (b.exporter_ticks - a.exporter_ticks) / hz / span
    sim_cpu = 100.0 * (b.sim_ticks - a.sim_ticks) / hz / span
    rss, hwm = mib(b.exporter["VmRSS"]), mib(b.exporter["VmHWM"])
    groups = [("all", [node_name(i) for i in range(1, n + 1)])]
    if hang_every:
        groups = [
            ("answering", [node_name(i) for i in range(1, n + 1) if not hangs(i, hang_every)]),
            ("hanging", [node_name(i) for i in range(1, n + 1) if hangs(i, hang_every)]),
        ]
    out = []
    for group, names in groups:
        polls = sum(b.polls.get(t, 0) - a.polls.get(t, 0) for t in names)
        failed = sum(b.errors.get(t, 0) - a.errors.get(t, 0) for t in names)
        ok = sum(ok_rate(a, b, t, span) for t in names)
        due = len(names) / INTERVAL_S
        covered = sum(1 for t in names if b.coverage.get(t, 0.0) == 1.0)
        lowest = min((b.coverage.get(t, 0.0) for t in names), default=0.0)
        ok_pct = 100.0 * ok / due
        verdict = "-"
        if group != "hanging":
            passed = (
                cpu <= BAR_CPU_PCT
                and rss <= BAR_RSS_MB
                and ok_pct >= BAR_DONE_PCT
                and covered == len(names)
            )
            verdict = "pass" if passed else "FAIL"
        out.append(
            line(
                [
                    n,
                    mode,
                    group,
                    "%.1f" % cpu,
                    "%.1f" % rss,
                    "%.1f" % hwm,
                    b.exporter["Threads"],
                    "%.1f" % ok,
                    "%.1f" % (failed / span),
                    "%.1f" % due,
                    "%.0f" % ok_pct,
                    "%d/%d" % (covered, len(names)),
                    "%.3f" % lowest,
                    "%.3f" % b.scrape_s,
                    "%.1f" % sim_cpu,
                    b.sim["Threads"],
                    b.sim_fds,
                    verdict,
                ]
            )
        )
    return "\n".join(out)


def main(argv):
    if len(argv) >= 2 and argv[1] == "scenario" and len(argv) == 4:
        sys.stdout.write(scenario(int(argv[2]), int(argv[3])))
    elif len(argv) == 3 and argv[1] == "config":
        sys.stdout.write(config(argv[2]))
    elif len(argv) == 2 and argv[1] == "header":
        print(header())
    elif len(argv) == 7 and argv[1] == "row":
        print(row(int(argv[2]), argv[3], int(argv[4]), argv[5], argv[6]))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
