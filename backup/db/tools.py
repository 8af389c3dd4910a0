"""Running the database programs: secrets through env or 0600 files, errors without secrets."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from backup.artifact import BackupError


@dataclass
class Dump:
    """A dump's byte stream and the row counts of the same snapshot."""

    stream: BinaryIO
    tables: Mapping[str, int]


def find(*names: str) -> str:
    """The first of these programs on PATH (or PostgreSQL's versioned bin dirs)."""
    for name in names:
        found = shutil.which(name)
        if found:
            return found
        versioned = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
        if versioned:
            return str(versioned[-1])
    raise BackupError(f"{' or '.join(names)} is not installed")


def version(program: str) -> str:
    try:
        out = subprocess.run([program, "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unknown ({exc})"
    return out.stdout.strip().splitlines()[0] if out.stdout.strip() else "unknown"


def scrub(text: str, secret: str | None) -> str:
    return text.replace(secret, "***") if secret else text


def _failure(program: str, code: int, stderr: bytes, secret: str | None) -> BackupError:
    if code < 0:
        return BackupError(
            f"{Path(program).name} was killed by signal {signal.Signals(-code).name}"
        )
    lines = [line for line in stderr.decode(errors="replace").splitlines() if line.strip()]
    detail = scrub(lines[-1].strip(), secret) if lines else f"exit status {code}"
    return BackupError(f"{Path(program).name} failed: {detail}")


def run(
    argv: Sequence[str],
    env: Mapping[str, str] | None = None,
    secret: str | None = None,
    stdin: BinaryIO | None = None,
    timeout: float | None = None,
) -> str:
    """Run to completion and return stdout; any failure is one BackupError line."""
    with tempfile.TemporaryFile() as errors:
        try:
            proc = subprocess.run(
                list(argv),
                env={**os.environ, **(env or {})},
                stdin=stdin if stdin is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=errors,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            raise BackupError(f"{Path(argv[0]).name} timed out after {timeout:g} s") from None
        except OSError as exc:
            raise BackupError(f"cannot run {argv[0]}: {exc.strerror}") from None
        if proc.returncode != 0:
            errors.seek(0)
            raise _failure(argv[0], proc.returncode, errors.read(), secret)
        return proc.stdout.decode(errors="replace")


def feed(
    argv: Sequence[str], source: BinaryIO, env: Mapping[str, str] | None, secret: str | None
) -> None:
    """Stream `source` into a program's stdin (a loader such as `mariadb` or `pg_restore`)."""
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(
            list(argv),
            env={**os.environ, **(env or {})},
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        assert proc.stdin is not None
        try:
            shutil.copyfileobj(source, proc.stdin, 1 << 20)
            proc.stdin.close()
        except BrokenPipeError:
            pass  # the loader stopped early; its exit status and stderr say why
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        if proc.wait() != 0:
            errors.seek(0)
            raise _failure(argv[0], proc.returncode, errors.read(), secret)


@contextlib.contextmanager
def producing(
    argv: Sequence[str], env: Mapping[str, str] | None, secret: str | None
) -> Iterator[BinaryIO]:
    """A dump program's stdout as a stream; a non-zero exit or a signal raises on leaving."""
    with tempfile.TemporaryFile() as errors:
        try:
            proc = subprocess.Popen(
                list(argv),
                env={**os.environ, **(env or {})},
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=errors,
            )
        except OSError as exc:
            raise BackupError(f"cannot run {argv[0]}: {exc.strerror}") from None
        assert proc.stdout is not None
        try:
            yield proc.stdout
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            proc.stdout.close()
        if proc.wait() != 0:
            errors.seek(0)
            raise _failure(argv[0], proc.returncode, errors.read(), secret)


@contextlib.contextmanager
def defaults_file(options: Mapping[str, object]) -> Iterator[str]:
    """A 0600 MySQL option file in a private dir: the password never reaches argv or env."""
    with tempfile.TemporaryDirectory(prefix="opsinspect-my-") as private:
        path = Path(private) / "client.cnf"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        lines = ["[client]"]
        for key, value in options.items():
            if value is not None:
                escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
                lines.append(f'{key}="{escaped}"')
        with os.fdopen(fd, "w") as f:
            f.write("\n".join(lines) + "\n")
        yield str(path)
