"""A private MariaDB server for the test session (mariadb-install-db + mariadbd on a free port).

root is unix-socket only, so the fixture also creates a password user for TCP clients.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.services import free_port, require_program, wait_until


@dataclass(frozen=True)
class MariaDb:
    host: str
    port: int
    user: str
    password: str
    socket: str
    client: str

    def root_sql(self, sql: str, database: str = "") -> str:
        """Run SQL as root over the socket; tests seed and inspect data with it."""
        argv = [self.client, "--no-defaults", "-S", self.socket, "-u", "root", "-N", "-B"]
        out = subprocess.run(
            [*argv, "-e", sql, *([database] if database else [])],
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout


@pytest.fixture(scope="session")
def mariadb_server() -> Iterator[MariaDb]:
    install = require_program("mariadb-install-db", "mysql_install_db")
    server = require_program("mariadbd", "/usr/sbin/mariadbd", "mysqld", "/usr/sbin/mysqld")
    client = require_program("mariadb", "mysql")
    base = Path(tempfile.mkdtemp(prefix="opsinspect-mariadb-"))
    base.chmod(0o755)
    shutil.chown(base, "mysql", "mysql")
    data, sock, port = base / "data", str(base / "mysqld.sock"), free_port()
    subprocess.run(
        [install, "--no-defaults", "--user=mysql", f"--datadir={data}", "--skip-test-db"],
        check=True,
        capture_output=True,
    )
    proc = subprocess.Popen(
        [
            server,
            "--no-defaults",
            "--user=mysql",
            f"--datadir={data}",
            f"--socket={sock}",
            f"--port={port}",
            "--bind-address=127.0.0.1",
            "--skip-log-bin",
            f"--pid-file={base / 'mysqld.pid'}",
            f"--log-error={base / 'error.log'}",
            "--innodb-flush-log-at-trx-commit=0",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    db = MariaDb("127.0.0.1", port, "ops", "s3cret-Maria", sock, client)
    try:

        def ready() -> bool:
            if proc.poll() is not None:
                raise RuntimeError(f"mariadbd exited; see {base / 'error.log'}")
            try:
                db.root_sql("SELECT 1")
            except subprocess.CalledProcessError:
                return False
            return True

        wait_until(ready, 60, "MariaDB")
        for host in ("127.0.0.1", "localhost"):
            db.root_sql(
                f"CREATE USER '{db.user}'@'{host}' IDENTIFIED BY '{db.password}'; "
                f"GRANT ALL ON *.* TO '{db.user}'@'{host}'"
            )
        yield db
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(base, ignore_errors=True)
