"""Engine creation and schema migration for the records store."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, ProgrammingError

from core.errors import UserError

MIGRATIONS = Path(__file__).with_name("migrations")


def redacted(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparsable URL)"


def connect(url: str) -> Engine:
    """An engine on a migrated schema. SQLite files get WAL so a killed run cannot corrupt them."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise UserError(f"database URL {redacted(url)!r} is not a valid SQLAlchemy URL") from None
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername.startswith("sqlite") and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(parsed, pool_pre_ping=True)
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise UserError(
            f"database URL {redacted(url)!r}: driver not installed ({exc}); "
            "for PostgreSQL install opsinspect[postgres]"
        ) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        _migrate(engine)
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "cannot connect"
        raise UserError(f"database {redacted(url)}: {reason}") from None
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _migrate(engine: Engine) -> None:
    """Upgrade to the newest revisions; a schema already there costs one query, not Alembic
    (about 11 MiB and 0.2 s that a long-running agent would keep for nothing)."""
    if _applied(engine) == _heads():
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")


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
    try:
        with engine.connect() as connection:
            return {
                row[0]
                for row in connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            }
    except (OperationalError, ProgrammingError):
        return set()
