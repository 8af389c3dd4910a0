"""Files that are either complete or absent: temp name, fsync, rename, 0600, plus a manifest."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from core.errors import UserError
from core.phrases import phrase

CHUNK = 1 << 20
PARTIAL = ".partial"


class BackupError(Exception):
    """A backup, verification or restore step failed; the message is safe to record."""


def partial_path(final: Path) -> Path:
    """Hidden and suffixed, so nothing that lists backups can mistake it for one."""
    return final.with_name(f".{final.name}{PARTIAL}")


def manifest_path(artifact: Path) -> Path:
    return artifact.with_name(artifact.name + ".manifest.json")


class AtomicWriter:
    """Write under a partial name; only a fully written, fsynced file gets the final name."""

    def __init__(self, final: Path) -> None:
        self.final = final
        self.partial = partial_path(final)
        self.size = 0
        self._hash = hashlib.sha256()
        self._file: BinaryIO | None = None

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def __enter__(self) -> AtomicWriter:
        if self.final.exists():
            raise BackupError(f"{self.final} already exists; refusing to overwrite a backup")
        fd = os.open(self.partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        os.fchmod(fd, 0o600)
        self._file = os.fdopen(fd, "wb")
        return self

    def write(self, data: bytes) -> None:
        assert self._file is not None
        self._file.write(data)
        self._hash.update(data)
        self.size += len(data)

    def copy_from(self, stream: BinaryIO) -> None:
        for chunk in iter(lambda: stream.read(CHUNK), b""):
            self.write(chunk)

    def __exit__(self, exc_type, exc, tb) -> None:
        assert self._file is not None
        if exc_type is not None:
            with contextlib.suppress(OSError):
                self._file.close()
            self.partial.unlink(missing_ok=True)
            return
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
        except BaseException:
            with contextlib.suppress(OSError):
                self._file.close()
            self.partial.unlink(missing_ok=True)
            raise
        os.rename(self.partial, self.final)
        fsync_dir(self.final.parent)


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_json(final: Path, data: Mapping[str, Any]) -> None:
    with AtomicWriter(final) as out:
        out.write(json.dumps(data, indent=2, sort_keys=True).encode() + b"\n")


def read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"manifest {path} is missing") from None
    except (OSError, ValueError) as exc:
        raise BackupError(f"manifest {path} is unreadable: {exc}") from None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def exclusive(directory: Path, name: str) -> Iterator[None]:
    """One backup of a source at a time; a second run fails fast instead of interleaving."""
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise UserError(
            phrase(
                "backup destination {directory}: {error}",
                directory=str(directory),
                error=exc.strerror,
            )
        ) from None
    lock = directory / f".{name}.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError(f"another backup of {name} is running (lock {lock})") from None
        yield
    finally:
        os.close(fd)


def remove_partials(directory: Path, prefix: str) -> list[Path]:
    """Leftovers of a killed run; only called while holding the source's lock."""
    removed = []
    for leftover in directory.glob(f".{prefix}-[0-9]*{PARTIAL}"):
        leftover.unlink(missing_ok=True)
        removed.append(leftover)
    return removed
