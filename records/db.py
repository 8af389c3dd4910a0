"""Engine creation and schema migration for the records store.

The one door to the database, so its rules hold for every command and the agent: a new
SQLite file is 0600 in a 0700 directory, the schema is created or upgraded by one process
at a time, and a damaged file is one error naming it, never rebuilt or written to.
"""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, ProgrammingError

from core.errors import DamagedDatabase, UserError
from core.phrases import phrase
from core.redact import url as redacted

MIGRATIONS = Path(__file__).with_name("migrations")
_DAMAGED = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}


def connect(url: str) -> Engine:
    """An engine on a migrated schema. SQLite files get WAL so a killed run cannot corrupt them."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise UserError(
            phrase("database URL {url} is not a valid SQLAlchemy URL", url=repr(redacted(url)))
        ) from None
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername.startswith("sqlite") and parsed.database not in (None, "", ":memory:"):
        _create_private(Path(parsed.database).expanduser())
    sqlite = parsed.drivername.startswith("sqlite")
    try:
        # A local file never drops a connection (no ping), and a server's threads each keep
        # theirs instead of opening one, pragmas and all, per request beyond the default 5.
        engine = create_engine(parsed, **({"pool_size": 20} if sqlite else {"pool_pre_ping": True}))
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise UserError(
            phrase(
                "database URL {url}: driver not installed ({error}); "
                "for PostgreSQL install opsinspect[postgres]",
                url=repr(redacted(url)),
                error=str(exc),
            )
        ) from None
    if engine.dialect.name == "sqlite":
        _watch_sqlite(engine, parsed.database or ":memory:")
    try:
        _migrate(engine)
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "cannot connect"
        raise UserError(
            phrase("database {url}: {reason}", url=redacted(url), reason=reason)
        ) from None
    return engine


def _create_private(path: Path) -> None:
    """A new database file is 0600 in a 0700 directory; SQLite gives its -wal and -shm files
    the database file's mode, so creating the file first covers them too."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise UserError(
            phrase("database {url}: {reason}", url=str(path), reason=exc.strerror)
        ) from None
    os.close(fd)


def _watch_sqlite(engine: Engine, database: str) -> None:
    """Pragmas on every connection; any statement that meets a damaged file or page ends as
    one line naming the file (SQLite reports both as NOTADB or CORRUPT)."""

    def damaged(exc: BaseException) -> DamagedDatabase | None:
        code = getattr(exc, "sqlite_errorcode", None)
        if not isinstance(exc, sqlite3.DatabaseError) or (code or 0) & 0xFF not in _DAMAGED:
            return None
        return DamagedDatabase(
            phrase(
                "database {path} is not a valid SQLite database or is damaged ({error}); left "
                "untouched: restore it from a backup or move it aside",
                path=database,
                error=str(exc),
            )
        )

    def pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA busy_timeout=10000")  # first: switching to WAL may wait
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
        except sqlite3.DatabaseError as exc:
            error = damaged(exc)
            if error:
                raise error from None
            raise
        finally:
            cursor.close()

    def on_error(context) -> None:
        error = damaged(context.original_exception)
        if error:
            raise error

    event.listen(engine, "connect", pragmas)
    event.listen(engine, "handle_error", on_error)


def _migrate(engine: Engine) -> None:
    """Upgrade to the newest revisions; a schema already there costs one query, not Alembic
    (about 11 MiB and 0.2 s that a long-running agent would keep for nothing).

    Two processes may meet a new or older database at once (two cron runs, an agent and a
    run): each takes the schema lock, then looks again, so the second finds the work done.
    """
    if _applied(engine) == _heads():
        return
    from alembic import command
    from alembic.config import Config

    with engine.begin() as connection:
        _lock_schema(connection)
        applied = _versions(connection)
        if applied == _heads():
            return
        from records.tables import metadata  # every area's tables, not only those loaded

        if not applied and set(inspect(connection).get_table_names()) & set(metadata.tables):
            raise UserError(
                phrase(
                    "database {url} has records tables but no schema version: not an opsinspect "
                    "database, or damaged; left untouched",
                    url=redacted(engine.url.render_as_string(hide_password=False)),
                )
            )
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")


def _lock_schema(connection: Connection) -> None:
    """Held until the migration's transaction ends: SQLite's write lock (waiting up to the
    busy timeout), PostgreSQL's transaction-scoped advisory lock."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(hashtext('opsinspect schema'))")


_ASSIGNMENT = re.compile(r"^(revision|down_revision|depends_on)\b[^=]*=(.*)$", re.M)


def _heads() -> set[str]:
    """Revisions nothing else builds on (by down_revision or depends_on): what Alembic
    records once everything is applied."""
    revisions, parents = set(), set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        for key, value in _ASSIGNMENT.findall(script.read_text(encoding="utf-8")):
            names = set(re.findall(r"[\"']([^\"']+)[\"']", value.split("#")[0]))
            (revisions if key == "revision" else parents).update(names)
    return revisions - parents


def _applied(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return _versions(connection)


def _versions(connection: Connection) -> set[str]:
    if not inspect(connection).has_table("alembic_version"):
        return set()
    try:
        rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
        return {row[0] for row in rows}
    except (OperationalError, ProgrammingError):
        return set()
