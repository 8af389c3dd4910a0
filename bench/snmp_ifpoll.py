"""Interface-table poll: our SNMP collector vs net-snmp's snmpbulkwalk, same columns, one run.

Usage: python3 bench/snmp_ifpoll.py [--device cisco-catalyst-c3560] [--rounds 7]

A recorded switch is served by snmpsim on 127.0.0.1, then this host's interfaces by a private
net-snmp snmpd (a fast agent, so our own CPU shows). Ours is the in-process poll an agent makes
every cycle (engine already warm; the cold first poll is printed apart): one GET of the system
scalars plus one GETBULK loop over the 15 interface columns. The peer walks the same 15 columns
with snmpbulkwalk, one process per column (how a shell script polls), and, as a second peer,
the whole ifTable and ifXTable (2 processes, more columns). Both use the same max-repetitions.
Target (issue 3): ours within 2x snmpbulkwalk's wall time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from collectors.session import Session  # noqa: E402
from collectors.snmp import SnmpCollector, repetitions  # noqa: E402
from collectors.snmp_oids import IF_COLUMNS  # noqa: E402
from core.model import SnmpSettings, Target  # noqa: E402
from tests.services.snmpd import serve as serve_snmpd  # noqa: E402
from tests.services.snmpsim import serve as serve_recording  # noqa: E402

TABLES = ("1.3.6.1.2.1.2.2", "1.3.6.1.2.1.31.1.1")


def timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def bulkwalk(env, port: int, community: str, oids, reps: int) -> int:
    """Walk each OID with its own snmpbulkwalk process; the number of lines read."""
    lines = 0
    for oid in oids:
        out = subprocess.run(
            [
                "snmpbulkwalk",
                "-v2c",
                "-c",
                community,
                "-On",
                f"-Cr{reps}",
                "-t",
                "5",
                f"127.0.0.1:{port}",
                oid,
            ],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        ).stdout
        lines += out.count("\n")
    return lines


def compare(label: str, env, port: int, community: str, rounds: int) -> None:
    os.environ["BENCH_SNMP_COMMUNITY"] = community
    target = Target(
        "bench",
        kind="switch",
        address="127.0.0.1",
        snmp=SnmpSettings(port=port, community="env:BENCH_SNMP_COMMUNITY", timeout=5),
    )
    collector = SnmpCollector()

    def ours():
        return collector.poll_interfaces(target, Session())

    cold, samples = timed(ours)
    interfaces = {s.label("interface") for s in samples if s.metric == "if.oper_up"}
    reps = repetitions(len(interfaces))
    columns = list(IF_COLUMNS.values())
    walls: dict[str, list[float]] = {"ours": [], "columns": [], "tables": []}
    cpu, lines = [], {}
    for _ in range(rounds):  # interleaved, so changes in machine load hit all three alike
        started_cpu = time.process_time()
        walls["ours"].append(timed(ours)[0])
        cpu.append(time.process_time() - started_cpu)
        for name, oids in (("columns", columns), ("tables", TABLES)):
            wall, lines[name] = timed(lambda oids=oids: bulkwalk(env, port, community, oids, reps))
            walls[name].append(wall)
    ms = {name: statistics.median(values) * 1000 for name, values in walls.items()}
    print(
        f"{label}: {len(interfaces)} interfaces, {len(samples)} samples, "
        f"max-repetitions {reps}, median of {rounds} rounds"
    )
    cpu_ms = statistics.median(cpu) * 1000
    print(
        f"  ours (in-process, warm)          {ms['ours']:8.1f} ms   ({cpu_ms:.1f} ms CPU; "
        f"cold first poll {cold * 1000:.0f} ms incl. imports and engine)"
    )
    print(
        f"  snmpbulkwalk x{len(columns)} columns        {ms['columns']:8.1f} ms   "
        f"({lines['columns']} varbinds)"
    )
    print(
        f"  snmpbulkwalk ifTable+ifXTable    {ms['tables']:8.1f} ms   ({lines['tables']} varbinds)"
    )
    print(f"  ratio ours/snmpbulkwalk columns  {ms['ours'] / ms['columns']:8.2f}  (target <= 2)")
    print(f"  ratio ours/snmpbulkwalk tables   {ms['ours'] / ms['tables']:8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cisco-catalyst-c3560")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--no-snmpd", action="store_true", help="skip the net-snmp snmpd round")
    args = parser.parse_args()
    with serve_recording([args.device]) as sim:
        compare(f"snmpsim {args.device}", sim.env, sim.port, args.device, args.rounds)
    if not args.no_snmpd:
        with serve_snmpd() as agent:
            compare(
                "net-snmp snmpd (this host)", agent.env, agent.port, agent.community, args.rounds
            )


if __name__ == "__main__":
    main()
