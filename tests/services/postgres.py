"""A private PostgreSQL cluster (initdb + pg_ctl as user postgres): the test session's, and a
benchmark's (bench/central_ingest.py) through `cluster()`."""

from __future__ import annotations

import glob
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.services import free_port, missing, wait_until


def _bin(name: str) -> str | None:
    found = shutil.which(name) or sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if isinstance(found, list):
        return found[-1] if found else None
    return found


# Everyone is trusted except this role, which must log in with its password over TCP (for
# tests that prove a password reaches libpq tools, e.g. backups); tests create the role.
PASSWORD_ROLE = "opsinspect_pw"


def _require_password_for(role: str, hba: Path) -> None:
    hba.write_text(f"host all {role} 127.0.0.1/32 scram-sha-256\n" + hba.read_text())


def _as_postgres(*args: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args]


@dataclass(frozen=True)
class Cluster:
    port: int
    psql: str
    data: Path  # the cluster's directory; its postmaster.pid names the server process

    def create_database(self, name: str) -> bool:
        done = subprocess.run(
            [self.psql, "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
             "-c", f"CREATE DATABASE {name}"],
            capture_output=True,
        )
        return done.returncode == 0

    def url(self, name: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"


@contextmanager
def cluster(fsync: bool = False) -> Iterator[Cluster]:
    """A running cluster of our own on a free port; `fsync=False` (tests) trades the
    durability nobody needs there for speed, a benchmark of writes keeps it."""
    initdb, pg_ctl, psql = _bin("initdb"), _bin("pg_ctl"), _bin("psql")
    if not initdb or not pg_ctl or not psql:
        missing("PostgreSQL (initdb, pg_ctl, psql)")
    data = Path(tempfile.mkdtemp(prefix="opsinspect-pg-"))
    shutil.chown(data, "postgres", "postgres")
    port = free_port()
    subprocess.run(
        _as_postgres(initdb, "-D", str(data / "db"), "-A", "trust", "-U", "postgres", "--no-sync"),
        check=True,
        capture_output=True,
    )
    _require_password_for(PASSWORD_ROLE, data / "db" / "pg_hba.conf")
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {data}"
    subprocess.run(
        _as_postgres(pg_ctl, "-D", str(data / "db"), "-w", "-l", str(data / "log"), "-o",
                     options if fsync else f"{options} -c fsync=off", "start"),
        check=True,
        capture_output=True,
    )
    try:
        yield Cluster(port, psql, data / "db")
    finally:
        subprocess.run(
            _as_postgres(pg_ctl, "-D", str(data / "db"), "-m", "immediate", "stop"),
            capture_output=True,
        )
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """SQLAlchemy URL of an empty database `inspect` on a cluster of our own."""
    with cluster() as pg:
        wait_until(lambda: pg.create_database("inspect"), 30, "PostgreSQL")
        yield pg.url("inspect")
