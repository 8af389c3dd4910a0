"""A private PostgreSQL cluster for the test session (initdb + pg_ctl as user postgres)."""

from __future__ import annotations

import glob
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
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


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """SQLAlchemy URL of an empty database `inspect` on a cluster of our own."""
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    if not initdb or not pg_ctl:
        missing("PostgreSQL (initdb, pg_ctl)")
    data = Path(tempfile.mkdtemp(prefix="opsinspect-pg-"))
    shutil.chown(data, "postgres", "postgres")
    port = free_port()
    subprocess.run(
        _as_postgres(initdb, "-D", str(data / "db"), "-A", "trust", "-U", "postgres", "--no-sync"),
        check=True,
        capture_output=True,
    )
    _require_password_for(PASSWORD_ROLE, data / "db" / "pg_hba.conf")
    subprocess.run(
        _as_postgres(
            pg_ctl,
            "-D",
            str(data / "db"),
            "-w",
            "-l",
            str(data / "log"),
            "-o",
            f"-c listen_addresses=127.0.0.1 -p {port} -k {data} -c fsync=off",
            "start",
        ),
        check=True,
        capture_output=True,
    )
    try:
        psql = _bin("psql")
        wait_until(
            lambda: (
                subprocess.run(
                    [
                        psql,
                        "-h",
                        "127.0.0.1",
                        "-p",
                        str(port),
                        "-U",
                        "postgres",
                        "-c",
                        "CREATE DATABASE inspect",
                    ],
                    capture_output=True,
                ).returncode
                == 0
            ),
            30,
            "PostgreSQL",
        )
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/inspect"
    finally:
        subprocess.run(
            _as_postgres(pg_ctl, "-D", str(data / "db"), "-m", "immediate", "stop"),
            capture_output=True,
        )
        shutil.rmtree(data, ignore_errors=True)
