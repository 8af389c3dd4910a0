"""Where the agent's CPU goes, phase by phase (thread CPU time, best and mean of N cycles):

- the metrics cycle, in the daemon: collecting the host metrics, spooling and sending them;
- an inspection, in-process: local sweep, checks, previous samples, saving the record, the
  plan bookkeeping, export; and the same inspection as the agent runs it, in a child process
  (fresh interpreter and imports included; CPU of the child from getrusage).

    python3 bench/agent_cycle_breakdown.py [--cycles 30]
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import checks  # noqa: E402
import collectors  # noqa: E402
from agent import child, metrics  # noqa: E402
from agent.export.influx import Exporter  # noqa: E402
from agent.scheduler import IntervalTrigger, Job  # noqa: E402
from collectors.session import Session  # noqa: E402
from flows.inspect import RunOptions, inspect  # noqa: E402
from records import open_store  # noqa: E402
from records.plan import Plan  # noqa: E402
from settings.agent_spec import ExportSpec  # noqa: E402
from settings.inventory import Inventory  # noqa: E402
from tests.services import free_port  # noqa: E402
from tests.services.victoriametrics import VictoriaMetrics  # noqa: E402


def cpu_ms(work: Callable[[], object], cycles: int) -> tuple[float, float]:
    """(best, mean) thread CPU in ms."""
    work()
    spent = []
    for _ in range(cycles):
        began = time.thread_time()
        work()
        spent.append((time.thread_time() - began) * 1000)
    return min(spent), sum(spent) / len(spent)


def child_cpu_ms(work: Callable[[], object], cycles: int) -> tuple[float, float]:
    """(best, mean) CPU in ms of the child processes `work` waits for."""
    spent = []
    for _ in range(cycles):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        work()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        used = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        spent.append(used * 1000)
    return min(spent), sum(spent) / len(spent)


def report(phases: dict[str, Callable[[], object]], cycles: int) -> None:
    best_total = mean_total = 0.0
    print(f"{'phase':32s} {'best':>7s} {'mean':>7s}  (thread CPU ms, {cycles} cycles)")
    for name, work in phases.items():
        best, mean = cpu_ms(work, cycles)
        best_total += best
        mean_total += mean
        print(f"{name:32s} {best:7.1f} {mean:7.1f}")
    print(f"{'sum':32s} {best_total:7.1f} {mean_total:7.1f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cycles", type=int, default=30)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench-cycle-"))
    vm = VictoriaMetrics(shutil.which("victoria-metrics") or "", base / "vm", free_port())
    vm.start()
    try:
        inv = Inventory()
        target = inv.targets[0]
        store = open_store(f"sqlite:///{base / 'records.db'}")
        plan = Plan(store.engine)
        profile = inv.profile(target.profile)
        (collector,) = collectors.for_target(target)
        run = inspect(inv, inv.targets, RunOptions(), store.previous_run)
        store.save_run(run)
        samples = list(run.samples)
        previous = store.previous_run("localhost")
        context = checks.CheckContext(
            profile=profile, previous=previous.samples, previous_findings=previous.findings
        )
        exporter = Exporter(ExportSpec(url=vm.url, spool_dir=str(base / "spool")))
        job = Job("bench", "inspect", IntervalTrigger(5))
        moment = [datetime(2026, 1, 1, tzinfo=UTC)]

        def sweep() -> None:
            session = Session(profile=profile, deadline=time.monotonic() + 60)
            list(collector.collect(target, session))

        def bookkeeping() -> None:
            moment[0] += timedelta(seconds=5)
            plan.add_planned(job.name, job.kind, [(moment[0], moment[0])])
            plan.mark(job.name, [moment[0]], "running")
            plan.mark(job.name, [moment[0]], "done", run_id="x")

        def export() -> None:
            exporter.enqueue(samples)
            exporter.flush(patience=5)

        cycle = metrics.for_inventory(inv, "localhost")
        host_samples = cycle.collect()

        def metrics_export() -> None:
            exporter.enqueue(host_samples)
            exporter.flush(patience=5)

        print(f"metrics cycle: {len(host_samples)} samples")
        report(
            {"collect host metrics": cycle.collect, "export (spool + send)": metrics_export},
            args.cycles,
        )
        inventory = base / "inventory.yaml"
        inventory.write_text("hosts:\n  localhost: {}\nschedules:\n  bench:\n    every: 5s\n")
        db_url = f"sqlite:///{base / 'records.db'}"

        def in_child() -> None:
            child.wait(child.start("bench", inventory, db_url))

        phases = {
            "local sweep (psutil, /proc)": sweep,
            "checks": lambda: list(checks.evaluate_all(target, samples, context)),
            "previous run (records)": lambda: store.previous_run("localhost"),
            "save the record (records)": lambda: store.save_run(
                dataclasses.replace(run, id=uuid.uuid4().hex[:16])
            ),
            "plan bookkeeping (3 writes)": bookkeeping,
            "export (spool + send)": export,
        }
        print(f"inspection: {len(samples)} samples, {len(run.findings)} findings per cycle")
        report(phases, args.cycles)
        best, mean = child_cpu_ms(in_child, max(3, args.cycles // 10))
        print(f"{'the inspection in a job process':32s} {best:7.1f} {mean:7.1f}  (child CPU)")
    finally:
        vm.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
