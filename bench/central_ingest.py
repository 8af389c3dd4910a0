"""Central ingest (issue #17): agents' runs pushed into PostgreSQL through `POST /api/v1/runs`
of a real `inspect serve`, against the same runs written by `inspect run`'s own store path
(Store.save_run + tickets.reconcile, in-process), same PostgreSQL server, in one run.

    python3 bench/central_ingest.py [--hosts 300] [--switches 6] [--ports 500]
                                    [--senders 8] [--workers 1 2] [--no-fsync]

The runs are real: one `inspect run --profile patrol` of this machine (`localhost`) and of a
500-port switch (the Catalyst 3560 recording served by snmpsim, its Ethernet ports repeated),
read back from its records and copied with new run ids and target names, so every copy is new
to the server. Server and direct side load the same inventory (every copy's target in group
`fleet`, `tickets: {open_after: 1}` so a problem opens its ticket at once), so ticket
reconciliation does the same work on both sides; the bench checks both opened as many.

Direct side first and again last (the machine's load drifts; "vs direct" divides by the
slower of the two): a fresh database each time, the same runs from `--senders` threads in
this process (one `inspect run` process storing, minus its start). Between them, for each
`--workers`, a fresh database, a token limited to group `fleet` (as an agent's would be), a
real `inspect serve`, and `--senders` threads, each an agent's own `agent.central.Central`
with a temporary outbox holding its share of the runs (written before the clock starts): what
is timed is `Central.flush`, i.e. what agents do. Then every run is sent again (the replay
an outbox makes after a lost answer: 200 "already stored"). Prints runs/s, samples/s,
API/direct, p50/p95 per push (per save_run + reconcile on the direct side), the CPU of serve
(or of this process for the direct side) and of PostgreSQL, and the load average. PostgreSQL
keeps fsync on (a server's setting) unless `--no-fsync`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import tickets  # noqa: E402
from agent.central import RUN, Central, CentralSettings  # noqa: E402
from core.model import InspectionRun, new_run_id  # noqa: E402
from flows.wire import run_to_json  # noqa: E402
from records import open_store  # noqa: E402
from records.store import Store  # noqa: E402
from records.tickets_schema import TicketRow  # noqa: E402
from settings.inventory import Inventory, load  # noqa: E402
from tests.services import free_port, port_open, wait_until  # noqa: E402
from tests.services.postgres import Cluster, cluster  # noqa: E402
from tests.services.snmpsim import RECORDED_WALKS  # noqa: E402
from tests.services.snmpsim import serve as serve_recordings  # noqa: E402

RECORDING = "cisco-catalyst-c3560"
IF_TABLES = ("1.3.6.1.2.1.2.2.1.", "1.3.6.1.2.1.31.1.1.1.", "1.3.6.1.2.1.10.7.2.1.")
IF_DESCR, IF_NAME = "1.3.6.1.2.1.2.2.1.2.", "1.3.6.1.2.1.31.1.1.1.1."
ETHERNET = "6"  # ifType ethernetCsmacd
GROUP = "fleet"
TOKEN_VARIABLE = "OPSINSPECT_BENCH_TOKEN"


def switch_recording(ports: int) -> str:
    """The recording with its Ethernet ports' rows (ifTable, ifXTable, EtherLike) repeated
    until it has `ports` of them, named GigabitEthernet1/0/N; every other row as recorded."""
    lines = (RECORDED_WALKS / f"{RECORDING}.snmprec").read_text().splitlines()
    types = {ln.split("|")[0].rsplit(".", 1)[1]: ln.split("|")[2]
             for ln in lines if ln.startswith("1.3.6.1.2.1.2.2.1.3.")}
    ethernet = sorted(index for index, kind in types.items() if kind == ETHERNET)
    by_port: dict[str, list[str]] = {index: [] for index in ethernet}
    kept = []
    for line in lines:
        oid = line.split("|", 1)[0]
        table = next((t for t in IF_TABLES if oid.startswith(t)), None)
        index = oid.rsplit(".", 1)[1]
        if table and index in by_port:
            by_port[index].append(line)
        else:
            kept.append(line)
    for n in range(1, ports + 1):
        template, index = ethernet[(n - 1) % len(ethernet)], str(20000 + n)
        for line in by_port[template]:
            oid, tag, value = line.split("|", 2)
            column = oid[: -len(template)]
            if tag == "2" and value == template:  # ifIndex, dot3StatsIndex
                value = index
            if column in (IF_DESCR, IF_NAME):
                tag, value = "4", f"GigabitEthernet1/0/{n}" if column == IF_DESCR else f"Gi1/0/{n}"
            kept.append(f"{column}{index}|{tag}|{value}")
    kept.sort(key=lambda ln: tuple(int(p) for p in ln.split("|", 1)[0].split(".")))
    return "\n".join(kept) + "\n"


def templates(work: Path, ports: int) -> tuple[InspectionRun, InspectionRun]:
    """One real patrol run of this machine and of the big switch: (host's part, switch's)."""
    inventory = work / "patrol.yaml"
    db = f"sqlite:///{work / 'patrol.db'}"
    with serve_recordings([RECORDING], derived={"big-switch": switch_recording(ports)}) as sim:
        inventory.write_text(json.dumps({"hosts": {
            "localhost": {"address": "localhost"},
            "big-switch": {"kind": "switch", "address": "127.0.0.1",
                      "snmp": {"port": sim.port, "community": "env:BENCH_COMMUNITY",
                               "timeout": 30}},
        }}))
        env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(work),
               "BENCH_COMMUNITY": "big-switch"}
        done = subprocess.run(
            [sys.executable, "-m", "cli", "run", "--profile", "patrol", "-i", str(inventory),
             "--db", db, "--timeout", "120", "-f", "json"],
            capture_output=True, text=True, env=env, cwd=ROOT, timeout=300,
        )
    if "Traceback" in done.stderr or not done.stdout:
        raise SystemExit(f"inspect run failed: {done.stderr[-2000:]}")
    store = open_store(db)
    run = store.get_run(store.list_runs(limit=1)[0].id)
    failed = [f for f in run.findings if f.check in ("reachability", "collector")]
    if failed:
        raise SystemExit(f"the template run is not complete: {failed[0].summary}")
    return part(run, "localhost"), part(run, "big-switch")


def part(run: InspectionRun, target: str) -> InspectionRun:
    return replace(run, targets=(target,),
                   findings=tuple(f for f in run.findings if f.target == target),
                   samples=tuple(s for s in run.samples if s.target == target))


def copy(run: InspectionRun, target: str, shift: timedelta) -> InspectionRun:
    """The run as another target's, new to the server, a little later than the template."""
    return InspectionRun(
        id=new_run_id(), trigger="agent", operator=run.operator,
        started_at=run.started_at + shift, finished_at=run.finished_at + shift,
        targets=(target,),
        findings=tuple(replace(f, target=target) for f in run.findings),
        samples=tuple(replace(s, target=target, at=s.at + shift) for s in run.samples),
    )


