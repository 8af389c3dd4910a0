"""`inspect worker --zone Z`: consume the zone's queue until stopped (SIGTERM finishes the
tasks in hand; SIGKILL leaves them unacknowledged for another worker of the zone)."""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path

from core.errors import UserError
from core.phrases import phrase
from flows.zones import celery_app, queue
from workers.tasks import Copy, register


def serve(path: Path | None, zone: str, concurrency: int, loglevel: str = "INFO") -> int:
    """Threads, not processes: a task waits on the network, and one process per worker keeps
    a killed worker's tasks all unacknowledged together."""
    from settings.inventory import load

    inventory = load(path, zone)
    if inventory.central is None:
        raise UserError(
            phrase(
                "{path}: no `central:` section: a worker needs the broker it listens on",
                path=str(path),
            )
        )
    # a task's result is the target's samples: Celery would log each one whole
    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
    app = celery_app(inventory.central)
    register(app, Copy(path, zone, inventory), zone)
    worker = app.Worker(
        queues=[queue(zone)],
        pool="threads",
        concurrency=concurrency,
        hostname=f"{zone}@{socket.gethostname()}.{os.getpid()}",
        without_gossip=True,
        without_mingle=True,
        loglevel=loglevel,
        quiet=True,
    )
    worker.start()
    return int(worker.exitcode or 0)
