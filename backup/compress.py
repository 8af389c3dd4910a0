"""Stream compression: gzip in-process, zstd through the zstd program when it is installed."""

from __future__ import annotations

import contextlib
import gzip
import shutil
import subprocess
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from backup.artifact import CHUNK, BackupError

SUFFIXES = {"gzip": ".gz", "zstd": ".zst", "none": ""}


def zstd_program() -> str:
    program = shutil.which("zstd")
    if not program:
        raise BackupError("compression zstd needs the zstd program (apt install zstd)")
    return program


class _GzipReader:
    """Reads a plain stream and hands out gzip bytes, so every format is just a stream."""

    def __init__(self, plain: BinaryIO) -> None:
        self._plain = plain
        self._zip = zlib.compressobj(6, zlib.DEFLATED, 31)
        self._done = False

    def read(self, size: int = CHUNK) -> bytes:
        while not self._done:
            data = self._plain.read(size)
            if not data:
                self._done = True
                return self._zip.flush()
            out = self._zip.compress(data)
            if out:
                return out
        return b""


@contextlib.contextmanager
def compressed(plain: BinaryIO, method: str) -> Iterator[BinaryIO]:
    if method == "none":
        yield plain
    elif method == "gzip":
        yield _GzipReader(plain)  # type: ignore[misc]
    elif method == "zstd":
        with _filter([zstd_program(), "-q", "-c", "-3"], plain) as out:
            yield out
    else:
        raise BackupError(f"unknown compression {method!r}")


@contextlib.contextmanager
def decompressed(path: Path, method: str) -> Iterator[BinaryIO]:
    if method == "none":
        with path.open("rb") as f:
            yield f
    elif method == "gzip":
        with gzip.open(path, "rb") as f:
            yield f  # type: ignore[misc]
    elif method == "zstd":
        with path.open("rb") as f, _filter([zstd_program(), "-d", "-q", "-c"], f) as out:
            yield out
    else:
        raise BackupError(f"unknown compression {method!r}")


@contextlib.contextmanager
def _filter(argv: list[str], source: BinaryIO) -> Iterator[BinaryIO]:
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(argv, stdin=source, stdout=subprocess.PIPE, stderr=errors)
        try:
            assert proc.stdout is not None
            yield proc.stdout
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        proc.stdout.close()
        if proc.wait() != 0:
            errors.seek(0)
            detail = errors.read().decode(errors="replace").strip().splitlines()
            raise BackupError(
                f"{Path(argv[0]).name} failed: {detail[-1] if detail else proc.returncode}"
            )
