"""The tickets' timers: the leading agent sweeps every `tickets.sweep_every`, so an SLA
deadline that passes between inspections escalates within about that long, and a failed
notification is retried on its backoff, with no inspection run and no cron in between.

Only the agent that holds the plan lock sweeps (the daemon starts the sweeper once it leads,
records.plan.PlanLock), so the timer fires once across the agents sharing a database, and a
standby that takes the lock sweeps from then on. Each sweep runs in a child process
(agent/child.py: tickets, SQLAlchemy and pydantic stay out of the agent), one at a time, and
is killed after SWEEP_TIMEOUT. Sweeps are not plan slots (one a minute would drown the plan);
one that escalated or delivered something is logged in one line.

A sweep that overlaps another caller's (a reconcile, `inspect ticket sweep`, a former
leader's last sweep at a hand-over) is safe by itself: escalation locks its ticket rows and
a notification's claim holds it while it is sent (tickets/outbox.py).
"""

from __future__ import annotations

import logging
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

from agent import child
from core.errors import UserError

log = logging.getLogger("opsinspect.agent")
SWEEP_TIMEOUT = 600.0  # seconds; shorter than a notification's claim (outbox.SENDING_LEASE)
IDLE_POLL = 30.0  # seconds between looks at the settings while sweeping is off


class Sweeper:
    def __init__(
        self,
        inventory_path: Path | None,
        db_url: str,
        every: Callable[[], float | None],  # the current settings' seconds; None: tickets off
        stop: threading.Event,
        timeout: float = SWEEP_TIMEOUT,
    ) -> None:
        self.inventory_path = inventory_path
        self.db_url = db_url
        self.every = every
        self.stop = stop
        self.timeout = timeout
        self.thread: threading.Thread | None = None
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        """Sweep every `every()` seconds from now (the first after one interval: not in the
        way of the agent's start)."""
        self.thread = threading.Thread(target=self._loop, name="sweep", daemon=True)
        self.thread.start()

    def finish(self, timeout: float) -> None:
        """At stop: let a running sweep end within `timeout` seconds, else kill it."""
        if self.thread is None:
            return
        self.thread.join(timeout)
        process = self.process
        if self.thread.is_alive() and process is not None:
            process.kill()
            self.thread.join()

    def _loop(self) -> None:
        due = time.monotonic() + (self.every() or 0)
        while not self.stop.is_set():
            every = self.every()
            wait = IDLE_POLL if every is None else due - time.monotonic()
            if wait > 0:
                self.stop.wait(min(wait, IDLE_POLL))
                continue
            due = time.monotonic() + every  # from the start: a long sweep delays the next one
            try:
                self.sweep_once()
            except Exception as exc:  # noqa: BLE001 - e.g. no process to be had: next interval
                log.error("tickets sweep failed: %s: %s", type(exc).__name__, exc)

    def sweep_once(self) -> None:
        # started from this thread, which waits for it: the child dies with the agent
        process = self.process = child.start(None, self.inventory_path, self.db_url, sweep=True)
        hung = threading.Event()

        def kill() -> None:
            hung.set()
            process.kill()

        timer = threading.Timer(self.timeout, kill)
        timer.start()
        try:
            answer = child.ask(process)
        except (UserError, child.JobFailed) as exc:
            if hung.is_set():
                log.error("tickets sweep killed: still running after %g s", self.timeout)
            elif self.stop.is_set():
                log.warning("tickets sweep abandoned: agent stopped mid-sweep")
            else:
                why = exc if isinstance(exc, child.JobFailed) else f"failed: {exc}"
                log.error("tickets sweep %s", why)
            return
        finally:
            timer.cancel()
            self.process = None
        if answer["escalated"] or answer["delivered"] or answer["undelivered"]:
            log.info(
                "tickets sweep: %d ticket(s) escalated, %d notification(s) delivered, %d not",
                answer["escalated"],
                answer["delivered"],
                answer["undelivered"],
            )
