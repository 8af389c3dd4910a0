"""A durable on-disk spool: written before sending, deleted on ack. The export's gzipped
line-protocol batches use it (agent/export/) and so does the central outbox's runs
(agent/central.py), each in its own directory with its own file suffix.

Each batch is one file, written to a temporary name, fsynced and renamed, so a crash leaves
either the whole batch or nothing; a temporary file whose writer died is removed when a spool
is next opened. File names sort oldest first and carry the point count, so nothing needs
parsing to report or drop. The total size is bounded: past the limit the oldest batches are
dropped, counted in `dropped.json` and logged, never silently. Batches hold samples: the
directory is 0700 and the files 0600, and so are the small state files a sender keeps beside
them (`write_state`).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("opsinspect.spool")
SUFFIX = ".lp.gz"


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

    def put(self, body: bytes, points: int) -> Path:
        """Make the batch durable, then enforce the size bound (dropping the oldest)."""
        with self._lock:
            self._seq += 1
            name = f"{time.time_ns():020d}-{os.getpid()}-{self._seq:06d}-{points}{self.suffix}"
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
        return sorted(
            p for p in self.directory.glob(f"*{self.suffix}") if not p.name.startswith(".")
        )

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
