"""SQLite: the online backup API copies a consistent snapshot even while the app writes."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from backup.artifact import BackupError, partial_path
from backup.compress import decompressed
from backup.db import tools
from core.backups import Database

_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"


class SqliteEngine:
    format = "SQLite database file"
    suffix = ".sqlite"
    builtin_compression = False

    def tools(self, db: Database) -> dict[str, str]:
        return {"sqlite": sqlite3.sqlite_version}

    @contextlib.contextmanager
    def dump(self, db: Database, work: Path) -> Iterator[tools.Dump]:
        try:
            source = sqlite3.connect(f"file:{db.path}?mode=ro", uri=True)
            try:
                copy = sqlite3.connect(work)
                try:
                    source.backup(copy)
                finally:
                    copy.close()
            finally:
                source.close()
            os.chmod(work, 0o600)
            tables = self.counts(db, str(work))
            with work.open("rb") as stream:
                yield tools.Dump(stream=stream, tables=tables)
        except sqlite3.Error as exc:
            raise BackupError(f"SQLite {db.path}: {exc}") from None
        finally:
            work.unlink(missing_ok=True)

    def exists(self, db: Database, name: str) -> bool:
        return Path(name).exists()

    def create(self, db: Database, name: str) -> None:
        Path(name).parent.mkdir(parents=True, exist_ok=True)

    def drop(self, db: Database, name: str) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(name + suffix).unlink(missing_ok=True)

    def load(self, db: Database, artifact: Path, compression: str, name: str) -> None:
        """Decompress beside the target, prove it sound, then give it the target's name."""
        target = Path(name)
        partial = partial_path(target)
        try:
            with decompressed(artifact, compression) as plain, partial.open("wb") as out:
                shutil.copyfileobj(plain, out, 1 << 20)
                out.flush()
                os.fsync(out.fileno())
            verdict = _integrity(partial)
            if verdict != "ok":
                raise BackupError(f"SQLite integrity_check failed: {verdict}")
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)

    def counts(self, db: Database, name: str) -> dict[str, int]:
        try:
            conn = sqlite3.connect(f"file:{name}?mode=ro", uri=True)
            try:
                names = [row[0] for row in conn.execute(_TABLES)]
                return {
                    n: conn.execute(f'SELECT COUNT(*) FROM "{_quote(n)}"').fetchone()[0]
                    for n in names
                }
            finally:
                conn.close()
        except sqlite3.Error as exc:
            raise BackupError(f"SQLite {name}: {exc}") from None

    def scratch_name(self, db: Database, work: Path) -> str:
        return str(work)


def _integrity(path: Path) -> str:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return str(exc)
    return "; ".join(rows[:3])


def _quote(identifier: str) -> str:
    return identifier.replace('"', '""')
