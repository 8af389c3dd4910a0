"""Database backups: one small engine per server family, one generic flow around them.

An engine knows its programs (dump, load, count); dump.py, verify.py and restore.py hold the
flow every engine shares: atomic files, manifests, scratch restores and count comparison.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import ClassVar, Protocol

from backup.db.mariadb import MariaDbEngine
from backup.db.postgres import PostgresEngine
from backup.db.sqlite import SqliteEngine
from backup.db.tools import Dump
from core.backups import Database


class DbEngine(Protocol):
    format: ClassVar[str]
    suffix: ClassVar[str]
    builtin_compression: ClassVar[bool]

    def tools(self, db: Database) -> dict[str, str]: ...

    def dump(self, db: Database, work: Path) -> AbstractContextManager[Dump]: ...

    def exists(self, db: Database, name: str) -> bool: ...

    def create(self, db: Database, name: str) -> None: ...

    def drop(self, db: Database, name: str) -> None: ...

    def load(self, db: Database, artifact: Path, compression: str, name: str) -> None: ...

    def counts(self, db: Database, name: str) -> dict[str, int]: ...

    def scratch_name(self, db: Database, work: Path) -> str: ...


ENGINES: dict[str, DbEngine] = {
    "postgresql": PostgresEngine(),
    "mariadb": MariaDbEngine(flavour="mariadb"),
    "mysql": MariaDbEngine(flavour="mysql"),
    "sqlite": SqliteEngine(),
}


def engine_for(db: Database) -> DbEngine:
    return ENGINES[db.engine]


__all__ = ["ENGINES", "DbEngine", "Dump", "engine_for"]
