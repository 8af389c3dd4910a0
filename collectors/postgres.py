"""PostgreSQL health over one read-only connection of a monitoring role (`pg_monitor`).

What each query reads and why is in docs/databases.md. Every figure comes from the server's
own statistics views, so nothing here needs more than `pg_monitor`; without it PostgreSQL
hides other sessions' transactions and waits, and those inputs are noted as not read
instead of reported as zero.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

from collectors import db_common
from collectors.session import Session
from core import names
from core.model import DATABASE, Sample, Target
from core.phrases import phrase

ENGINE = "postgresql"
_EPOCH = "extract(epoch from {})::float8"

_SERVER = f"""
SELECT current_setting('server_version'), {_EPOCH.format("pg_postmaster_start_time()")},
       {_EPOCH.format("now() - pg_postmaster_start_time()")},
       current_setting('max_connections')::int,
       (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'),
       pg_is_in_recovery(),
       pg_has_role(current_user, 'pg_read_all_stats', 'MEMBER')
"""
_COUNTERS = """
SELECT coalesce(sum(blks_hit + blks_read), 0)::float8, coalesce(sum(blks_read), 0)::float8,
       coalesce(sum(deadlocks), 0)::float8
FROM pg_stat_database
"""
_SIZES = """
SELECT datname, pg_database_size(oid)::float8 FROM pg_database
WHERE datallowconn AND NOT datistemplate
  AND (has_database_privilege(oid, 'CONNECT') OR pg_has_role('pg_read_all_stats', 'MEMBER'))
ORDER BY datname
"""
_OTHERS = "backend_type = 'client backend' AND pid <> pg_backend_pid()"
_ACTIVITY = f"""
SELECT coalesce(max({_EPOCH.format("now() - xact_start")}), 0),
       count(*) FILTER (WHERE wait_event_type = 'Lock'),
       coalesce(max({_EPOCH.format("now() - query_start")})
         FILTER (WHERE wait_event_type = 'Lock'), 0)
FROM pg_stat_activity WHERE {_OTHERS}
"""
# lag: nothing left to replay is no lag, however long ago the primary last wrote
_REPLICA = f"""
SELECT (SELECT status FROM pg_stat_wal_receiver),
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE coalesce({_EPOCH.format("now() - pg_last_xact_replay_timestamp()")}, 0) END
"""
NOT_MONITOR = phrase("the account is not in pg_monitor, so other sessions' details are hidden")
CHANNEL = "replication"  # a PostgreSQL standby has one upstream
_MONITORED = (names.DB_LONGEST_TRANSACTION, names.DB_LONGEST_LOCK_WAIT)
_REPLICATED = (names.DB_REPLICATION_RUNNING,)


class PostgresCollector:
    name: ClassVar[str] = "postgres"
    family: ClassVar[str] = DATABASE

    def collect(self, target: Target, session: Session) -> list[Sample]:
        settings, password, seconds, where = db_common.reach(target, session)
        try:
            import psycopg
        except ImportError:  # pragma: no cover - the extra is part of the test install
            raise db_common.failure(
                ENGINE, where, "PostgreSQL needs psycopg: install opsinspect[postgres]", ()
            ) from None
        try:
            with psycopg.connect(
                host=target.address,
                port=settings.port_or_default,
                user=settings.user,
                password=password,
                dbname=settings.database or "postgres",
                connect_timeout=max(2, int(seconds)),
                autocommit=True,
                application_name="opsinspect",
                options=f"-c statement_timeout={int(seconds * 1000)}"
                " -c default_transaction_read_only=on",
            ) as conn:
                at = datetime.now(UTC)
                return list(_read(conn, db_common.maker(target, at), session))
        except psycopg.Error as exc:
            raise db_common.failure(ENGINE, where, str(exc), (password,)) from None


def _read(conn: Any, sample: db_common.SampleMaker, session: Session) -> Iterator[Sample]:
    version, started, up, most, connected, replica, monitor = conn.execute(_SERVER).fetchone()
    labels = {"engine": ENGINE, "version": version.split()[0]}
    yield sample(names.DB_START_TIME, started, **labels)
    yield sample(names.DB_UPTIME, up, **labels)
    yield sample(names.DB_CONNECTIONS, connected)
    yield sample(names.DB_MAX_CONNECTIONS, most)
    yield sample(names.DB_CONNECTIONS_PERCENT, 100.0 * connected / most if most else 0.0)
    requests, misses, deadlocks = conn.execute(_COUNTERS).fetchone()
    yield sample(names.DB_CACHE_REQUESTS, requests)
    yield sample(names.DB_CACHE_MISSES, misses)
    yield sample(names.DB_DEADLOCKS, deadlocks)
    for database, size in conn.execute(_SIZES).fetchall():
        yield sample(names.DB_SIZE, size, database=database)
    yield sample(names.DB_REPLICA, replica)
    if not monitor:  # the views answer, with other sessions' details blank
        for metric in (*_MONITORED, *(_REPLICATED if replica else ())):
            session.note_missing(metric, NOT_MONITOR)
        return
    longest, waiting, longest_wait = conn.execute(_ACTIVITY).fetchone()
    yield sample(names.DB_LONGEST_TRANSACTION, longest)
    yield sample(names.DB_LOCK_WAITS, waiting)
    yield sample(names.DB_LONGEST_LOCK_WAIT, longest_wait)
    if replica:
        status, lag = conn.execute(_REPLICA).fetchone()
        yield sample(names.DB_REPLICATION_RUNNING, status == "streaming", channel=CHANNEL)
        yield sample(names.DB_REPLICATION_LAG, lag, channel=CHANNEL)
