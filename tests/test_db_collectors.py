"""The database collectors and checks against real servers: a PostgreSQL primary with a
streaming standby and a MariaDB primary with a GTID replica (tests/services/db_replicas.py),
read by a monitoring account with only the documented grants. Long transactions, lock waits
and deadlocks are made for real by a second connection; a stopped replica is really stopped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace

import psycopg
import pymysql
import pytest

from core import names
from core.model import DatabaseSettings, Finding, PreviousRun, Target
from core.status import Status
from flows.inspect import inspect_target
from settings.inventory import Inventory
from settings.profiles import DEFAULT_THRESHOLDS, Profile, Thresholds
from settings.thresholds import Range
from tests.services import free_port, wait_until
from tests.services.db_replicas import MONITOR, MONITOR_PASSWORD

PASSWORD_ENV = "OPSINSPECT_TEST_DB_MONITOR"
# transactions and lock waits of a second or more alert, so a test need not wait minutes
QUICK = Profile(
    thresholds={
        **DEFAULT_THRESHOLDS,
        names.DB_LONGEST_TRANSACTION: Thresholds(Range.parse(1)),
        names.DB_LONGEST_LOCK_WAIT: Thresholds(Range.parse(1)),
    }
)


@pytest.fixture(autouse=True)
def monitor_password(monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, MONITOR_PASSWORD)


def target(engine: str, port: int, **settings) -> Target:
    values = {"port": port, "user": MONITOR, "password": f"env:{PASSWORD_ENV}", **settings}
    return Target("db1", kind="database", address="127.0.0.1",
                  database=DatabaseSettings(engine, **values))


NO_HISTORY = PreviousRun()


def inspect(db: Target, previous: PreviousRun = NO_HISTORY, profile: Profile = QUICK):
    inventory = Inventory(targets=(db,), profiles={"standard": profile})
    return inspect_target(inventory, db, lambda _name: previous, 20, retries=0)


def finding(findings, check: str) -> Finding:
    [found] = [f for f in findings if f.check == check]
    return found


def value(samples, metric: str) -> float:
    [found] = [s.value for s in samples if s.metric == metric]
    return found


ENGINES = ["postgresql", "mariadb"]


def ports(engine, pg_pair, mariadb_pair) -> tuple[int, int]:
    if engine == "postgresql":
        return pg_pair.primary, pg_pair.replica
    return mariadb_pair.primary.port, mariadb_pair.replica.port


@pytest.mark.parametrize("engine", ENGINES)
def test_a_primary_and_its_replica(engine, pg_pair, mariadb_pair):
    primary, replica = ports(engine, pg_pair, mariadb_pair)
    first = inspect(target(engine, primary))
    # a server started for the test reads its pages from disk: the cache may not be warm yet
    warming = {names.CHECK_DB_CACHE_HIT}
    assert not [f for f in first.findings if f.status != Status.OK and f.check not in warming]
    by_check = {f.check: f for f in first.findings}
    assert set(by_check) == {
        names.CHECK_DB_RESTART, names.CHECK_DB_CONNECTIONS, names.CHECK_DB_CACHE_HIT,
        names.CHECK_DB_REPLICATION, names.CHECK_DB_LONG_TRANSACTION, names.CHECK_DB_LOCK_WAIT,
        names.CHECK_DB_DEADLOCKS, names.CHECK_DB_GROWTH,
    }
    assert str(by_check[names.CHECK_DB_REPLICATION].summary) == "not a replica"
    assert str(by_check[names.CHECK_DB_RESTART].summary).startswith(f"{engine} 1")
    assert "shop" in {s.label("database") for s in first.samples if s.metric == names.DB_SIZE}
    assert 0 < value(first.samples, names.DB_CONNECTIONS) <= value(
        first.samples, names.DB_MAX_CONNECTIONS
    )
    # the next inspection compares with this one: no restart, no new deadlocks
    second = inspect(target(engine, primary), PreviousRun(first.samples, first.findings))
    assert finding(second.findings, names.CHECK_DB_RESTART).status == Status.OK
    assert str(finding(second.findings, names.CHECK_DB_DEADLOCKS).summary).startswith(
        "0 deadlocks since the last inspection"
    )
    on_replica = inspect(target(engine, replica))
    replication = finding(on_replica.findings, names.CHECK_DB_REPLICATION)
    assert replication.status == Status.OK
    assert str(replication.summary).startswith("replicating, ")
    assert replication.value is not None and replication.value < 60


@contextmanager
def replication_stopped(engine, pg_pair, mariadb_pair) -> Iterator[None]:
    if engine == "postgresql":
        with pg_pair.receiver_stopped():
            yield
    else:
        with mariadb_pair.io_thread_stopped():
            yield


@pytest.mark.parametrize("engine", ENGINES)
def test_a_stopped_replica_is_critical(engine, pg_pair, mariadb_pair):
    _, replica = ports(engine, pg_pair, mariadb_pair)
    with replication_stopped(engine, pg_pair, mariadb_pair):
        result = inspect(target(engine, replica))
    replication = finding(result.findings, names.CHECK_DB_REPLICATION)
    assert replication.status == Status.CRITICAL
    assert "stopped" in str(replication.summary)
    assert str(replication.hint)


def connect(engine, pg_pair, mariadb_pair) -> Callable[[], object]:
    """A superuser connection to the primary's `shop` database, one transaction at a time."""
    if engine == "postgresql":
        return lambda: psycopg.connect(
            host="127.0.0.1", port=pg_pair.primary, user="postgres", dbname="shop"
        )
    return lambda: pymysql.connect(
        unix_socket=mariadb_pair.primary.socket, user="root", database="shop"
    )


