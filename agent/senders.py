"""The agent's background senders, each on a thread of its own so a TSDB outage never holds
back the runs, nor a server outage the metrics.

With `export:` a metrics thread spools this host's metrics every `export.metrics_every`
(agent/metrics.py) and a sender thread drains the spool. With `central:` another thread sends
the outbox to `inspect serve` (agent/central.py): the runs, the backup jobs' records and each
change of the plan. The scheduler (agent/daemon.py) only tells them when a run is done, when
the settings changed and when to stop.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from agent import metrics
from agent.central import Central
from agent.config import AgentConfig
from agent.export.influx import Exporter

log = logging.getLogger("opsinspect.agent")
MAX_SLEEP = 30.0  # the agent's longest wait, scheduler and senders: what is left is retried
EXPORT_PATIENCE = 3600.0


class Senders:
    """The export spool's and the outbox's senders and the host metrics cycle. The settings
    may be swapped by a reload (`reconfigure`) while the threads run: each loop reads them
    afresh every cycle."""

    def __init__(self, config: AgentConfig, host: str, stop: threading.Event) -> None:
        self.config = config
        self.host = host
        self.stop = stop
        self.exporter = Exporter(config.export) if config.export else None
        self.central = Central(config.central) if config.central else None
        self.export_wake = threading.Event()
        self.central_wake = threading.Event()
        self.job_exported = threading.Event()  # the next "export: sent" is worth an INFO line
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        self.threads = [
            _start_thread(self._send_loop, "export"),
            _start_thread(self._central_loop, "central"),
        ]
        _start_thread(self._metrics_loop, "metrics")  # never joined: it only spools

    def reconfigure(self, config: AgentConfig) -> None:
        """A reload's settings: a sender whose settings changed is replaced."""
        self.config = config
        if config.export and (not self.exporter or self.exporter.spec != config.export):
            self.exporter = Exporter(config.export)
        elif not config.export:
            self.exporter = None
        if config.central != (self.central.spec if self.central else None):
            self.central = Central(config.central) if config.central else None

    def job_done(self) -> None:
        """A job's run was stored (and spooled, queued): send it now."""
        self.job_exported.set()
        self.wake()

    def wake(self) -> None:
        self.export_wake.set()
        self.central_wake.set()

    def report_plan(self, entries: list) -> None:
        """Central mode: each change set of the plan goes to the outbox, once written here."""
        central = self.central
        if central:
            central.enqueue_plan(entries)
            self.central_wake.set()

    def flush_once(self) -> None:
        """One try for the spool and the outbox, no waiting (--once): the next call retries."""
        if self.exporter:
            result = self.exporter.flush(self.stop, patience=0)
            if result.left_batches:
                log.warning(
                    "export: %d batch(es) left in the spool: %s", result.left_batches, result.error
                )
        self._report_once()

    def finish(self) -> int:
        """At stop, once the jobs are settled: the senders' threads end, one last try for
        what the final runs spooled or queued. Returns the batches kept in the spool."""
        for thread in self.threads:
            thread.join(timeout=5)
        self._report_once()
        if self.exporter:  # no waiting
            self.exporter.flush(patience=0)
        return self.exporter.spool.stats().batches if self.exporter else 0

    def describe(self) -> list[str]:
        every = self.exporter.spec.metrics_every if self.exporter else None
        return [f"host metrics every {every.total_seconds():g} s"] if every else []

    def _send_loop(self) -> None:
        """Drain the spool after each run or metrics cycle, and every MAX_SLEEP s in case a
        batch is left. A job's export is logged; the metrics cycles' only at DEBUG."""
        while not self.stop.is_set():
            exporter = self.exporter
            if exporter:
                result = exporter.flush(self.stop, patience=EXPORT_PATIENCE)
                announce = self.job_exported.is_set()  # a run finished before or during it
                self.job_exported.clear()
                if result.sent_batches:
                    log.log(
                        logging.INFO if announce else logging.DEBUG,
                        "export: sent %d point(s) in %d batch(es)",
                        result.sent_points,
                        result.sent_batches,
                    )
            self.export_wake.wait(MAX_SLEEP)
            self.export_wake.clear()

    def _central_loop(self) -> None:
        """Send the outbox after each job, and every MAX_SLEEP s in case an item is left."""
        while not self.stop.is_set():
            central = self.central
            if central:
                result = central.flush(self.stop, patience=EXPORT_PATIENCE)
                if result.sent:
                    log.info("central: %d item(s) acknowledged by %s", result.sent, central.where)
            self.central_wake.wait(MAX_SLEEP)
            self.central_wake.clear()

    def _report_once(self) -> None:
        if not self.central:
            return
        result = self.central.flush(patience=0)
        if result.sent:
            log.info("central: %d item(s) acknowledged by %s", result.sent, self.central.where)
        if result.left:
            log.warning("central: %d item(s) kept in the outbox: %s", result.left, result.error)

    def _metrics_loop(self) -> None:
        """Every `export.metrics_every` s on the wall-clock grid: collect and spool this
        host's metrics, then wake the sender. Settings changed by a reload apply from the
        next cycle."""
        cycle: metrics.HostMetrics | None = None
        source: AgentConfig | None = None
        while not self.stop.is_set():
            config, exporter = self.config, self.exporter
            every = exporter.spec.metrics_every if exporter else None
            if not exporter or not every:
                self.stop.wait(MAX_SLEEP)
                continue
            if source is not config:
                host = config.metrics_host or self.host
                cycle, source = metrics.HostMetrics(host, config.filesystems), config
            seconds = every.total_seconds()
            if self.stop.wait(seconds - time.time() % seconds):
                return
            if self.exporter is not exporter:  # reloaded meanwhile: start over with it
                continue
            try:
                exporter.enqueue(cycle.collect())
            except Exception as exc:  # noqa: BLE001 - e.g. the spool's disk full: next cycle
                log.error("metrics cycle failed: %s: %s", type(exc).__name__, exc)
                continue
            self.export_wake.set()


def _start_thread(loop: Callable[[], None], name: str) -> threading.Thread:
    thread = threading.Thread(target=loop, name=name, daemon=True)
    thread.start()
    return thread
