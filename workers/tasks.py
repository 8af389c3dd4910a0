"""The zone task: one target, by name, inspected by `flows.inspect.inspect_each` (the same
per-target step and deadline as a local run) against this worker's own inventory."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core import names
from core.errors import UserError
from core.model import PreviousRun, Target
from core.phrases import Phrase, phrase
from flows import wire
from flows.inspect import RunOptions, TargetResult, inspect_each, unknown
from flows.zones import MARGIN, TASK, inventory_version

if TYPE_CHECKING:
    from celery import Celery

    from settings.inventory import Inventory


class Copy:
    """This worker's inventory, read again when a task names another version (the file was
    edited on the server's side and here): targets and credentials come only from it."""

    def __init__(self, path: Path | None, zone: str, inventory: Inventory) -> None:
        self.path = path
        self.zone = zone
        self.inventory = inventory
        self.version = inventory_version(inventory)
        self._lock = threading.Lock()

    def matching(self, version: str) -> Inventory | None:
        with self._lock:
            if version != self.version:
                from settings.inventory import load

                try:
                    self.inventory = load(self.path, self.zone)
                except UserError:  # keep the last good copy; the task says why it failed
                    return None
                self.version = inventory_version(self.inventory)
            return self.inventory if version == self.version else None


def register(app: Celery, copy: Copy, zone: str) -> None:
    @app.task(name=TASK, acks_late=True, reject_on_worker_lost=True)
    def inspect_zone_target(**message: Any) -> dict[str, Any]:
        result = run(copy, zone, **message)
        return wire.to_json(result.samples, result.findings)


def run(
    copy: Copy,
    zone: str,
    *,
    target: str,
    inventory: str,
    deadline: float,
    until: float,
    retries: int,
    backoff: float,
    previous: dict[str, Any],
) -> TargetResult:
    current = copy.matching(inventory)
    if current is None:
        return _refused(
            target,
            zone,
            phrase(
                "this worker's inventory ({mine}) is not the server's ({theirs}): copy the same "
                "file to the worker",
                mine=copy.version,
                theirs=inventory,
            ),
        )
    found = [t for t in current.targets if t.name == target]
    if not found:
        return _refused(
            target, zone, phrase("target {name} is not in this worker's inventory", name=target)
        )
    # the run stops waiting at `until`: finish a return trip (MARGIN) before it, or the
    # result comes back to nobody and the target is "no poller" although a worker took it
    timeout = max(1.0, min(deadline, until - MARGIN - time.time()))
    before = PreviousRun(*wire.from_json(previous))
    options = RunOptions(workers=1, timeout=timeout, jitter=0.0, retries=retries, backoff=backoff)
    [result] = inspect_each(current, found, options, lambda _name: before)
    return result


def _refused(name: str, zone: str, why: Phrase) -> TargetResult:
    target = Target(name=name, zone=zone)
    finding = unknown(target, names.CHECK_COLLECTOR, "config", "configuration", why)
    return TargetResult((), (finding,))
