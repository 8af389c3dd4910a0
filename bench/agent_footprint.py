"""Agent footprint: resident memory and CPU time per collection cycle, ours next to
prometheus-node-exporter, zabbix_agent2, collectd and glances collecting this host in one run.

    python3 bench/agent_footprint.py [--seconds 120] [--interval 5] [--inspection-seconds 60]

Part 1, the peers' job: ours is the real agent (`python -m cli agent`) running its metrics
cycle every interval (`export.metrics_every`: host metrics through psutil, spooled and sent
to a real VictoriaMetrics; cycles counted from the points VictoriaMetrics holds). The
scheduled inspection is not due during the window. node_exporter is scraped and zabbix_agent2
asked for 8 items over its passive protocol once per interval; collectd (cpu, load, memory,
df, disk, interface, processes, uptime -> csv) and glances (--stdout) refresh on the same
interval.

Part 0, ours alone without `export:`: the scheduler with its plan, no metrics cycle, no
exporter (`--idle-seconds`), for the resident set of the agent process itself.

Part 2, ours alone: the agent running a full inspection of localhost every interval (a child
process per run: psutil sweep with processes and ports, checks, SQLite record, tickets, plan,
export), to show what an inspection costs next to a metrics cycle.

CPU = user + system time of the whole process tree (live children, and reaped ones through
the parent's children times) over the steady window after the first cycle, divided by cycles.
RSS = the tree's resident set, sampled every second (first, max and last: that it stays flat).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.services import free_port, port_open, wait_until  # noqa: E402
from tests.services.victoriametrics import VictoriaMetrics  # noqa: E402

ZABBIX_ITEMS = (
    "system.cpu.util",
    "system.cpu.load[all,avg1]",
    "vm.memory.size[pavailable]",
    "vfs.fs.size[/,pused]",
    "net.if.in[lo]",
    "net.if.out[lo]",
    "system.uptime",
    "proc.num[]",
)


@dataclass
class Peer:
    name: str
    process: subprocess.Popen
    cycle: object = None  # callable run once per interval, or None if it refreshes itself
    cycles: int = 0
    rss: list[float] = field(default_factory=list)
    cpu_start: float = 0.0
    cpu_end: float = 0.0
    note: str = ""


def cpu_seconds(pid: int) -> float:
    """The tree's CPU: the process, its reaped children and its live descendants."""
    process = psutil.Process(pid)
    times = process.cpu_times()
    total = times.user + times.system + times.children_user + times.children_system
    for child in process.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += sum(child.cpu_times()[:2])
    return total


def rss_mib(pid: int) -> float:
    """The tree's resident set (children included)."""
    process = psutil.Process(pid)
    total = process.memory_info().rss
    for child in process.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += child.memory_info().rss
    return total / 2**20


METRICS_SERIES = 'cpu_used_percent{target="localhost"}'
NEVER = "0 3 1 1 *"  # an inspection that does not come round during the bench


def start_ours(base: Path, interval: int, vm: VictoriaMetrics | None, inspect_every: bool) -> Peer:
    """inspect_every: inspect every interval (part 2), else the metrics cycle (part 1); no vm:
    no `export:` at all (part 0)."""
    base.mkdir()
    inventory = base / "inventory.yaml"
    schedule = f"every: {interval}s" if inspect_every else f"cron: '{NEVER}'"
    metrics = "null" if inspect_every else f"{interval}s"
    export = (
        f"export:\n  url: {vm.url}\n  spool_dir: {base / 'spool'}\n  metrics_every: {metrics}\n"
        if vm
        else ""
    )
    inventory.write_text(
        f"hosts:\n  localhost: {{}}\nschedules:\n  bench:\n    {schedule}\n{export}"
    )
    env = {**os.environ, "XDG_DATA_HOME": str(base / "data"), "PYTHONPATH": str(ROOT)}
    log = open(base / "agent.log", "wb")  # noqa: SIM115
    cmd = [sys.executable, "-m", "cli", "agent", "-i", str(inventory)]
    cmd += ["--db", f"sqlite:///{base / 'records.db'}"]
    process = subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=log, stdout=subprocess.DEVNULL)
    if inspect_every:
        note = f"full inspection every {interval}s in a child, SQLite + export"
        return Peer("opsinspect agent inspecting", process, note=note)
    if not vm:
        return Peer("opsinspect agent, no export", process, note="scheduler and plan only")
    return Peer("opsinspect agent", process, note=f"metrics cycle every {interval}s + export")