@dataclass(frozen=True)
class Batch:
    runs: list[InspectionRun]
    bodies: list[bytes]  # each run as an agent's outbox holds it
    names: dict[str, str]  # target -> "host" or "switch"


def build(host: InspectionRun, switch: InspectionRun, hosts: int, switches: int) -> Batch:
    runs = [copy(host, f"host-{i:05d}", timedelta(seconds=i)) for i in range(hosts)]
    runs += [copy(switch, f"sw-{i:04d}", timedelta(seconds=i)) for i in range(switches)]
    runs.sort(key=lambda r: r.id)  # switches spread among the hosts
    names = {r.targets[0]: "switch" if r.targets[0].startswith("sw-") else "host" for r in runs}
    return Batch(runs, [json.dumps(run_to_json(r)).encode() for r in runs], names)


def inventory_yaml(batch: Batch) -> str:
    hosts = {}
    for name, kind in batch.names.items():
        hosts[name] = {"address": "127.0.0.1", "groups": [GROUP],
                       **({"kind": "switch"} if kind == "switch" else {})}
    return json.dumps({"groups": {GROUP: {}}, "hosts": hosts, "tickets": {"open_after": 1}})


class TimedCentral(Central):
    """The agent's sender, timing each acknowledged push (POST and the outbox's bookkeeping)."""

    def __init__(self, settings: CentralSettings) -> None:
        super().__init__(settings)
        self.latencies: list[float] = []

    def send(self, item: Path, body: bytes) -> None:
        began = time.perf_counter()
        super().send(item, body)
        self.latencies.append(time.perf_counter() - began)


@dataclass
class Result:
    seconds: float
    latencies: list[float]
    cpu: float = 0.0  # seconds: `inspect serve`'s, or this process's for the direct path
    db_cpu: float = 0.0  # seconds: PostgreSQL's
    load: tuple[float, float] = (0.0, 0.0)


