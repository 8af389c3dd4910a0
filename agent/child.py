"""Heavy jobs (inspect, backup) in a fresh interpreter, so the runner, the collectors' SSH and
CLI libraries, checks, tickets and the records ORM's working set leave with the job instead of
staying resident in the long-lived agent.

The agent also opens (and migrates) the database in a child first, so Alembic (~13 MiB on a
new or older database) never enters it either, and loads the inventory in one (at start and
on SIGHUP), so pydantic stays out of it too (agent/config.py). The tickets' sweep (escalation
timers, notification retries) runs in one too (agent/sweeper.py).

The agent writes the job request as JSON to the child's stdin (the database URL may hold a
password: never on a command line) and reads the outcome as the last line of its stdout. The
child ignores SIGTERM/SIGINT/SIGHUP: the agent alone decides to let it finish or to kill it.
If the agent dies (even by SIGKILL) the kernel kills the child too (PR_SET_PDEATHSIG): no job
goes on unwatched, so the restarted agent's plan is true. The run id comes from the agent, so
a run stored just before the agent died is still credited to its slot (Plan.settle).
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from agent.jobs import Outcome
from core.errors import UserError
from core.phrases import Phrase, phrase

if TYPE_CHECKING:
    from agent.config import AgentConfig
    from records import Store
    from settings.inventory import Inventory


class JobFailed(Exception):
    """The job ran and failed; `reason` is the plan's."""

    def __init__(self, reason: Phrase) -> None:
        super().__init__(reason)
        self.reason = reason


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def prepare_store(db_url: str) -> None:
    """Create or upgrade the records schema in a child; raises UserError as open_store would."""
    wait(start(None, None, db_url))


def load_settings(inventory_path: Path | None) -> AgentConfig:
    """The agent's settings, the inventory loaded and validated in a child (agent/config.py);
    raises the loader's one-line UserError."""
    from agent.config import from_json

    return from_json(ask(start(None, inventory_path, "", settings=True)))


def start(
    job: str | None,
    inventory_path: Path | None,
    db_url: str,
    run_id: str = "",
    *,
    settings: bool = False,
    sweep: bool = False,
) -> subprocess.Popen:
    """job None: only open (and migrate) the database, or with `settings` only answer the
    agent's settings, or with `sweep` sweep the tickets once. The calling thread must live
    until the child ends: the kernel's parent-death signal follows the thread that started
    it."""
    process = subprocess.Popen(
        [sys.executable, "-m", "agent.child"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    request = {
        "job": job,
        "inventory": str(inventory_path) if inventory_path else None,
        "run_id": run_id,
        "agent": os.getpid(),
        "settings": settings,
        "sweep": sweep,
    }
    process.stdin.write(json.dumps({**request, "db": db_url}))
    process.stdin.close()
    return process


def wait(process: subprocess.Popen) -> Outcome:
    """The child's outcome; UserError if it could not start the job, JobFailed if it failed."""
    answer = ask(process)
    return Outcome(answer["run_id"], answer["summary"])


def ask(process: subprocess.Popen) -> dict:
    """The child's answer; UserError if it could not start, JobFailed if it failed."""
    output = process.stdout.read()
    code = process.wait()
    try:
        answer = json.loads(output.strip().splitlines()[-1])
    except (IndexError, ValueError):
        exited = phrase("failed: job process exited with status {code}", code=code)
        raise JobFailed(exited) from None
    if "start_error" in answer:
        raise UserError(answer["start_error"])
    if "error" in answer:
        raise JobFailed(phrase("failed: {error}", error=answer["error"]))
    return answer


def serve() -> None:
    """The child's side (`python -m agent.child`): run one job, answer on stdout."""
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)
    _die_with_parent()
    request = json.loads(sys.stdin.read())
    if os.getppid() != request["agent"]:
        sys.exit("the agent ended before its job started")  # before the signal was armed
    try:
        answer = _run(request)
    except UserError as exc:
        answer = {"start_error": str(exc)}
    except Exception as exc:  # noqa: BLE001 - reported to the agent, which records it
        import logging

        logging.getLogger("opsinspect.agent").exception("job %s", request.get("job"))
        answer = {"error": f"{type(exc).__name__}: {exc}"}
    sys.stdout.write("\n" + json.dumps(answer) + "\n")
    sys.stdout.flush()


def _die_with_parent() -> None:
    """SIGKILL when the agent ends, however it ends (Linux; elsewhere a no-op)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")


def _run(request: dict) -> dict:
    from agent import config
    from agent.central import Central, reporting
    from agent.export.influx import Exporter
    from agent.jobs import KINDS, JobContext
    from agent.scheduler import build_jobs
    from records import open_store
    from settings import inventory as inventory_loader

    path = Path(request["inventory"]) if request["inventory"] else None
    if request.get("settings"):
        return config.to_json(inventory_loader.load(path))
    if request.get("sweep"):
        return _sweep(inventory_loader.load(path), open_store(request["db"]))
    if request["job"] is None:
        open_store(request["db"])
        return {"run_id": None, "summary": "database ready"}
    inventory = inventory_loader.load(path)
    job = build_jobs(inventory).get(request["job"])
    if job is None:
        raise UserError(f"job {request['job']!r} is no longer in {path or 'the built-in defaults'}")
    store = open_store(request["db"])
    exporter = Exporter(inventory.export) if inventory.export else None
    central = Central(settings) if (settings := reporting(inventory.central)) else None
    context = JobContext(inventory, job, store, exporter, request["run_id"], central)
    outcome = KINDS[job.kind](context)
    return {"run_id": outcome.run_id, "summary": outcome.summary}


def _sweep(inventory: Inventory, store: Store) -> dict:
    """Escalate breached SLAs and deliver due notifications: counts for the agent's log."""
    import tickets
    from tickets.outbox import DELIVERED

    if not inventory.tickets.enabled:  # turned off since the agent last read the inventory
        return {"escalated": 0, "delivered": 0, "undelivered": 0}
    result = tickets.sweep(store.engine, inventory)
    delivered = sum(d.status == DELIVERED for d in result.deliveries)
    return {
        "escalated": len(result.escalations),
        "delivered": delivered,
        "undelivered": len(result.deliveries) - delivered,
    }


if __name__ == "__main__":
    from agent.logs import log_to_stderr

    log_to_stderr()
    serve()
