"""`inspect agent [--once]` and `inspect agent status`: the scheduled agent."""

from __future__ import annotations

import logging
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from cli.options import Sources, format_option, sources_options
from cli.params import FiniteRange
from cli.render import iso, table, to_json
from core import paths


def lock_path() -> Path:
    return paths.data_dir() / "agent.lock"


@click.group(invoke_without_command=True)
@sources_options
@click.option("--once", is_flag=True, help="Run what is due now, wait for it and exit (cron).")
@click.option(
    "--stop-timeout",
    type=FiniteRange(0, 3600),
    default=20.0,
    show_default=True,
    help="On SIGTERM/SIGINT, seconds a running job may take to finish before it is recorded "
    "as abandoned.",
)
@click.pass_context
def agent(ctx: click.Context, sources: Sources, once: bool, stop_timeout: float) -> None:
    """Run scheduled inspections (default 08:00, 14:00, 20:00 local) and export metrics.

    With `export:` set, the samples of every run go to InfluxDB, and this host's CPU, load,
    memory, filesystem, disk and network metrics go every `export.metrics_every` (default
    60s). Runs until SIGTERM/SIGINT; SIGHUP reloads the inventory. One agent per data
    directory.
    """
    if ctx.invoked_subcommand is not None:  # -i and --db given here reach it (Sources)
        return
    from agent import child
    from agent.daemon import Agent
    from agent.lock import AgentLock

    _log_to_stderr()
    lock = AgentLock(lock_path())
    lock.acquire()
    if not once:  # a long-lived agent: Alembic, if the schema needs it, only in a child
        child.prepare_store(sources.url)
    daemon = Agent(sources.path, sources.store, stop_timeout=stop_timeout)
    if once:
        daemon.run_once()
    else:
        daemon.run_forever()


@agent.command("run-job", hidden=True)
def run_job() -> None:
    """One job in a child process of the agent (request on stdin, outcome on stdout)."""
    from agent import child

    _log_to_stderr()
    child.serve()


@agent.command()
@sources_options
@format_option("table", "json")
def status(sources: Sources, output_format: str) -> None:
    """Show whether the agent runs, and the last and next run of every job."""
    import socket

    from agent.export.influx import spool_for
    from agent.lock import AgentLock
    from agent.scheduler import build_jobs
    from core.durations import parse_seconds
    from records.plan import Plan

    inv = sources.inventory
    plan = Plan(sources.engine)
    now = datetime.now(UTC)
    host = socket.gethostname()
    holder = AgentLock(lock_path()).holder()
    jobs = []
    for job in build_jobs(inv).values():
        last = plan.last_closed(job.name)
        slot = job.trigger.next_after(now)
        jobs.append(
            {
                "job": job.name,
                "kind": job.kind,
                "schedule": job.trigger.describe(),
                "last_slot": iso(last.slot_at) if last else None,
                "last_state": last.state if last else None,
                "last_run_id": last.run_id if last else None,
                "last_reason": last.reason if last else "",
                "next_slot": iso(slot),
                "next_due": iso(job.due_at(slot, host)),
            }
        )
    spool = spool_for(inv.export).stats() if inv.export else None
    every = inv.export.metrics_every if inv.export else None
    result = {
        "agent": {"running": holder is not None, "pid": holder and holder.pid},
        "jobs": jobs,
        "host_metrics_every": parse_seconds(every) if every else None,
        "spool": spool.__dict__ if spool else None,
    }
    if output_format == "json":
        click.echo(to_json(result))
        return
    if holder:
        click.echo(f"agent: running (pid {holder.pid or 'unknown'})")
    else:
        click.echo("agent: not running")
    rows = [
        (
            j["job"],
            j["kind"],
            j["schedule"],
            _local(j["last_slot"]) if j["last_slot"] else "-",
            j["last_state"] or "-",
            j["last_run_id"] or j["last_reason"] or "-",
            _local(j["next_due"]),
        )
        for j in jobs
    ]
    click.echo(table(("JOB", "KIND", "SCHEDULE", "LAST", "STATE", "RUN", "NEXT"), rows))
    if result["host_metrics_every"]:
        click.echo(f"host metrics: every {result['host_metrics_every']:g} s")
    if spool:
        click.echo(
            f"export spool: {spool.points} point(s) in {spool.batches} batch(es) waiting, "
            f"{spool.dropped_points} point(s) dropped over the size limit so far"
        )


def _local(text: str) -> str:
    return datetime.fromisoformat(text).astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def _log_to_stderr() -> None:
    """One line per event; journald adds its own timestamps when it captures stderr."""
    stamp = "" if os.environ.get("JOURNAL_STREAM") else "%(asctime)s "
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter(f"{stamp}%(levelname)s %(message)s", datefmt="%Y-%m-%dT%H:%M:%S%z")
    )
    ours = logging.getLogger("opsinspect")
    ours.addHandler(handler)
    ours.setLevel(logging.INFO)
