"""The agent loop: one instance, jobs on their slots, every slot closed as done or missed.

Signals only set flags; the main thread acts on them. SIGTERM/SIGINT: start nothing new,
give running jobs `stop_timeout` seconds to finish, kill the rest and record them as
abandoned. SIGHUP: reload the inventory (a bad file is logged and the old one kept).

Each job runs in a child process (agent/child.py), watched by a thread of its own, so the
agent's resident set stays that of the scheduler, the plan and the exporter. The inventory is
validated in a child too (agent/config.py) and the plan written through the DB-API: this
process imports neither pydantic nor SQLAlchemy.

Besides the jobs, the senders' threads (agent/senders.py) spool this host's metrics and send
the export spool and the central outbox, each on its own so an outage never holds back the runs.
With tickets on, the leading agent sweeps them every `tickets.sweep_every` (agent/sweeper.py).
"""

from __future__ import annotations

import logging
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from agent import child
from agent.config import AgentConfig
from agent.scheduler import Job, decide, slots_between
from agent.senders import MAX_SLEEP, Senders
from agent.sweeper import Sweeper
from core.clock import Clock, utc_now
from core.errors import UserError
from core.model import new_run_id
from core.phrases import Phrase, phrase
from records.plan import DONE, MISSED, RUNNING, Plan, PlanLock

log = logging.getLogger("opsinspect.agent")
MAX_CATCH_UP_ROWS = 1000
STANDBY_POLL = 2.0  # seconds between a standby agent's tries for the plan lock


@dataclass
class Running:
    job: Job
    slot: datetime
    run_id: str  # what an inspection job's run will be called
    thread: threading.Thread | None = None
    process: subprocess.Popen | None = None
    abandoned: bool = False


