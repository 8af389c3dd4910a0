"""A private MariaDB server for the test session (mariadb-install-db + mariadbd on a free port),
and the start-up steps the replicated pair (db_replicas.py) reuses.

root is unix-socket only, so the fixture also creates a password user for TCP clients.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
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


@dataclass(frozen=True)
class Programs:
    install: str
    server: str
    client: str


def programs() -> Programs:
    return Programs(
        require_program("mariadb-install-db", "mysql_install_db"),
        require_program("mariadbd", "/usr/sbin/mariadbd", "mysqld", "/usr/sbin/mysqld"),
        require_program("mariadb", "mysql"),
    )


def private_base(prefix: str) -> Path:
    """A temporary folder the mysql user may write, for data directories and sockets."""
    base = Path(tempfile.mkdtemp(prefix=prefix))
    base.chmod(0o755)
    shutil.chown(base, "mysql", "mysql")
    return base


def install(tools: Programs, data: Path) -> None:
    subprocess.run(
        [tools.install, "--no-defaults", "--user=mysql", f"--datadir={data}", "--skip-test-db"],
        check=True, capture_output=True, timeout=300,
    )


def launch(tools: Programs, base: Path, name: str, port: int, *extra: str) -> subprocess.Popen:
    """mariadbd on 127.0.0.1:`port` with its data in base/name; its socket, pid file and error
    log beside it (base/name.sock, .pid, .err)."""
    return subprocess.Popen(
        [tools.server, "--no-defaults", "--user=mysql", f"--datadir={base / name}",
         f"--socket={base / name}.sock", f"--port={port}", "--bind-address=127.0.0.1",
         f"--pid-file={base / name}.pid", f"--log-error={base / name}.err",
         "--innodb-flush-log-at-trx-commit=0", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def client_of(tools: Programs, base: Path, name: str, port: int, user: str,
              password: str) -> MariaDb:
    return MariaDb("127.0.0.1", port, user, password, f"{base / name}.sock", tools.client)


def wait_ready(proc: subprocess.Popen, db: MariaDb) -> None:
    """Until root answers over the socket; a server that exits says where its log is."""

    def ready() -> bool:
        if proc.poll() is not None:
            raise RuntimeError(f"mariadbd exited; see {db.socket.removesuffix('.sock')}.err")
        try:
            db.root_sql("SELECT 1")
        except subprocess.CalledProcessError:
            return False
        return True

    wait_until(ready, 60, "MariaDB")


def stop(procs: Iterable[subprocess.Popen]) -> None:
    procs = list(procs)
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def mariadb_server() -> Iterator[MariaDb]:
    tools, base, port = programs(), private_base("opsinspect-mariadb-"), free_port()
    install(tools, base / "data")
    proc = launch(tools, base, "data", port, "--skip-log-bin")
    db = client_of(tools, base, "data", port, "ops", "s3cret-Maria")
    try:
        wait_ready(proc, db)
        for host in ("127.0.0.1", "localhost"):
            db.root_sql(
                f"CREATE USER '{db.user}'@'{host}' IDENTIFIED BY '{db.password}'; "
                f"GRANT ALL ON *.* TO '{db.user}'@'{host}'"
            )
        yield db
    finally:
        stop([proc])
        shutil.rmtree(base, ignore_errors=True)
