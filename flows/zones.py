"""Targets in other network zones, inspected by that zone's Celery workers (docs/central.md).

The server publishes one task per target to its zone's queue (`opsinspect.zone.<zone>`) and
waits for the results through the broker's result store; `inspect worker --zone` (workers/)
consumes the queue and runs `flows.inspect.inspect_each` on the target. This module owns what
both sides must agree on: the Celery settings, the task's name and arguments, the queue names
and the inventory's version.

A message names the target and the inventory's version, never a credential: the worker reads
the same inventory from its own disk and resolves the secrets there.

Tasks are acknowledged late (after the result is stored): a worker killed mid-task leaves its
message unacknowledged, and the broker hands it to another worker of the zone once the
visibility timeout (`central.deadline` + a margin) has passed. The run waits long enough for
one such redelivery, then reports the targets still missing as "no poller"; a task that
expires unstarted is dropped by the worker, so a late worker never inspects for a finished run.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit, urlunsplit

from core.errors import UserError
from core.model import Target
from core.phrases import phrase
from flows import wire
from flows.inspect import PreviousRuns, RunOptions, TargetResult, internal_failure, no_poller

if TYPE_CHECKING:
    from celery import Celery

    from settings.agent_spec import CentralSpec
    from settings.inventory import Inventory

TASK = "opsinspect.inspect_target"
MARGIN = 5.0  # seconds: a finished task's result on its way back; the visibility's slack
RESTORE_EVERY = 1  # seconds between a worker's sweeps for messages whose visibility ran out


def queue(zone: str) -> str:
    return f"opsinspect.zone.{zone}"


def task_deadline(central: CentralSpec, timeout: float) -> float:
    """A zone task's deadline: the run's per-target timeout, at most `central.deadline`."""
    return min(timeout, central.deadline.total_seconds())


def visibility_timeout(central: CentralSpec) -> float:
    """Longer than any task runs, so a live worker's task is never handed to a second one."""
    return central.deadline.total_seconds() + MARGIN


def wait_seconds(central: CentralSpec, timeout: float) -> float:
    """How long a run waits for its zone results: one attempt, and one more after a dead
    worker's message comes back (visibility timeout and the sweep that restores it)."""
    deadline = task_deadline(central, timeout)
    return deadline + visibility_timeout(central) + RESTORE_EVERY + deadline + MARGIN


def broker_url(central: CentralSpec) -> str:
    """The broker URL with its password from the reference, resolved here, at use."""
    if not central.password:
        return central.broker
    from settings import secrets

    parts = urlsplit(central.broker)
    user = parts.username or ""
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    netloc = f"{quote(user)}:{quote(secrets.resolve(central.password), safe='')}@{host}{port}"
    return urlunsplit(parts._replace(netloc=netloc))


def celery_app(central: CentralSpec) -> Celery:
    """One Celery app with the settings both sides share: late acknowledgement, one message
    prefetched at a time, JSON only, results in the broker (Redis) or replied (RabbitMQ)."""
    try:
        from celery import Celery
    except ImportError:
        raise UserError(
            phrase("zones need Celery: pip install 'opsinspect[central]' (docs/central.md)")
        ) from None

    url = broker_url(central)
    backend = "rpc://" if url.startswith(("amqp", "pyamqp")) else url
    app = Celery("opsinspect", broker=url, backend=backend, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        result_expires=3600,
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": visibility_timeout(central),
            "unacked_restore_interval": RESTORE_EVERY,
            "unacked_restore_throttle": 1,
        },
        worker_hijack_root_logger=False,
    )
    return app


def inventory_version(inventory: Inventory) -> str:
    """The inventory file's digest: a worker whose copy differs reloads it, or says so."""
    if inventory.source is None:
        return "built-in"
    return hashlib.sha256(inventory.source.read_bytes()).hexdigest()[:16]


@dataclass(frozen=True)
class CeleryZones:
    """`flows.inspect.Zones` over Celery: publish now, wait later, one result per target
    (the first that arrives; a redelivered task cannot give a target twice)."""

    inventory: Inventory
    central: CentralSpec

    def publish(
        self, targets: Sequence[Target], options: RunOptions, previous: PreviousRuns
    ) -> Callable[[], Mapping[str, TargetResult]]:
        app = celery_app(self.central)
        wait = wait_seconds(self.central, options.timeout)
        until = time.time() + wait
        expires = datetime.now(UTC) + timedelta(seconds=wait)
        message: dict[str, Any] = {
            "inventory": inventory_version(self.inventory),
            "deadline": task_deadline(self.central, options.timeout),
            "until": until,
            "retries": options.retries,
            "backoff": options.backoff,
        }
        sent: dict[str, Any] = {}
        failed: dict[str, TargetResult] = {}
        for target in targets:
            before = previous(target.name)
            try:
                sent[target.name] = app.send_task(
                    TASK,
                    kwargs={
                        **message,
                        "target": target.name,
                        "previous": wire.to_json(before.samples, before.findings),
                    },
                    queue=queue(target.zone),
                    expires=expires,
                )
            except Exception as exc:  # noqa: BLE001 - a broker that refuses is this target's UNKNOWN
                failed[target.name] = TargetResult((), (internal_failure(target, exc),))

        def results() -> Mapping[str, TargetResult]:
            from celery.exceptions import TimeoutError as NoResult

            got: dict[str, TargetResult] = dict(failed)
            for target in targets:
                if target.name in got:
                    continue
                left = max(0.01, until - time.time())
                try:
                    data = sent[target.name].get(timeout=left, propagate=True)
                    got[target.name] = TargetResult(*wire.from_json(data))
                except NoResult:
                    got[target.name] = no_poller(target, wait)
                except Exception as exc:  # noqa: BLE001 - the worker's failure, this target's UNKNOWN
                    got[target.name] = TargetResult((), (internal_failure(target, exc),))
            for pending in sent.values():  # read: drop them from the broker and let go now,
                with contextlib.suppress(Exception):  # not at exit, when it may be gone
                    pending.forget()
            sent.clear()
            app.close()
            return got

        return results


def zones_for(inventory: Inventory) -> CeleryZones | None:
    """With `central:` in the inventory, targets of other zones go to their zone's workers
    (an `inspect run` and the agent's scheduled inspections alike)."""
    if not inventory.central or not any(t.zone for t in inventory.targets):
        return None
    return CeleryZones(inventory, inventory.central)
