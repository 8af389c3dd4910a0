"""MySQL and MariaDB health over one connection of a monitoring account (PyMySQL).

The account needs PROCESS (InnoDB's transaction and tablespace tables) and REPLICATION CLIENT
(MariaDB 10.5+ calls the replica part SLAVE MONITOR); what each query reads and why is in
docs/databases.md. A query the account may not run notes its inputs as not read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

from collectors import db_common
from collectors.session import Session
from core import names
from core.model import DATABASE, Sample, Target
from core.phrases import Phrase, phrase

_STATUS = (
    "SHOW GLOBAL STATUS WHERE Variable_name IN ('Uptime', 'Threads_connected', "
    "'Innodb_buffer_pool_read_requests', 'Innodb_buffer_pool_reads', 'Innodb_deadlocks')"
)
_SERVER = "SELECT VERSION(), UNIX_TIMESTAMP(), @@max_connections"
# MySQL 8 keeps the deadlock count in INNODB_METRICS, MariaDB as a status variable
_METRIC_DEADLOCKS = (
    "SELECT `COUNT` FROM information_schema.INNODB_METRICS WHERE NAME = 'lock_deadlocks'"
)
_TRANSACTIONS = (
    "SELECT COALESCE(MAX(TIMESTAMPDIFF(SECOND, trx_started, NOW())), 0), "
    "COUNT(trx_wait_started), "
    "COALESCE(MAX(TIMESTAMPDIFF(SECOND, trx_wait_started, NOW())), 0) "
    "FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id <> CONNECTION_ID()"
)
_SYSTEM = ("mysql", "sys", "performance_schema", "information_schema", "innodb_tmpdir")
# per-table InnoDB files: readable with PROCESS alone (information_schema.TABLES shows only
# the tables the account may use); MariaDB and MySQL name the table differently
_SIZES = (
    "SELECT SUBSTRING_INDEX(NAME, '/', 1), SUM(FILE_SIZE) FROM information_schema.{table} "
    "WHERE NAME LIKE '%/%' GROUP BY 1 ORDER BY 1"
)
_SIZE_TABLES = ("INNODB_SYS_TABLESPACES", "INNODB_TABLESPACES")
# MariaDB (every named connection), MySQL 8.0.22+, then older servers
_REPLICA_STATUS = ("SHOW ALL SLAVES STATUS", "SHOW REPLICA STATUS", "SHOW SLAVE STATUS")
ACCESS_DENIED = (1044, 1045, 1142, 1227)  # access denied to a database, user, table, privilege
NO_SUCH = (1049, 1064, 1109, 1146)  # unknown database, syntax (older server), table
CHANNEL = "replication"  # the default (unnamed) replication connection


class MysqlCollector:
    name: ClassVar[str] = "mysql"
    family: ClassVar[str] = DATABASE

    def collect(self, target: Target, session: Session) -> list[Sample]:
        settings, password, seconds, where = db_common.reach(target, session)
        engine = settings.engine
        try:
            import pymysql
        except ImportError:  # pragma: no cover - the extra is part of the test install
            raise db_common.failure(
                engine, where, "MySQL needs PyMySQL: install opsinspect[mysql]", ()
            ) from None
        try:
            conn = pymysql.connect(
                host=target.address,
                port=settings.port_or_default,
                user=settings.user or "",
                password=password or "",
                database=settings.database,
                connect_timeout=seconds,
                read_timeout=seconds,
                write_timeout=seconds,
                autocommit=True,
            )
        except pymysql.Error as exc:
            raise db_common.failure(engine, where, _text(exc), (password,)) from None
        try:
            with conn.cursor() as cursor:
                at = datetime.now(UTC)
                return list(_read(_Reader(cursor, pymysql), db_common.maker(target, at), session))
        except pymysql.Error as exc:
            raise db_common.failure(engine, where, _text(exc), (password,)) from None
        finally:
            conn.close()


class _Reader:
    """Queries that may be refused for want of a privilege, or absent on this flavour."""

    def __init__(self, cursor: Any, driver: Any) -> None:
        self.cursor, self.driver = cursor, driver

    def rows(self, sql: str) -> list[tuple]:
        self.cursor.execute(sql)
        return list(self.cursor.fetchall())

    def dicts(self, sql: str) -> list[dict[str, Any]]:
        self.cursor.execute(sql)
        columns = [c[0] for c in self.cursor.description or ()]
        return [dict(zip(columns, row, strict=True)) for row in self.cursor.fetchall()]

    def first(self, *queries: str, dicts: bool = False) -> tuple[list, Phrase | None]:
        """The first query the server runs for us, or ([], why none did: its refusal)."""
        why: Phrase | None = None
        for sql in queries:
            try:
                return (self.dicts(sql) if dicts else self.rows(sql)), None
            except (self.driver.err.OperationalError, self.driver.err.ProgrammingError) as exc:
                code = exc.args[0] if exc.args else 0
                if code not in ACCESS_DENIED + NO_SUCH:
                    raise
                if code in ACCESS_DENIED or why is None:
                    why = phrase("the server refused: {error}", error=_text(exc))
        return [], why


def _read(reader: _Reader, sample: db_common.SampleMaker, session: Session) -> Iterator[Sample]:
    version, now, most = reader.rows(_SERVER)[0]
    status = {name: float(value) for name, value in reader.rows(_STATUS)}
    labels = {"engine": "mariadb" if "mariadb" in version.lower() else "mysql",
              "version": version.split("-")[0]}
    up = status.get("Uptime", 0.0)
    yield sample(names.DB_START_TIME, float(now) - up, **labels)
    yield sample(names.DB_UPTIME, up, **labels)
    connected = status.get("Threads_connected", 0.0)
    yield sample(names.DB_CONNECTIONS, connected)
    yield sample(names.DB_MAX_CONNECTIONS, float(most))
    yield sample(names.DB_CONNECTIONS_PERCENT, 100.0 * connected / most if most else 0.0)
    if "Innodb_buffer_pool_read_requests" in status:
        yield sample(names.DB_CACHE_REQUESTS, status["Innodb_buffer_pool_read_requests"])
        yield sample(names.DB_CACHE_MISSES, status.get("Innodb_buffer_pool_reads", 0.0))
    else:
        session.note_missing(names.DB_CACHE_REQUESTS, phrase("InnoDB reports no buffer pool reads"))
    yield from _deadlocks(reader, sample, session, status)
    yield from _sizes(reader, sample, session)
    yield from _transactions(reader, sample, session)
    yield from _replication(reader, sample, session)


def _deadlocks(
    reader: _Reader, sample: db_common.SampleMaker, session: Session, status: Mapping
) -> Iterator[Sample]:
    if "Innodb_deadlocks" in status:
        yield sample(names.DB_DEADLOCKS, status["Innodb_deadlocks"])
        return
    rows, why = reader.first(_METRIC_DEADLOCKS)
    if rows:
        yield sample(names.DB_DEADLOCKS, float(rows[0][0]))
    else:
        session.note_missing(names.DB_DEADLOCKS, why or phrase("the server counts no deadlocks"))


def _sizes(reader: _Reader, sample: db_common.SampleMaker, session: Session) -> Iterator[Sample]:
    rows, why = reader.first(*(_SIZES.format(table=t) for t in _SIZE_TABLES))
    if why:
        session.note_missing(names.DB_SIZE, why)
    for schema, size in rows:
        if schema not in _SYSTEM:
            yield sample(names.DB_SIZE, float(size or 0), database=schema)


def _transactions(
    reader: _Reader, sample: db_common.SampleMaker, session: Session
) -> Iterator[Sample]:
    rows, why = reader.first(_TRANSACTIONS)
    if not rows:
        for metric in (names.DB_LONGEST_TRANSACTION, names.DB_LONGEST_LOCK_WAIT):
            session.note_missing(metric, why or phrase("the server has no InnoDB transactions"))
        return
    longest, waiting, longest_wait = rows[0]
    yield sample(names.DB_LONGEST_TRANSACTION, float(longest))
    yield sample(names.DB_LOCK_WAITS, float(waiting))
    yield sample(names.DB_LONGEST_LOCK_WAIT, float(longest_wait))


def _replication(
    reader: _Reader, sample: db_common.SampleMaker, session: Session
) -> Iterator[Sample]:
    channels, why = reader.first(*_REPLICA_STATUS, dicts=True)
    if why and not channels:
        session.note_missing(names.DB_REPLICA, why)
        return
    yield sample(names.DB_REPLICA, bool(channels))
    for row in channels:
        channel = _field(row, "Connection_name", "Channel_Name") or CHANNEL
        running = all(
            _field(row, f"Slave_{t}_Running", f"Replica_{t}_Running") == "Yes"
            for t in ("IO", "SQL")
        )
        yield sample(names.DB_REPLICATION_RUNNING, running, channel=channel)
        lag = _field(row, "Seconds_Behind_Master", "Seconds_Behind_Source")
        if lag is not None:  # NULL while a thread is stopped: no lag to tell
            yield sample(names.DB_REPLICATION_LAG, float(lag), channel=channel)
        errors = [
            str(e) for e in (_field(row, "Last_IO_Error"), _field(row, "Last_SQL_Error")) if e
        ]
        if errors:
            session.texts[(names.CHECK_DB_REPLICATION, channel)] = {"error": "; ".join(errors)}


def _field(row: Mapping[str, Any], *keys: str) -> Any:
    return next((row[k] for k in keys if k in row), None)


def _text(exc: Exception) -> str:
    """PyMySQL's errors are (code, message) pairs."""
    args = getattr(exc, "args", ())
    return str(args[1]) if len(args) > 1 else str(exc)