def run_sql(conn, sql: str) -> None:
    cursor = conn.cursor()
    cursor.execute(sql)
    cursor.close()


class Background:
    """One statement run in a thread (it blocks on a lock); its error, if any, kept."""

    def __init__(self, conn, sql: str) -> None:
        self.error: Exception | None = None

        def work() -> None:
            try:
                run_sql(conn, sql)
            except Exception as exc:  # noqa: BLE001 - the test looks at which one failed
                self.error = exc

        self.thread = threading.Thread(target=work, daemon=True)
        self.thread.start()

    def join(self) -> None:
        self.thread.join(60)
        assert not self.thread.is_alive()


@pytest.mark.parametrize("engine", ENGINES)
def test_a_held_lock_shows_as_long_transaction_and_lock_wait(engine, pg_pair, mariadb_pair):
    primary, _ = ports(engine, pg_pair, mariadb_pair)
    new = connect(engine, pg_pair, mariadb_pair)
    holder, waiter = new(), new()
    try:
        run_sql(holder, "BEGIN")
        run_sql(holder, "SELECT n FROM items WHERE id = 1 FOR UPDATE")
        run_sql(waiter, "BEGIN")
        blocked = Background(waiter, "UPDATE items SET n = n + 1 WHERE id = 1")
        waits = lambda: value(  # noqa: E731
            inspect(target(engine, primary)).samples, names.DB_LOCK_WAITS
        )
        wait_until(lambda: waits() == 1, 30, "a session waiting for the lock")
        time.sleep(2.1)  # both ages pass the 1 s threshold of QUICK
        result = inspect(target(engine, primary))
    finally:
        holder.rollback()
    blocked.join()
    waiter.rollback()
    holder.close()
    waiter.close()
    assert blocked.error is None
    transaction = finding(result.findings, names.CHECK_DB_LONG_TRANSACTION)
    assert transaction.status == Status.WARNING
    assert transaction.value is not None and transaction.value >= 2
    lock = finding(result.findings, names.CHECK_DB_LOCK_WAIT)
    assert lock.status == Status.WARNING
    assert str(lock.summary).startswith("1 sessions waiting for a lock, the longest ")


