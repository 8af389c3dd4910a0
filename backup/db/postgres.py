"""PostgreSQL: `pg_dump -Fc` on a snapshot exported by our own connection, so the row counts
in the manifest describe exactly the data in the dump. Password via PGPASSWORD, never argv."""

from __future__ import annotations

import contextlib
import secrets as random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from backup.artifact import BackupError
from backup.db import tools
from core.backups import Database
from settings import secrets

_TABLES = """
SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'information_schema'
  AND n.nspname NOT LIKE 'pg\\_%'
ORDER BY 1, 2
"""


class PostgresEngine:
    format = "pg_dump custom (-Fc)"
    suffix = ".pgdump"
    builtin_compression = True

    def tools(self, db: Database) -> dict[str, str]:
        found = {p: tools.find(p) for p in ("pg_dump", "pg_restore")}
        versions = {name: tools.version(path) for name, path in found.items()}
        with self._connect(db, db.database) as conn:
            versions["server"] = conn.execute("SHOW server_version").fetchone()[0]
        return versions

    @contextlib.contextmanager
    def dump(self, db: Database, work: Path) -> Iterator[tools.Dump]:
        with self._connect(db, db.database, autocommit=False) as conn:
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
            tables = _count(conn)
            argv = [
                tools.find("pg_dump"),
                *self._where(db),
                "-Fc",
                f"--snapshot={snapshot}",
                "-d",
                db.database or "",
            ]
            password = self._password(db)
            with tools.producing(argv, self._env(password), password) as stream:
                yield tools.Dump(stream=stream, tables=tables)

    def exists(self, db: Database, name: str) -> bool:
        with self._connect(db, db.database) as conn:
            row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            return row is not None

    def create(self, db: Database, name: str) -> None:
        from psycopg import sql

        with self._connect(db, db.database) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def drop(self, db: Database, name: str) -> None:
        from psycopg import sql

        with self._connect(db, db.database) as conn:
            query = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            conn.execute(query.format(sql.Identifier(name)))

    def load(self, db: Database, artifact: Path, compression: str, name: str) -> None:
        if compression != "none":
            raise BackupError(f"unexpected compression {compression} on a pg_dump -Fc file")
        password = self._password(db)
        argv = [
            tools.find("pg_restore"),
            *self._where(db),
            "--no-owner",
            "--no-acl",
            "--exit-on-error",
            "-d",
            name,
            str(artifact),
        ]
        tools.run(argv, env=self._env(password), secret=password)

    def counts(self, db: Database, name: str) -> dict[str, int]:
        with self._connect(db, name) as conn:
            return _count(conn)

    def scratch_name(self, db: Database, work: Path) -> str:
        return f"opsinspect_verify_{random.token_hex(4)}"

    def _where(self, db: Database) -> list[str]:
        where = ["-h", db.host or "localhost"]
        if db.port:
            where += ["-p", str(db.port)]
        if db.user:
            where += ["-U", db.user]
        return [*where, "--no-password"]

    def _password(self, db: Database) -> str | None:
        return secrets.resolve(db.password) if db.password else None

    def _env(self, password: str | None) -> dict[str, str]:
        return {"PGPASSWORD": password} if password else {}

    @contextlib.contextmanager
    def _connect(self, db: Database, dbname: str | None, autocommit: bool = True) -> Iterator[Any]:
        try:
            import psycopg
        except ImportError:
            raise BackupError(
                "PostgreSQL backups need psycopg: install opsinspect[postgres]"
            ) from None
        password = self._password(db)
        try:
            conn = psycopg.connect(
                host=db.host or "localhost",
                port=db.port or 5432,
                user=db.user,
                password=password,
                dbname=dbname,
                autocommit=autocommit,
                connect_timeout=10,
            )
        except psycopg.Error as exc:
            raise BackupError(_first_line(exc, password)) from None
        try:
            yield conn
        except psycopg.Error as exc:
            raise BackupError(_first_line(exc, password)) from None
        finally:
            conn.close()


def _count(conn: Any) -> dict[str, int]:
    from psycopg import sql

    counts = {}
    for schema, table in conn.execute(_TABLES).fetchall():
        query = sql.SQL("SELECT count(*) FROM {}.{}").format(
            sql.Identifier(schema), sql.Identifier(table)
        )
        counts[f"{schema}.{table}"] = conn.execute(query).fetchone()[0]
    return counts


def _first_line(exc: Exception, password: str | None) -> str:
    text = str(exc).strip().splitlines()
    return "PostgreSQL: " + tools.scrub(text[0] if text else type(exc).__name__, password)