def inspections(base: Path) -> int:
    return (base / "agent.log").read_text().count(": done in ")


def metrics_cycles(vm: VictoriaMetrics) -> int:
    return vm.count(METRICS_SERIES)


def start_node_exporter(base: Path) -> Peer | None:
    binary = shutil.which("prometheus-node-exporter") or shutil.which("node_exporter")
    if not binary:
        return None
    port = free_port()
    process = subprocess.Popen(
        [binary, f"--web.listen-address=127.0.0.1:{port}", "--no-collector.systemd"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_until(lambda: port_open(port), 20, "node_exporter")

    def scrape() -> None:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
            response.read()

    return Peer("prometheus-node-exporter", process, scrape, note="one scrape per cycle")


def start_zabbix(base: Path) -> Peer | None:
    binary = shutil.which("zabbix_agent2")
    if not binary:
        return None
    port = low_free_port()  # zabbix refuses ListenPort above 32767
    conf = base / "zabbix_agent2.conf"
    conf.write_text(
        f"Server=127.0.0.1\nListenIP=127.0.0.1\nListenPort={port}\nLogType=console\n"
        f"ControlSocket={base / 'zabbix.sock'}\nHostname=bench\n"
    )
    process = subprocess.Popen(
        [binary, "-c", str(conf), "-f"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_until(lambda: port_open(port), 20, "zabbix_agent2")

    def ask_all() -> None:
        for key in ZABBIX_ITEMS:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                data = key.encode()
                sock.sendall(b"ZBXD\x01" + struct.pack("<Q", len(data)) + data)
                while sock.recv(65536):
                    pass

    return Peer("zabbix_agent2", process, ask_all, note=f"{len(ZABBIX_ITEMS)} passive items")


def low_free_port() -> int:
    for port in range(21050, 32000, 7):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below 32000")


def start_collectd(base: Path, interval: int) -> Peer | None:
    binary = shutil.which("collectd") or "/usr/sbin/collectd"
    if not os.access(binary, os.X_OK):
        return None
    conf = base / "collectd.conf"
    plugins = ("cpu", "load", "memory", "df", "disk", "interface", "processes", "uptime", "csv")
    conf.write_text(
        f'BaseDir "{base}"\nPIDFile "{base / "collectd.pid"}"\nPluginDir "/usr/lib/collectd"\n'
        f'TypesDB "/usr/share/collectd/types.db"\nInterval {interval}\nHostname "bench"\n'
        + "".join(f"LoadPlugin {p}\n" for p in plugins)
        + f'<Plugin csv>\n  DataDir "{base / "csv"}"\n</Plugin>\n'
    )
    process = subprocess.Popen(
        [binary, "-f", "-C", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return Peer("collectd", process, note="8 read plugins -> csv")


def start_glances(base: Path, interval: int) -> Peer | None:
    binary = shutil.which("glances")
    if not binary:
        return None
    process = subprocess.Popen(
        [binary, "-t", str(interval), "--stdout", "cpu.total,mem.percent,load.min1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return Peer("glances", process, note="--stdout")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--interval", type=int, default=5)
    parser.add_argument("--inspection-seconds", type=int, default=60)
    parser.add_argument("--idle-seconds", type=int, default=15)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench-agent-"))
    vm = VictoriaMetrics(shutil.which("victoria-metrics") or "", base / "vm", free_port())
    vm.start()
    part1: list[Peer] = []
    part0: list[Peer] = []
    part2: list[Peer] = []
    missing: list[str] = []
    try:
        idle = start_ours(base / "idle", args.interval, None, inspect_every=False)
        part0.append(idle)
        wait_until(lambda: "agent started" in (base / "idle" / "agent.log").read_text(), 60, "it")
        measure([idle], lambda: 0, args.idle_seconds, args.interval)
        stop([idle])
        ours = start_ours(base / "ours", args.interval, vm, inspect_every=False)
        part1.append(ours)
        for name, start in (
            ("prometheus-node-exporter", lambda: start_node_exporter(base)),
            ("zabbix_agent2", lambda: start_zabbix(base)),
            ("collectd", lambda: start_collectd(base, args.interval)),
            ("glances", lambda: start_glances(base, args.interval)),
        ):
            peer = start()
            if peer:
                part1.append(peer)
            else:
                missing.append(name)
        wait_until(lambda: metrics_cycles(vm) >= 1, 60, "the first metrics cycle")
        elapsed = measure(part1, lambda: metrics_cycles(vm), args.seconds, args.interval)
        stop(part1)
        inspecting = start_ours(base / "inspecting", args.interval, vm, inspect_every=True)
        part2.append(inspecting)
        wait_until(lambda: inspections(base / "inspecting") >= 1, 60, "the first inspection")
        count = lambda: inspections(base / "inspecting")  # noqa: E731
        measure(part2, count, args.inspection_seconds, args.interval)
        report(part1, inspecting, idle, missing, elapsed)
    finally:
        stop(part0 + part1 + part2)
        vm.stop()
        shutil.rmtree(base, ignore_errors=True)


def measure(peers: list[Peer], our_cycles, seconds: int, interval: int) -> float:
    """Drive the scraped peers once per interval, sample RSS every second, count CPU.
    peers[0] is ours, its cycles counted by `our_cycles`."""
    time.sleep(1)
    for peer in peers:
        peer.cpu_start = cpu_seconds(peer.process.pid)
    first_ours = our_cycles()
    began = time.monotonic()
    next_cycle = began
    while time.monotonic() - began < seconds:
        if time.monotonic() >= next_cycle:
            for peer in peers:
                if peer.cycle:
                    peer.cycle()
                    peer.cycles += 1
            next_cycle += interval
        for peer in peers:
            peer.rss.append(rss_mib(peer.process.pid))
        time.sleep(1)
    elapsed = time.monotonic() - began
    for peer in peers:
        peer.cpu_end = cpu_seconds(peer.process.pid)
        if not peer.cycle:
            peer.cycles = int(elapsed // interval)
    peers[0].cycles = our_cycles() - first_ours
    return elapsed


def stop(peers: list[Peer]) -> None:
    for peer in peers:
        if peer.process.poll() is not None:
            continue
        peer.process.terminate()
        try:
            peer.process.wait(20)
        except subprocess.TimeoutExpired:
            peer.process.kill()
            peer.process.wait()


def row(p: Peer) -> dict:
    return {
        "tool": p.name,
        "cycles": p.cycles,
        "cpu_ms_per_cycle": round((p.cpu_end - p.cpu_start) / max(1, p.cycles) * 1000, 1),
        "rss_mib_first": round(p.rss[0], 1),
        "rss_mib_max": round(max(p.rss), 1),
        "rss_mib_last": round(p.rss[-1], 1),
        "note": p.note,
    }


def report(
    peers: list[Peer], inspecting: Peer, idle: Peer, missing: list[str], elapsed: float
) -> None:
    rows = [row(p) for p in peers]
    full, alone = row(inspecting), row(idle)
    print(f"{'tool':28s} {'cycles':>6s} {'CPU ms/cycle':>12s} {'RSS MiB first/max/last':>24s}")
    for r in [*rows, full]:
        if r is full:
            print("-- ours alone, a full inspection per cycle:")
        rss = f"{r['rss_mib_first']}/{r['rss_mib_max']}/{r['rss_mib_last']}"
        cpu = r["cpu_ms_per_cycle"]
        print(f"{r['tool']:28s} {r['cycles']:6d} {cpu:12.1f} {rss:>24s}  {r['note']}")
    ours = rows[0]
    node = next((r for r in rows if r["tool"] == "prometheus-node-exporter"), None)
    print(
        f"window {elapsed:.0f} s; ours RSS max {ours['rss_mib_max']} MiB with export "
        f"(target <= 65), {alone['rss_mib_max']} MiB without (target <= 35)"
    )
    if node:
        ratio = ours["cpu_ms_per_cycle"] / max(node["cpu_ms_per_cycle"], 0.001)
        print(f"CPU per metrics cycle ours/node_exporter scrape: {ratio:.2f} (target <= 1)")
    if missing:
        print("not installed here: " + ", ".join(missing))
    print(json.dumps([*rows, full, alone]))


if __name__ == "__main__":
    main()