@pytest.mark.parametrize("engine", ENGINES)
def test_a_real_deadlock_is_counted_since_the_last_inspection(engine, pg_pair, mariadb_pair):
    primary, _ = ports(engine, pg_pair, mariadb_pair)
    before = inspect(target(engine, primary))
    new = connect(engine, pg_pair, mariadb_pair)
    one, two = new(), new()
    for conn, row in ((one, 2), (two, 3)):
        run_sql(conn, "BEGIN")
        run_sql(conn, f"UPDATE items SET n = n + 1 WHERE id = {row}")
    crossing = Background(one, "UPDATE items SET n = n + 1 WHERE id = 3")
    time.sleep(0.5)  # `one` waits for `two` before `two` closes the circle
    closing = Background(two, "UPDATE items SET n = n + 1 WHERE id = 2")
    crossing.join()
    closing.join()
    one.rollback()
    two.rollback()
    one.close()
    two.close()
    assert [crossing.error is None, closing.error is None].count(False) == 1
    after = inspect(target(engine, primary), PreviousRun(before.samples, before.findings))
    deadlocks = finding(after.findings, names.CHECK_DB_DEADLOCKS)
    assert deadlocks.status == Status.WARNING
    assert str(deadlocks.summary).startswith("1 deadlocks since the last inspection")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("case", "reason"),
    [("closed port", "refused"), ("wrong password", "auth failed"), ("tarpit", "timeout")],
)
def test_failures_go_through_the_one_table(engine, case, reason, pg_pair, mariadb_pair,
                                           tarpit, monkeypatch):
    primary, _ = ports(engine, pg_pair, mariadb_pair)
    port = {"closed port": free_port(), "tarpit": tarpit.port}.get(case, primary)
    if case == "wrong password":
        monkeypatch.setenv(PASSWORD_ENV, "Wrong-Secret-123")
    db = target(engine, port, timeout=2.0)
    result = inspect(db)
    [failure] = result.findings
    assert (failure.check, failure.subject) == (names.CHECK_REACHABILITY,
                                                "postgres" if engine == "postgresql" else "mysql")
    assert str(failure.summary).startswith(f"{reason}: {engine} 127.0.0.1:{port}: "), failure
    assert "Secret" not in str(failure.summary)


def test_another_service_on_the_port_is_an_unexpected_answer(mariadb_pair):
    """PostgreSQL's client meets a MariaDB greeting: neither a refusal nor a timeout."""
    result = inspect(target("postgresql", mariadb_pair.primary.port, timeout=3.0))
    [failure] = result.findings
    assert str(failure.summary).startswith("unexpected answer: postgresql 127.0.0.1:"), failure


def test_an_account_without_pg_monitor_is_not_measured_rather_than_zero(pg_pair):
    pg_pair.sql(pg_pair.primary, "DROP ROLE IF EXISTS opsinspect_plain; "
                "CREATE ROLE opsinspect_plain LOGIN")
    db = replace(target("postgresql", pg_pair.primary),
                 database=DatabaseSettings("postgresql", port=pg_pair.primary,
                                           user="opsinspect_plain"))
    result = inspect(db)
    transaction = finding(result.findings, names.CHECK_DB_LONG_TRANSACTION)
    assert transaction.unmeasured
    assert "pg_monitor" in str(transaction.summary)
    assert finding(result.findings, names.CHECK_DB_CONNECTIONS).status == Status.OK


def test_a_mysql_account_without_the_grants_is_not_measured_rather_than_zero(mariadb_pair):
    """USAGE only: the server's status answers, InnoDB's transactions and the replica's
    status are refused, and say so."""
    plain, password = "opsinspect_plain", "Plain-Secret-1"
    mariadb_pair.replica.root_sql(
        f"SET sql_log_bin = 0; DROP USER IF EXISTS '{plain}'@'127.0.0.1'; "
        f"CREATE USER '{plain}'@'127.0.0.1' IDENTIFIED BY '{password}'"
    )
    db = target("mariadb", mariadb_pair.replica.port, user=plain, password="env:PLAIN_PW")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PLAIN_PW", password)
        result = inspect(db)
    for check in (names.CHECK_DB_LONG_TRANSACTION, names.CHECK_DB_REPLICATION):
        unmeasured = finding(result.findings, check)
        assert unmeasured.unmeasured, unmeasured
        assert "denied" in str(unmeasured.summary)
    assert finding(result.findings, names.CHECK_DB_RESTART).status == Status.OK