def measure(action: Callable[[], Result], side: psutil.Process, db: psutil.Process) -> Result:
    """The action's result with the CPU of `side` and of PostgreSQL and the load around it."""
    load, cpu, db_cpu = os.getloadavg()[0], cpu_of(side), cpu_of(db)
    result = action()
    result.cpu, result.db_cpu = cpu_of(side) - cpu, cpu_of(db) - db_cpu
    result.load = (load, os.getloadavg()[0])
    return result


def in_threads(count: int, work: Callable[[int], None]) -> float:
    errors: list[BaseException] = []

    def guarded(i: int) -> None:
        try:
            work(i)
        except BaseException as exc:  # noqa: BLE001 - reported below, the bench stops
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(count)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.perf_counter() - began
    if errors:
        raise errors[0]
    return took


def push(batch: Batch, url: str, senders: int, scratch: Path) -> Result:
    """Every run through `senders` agents' outboxes; each flush must leave nothing behind."""
    centrals = []
    for i in range(senders):
        settings = CentralSettings(url=url, token=f"env:{TOKEN_VARIABLE}",
                                   timeout=timedelta(seconds=120),
                                   outbox_dir=str(scratch / f"outbox-{i}"), outbox_limit_mb=4096)
        central = TimedCentral(settings)
        for body in batch.bodies[i::senders]:
            central.outbox.put(body, 1, RUN)
        centrals.append(central)

    def flush(i: int) -> None:
        sent = centrals[i].flush()
        if sent.left or sent.error:
            raise SystemExit(f"sender {i}: {sent.left} runs left: {sent.error}")

    took = in_threads(senders, flush)
    return Result(took, [x for c in centrals for x in c.latencies])


def direct(batch: Batch, store: Store, rules: Inventory, threads: int) -> Result:
    """`inspect run`'s store path (flows.recording.run_and_record) for the same runs."""
    latencies: list[list[float]] = [[] for _ in range(threads)]

    def write(i: int) -> None:
        for run in batch.runs[i::threads]:
            began = time.perf_counter()
            store.save_run(run)
            tickets.reconcile(store.engine, run, rules)
            latencies[i].append(time.perf_counter() - began)

    took = in_threads(threads, write)
    return Result(took, [x for per in latencies for x in per])


@contextmanager
def server(
    url: str, inventory: Path, workers: int, env: dict, log: Path
) -> Iterator[tuple[str, psutil.Process]]:
    port = free_port()
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli", "serve", "--bind", f"127.0.0.1:{port}", "-i",
             str(inventory), "--db", url, "--workers", str(workers)],
            env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
        )
    try:
        wait_until(lambda: port_open(port) or process.poll() is not None, 120, "inspect serve")
        if process.poll() is not None:
            raise SystemExit(log.read_text()[-2000:])
        yield f"http://127.0.0.1:{port}", psutil.Process(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=60)


def cpu_of(process: psutil.Process) -> float:
    """CPU seconds of a process and its descendants so far, ended ones included (a
    PostgreSQL backend ends with its connection)."""
    total = 0.0
    for each in (process, *process.children(recursive=True)):
        try:
            times = each.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system + times.children_user + times.children_system
    return total


def postgres_of(pg: Cluster) -> psutil.Process:
    return psutil.Process(int((pg.data / "postmaster.pid").read_text().split()[0]))


def tickets_in(url: str) -> int:
    with open_store(url).engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(TicketRow))


def stored_runs(url: str) -> int:
    return len(open_store(url).list_runs(limit=10**7))


def fresh(pg: Cluster, name: str) -> str:
    if not pg.create_database(name):
        raise SystemExit(f"CREATE DATABASE {name} failed")
    return pg.url(name)


def direct_side(pg: Cluster, batch: Batch, inventory: Path, threads: int,
                name: str) -> tuple[Result, int]:
    """The direct path on a fresh database, and the tickets it opened."""
    url = fresh(pg, f"direct_{name}")
    store, rules = open_store(url), load(inventory)
    store.list_runs(limit=1)  # the schema is created before the clock starts
    result = measure(lambda: direct(batch, store, rules, threads), psutil.Process(),
                     postgres_of(pg))
    return result, tickets_in(url)


