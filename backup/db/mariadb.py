"""MariaDB and MySQL: `mariadb-dump`/`mysqldump --single-transaction`, loaded back with the
client. The password goes through a 0600 option file, never argv or the environment."""

from __future__ import annotations

import contextlib
import secrets as random
from collections.abc import Iterator
from pathlib import Path

from backup.compress import decompressed
from backup.db import tools
from core.backups import Database
from settings import secrets

_DUMP_OPTIONS = ("--single-transaction", "--routines", "--events", "--triggers", "--hex-blob")
_TABLES = (
    "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() "
    "AND table_type = 'BASE TABLE' ORDER BY table_name"
)


class MariaDbEngine:
    format = "SQL (mysqldump)"
    suffix = ".sql"
    builtin_compression = False

    def __init__(self, flavour: str) -> None:
        first = ("mariadb", "mysql") if flavour == "mariadb" else ("mysql", "mariadb")
        self._dumpers = tuple(
            f"{name}dump" if name == "mysql" else f"{name}-dump" for name in first
        )
        self._clients = first

    def tools(self, db: Database) -> dict[str, str]:
        dumper, client = tools.find(*self._dumpers), tools.find(*self._clients)
        with self._options(db) as options:
            server = self._query(client, options, db, db.database or "", "SELECT VERSION()")
        return {
            Path(dumper).name: tools.version(dumper),
            Path(client).name: tools.version(client),
            "server": server.strip(),
        }

    @contextlib.contextmanager
    def dump(self, db: Database, work: Path) -> Iterator[tools.Dump]:
        tables = self.counts(db, db.database or "")
        with self._options(db) as options:
            argv = [tools.find(*self._dumpers), f"--defaults-extra-file={options}", *_DUMP_OPTIONS]
            with tools.producing([*argv, "--", db.database or ""], None, self._secret(db)) as out:
                yield tools.Dump(stream=out, tables=tables)

    def exists(self, db: Database, name: str) -> bool:
        query = f"SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = '{name}'"
        with self._options(db) as options:
            client = tools.find(*self._clients)
            return self._query(client, options, db, db.database or "", query).strip() != "0"

    def create(self, db: Database, name: str) -> None:
        self._admin(db, f"CREATE DATABASE `{name}`")

    def drop(self, db: Database, name: str) -> None:
        self._admin(db, f"DROP DATABASE IF EXISTS `{name}`")

    def load(self, db: Database, artifact: Path, compression: str, name: str) -> None:
        with self._options(db) as options, decompressed(artifact, compression) as plain:
            argv = [tools.find(*self._clients), f"--defaults-extra-file={options}"]
            tools.feed([*argv, "--binary-mode", name], plain, None, self._secret(db))

    def counts(self, db: Database, name: str) -> dict[str, int]:
        """All tables counted in one consistent snapshot."""
        client = tools.find(*self._clients)
        with self._options(db) as options:
            names = self._query(client, options, db, name, _TABLES).splitlines()
            if not names:
                return {}
            selects = " UNION ALL ".join(
                f"SELECT {i}, COUNT(*) FROM `{t.replace('`', '``')}`" for i, t in enumerate(names)
            )
            script = f"START TRANSACTION WITH CONSISTENT SNAPSHOT; {selects}; COMMIT;"
            rows = self._query(client, options, db, name, script).splitlines()
        return {names[int(i)]: int(n) for i, n in (row.split("\t") for row in rows)}

    def scratch_name(self, db: Database, work: Path) -> str:
        return f"opsinspect_verify_{random.token_hex(4)}"

    def _admin(self, db: Database, statement: str) -> None:
        with self._options(db) as options:
            self._query(tools.find(*self._clients), options, db, db.database or "", statement)

    def _query(self, client: str, options: str, db: Database, name: str, sql: str) -> str:
        argv = [client, f"--defaults-extra-file={options}", "-N", "-B", "-e", sql, "--", name]
        return tools.run(argv, secret=self._secret(db), timeout=3600)

    def _secret(self, db: Database) -> str | None:
        return secrets.resolve(db.password) if db.password else None

    @contextlib.contextmanager
    def _options(self, db: Database) -> Iterator[str]:
        settings = {
            "host": db.host or "localhost",
            "port": db.port,
            "user": db.user,
            "password": self._secret(db),
        }
        with tools.defaults_file(settings) as path:
            yield path
