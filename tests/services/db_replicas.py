"""Replicated database pairs for the database checks, started once per test session:
a PostgreSQL primary with a streaming standby made by `pg_basebackup -R`, and a MariaDB
primary with a GTID replica. Each pair has a read-only monitoring account with exactly the
grants docs/databases.md asks for, which must log in with its password over TCP.

Apart from the single servers in postgres.py and mariadb.py (whose start-up steps they reuse):
those serve the records and backup tests, and these tests stop replication on purpose.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.services import free_port, mariadb, missing, postgres, wait_until
from tests.services.mariadb import MariaDb

MONITOR = "opsinspect_monitor"
MONITOR_PASSWORD = "m0nitor-Secret"


@dataclass(frozen=True)
class PgPair:
    primary: int  # ports on 127.0.0.1
    replica: int
    psql: str

    def sql(self, port: int, sql: str, database: str = "postgres") -> str:
        argv = [self.psql, "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", database]
        done = subprocess.run(
            [*argv, "-Atq", "-v", "ON_ERROR_STOP=1", "-c", sql],
            capture_output=True, text=True, check=True, timeout=60,
        )
        return done.stdout.strip()

    def receiving(self) -> bool:
        return self.sql(self.replica, "SELECT status FROM pg_stat_wal_receiver") == "streaming"

    @contextlib.contextmanager
    def receiver_stopped(self) -> Iterator[None]:
        """No upstream for the standby while inside; the same one again after."""
        conninfo = self.sql(self.replica, "SHOW primary_conninfo")
        self.sql(self.replica, "ALTER SYSTEM SET primary_conninfo = ''")
        self.sql(self.replica, "SELECT pg_reload_conf()")
        wait_until(lambda: self.sql(self.replica, "SELECT count(*) FROM pg_stat_wal_receiver")
                   == "0", 30, "the standby's WAL receiver to stop")
        try:
            yield
        finally:
            quoted = conninfo.replace("'", "''")
            self.sql(self.replica, f"ALTER SYSTEM SET primary_conninfo = '{quoted}'")
            self.sql(self.replica, "SELECT pg_reload_conf()")
            wait_until(self.receiving, 60, "the standby to stream again")


@pytest.fixture(scope="session")
def pg_pair() -> Iterator[PgPair]:
    initdb, pg_ctl, basebackup, psql = (
        postgres.pg_bin(n) for n in ("initdb", "pg_ctl", "pg_basebackup", "psql")
    )
    if not (initdb and pg_ctl and basebackup and psql):
        missing("PostgreSQL (initdb, pg_ctl, pg_basebackup, psql)")
    base = Path(tempfile.mkdtemp(prefix="opsinspect-pgpair-"))
    shutil.chown(base, "postgres", "postgres")
    primary, replica = base / "primary", base / "replica"
    pair = PgPair(free_port(), free_port(), psql)
    postgres.init_cluster(initdb, primary)
    postgres.require_password_for(MONITOR, primary / "pg_hba.conf")
    started: list[Path] = []
    try:
        postgres.start(pg_ctl, primary, pair.primary, base)
        started.append(primary)
        pair.sql(
            pair.primary,
            f"CREATE ROLE {MONITOR} LOGIN PASSWORD '{MONITOR_PASSWORD}'; "
            f"GRANT pg_monitor TO {MONITOR}",
        )
        pair.sql(pair.primary, "CREATE DATABASE shop")
        pair.sql(pair.primary, "CREATE TABLE items (id int PRIMARY KEY, n int); "
                 "INSERT INTO items SELECT g, 0 FROM generate_series(1, 10) g", "shop")
        subprocess.run(
            postgres.as_postgres(basebackup, "-h", "127.0.0.1", "-p", str(pair.primary), "-U",
                         "postgres", "-D", str(replica), "-R", "-X", "stream",
                         "--checkpoint=fast", "--no-sync"),
            check=True, capture_output=True, timeout=120,
        )
        postgres.start(pg_ctl, replica, pair.replica, base)
        started.append(replica)
        wait_until(pair.receiving, 60, "the PostgreSQL standby to stream")
        yield pair
    finally:
        for data in reversed(started):
            postgres.stop(pg_ctl, data)
        shutil.rmtree(base, ignore_errors=True)


@dataclass(frozen=True)
class MariaPair:
    primary: MariaDb  # each with the monitoring account as user/password
    replica: MariaDb

    def replica_status(self) -> dict[str, str]:
        out = subprocess.run(
            [self.replica.client, "--no-defaults", "-S", self.replica.socket, "-u", "root",
             "-E", "-e", "SHOW SLAVE STATUS"],
            capture_output=True, text=True, check=True, timeout=60,
        ).stdout
        pairs = (line.strip().partition(":") for line in out.splitlines() if ":" in line)
        return {key: value.strip() for key, _, value in pairs}

    def replicating(self) -> bool:
        status = self.replica_status()
        return status.get("Slave_IO_Running") == "Yes" and status.get("Slave_SQL_Running") == "Yes"

    @contextlib.contextmanager
    def io_thread_stopped(self) -> Iterator[None]:
        self.replica.root_sql("STOP SLAVE IO_THREAD")
        try:
            yield
        finally:
            self.replica.root_sql("START SLAVE IO_THREAD")
            wait_until(self.replicating, 60, "the MariaDB replica to replicate again")


def _grant_monitor(db: MariaDb) -> None:
    """The grants docs/databases.md gives (SLAVE MONITOR: MariaDB 10.5+'s name for reading
    replica status), and nothing else; not written to the binary log."""
    for host in ("127.0.0.1", "localhost"):
        db.root_sql(
            f"SET sql_log_bin = 0; CREATE USER '{MONITOR}'@'{host}' IDENTIFIED BY "
            f"'{MONITOR_PASSWORD}'; GRANT PROCESS, REPLICATION CLIENT, SLAVE MONITOR ON *.* "
            f"TO '{MONITOR}'@'{host}'"
        )


def _answers(db: MariaDb, sql: str) -> str | None:
    try:
        return db.root_sql(sql).strip()
    except subprocess.CalledProcessError:  # not there yet
        return None


@pytest.fixture(scope="session")
def mariadb_pair() -> Iterator[MariaPair]:
    tools, base = mariadb.programs(), mariadb.private_base("opsinspect-mariapair-")
    mariadb.install(tools, base / "primary")
    shutil.copytree(base / "primary", base / "replica", symlinks=True)
    for path in (base / "replica", *(base / "replica").rglob("*")):
        shutil.chown(path, "mysql", "mysql")
    ports = {"primary": free_port(), "replica": free_port()}
    procs = [
        mariadb.launch(tools, base, "primary", ports["primary"], "--server-id=1",
                       "--log-bin=primary-bin", "--binlog-format=ROW"),
        mariadb.launch(tools, base, "replica", ports["replica"], "--server-id=2",
                       "--skip-log-bin"),
    ]
    pair = MariaPair(*(
        mariadb.client_of(tools, base, n, ports[n], MONITOR, MONITOR_PASSWORD)
        for n in ("primary", "replica")
    ))
    try:
        for proc, db in zip(procs, (pair.primary, pair.replica), strict=True):
            mariadb.wait_ready(proc, db)
            _grant_monitor(db)
        pair.primary.root_sql(
            "CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY 'repl-Secret'; "
            "GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1'; "
            "CREATE DATABASE shop; CREATE TABLE shop.items (id INT PRIMARY KEY, n INT) "
            "ENGINE=InnoDB; INSERT INTO shop.items VALUES (1, 0), (2, 0), (3, 0)"
        )
        pair.replica.root_sql(
            f"CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={ports['primary']}, "
            "MASTER_USER='repl', MASTER_PASSWORD='repl-Secret', MASTER_USE_GTID=slave_pos; "
            "START SLAVE"
        )
        wait_until(pair.replicating, 60, "the MariaDB replica to replicate")
        wait_until(lambda: _answers(pair.replica, "SELECT COUNT(*) FROM shop.items") == "3",
                   60, "the replica to catch up")
        yield pair
    finally:
        mariadb.stop(procs)
        shutil.rmtree(base, ignore_errors=True)
