"""A durable on-disk spool: written before sending, deleted on ack. The export's gzipped
line-protocol batches use it (agent/export/) and so does the central outbox's reports
(agent/central.py), each in its own directory with its own file suffix; an item may carry a
kind in its name (the outbox's runs, backups and plan changes share one spool and one order).

Each batch is one file, written to a temporary name, fsynced and renamed, so a crash leaves
either the whole batch or nothing; a temporary file whose writer died is removed when a spool
is next opened. File names sort oldest first and carry the point count, so nothing needs
parsing to report or drop; only such names are batches (state files are named otherwise).
The total size is bounded: past the limit the oldest batches are dropped, counted in
`dropped.json` and logged, never silently. Batches hold samples: the directory is 0700 and the
files 0600, and so are the small state files a sender keeps beside them (`write_state`).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

log = logging.getLogger("opsinspect.spool")
SUFFIX = ".lp.gz"
MAX_BACKOFF = 60.0


@dataclass(frozen=True)
class SpoolStats:
    batches: int
    points: int
    bytes: int
    dropped_batches: int
    dropped_points: int


class Spool:
    def __init__(self, directory: Path, limit_bytes: int, suffix: str = SUFFIX) -> None:
        self.directory = directory
        self.limit_bytes = limit_bytes
        self.suffix = suffix
        self._lock = threading.Lock()
        self._seq = 0
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._remove_orphans()

    def put(self, body: bytes, points: int, kind: str = "") -> Path:
        """Make the batch durable, then enforce the size bound (dropping the oldest)."""
        with self._lock:
            self._seq += 1
            tail = f".{kind}{self.suffix}" if kind else self.suffix
            name = f"{time.time_ns():020d}-{os.getpid()}-{self._seq:06d}-{points}{tail}"
            final = self.directory / name
            temporary = self._temporary(name)
            with _create_private(temporary) as handle:
                handle.write(body)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, final)
            self._sync_dir()
            self._enforce_limit(keep=final)
            return final

    def batches(self) -> list[Path]:
        """Pending batches, oldest first."""
        return sorted(p for p in self.directory.glob(f"*{self.suffix}") if p.name[:1].isdigit())

    def kind_of(self, batch: Path) -> str:
        """The kind `put` gave the batch ("" for none)."""
        stem = batch.name[: -len(self.suffix)] if self.suffix else batch.name
        head, _, kind = stem.rpartition(".")
        return kind if head else ""

    def ack(self, batch: Path) -> None:
        """The TSDB has it: forget the batch (already gone is fine: another sender won)."""
        try:
            batch.unlink()
        except FileNotFoundError:
            return
        self._sync_dir()

    def stats(self) -> SpoolStats:
        batches = self.batches()
        sizes = [_size(p) for p in batches]
        dropped = self._dropped()
        return SpoolStats(
            batches=len(batches),
            points=sum(points_in(p) for p in batches),
            bytes=sum(sizes),
            dropped_batches=dropped["batches"],
            dropped_points=dropped["points"],
        )

    def _enforce_limit(self, keep: Path) -> None:
        batches = self.batches()
        total = sum(_size(p) for p in batches)
        dropped_batches = dropped_points = 0
        for oldest in batches:
            if total <= self.limit_bytes or oldest == keep:
                break
            size = _size(oldest)
            try:
                oldest.unlink()
            except FileNotFoundError:
                continue
            total -= size
            dropped_batches += 1
            dropped_points += points_in(oldest)
        if dropped_batches:
            counts = self._dropped()
            counts["batches"] += dropped_batches
            counts["points"] += dropped_points
            self._write_counts(counts)
            log.warning(
                "spool %s over its %d byte limit: dropped the %d oldest batch(es), %d point(s) "
                "(%d point(s) dropped since the spool was created)",
                self.directory,
                self.limit_bytes,
                dropped_batches,
                dropped_points,
                counts["points"],
            )

    def read_state(self, name: str) -> dict:
        """A state file beside the batches (`write_state`); {} if absent or unreadable."""
        try:
            data = json.loads((self.directory / name).read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def write_state(self, name: str, data: dict) -> None:
        """Replace a small JSON state file atomically (0600, like the batches)."""
        temporary = self._temporary(name)
        with _create_private(temporary) as handle:
            handle.write(json.dumps(data).encode())
        os.replace(temporary, self.directory / name)

    def _dropped(self) -> dict[str, int]:
        data = self.read_state("dropped.json")
        try:
            return {"batches": int(data["batches"]), "points": int(data["points"])}
        except (KeyError, ValueError, TypeError):
            return {"batches": 0, "points": 0}

    def _write_counts(self, counts: dict[str, int]) -> None:
        self.write_state("dropped.json", counts)

    def _temporary(self, name: str) -> Path:
        """Hidden (never listed as a batch) and named by the writing process."""
        return self.directory / f".{os.getpid()}.{name}.tmp"

    def _remove_orphans(self) -> None:
        """Temporary files of writers that died mid-write (a live one's stays: several
        processes share a spool)."""
        for temporary in self.directory.glob(".*.tmp"):
            pid = temporary.name[1:].split(".", 1)[0]
            if pid.isdigit() and not _alive(int(pid)):
                temporary.unlink(missing_ok=True)
                log.info(
                    "spool %s: removed %s, left by a writer that died",
                    self.directory,
                    temporary.name,
                )

    def _sync_dir(self) -> None:
        fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class SendError(Exception):
    """Not delivered; `retryable`: keep the item and try again later, else set it aside."""

    def __init__(self, message: str, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class Sender(Protocol):
    name: str  # the log lines' prefix: export, central
    where: str  # the receiver as messages show it (redacted)

    def send(self, item: Path, body: bytes) -> None:
        """Deliver one item or raise SendError."""

    def set_aside(self, item: Path, error: SendError) -> None:
        """An item that can never be delivered (`error` not retryable)."""


@dataclass(frozen=True)
class Drained:
    sent: tuple[Path, ...]
    left: int
    error: str = ""


class Drainer:
    """The one sending loop of a spool: oldest first, each item deleted only once `send`
    returned; on a retryable failure back off (1 s doubling to 60 s) while `patience` seconds
    remain and no stop is asked for, then leave the rest. An outage is logged once."""

    def __init__(self, spool: Spool, sender: Sender, logger: logging.Logger) -> None:
        self.spool, self.sender, self.log = spool, sender, logger
        self._lock = threading.Lock()
        self._failing = False

    def drain(self, stop: threading.Event | None = None, patience: float = 0.0) -> Drained:
        give_up_at = time.monotonic() + patience
        backoff = 1.0
        sent: list[Path] = []
        name = self.sender.name
        with self._lock:
            # one listing per pass, not per item: a full outbox holds thousands of items, and
            # listing it once for each sent would make draining it quadratic
            pending: deque[Path] = deque()
            while True:
                if not pending:
                    pending.extend(self.spool.batches())  # what came meanwhile is newer
                    if not pending:
                        return Drained(tuple(sent), 0)
                item = pending[0]
                try:
                    body = item.read_bytes()
                except FileNotFoundError:
                    pending.popleft()
                    continue  # dropped by the size bound or sent by another process
                try:
                    self.sender.send(item, body)
                except SendError as exc:
                    if not exc.retryable:
                        self.sender.set_aside(item, exc)
                        pending.popleft()
                        continue
                    if not self._failing:
                        self._failing = True
                        self.log.warning("%s: %s; kept in %s, retrying", name, exc,
                                         self.spool.directory)
                    wait = min(backoff, max(0.0, give_up_at - time.monotonic()))
                    if wait <= 0 or (stop and stop.is_set()):
                        return Drained(tuple(sent), len(self.spool.batches()), str(exc))
                    self.log.debug("%s: %s; retrying in %.0f s", name, exc, wait)
                    if stop:
                        stop.wait(wait)
                    else:
                        time.sleep(wait)
                    backoff = min(backoff * 2, MAX_BACKOFF)
                    continue
                self.spool.ack(item)
                pending.popleft()
                if self._failing:
                    self._failing = False
                    self.log.info("%s: %s answers again; sending what was kept", name,
                                  self.sender.where)
                sent.append(item)
                backoff = 1.0


def _create_private(path: Path):
    return os.fdopen(
        os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600), "wb"
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process
    return True


def points_in(batch: Path) -> int:
    """The count in a batch's name (`<ns>-<pid>-<seq>-<count><suffix>`)."""
    try:
        return int(batch.name.split(".", 1)[0].rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return 0


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0
