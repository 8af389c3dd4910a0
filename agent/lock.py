"""One agent per data directory: a second instance is refused, `inspect agent status` asks
who holds the lock without loading the agent itself."""

from __future__ import annotations

import errno
import fcntl
import os
from dataclasses import dataclass
from pathlib import Path

from core import paths
from core.errors import UserError


def lock_path() -> Path:
    """The lock of the agent serving this data directory."""
    return paths.data_dir() / "agent.lock"


class AgentLock:
    """flock on a file under the data dir: released by the kernel even after SIGKILL."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")  # noqa: SIM115 - held for the life of the agent
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            pid = _pid(handle)
            handle.close()
            raise UserError(
                f"another agent is already running (pid {pid or 'unknown'}, lock {self.path})"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle

    def holder(self) -> Holder | None:
        """The running agent, or None when no agent holds the lock."""
        if not self.path.exists():
            return None
        with open(self.path, "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except OSError:
                return Holder(_pid(handle))
            return None


@dataclass(frozen=True)
class Holder:
    """An agent holding the lock; `pid` is None in the instant before it writes its pid."""

    pid: int | None


def _pid(handle) -> int | None:
    handle.seek(0)
    text = handle.read().strip()
    return int(text) if text.isdigit() else None