class Agent:
    def __init__(
        self,
        inventory_path: Path | None,
        db_url: str,
        *,
        clock: Clock = utc_now,
        host: str | None = None,
        stop_timeout: float = 20.0,
    ) -> None:
        self.inventory_path = inventory_path
        self.db_url = db_url  # a migrated schema (agent/child.py prepare_store)
        self.plan = Plan(db_url)
        self.plan_lock = PlanLock(self.plan)
        self.clock = clock
        self.host = host or socket.gethostname()
        self.stop_timeout = stop_timeout
        self.started_at = clock()
        self.config = self._load()
        self.stop = threading.Event()
        self.senders = Senders(self.config, self.host, self.stop)
        self.plan.on_change = self.senders.report_plan
        self.running: dict[str, Running] = {}
        # The plan in memory (this process is its only writer while it holds the lock), so a
        # tick touches the database only to write what changed.
        self.pending: dict[str, list[datetime]] = {}
        self.planned_through: dict[str, datetime | None] = {}
        self._load_plan()
        self.sweeper = Sweeper(inventory_path, db_url, lambda: self.config.sweep_every, self.stop)
        self.wake = threading.Event()
        self.reload_requested = False
        self.stop_signal = ""

    # -- lifecycle -------------------------------------------------------------------------

    def recover(self) -> None:
        """Close what a previous agent left open. Its jobs died with it (agent/child.py): a
        slot whose run was stored is done, the others did not complete."""
        settled = self.plan.settle(phrase("agent stopped during the run"))
        if settled.done or settled.missed:
            log.warning(
                "%d slot(s) were running when the agent last stopped: %d stored (done), %d missed",
                settled.done + settled.missed,
                settled.done,
                settled.missed,
            )

    def run_forever(self) -> None:
        self._install_signals()
        self.senders.start()
        if self._lead():
            self.recover()
            self.sweeper.start()
            log.info(
                "agent started: %d job(s): %s", len(self.jobs), ", ".join(self._describe_jobs())
            )
        while not self.stop.is_set():
            if not self.plan_lock.held():
                log.error("lost the plan lock (database connection gone): stopping to restart")
                self.stop_signal = "lost plan lock"
                self.stop.set()
                break
            if self.reload_requested:
                self.reload()
            try:
                self.tick()
            except Exception as exc:  # noqa: BLE001 - e.g. the database briefly away: keep going
                log.error("scheduling pass failed, retrying: %s: %s", type(exc).__name__, exc)
                self.wake.wait(MAX_SLEEP)
            self.wake.wait(self._sleep_seconds())
            self.wake.clear()
        self._shutdown()

    def run_once(self) -> None:
        """Run what is due now, wait for it, try once to send the spool, exit (for cron)."""
        self._install_signals()
        if not self.plan_lock.try_acquire():
            log.info("another agent schedules on this database: nothing to run here")
            return
        self.recover()
        self.tick()
        while self.running and not self.stop.is_set():
            self.wake.wait(1.0)
            self.wake.clear()
            self._reap()
        self._abandon_or_finish()
        self.senders.flush_once()

    def _lead(self) -> bool:
        """Wait until this agent is the plan's one writer among those sharing its database
        (records.plan.PlanLock); False when stopped while waiting. The standby keeps its own
        host's metrics and spool going meanwhile."""
        if self.plan_lock.try_acquire():
            return True
        log.info("standby: another agent schedules on this database; taking over when it stops")
        while not self.stop.is_set():
            self.wake.wait(STANDBY_POLL)
            self.wake.clear()
            if self.plan_lock.try_acquire():
                self._load_plan()  # what the other agent planned and ran meanwhile
                log.info("plan lock taken: this agent schedules now")
                return True
        return False

    def reload(self) -> None:
        self.reload_requested = False
        try:
            config = self._load()
        except UserError as exc:
            log.error("reload failed, keeping the previous settings: %s", exc)
            return
        self.config = config
        self.senders.reconfigure(config)
        now = self.clock()
        keep = {
            name: {job.trigger.next_after(now)} | {s for s in self.plan.pending(name) if s <= now}
            for name, job in config.jobs.items()
        }
        cancelled = self.plan.cancel_planned(keep, phrase("schedule changed on reload"))
        self._load_plan()
        log.info(
            "reloaded %s: %d job(s): %s%s",
            self.inventory_path or "built-in defaults",
            len(config.jobs),
            ", ".join(self._describe_jobs()),
            f"; {cancelled} planned slot(s) cancelled" if cancelled else "",
        )

    # -- one pass --------------------------------------------------------------------------

    def tick(self) -> None:
        """Plan every job's slots up to its next one, close missed ones, start due ones."""
        self._reap()
        now = self.clock()
        for job in self.jobs.values():
            self._plan_ahead(job, now)
            busy = job.name in self.running
            pending = self.pending[job.name]
            decision = decide(job, pending, now, self.host, busy)
            for slot in decision.missed:
                reason = self._missed_reason(job, slot, busy, now)
                self.plan.mark(job.name, [slot], MISSED, reason)
                pending.remove(slot)
                log.warning("job %s slot %s: missed (%s)", job.name, _local(slot), reason)
            if decision.run and not self.stop.is_set():
                pending.remove(decision.run)
                self._start(job, decision.run)

    def _load_plan(self) -> None:
        self.pending = {name: self.plan.pending(name) for name in self.jobs}
        self.planned_through = {name: self.plan.latest_slot(name) for name in self.jobs}

    def _plan_ahead(self, job: Job, now: datetime) -> None:
        upcoming = job.trigger.next_after(now)
        through = self.planned_through[job.name]
        if through is not None and upcoming <= through:
            return
        slots = (
            [upcoming]
            if through is None
            else slots_between(job.trigger, through, upcoming, MAX_CATCH_UP_ROWS)
        )
        self.plan.add_planned(job.name, job.kind, [(s, job.due_at(s, self.host)) for s in slots])
        self.pending[job.name].extend(slots)
        self.planned_through[job.name] = upcoming

    def _missed_reason(self, job: Job, slot: datetime, busy: bool, now: datetime) -> Phrase:
        due = job.due_at(slot, self.host)
        if due < self.started_at:
            return phrase("agent was not running at the planned time")
        if busy:
            return phrase("the previous run of this job was still going")
        if (now - due).total_seconds() > job.grace:
            grace = f"{job.grace:g}"
            return phrase("not started within the {seconds} s grace period", seconds=grace)
        # within its grace, but a later slot is due too (the previous run ended, or this
        # pass came, after both): only the latest runs (agent.scheduler.decide)
        return phrase("a later slot was due before it could start")

    def _start(self, job: Job, slot: datetime) -> None:
        running = Running(job, slot, new_run_id())
        self.plan.mark(job.name, [slot], RUNNING, run_id=running.run_id)
        running.thread = threading.Thread(
            target=self._run_job, args=(running,), name=f"job-{job.name}", daemon=True
        )
        self.running[job.name] = running
        running.thread.start()

    def _run_job(self, running: Running) -> None:
        job, slot = running.job, running.slot
        began = time.monotonic()
        try:
            running.process = child.start(
                job.name, self.inventory_path, self.db_url, running.run_id
            )
            outcome = child.wait(running.process)
        except UserError as exc:
            reason = phrase("failed to start: {error}", error=exc.message)
            self.plan.mark(job.name, [slot], MISSED, reason)
            log.error("job %s slot %s: %s", job.name, _local(slot), reason)
            return
        except Exception as exc:  # noqa: BLE001 - a job's failure must not kill the agent
            if running.abandoned:
                return  # killed on stop: recorded as abandoned
            reason = (
                exc.reason
                if isinstance(exc, child.JobFailed)
                else phrase("failed: {error}", error=repr(exc))
            )
            self.plan.mark(job.name, [slot], MISSED, reason)
            log.error("job %s slot %s: %s", job.name, _local(slot), reason)
            return
        finally:
            self.wake.set()
        self.plan.mark(job.name, [slot], DONE, run_id=outcome.run_id)
        log.info(
            "job %s slot %s: done in %.1f s: run %s: %s",
            job.name,
            _local(slot),
            time.monotonic() - began,
            outcome.run_id,
            outcome.summary,
        )
        self.senders.job_done()

    def _reap(self) -> None:
        for name in [n for n, r in self.running.items() if not r.thread.is_alive()]:
            del self.running[name]

    def _sleep_seconds(self) -> float:
        now = self.clock()
        waits = [MAX_SLEEP]
        for job in self.jobs.values():
            for slot in self.pending[job.name]:
                waits.append((job.due_at(slot, self.host) - now).total_seconds())
        return max(0.05, min(waits))

    # -- stopping --------------------------------------------------------------------------

    def _install_signals(self) -> None:
        def stop(signum, _frame) -> None:
            self.stop_signal = signal.Signals(signum).name
            self.stop.set()
            self.wake.set()
            self.senders.wake()

        def reload(_signum, _frame) -> None:
            self.reload_requested = True
            self.wake.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGHUP, reload)

    def _shutdown(self) -> None:
        log.info("stopping on %s", self.stop_signal or "request")
        self._abandon_or_finish()
        self.sweeper.finish(self.stop_timeout)
        left = self.senders.finish()
        log.info("agent stopped%s", f"; {left} export batch(es) kept in the spool" if left else "")

    def _abandon_or_finish(self) -> None:
        deadline = time.monotonic() + self.stop_timeout
        for running in list(self.running.values()):
            running.thread.join(max(0.0, deadline - time.monotonic()))
            if running.thread.is_alive():
                running.abandoned = True
                if running.process:
                    running.process.kill()
                    running.process.wait()
                reason = phrase(
                    "abandoned: agent stopped ({signal}) mid-run", signal=self.stop_signal or "stop"
                )
                if not self.plan.settle(reason, running.job.name, running.slot).missed:
                    reason = phrase("stopped just after its run was stored: done")
                log.warning("job %s slot %s: %s", running.job.name, _local(running.slot), reason)
        self.running.clear()

    # -- helpers ---------------------------------------------------------------------------

    @property
    def jobs(self) -> dict[str, Job]:
        return self.config.jobs

    def _load(self) -> AgentConfig:
        config = child.load_settings(self.inventory_path)
        now = self.clock()
        for job in config.jobs.values():
            try:
                job.trigger.next_after(now)  # a cron like "0 0 30 2 *" never fires: say so now
            except UserError as exc:
                said = phrase("{where}: {error}", where=f"schedules.{job.name}", error=exc.message)
                raise UserError(said) from None
        return config

    def _describe_jobs(self) -> list[str]:
        jobs = [f"{j.name} ({j.kind}, {j.trigger.describe()})" for j in self.jobs.values()]
        jobs += self.senders.describe()
        sweep = self.config.sweep_every
        return jobs + ([f"tickets sweep every {sweep:g} s"] if sweep else [])


def _local(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S%z")