def api_side(pg: Cluster, batch: Batch, inventory: Path, workers: int, senders: int,
             work: Path) -> tuple[Result, Result, int]:
    """The first push of every run, the replay, and the tickets the server opened."""
    url = fresh(pg, f"api_w{workers}")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(work)}
    made = subprocess.run(
        [sys.executable, "-m", "cli", "token", "create", "--name", "bench", "--role", "agent",
         "--targets", GROUP, "-i", str(inventory), "--db", url],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
    )  # also creates the schema, as before a real server's first start
    if made.returncode != 0:
        raise SystemExit(made.stderr)
    os.environ[TOKEN_VARIABLE] = made.stdout.strip()
    with server(url, inventory, workers, env, work / f"serve-w{workers}.log") as (base, serve):
        first, again = (
            measure(lambda label=label: push(batch, base, senders, work / f"w{workers}{label}"),
                    serve, postgres_of(pg))
            for label in ("first", "replay")
        )
    if stored_runs(url) != len(batch.runs):
        raise SystemExit(f"the server stored {stored_runs(url)} runs, not {len(batch.runs)}")
    return first, again, tickets_in(url)


def report(args, batch: Batch, rows: list[tuple[str, Result]], opened: dict[str, int]) -> None:
    kinds: dict[str, list[InspectionRun]] = {"host": [], "switch": []}
    for run in batch.runs:
        kinds[batch.names[run.targets[0]]].append(run)
    size = {r.id: len(b) for r, b in zip(batch.runs, batch.bodies, strict=True)}
    samples = sum(len(r.samples) for r in batch.runs)
    print(f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, nproc {os.cpu_count()}, PostgreSQL "
          f"fsync {'off' if args.no_fsync else 'on'}, {args.senders} senders")
    for kind, runs in kinds.items():
        if runs:
            print(f"- {len(runs)} {kind} runs: {len(runs[0].samples)} samples, "
                  f"{len(runs[0].findings)} findings, {size[runs[0].id] / 1024:.0f} KiB each")
    print(f"- {len(batch.runs)} runs, {samples} samples, "
          f"{sum(size.values()) / 1024 / 1024:.1f} MiB of JSON; tickets opened: "
          + ", ".join(f"{side} {count}" for side, count in opened.items()))
    print("| path | runs/s | samples/s | vs direct | p50 ms | p95 ms | CPU s (serve or "
          "direct) | PostgreSQL CPU s | CPU ms/run, both | load before → after |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    base = len(batch.runs) / max(r.seconds for label, r in rows if label.startswith("direct"))
    for label, result in rows:
        rate = len(batch.runs) / result.seconds
        p95 = statistics.quantiles(result.latencies, n=20)[18]
        print(f"| {label} | {rate:.1f} | {samples / result.seconds:,.0f} | {rate / base:.2f} | "
              f"{statistics.median(result.latencies) * 1000:.0f} | {p95 * 1000:.0f} | "
              f"{result.cpu:.1f} | {result.db_cpu:.1f} | "
              f"{(result.cpu + result.db_cpu) / len(batch.runs) * 1000:.0f} | "
              f"{result.load[0]:.1f} → {result.load[1]:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=300, help="host runs (patrol of localhost)")
    parser.add_argument("--switches", type=int, default=6, help="big switch runs")
    parser.add_argument("--ports", type=int, default=500, help="ports of the big switch")
    parser.add_argument("--senders", type=int, default=8, help="agents pushing at once")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2],
                        help="`inspect serve --workers` values to measure")
    parser.add_argument("--no-fsync", action="store_true",
                        help="PostgreSQL without fsync (as the tests run it)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="opsinspect-ingest-"))
    began = time.monotonic()
    host, switch = templates(work, args.ports)
    batch = build(host, switch, args.hosts, args.switches)
    inventory = work / "inventory.yaml"
    inventory.write_text(inventory_yaml(batch))
    print(f"templates and {len(batch.runs)} runs built in {time.monotonic() - began:.0f} s",
          file=sys.stderr)
    with cluster(fsync=not args.no_fsync) as pg:
        wait_until(lambda: pg.create_database("ready"), 30, "PostgreSQL")
        rows, opened = [], {}
        for turn in ("first", "last"):  # before and after the API: the machine's load drifts
            result, opened[f"direct ({turn})"] = direct_side(pg, batch, inventory, args.senders,
                                                             turn)
            rows.append((f"direct: save_run + reconcile ({turn})", result))
            for workers in args.workers if turn == "first" else ():
                first, again, opened[f"API --workers {workers}"] = api_side(
                    pg, batch, inventory, workers, args.senders, work)
                rows += [(f"API, serve --workers {workers}", first),
                         (f"API replay (200), --workers {workers}", again)]
    report(args, batch, rows, opened)
    shutil.rmtree(work, ignore_errors=True)
    print(f"total {time.monotonic() - began:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
