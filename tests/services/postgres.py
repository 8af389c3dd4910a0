"""A private PostgreSQL cluster for the test session (initdb + pg_ctl as user postgres), and
the start-up steps the replicated pair (db_replicas.py) reuses."""

from __future__ import annotations

import glob
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
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


def start(pg_ctl: str, data: Path, port: int, sockets: Path) -> None:
    """The cluster in `data` on 127.0.0.1:`port`, its socket in `sockets`, its log beside it."""
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} -c fsync=off"
    subprocess.run(
        as_postgres(pg_ctl, "-D", str(data), "-w", "-l", f"{data}.log", "-o", options, "start"),
        check=True, capture_output=True, timeout=120,
    )


def stop(pg_ctl: str, data: Path) -> None:
    subprocess.run(as_postgres(pg_ctl, "-D", str(data), "-m", "immediate", "stop"),
                   capture_output=True, timeout=60)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """SQLAlchemy URL of an empty database `inspect` on a cluster of our own."""
    initdb, pg_ctl, psql = pg_bin("initdb"), pg_bin("pg_ctl"), pg_bin("psql")
    if not initdb or not pg_ctl or not psql:
        missing("PostgreSQL (initdb, pg_ctl, psql)")
    base = Path(tempfile.mkdtemp(prefix="opsinspect-pg-"))
    shutil.chown(base, "postgres", "postgres")
    port = free_port()
    init_cluster(initdb, base / "db")
    require_password_for(PASSWORD_ROLE, base / "db" / "pg_hba.conf")
    start(pg_ctl, base / "db", port, base)
    try:
        create = [psql, "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
                  "-c", "CREATE DATABASE inspect"]
        wait_until(lambda: subprocess.run(create, capture_output=True).returncode == 0,
                   30, "PostgreSQL")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/inspect"
    finally:
        stop(pg_ctl, base / "db")
        shutil.rmtree(base, ignore_errors=True)
