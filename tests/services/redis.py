"""A private Redis for the test session: the Celery broker and result store of the zone
workers (never the machine's own instance: its own port, no persistence)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.services import free_port, port_open, require_program, wait_until


@dataclass(frozen=True)
class Redis:
    port: int

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


@pytest.fixture(scope="session")
def redis_server() -> Iterator[Redis]:
    binary = require_program("redis-server", "/usr/bin/redis-server")
    workdir = Path(tempfile.mkdtemp(prefix="opsinspect-redis-"))
    port = free_port()
    log = open(workdir / "redis.log", "ab")  # noqa: SIM115 - owned by the child
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--daemonize", "no", "--dir", str(workdir), "--databases", "64"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    try:
        wait_until(lambda: port_open(port), 20, "redis-server")
        yield Redis(port)
    finally:
        process.terminate()
        process.wait(timeout=20)
        shutil.rmtree(workdir, ignore_errors=True)
