"""A private PostgreSQL cluster (initdb + pg_ctl as user postgres): the test session's, a
benchmark's (bench/central_ingest.py) through `cluster()`, and the start-up steps the
replicated pair (db_replicas.py) reuses."""

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


def pg_bin(name: str) -> str | None:
    found = shutil.which(name) or sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if isinstance(found, list):
        return found[-1] if found else None
    return found


# Everyone is trusted except this role, which must log in with its password over TCP (for
# tests that prove a password reaches libpq tools, e.g. backups); tests create the role.
PASSWORD_ROLE = "opsinspect_pw"


def require_password_for(role: str, hba: Path) -> None:
    hba.write_text(f"host all {role} 127.0.0.1/32 scram-sha-256\n" + hba.read_text())


def as_postgres(*args: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args]


def init_cluster(initdb: str, data: Path) -> None:
    subprocess.run(
        as_postgres(initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"),
        check=True, capture_output=True, timeout=120,
    )


def start(pg_ctl: str, data: Path, port: int, sockets: Path, fsync: bool = False) -> None:
    """The cluster in `data` on 127.0.0.1:`port`, its socket in `sockets`, its log beside it;
    `fsync=False` (tests) trades the durability nobody needs there for speed, a benchmark of
    writes keeps it."""
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets}"
    options = options if fsync else f"{options} -c fsync=off"
    subprocess.run(
        as_postgres(pg_ctl, "-D", str(data), "-w", "-l", f"{data}.log", "-o", options, "start"),
        check=True, capture_output=True, timeout=120,
    )


def stop(pg_ctl: str, data: Path) -> None:
    subprocess.run(as_postgres(pg_ctl, "-D", str(data), "-m", "immediate", "stop"),
                   capture_output=True, timeout=60)


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
    """A running cluster of our own on a free port."""
    initdb, pg_ctl, psql = pg_bin("initdb"), pg_bin("pg_ctl"), pg_bin("psql")
    if not initdb or not pg_ctl or not psql:
        missing("PostgreSQL (initdb, pg_ctl, psql)")
    base = Path(tempfile.mkdtemp(prefix="opsinspect-pg-"))
    shutil.chown(base, "postgres", "postgres")
    port = free_port()
    try:
        init_cluster(initdb, base / "db")
        require_password_for(PASSWORD_ROLE, base / "db" / "pg_hba.conf")
        start(pg_ctl, base / "db", port, base, fsync)
        yield Cluster(port, psql, base / "db")
    finally:
        stop(pg_ctl, base / "db")
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """SQLAlchemy URL of an empty database `inspect` on a cluster of our own."""
    with cluster() as pg:
        wait_until(lambda: pg.create_database("inspect"), 30, "PostgreSQL")
        yield pg.url("inspect")
