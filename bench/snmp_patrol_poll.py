"""Patrol-profile SNMP poll of 100 recorded switches: our collector vs net-snmp, one run.

Usage: python3 bench/snmp_patrol_poll.py [--devices 100] [--rounds 1] [--simulators 4]
       [--no-v2c] [--no-v3]
       [--profile-to FILE]   (cProfile of our measured rounds, for where the CPU goes)

v2c: the 11 recordings (tests/fixtures/snmprec) repeated under 100 community names, spread
over 4 snmpsim processes (one takes too long to index 100 files on a loaded machine).
v3 authPriv: the same number of polls of a private net-snmp snmpd (this host).
**ours**: `SnmpCollector.collect` with the built-in `patrol` profile, in-process (engine warm,
as in the agent), every device in the pool `flows.inspect` uses with its default workers.
The profile's 10 s rate window is set to 0 here: with it, both sides would walk the counter
columns twice with 10 s of sleeping between, which is neither side's cost.
**net-snmp**: exactly the requests our collector made (recorded from a first poll of each
recording, so the collector stays the one owner of "which columns"): one `snmpget` of the
scalars, then one `snmpbulkwalk` per column (`columns`) with our max-repetitions, the same
number of processes running at once as our workers; and, as a second peer with fewer
processes and more var-binds, one `snmpbulkwalk` per table holding those columns (`tables`).
CPU: ours is this process's (resource.getrusage, self + children), net-snmp's the children's;
the agents' CPU (snmpsim, snmpd) is shown apart and counted on neither side.
Targets (issue 15): CPU <= 2x net-snmp's, v3 wall <= 1.2x.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from collectors.session import Session  # noqa: E402
from collectors.snmp import SnmpCollector, _runtime  # noqa: E402
from collectors.snmp_agent import Agent  # noqa: E402
from core.model import Missing, SnmpSettings, Target  # noqa: E402
from flows.inspect import RunOptions  # noqa: E402
from flows.pool import Failed, TimedOut, run_bounded  # noqa: E402
from settings.profiles import PATROL  # noqa: E402
from tests.services.snmpd import USERS  # noqa: E402
from tests.services.snmpd import serve as serve_snmpd  # noqa: E402
from tests.services.snmpsim import RECORDED_WALKS  # noqa: E402
from tests.services.snmpsim import serve as serve_recordings  # noqa: E402

PROFILE = replace(PATROL, rate_window=0.0)  # see the module docstring
TIMEOUT = 10.0  # per request, both sides: a retry under load would double the work
# per device: one simulator answers all 100 devices, so 32 polls at once queue at it for
# longer than the 60 s default deadline (its CPU, not ours; printed as "agent CPU")
DEADLINE = 600.0
NETSNMP_ENV: dict[str, str] = {}  # set in main(): a private config that loads no MIB files


@dataclass
class Plan:
    """The requests our collector made to one device: GETs, and column walks with reps."""

    gets: list[tuple[str, ...]] = field(default_factory=list)
    walks: list[tuple[tuple[str, ...], int]] = field(default_factory=list)

    def columns(self) -> list[tuple[str, int]]:
        return [(oid, reps) for roots, reps in self.walks for oid in roots]

    def tables(self) -> list[tuple[str, int]]:
        """The tables holding the walked columns (the column's OID less its last arc)."""
        seen: dict[str, int] = {}
        for oid, reps in self.columns():
            seen.setdefault(oid.rsplit(".", 1)[0], reps)
        return list(seen.items())


@contextmanager
def recorded(plan: Plan) -> Iterator[None]:
    """Note every GET and walk the collector sends while one device is polled alone."""
    get, walk = Agent.get, Agent.walk

    async def noted_get(self, wanted):
        plan.gets.append(tuple(wanted))
        return await get(self, wanted)

    async def noted_walk(self, columns, reps):
        plan.walks.append((tuple(columns.values()), reps))
        return await walk(self, columns, reps)

    Agent.get, Agent.walk = noted_get, noted_walk
    try:
        yield
    finally:
        Agent.get, Agent.walk = get, walk


@dataclass(frozen=True)
class Fleet:
    label: str
    targets: list[Target]
    plans: list[Plan]  # per target
    cli: Callable[[Target], list[str]]  # net-snmp auth arguments and agent for a target
    agent_pids: list[int]


@dataclass
class Cost:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    agent_cpu: list[float] = field(default_factory=list)
    count: int = 0  # samples (ours) or output lines (net-snmp)


def cpu_of(pids: list[int]) -> float:
    return sum(sum(psutil.Process(pid).cpu_times()[:2]) for pid in pids)


def measured(cost: Cost, agent_pids: list[int], who: int, action: Callable[[], int]) -> None:
    before = resource.getrusage(who), time.perf_counter(), cpu_of(agent_pids)
    own_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cost.count = action()
    after = resource.getrusage(who), time.perf_counter(), cpu_of(agent_pids)
    spent = after[0].ru_utime + after[0].ru_stime - before[0].ru_utime - before[0].ru_stime
    if who == resource.RUSAGE_SELF:  # ours: + any children (none expected)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        spent += children.ru_utime + children.ru_stime - own_children.ru_utime
        spent -= own_children.ru_stime
    cost.cpu.append(spent)
    cost.wall.append(after[1] - before[1])
    cost.agent_cpu.append(after[2] - before[2])


def poll_ours(targets: Sequence[Target]) -> int:
    collector = SnmpCollector()

    def work(target: Target) -> int:
        session = Session(profile=PROFILE, deadline=time.monotonic() + DEADLINE - 1)
        found = collector.collect(target, session)
        return sum(1 for s in found if not isinstance(s, Missing))

    results = run_bounded(targets, work, workers=RunOptions().workers, timeout=DEADLINE)
    bad = [r for r in results if isinstance(r, TimedOut | Failed)]
    if bad:
        raise SystemExit(
            f"ours: {len(bad)} polls failed, first: {getattr(bad[0], 'error', bad[0])}"
        )
    return sum(results)  # type: ignore[arg-type]


def poll_netsnmp(fleet: Fleet, by_table: bool) -> int:
    commands: list[list[str]] = []
    for target, plan in zip(fleet.targets, fleet.plans, strict=True):
        base = [*fleet.cli(target)[:-1], "-On", "-t", f"{TIMEOUT:g}", "-r", "1"]
        agent = fleet.cli(target)[-1]
        commands += [["snmpget", *base, agent, *oids] for oids in plan.gets]
        walks = plan.tables() if by_table else plan.columns()
        commands += [["snmpbulkwalk", *base, f"-Cr{reps}", agent, oid] for oid, reps in walks]

    def run(command: list[str]) -> int:
        done = subprocess.run(command, capture_output=True, text=True, env=NETSNMP_ENV)
        if done.returncode:
            raise SystemExit(f"{' '.join(command[:2])} ...: {done.stderr.strip()[:200]}")
        return done.stdout.count("\n")

    with ThreadPoolExecutor(RunOptions().workers) as pool:
        return sum(pool.map(run, commands))


def on_loop(action: Callable[[], object]) -> None:
    async def call() -> None:
        action()

    runtime = _runtime()
    asyncio.run_coroutine_threadsafe(call(), runtime.loop).result()


def planned(targets: Sequence[Target], source: Sequence[str]) -> list[Plan]:
    """One recorded poll per distinct source recording; its copies share the plan."""
    plans: dict[str, Plan] = {}
    for target, origin in zip(targets, source, strict=True):
        if origin not in plans:
            plans[origin] = Plan()
            with recorded(plans[origin]):
                poll_ours([target])
    return [plans[origin] for origin in source]


def compare(fleet: Fleet, rounds: int, profiler: cProfile.Profile | None) -> dict[str, Cost]:
    costs = {"ours": Cost(), "columns": Cost(), "tables": Cost()}
    cold = Cost()
    measured(cold, fleet.agent_pids, resource.RUSAGE_SELF, lambda: poll_ours(fleet.targets))
    for _ in range(rounds):  # interleaved, so load changes hit all three alike
        if profiler:  # the polls run on the collector's event loop thread
            on_loop(profiler.enable)
        measured(
            costs["ours"], fleet.agent_pids, resource.RUSAGE_SELF, lambda: poll_ours(fleet.targets)
        )
        if profiler:
            on_loop(profiler.disable)
        for name in ("columns", "tables"):
            measured(
                costs[name],
                fleet.agent_pids,
                resource.RUSAGE_CHILDREN,
                lambda by=name == "tables": poll_netsnmp(fleet, by),
            )
    report(fleet, costs, cold)
    return costs


def report(fleet: Fleet, costs: dict[str, Cost], first: Cost) -> None:
    med = {
        name: (statistics.median(c.wall), statistics.median(c.cpu), statistics.median(c.agent_cpu))
        for name, c in costs.items()
    }
    plan = fleet.plans
    processes = {
        "columns": sum(len(p.gets) + len(p.columns()) for p in plan),
        "tables": sum(len(p.gets) + len(p.tables()) for p in plan),
    }
    print(
        f"\n{fleet.label}: {len(fleet.targets)} devices, load {load()}, "
        f"{os.cpu_count()} CPUs, {len(costs['ours'].wall)} round(s), median"
    )
    print(f"  {'':40}{'wall s':>8}{'CPU s':>8}{'agent CPU s':>13}")
    ours = med["ours"]
    print(
        f"  {'ours (' + str(costs['ours'].count) + ' samples)':40}"
        f"{ours[0]:8.2f}{ours[1]:8.2f}{ours[2]:13.2f}"
    )
    for name in ("columns", "tables"):
        wall, cpu, agent = med[name]
        what = f"net-snmp {name} ({processes[name]} proc, {costs[name].count} vb)"
        print(
            f"  {what:40}{wall:8.2f}{cpu:8.2f}{agent:13.2f}"
            f"   ours/it: wall {ours[0] / wall:5.2f}x  CPU {ours[1] / cpu:5.2f}x"
        )
    print(
        f"  first pass of ours (not counted): {first.wall[0]:.2f} s wall, {first.cpu[0]:.2f} s CPU"
    )


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def v2c_fleet(sims: list[tuple[Any, list[tuple[str, str, str]]]]) -> Fleet:
    """sims: (snmpsim, [(target name, community, source recording)]) per simulator."""
    targets, community, source = [], {}, []
    for sim, devices in sims:
        for name, served_as, origin in devices:
            variable = "BENCH_C_" + name.replace("-", "_")
            os.environ[variable] = community[name] = served_as
            snmp = SnmpSettings(
                port=sim.port, community=f"env:{variable}", timeout=TIMEOUT, retries=1
            )
            targets.append(Target(name, kind="switch", address="127.0.0.1", snmp=snmp))
            source.append(origin)
    pids = [
        p.pid
        for p in psutil.Process().children(recursive=True)
        if "snmpsim" in " ".join(p.cmdline())
    ]
    return Fleet(
        f"v2c, {len(sims)} snmpsim",
        targets,
        planned(targets, source),
        lambda t: ["-v2c", "-c", community[t.name], f"127.0.0.1:{t.snmp.port}"],
        pids,
    )


def v3_fleet(agent, count: int) -> Fleet:
    user = USERS[0]
    os.environ["BENCH_V3_AUTH"], os.environ["BENCH_V3_PRIV"] = user.auth_key, user.priv_key
    snmp = SnmpSettings(
        version="3",
        port=agent.port,
        username=user.name,
        auth_protocol=user.auth_protocol,
        auth_key="env:BENCH_V3_AUTH",
        priv_protocol="AES",
        priv_key="env:BENCH_V3_PRIV",
        timeout=TIMEOUT,
        retries=1,
    )
    targets = [
        Target(f"snmpd-{i:03d}", kind="switch", address="127.0.0.1", snmp=snmp)
        for i in range(count)
    ]
    auth = [
        "-v3",
        "-l",
        "authPriv",
        "-u",
        user.name,
        "-a",
        user.net_snmp_auth,
        "-A",
        user.auth_key,
        "-x",
        "AES",
        "-X",
        user.priv_key,
        f"127.0.0.1:{agent.port}",
    ]
    snmpd = next(p for p in psutil.Process().children() if p.name() == "snmpd")
    return Fleet(
        "v3 authPriv, net-snmp snmpd",
        targets,
        planned(targets, ["snmpd"] * count),
        lambda _t: auth,
        [snmpd.pid],
    )


def simulators(stack: ExitStack, source: list[str], count: int) -> list[tuple[Any, list]]:
    """The devices spread over `count` snmpsim processes, each serving its recordings under
    a community per device (started one after another: each indexes its files first)."""
    served = []
    for first in range(count):
        devices = [
            (f"{origin}-{i:03d}", f"{origin}-{i:03d}", origin)
            for i, origin in enumerate(source)
            if i % count == first
        ]
        text = {origin: (RECORDED_WALKS / f"{origin}.snmprec").read_text() for origin in source}
        derived = {name: text[origin] for name, _, origin in devices[1:]}
        # the first device of each simulator is served under its recording's own name
        devices[0] = (devices[0][0], devices[0][2], devices[0][2])
        sim = stack.enter_context(serve_recordings([devices[0][2]], derived=derived))
        served.append((sim, devices))
    return served


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--simulators", type=int, default=4, help="snmpsim processes (v2c)")
    parser.add_argument("--no-v3", action="store_true")
    parser.add_argument("--no-v2c", action="store_true")
    parser.add_argument("--profile-to", help="write a cProfile of our measured rounds here")
    args = parser.parse_args()
    profiler = cProfile.Profile() if args.profile_to else None
    home = Path(tempfile.mkdtemp(prefix="opsinspect-bench-"))
    (home / "snmp.conf").write_text("mibs :\n")  # Debian ships none; we resolve none either
    NETSNMP_ENV.update(os.environ, SNMPCONFPATH=str(home), SNMP_PERSISTENT_DIR=str(home))
    print(f"start: load {load()}, {os.cpu_count()} CPUs, workers {RunOptions().workers}")
    recordings = sorted(p.stem for p in RECORDED_WALKS.glob("*.snmprec"))
    source = [recordings[i % len(recordings)] for i in range(args.devices)]
    try:
        if not args.no_v2c:
            with ExitStack() as stack:
                compare(
                    v2c_fleet(simulators(stack, source, args.simulators)), args.rounds, profiler
                )
        if not args.no_v3:
            with serve_snmpd() as agent:
                compare(v3_fleet(agent, args.devices), args.rounds, profiler)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    print(f"end: load {load()}")
    if profiler:
        profiler.dump_stats(args.profile_to)


if __name__ == "__main__":
    main()
