"""Database backups against real PostgreSQL, MariaDB and SQLite: one contract, every engine."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from cli.main import cli
from core.status import Status
from records import open_store
from records.backups import BackupStore

SEED_ROWS = {"customers": 3, "orders": 5, "empty_table": 0}


def inspect(*args: str) -> tuple[int, str]:
    """The CLI as a user runs it: exit code and output (a UserError is exit 3 with its line)."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


@dataclass
class Source:
    """A seeded database of one engine and how to look inside it (and its restores)."""

    engine: str
    settings: dict
    counts: Callable[[str], dict[str, int]]
    exists: Callable[[str], bool]
    restore_target: str
    expected: dict[str, int]
    secret: str = ""
    databases: Callable[[], list[str]] = list


def _sqlite_source(tmp_path: Path) -> Source:
    path = tmp_path / "app.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    for table, rows in SEED_ROWS.items():
        conn.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, note TEXT)")
        conn.executemany(f"INSERT INTO {table} (note) VALUES (?)", [("x",)] * rows)
    conn.commit()
    conn.close()

    def counts(name: str) -> dict[str, int]:
        with sqlite3.connect(name) as c:
            tables = [r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            return {t: c.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}

    return Source(
        engine="sqlite",
        settings={"engine": "sqlite", "path": str(path)},
        counts=counts,
        exists=lambda name: Path(name).exists(),
        restore_target=str(tmp_path / "restored.db"),
        expected=dict(SEED_ROWS),
    )


def _postgres_source(url: str, name: str) -> Source:
    import psycopg

    parsed = make_url(url)
    where = {"host": parsed.host, "port": parsed.port, "user": parsed.username}

    def connect(dbname: str):
        return psycopg.connect(**where, dbname=dbname, autocommit=True)

    with connect(parsed.database) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}"')
    with connect(name) as c:
        c.execute("CREATE SCHEMA sales")
        for table, rows in SEED_ROWS.items():
            c.execute(f"CREATE TABLE sales.{table} (id serial PRIMARY KEY, note text)")
            c.execute(
                f"INSERT INTO sales.{table} (note) SELECT 'x' FROM generate_series(1, {rows})"
            )
        c.execute("CREATE TABLE public.settings (k text PRIMARY KEY, v jsonb)")
        c.execute("""INSERT INTO settings VALUES ('a', '{"b": 1}'), ('c', 'null')""")

    def counts(dbname: str) -> dict[str, int]:
        with connect(dbname) as c:
            tables = c.execute(
                "SELECT schemaname, tablename FROM pg_tables "
                "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
            ).fetchall()
            return {
                f"{s}.{t}": c.execute(f'SELECT count(*) FROM "{s}"."{t}"').fetchone()[0]
                for s, t in tables
            }

    def exists(dbname: str) -> bool:
        with connect(parsed.database) as c:
            return bool(
                c.execute("SELECT 1 FROM pg_database WHERE datname=%s", (dbname,)).fetchone()
            )

    def databases() -> list[str]:
        with connect(parsed.database) as c:
            return [r[0] for r in c.execute("SELECT datname FROM pg_database")]

    expected = {f"sales.{t}": n for t, n in SEED_ROWS.items()} | {"public.settings": 2}
    return Source(
        engine="postgresql",
        settings={"engine": "postgresql", **where, "database": name},
        counts=counts,
        exists=exists,
        restore_target=f"{name}_restored",
        expected=expected,
        databases=databases,
    )


def _mariadb_source(server, name: str) -> Source:
    server.root_sql(f"DROP DATABASE IF EXISTS {name}; CREATE DATABASE {name}")
    for table, rows in SEED_ROWS.items():
        values = ", ".join(["('x')"] * rows)
        insert = f"INSERT INTO {table} (note) VALUES {values};" if rows else ""
        server.root_sql(
            f"CREATE TABLE {table} (id INT AUTO_INCREMENT PRIMARY KEY, note TEXT) ENGINE=InnoDB;"
            + insert,
            name,
        )
    server.root_sql("CREATE PROCEDURE touch() SELECT 1", name)

    def counts(dbname: str) -> dict[str, int]:
        tables = server.root_sql("SHOW TABLES", dbname).split()
        return {t: int(server.root_sql(f"SELECT COUNT(*) FROM `{t}`", dbname)) for t in tables}

    def exists(dbname: str) -> bool:
        return dbname in server.root_sql("SHOW DATABASES").split()

    return Source(
        engine="mariadb",
        settings={
            "engine": "mariadb",
            "host": server.host,
            "port": server.port,
            "user": server.user,
            "password": "env:TEST_MARIADB_PASSWORD",
            "database": name,
        },
        counts=counts,
        exists=exists,
        restore_target=f"{name}_restored",
        expected=dict(SEED_ROWS),
        secret=server.password,
        databases=lambda: server.root_sql("SHOW DATABASES").split(),
    )


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def source(request, tmp_path, monkeypatch) -> Source:
    name = f"shop_{abs(hash(request.node.name)) % 10**8}"
    if request.param == "sqlite":
        return _sqlite_source(tmp_path)
    if request.param == "postgresql":
        return _postgres_source(request.getfixturevalue("postgres_url"), name)
    server = request.getfixturevalue("mariadb_server")
    monkeypatch.setenv("TEST_MARIADB_PASSWORD", server.password)
    return _mariadb_source(server, name)


def write_inventory(tmp_path: Path, settings: dict, **extra) -> Path:
    entry = {**settings, "destination": str(tmp_path / "backups"), **extra}
    path = tmp_path / "inventory.yaml"
    path.write_text(yaml.safe_dump({"databases": {"shop": entry}}))
    return path


def records_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'records.db'}"


def test_backup_verify_and_restore_give_the_source_row_counts(source, tmp_path):
    inv, db = str(write_inventory(tmp_path, source.settings)), records_url(tmp_path)
    code, out = inspect("backup", "run", "-i", inv, "--db", db)
    assert code == 0, out
    (record,) = BackupStore(open_store(db).engine).backups("db", ["shop"])
    artifact = Path(record.path)
    assert record.ok and artifact.parent == tmp_path / "backups"
    assert artifact.stat().st_mode & 0o777 == 0o600
    assert not [p for p in artifact.parent.iterdir() if p.name.endswith(".partial")]
    manifest = json.loads(Path(f"{artifact}.manifest.json").read_text())
    assert manifest["sha256"] == record.sha256 and manifest["size"] == artifact.stat().st_size
    assert manifest["tables"] == source.expected
    assert manifest["tools"] and manifest["source"]["engine"] == source.engine

    code, out = inspect("backup", "verify", "-i", inv, "--db", db)
    assert code == 0, out
    assert "counts match" in out

    code, out = inspect("backup", "restore", "shop", "--to", source.restore_target, "-i", inv,
                        "--db", db)  # fmt: skip
    assert code == 0, out
    restored = source.counts(source.restore_target)
    assert {k: v for k, v in restored.items() if k in source.expected} == source.expected

    code, out = inspect("backup", "restore", record.id, "--to", source.restore_target, "-i", inv,
                        "--db", db)  # fmt: skip
    assert code == 3 and "already exists" in out and "--force" in out
    code, out = inspect("backup", "restore", record.id, "--to", source.restore_target, "--force",
                        "-i", inv, "--db", db)  # fmt: skip
    assert code == 0, out

    if source.secret:
        stored = Path(db.removeprefix("sqlite:///")).read_bytes()
        assert source.secret.encode() not in stored
        assert source.secret not in json.dumps(manifest)


def test_corrupted_backup_is_a_critical_finding_and_forces_the_next_backup(source, tmp_path):
    inv, db = str(write_inventory(tmp_path, source.settings)), records_url(tmp_path)
    assert inspect("backup", "run", "-i", inv, "--db", db)[0] == 0
    code, out = inspect("backup", "run", "--due", "-i", inv, "--db", db)
    assert code == 0 and "not due" in out
    catalogue = BackupStore(open_store(db).engine)
    (record,) = catalogue.backups("db", ["shop"])
    artifact = Path(record.path)
    data = bytearray(artifact.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 8] = bytes(b ^ 0xFF for b in data[middle : middle + 8])
    artifact.write_bytes(bytes(data))

    code, out = inspect("backup", "verify", "-i", inv, "--db", db)
    assert code == int(Status.CRITICAL), out
    assert "sha256" in out
    run = open_store(db).list_runs(limit=1)[0]
    (finding,) = open_store(db).get_run(run.id).findings
    assert (finding.target, finding.check, finding.subject) == ("shop", "backup", "verify")
    assert finding.status == Status.CRITICAL

    code, out = inspect("backup", "run", "--due", "-i", inv, "--db", db)
    assert code == 0 and "backed up" in out
    assert len(catalogue.backups("db", ["shop"])) == 2


def test_a_restore_that_loses_rows_fails_verification(source, tmp_path):
    """What the source held at dump time is the yardstick (rows written but not dumped)."""
    inv, db = str(write_inventory(tmp_path, source.settings)), records_url(tmp_path)
    assert inspect("backup", "run", "-i", inv, "--db", db)[0] == 0
    engine = open_store(db).engine
    (record,) = BackupStore(engine).backups("db", ["shop"])
    table = next(t for t in record.manifest["tables"] if t.endswith("orders"))
    manifest = {**record.manifest, "tables": {**record.manifest["tables"], table: 6}}
    with engine.begin() as conn:
        from records.backups_schema import BackupRow

        conn.execute(BackupRow.__table__.update().values(manifest=manifest))
    code, out = inspect("backup", "verify", "-i", inv, "--db", db)
    assert code == 2
    assert f"table {table}: 5 rows restored, 6 at dump time" in out


@pytest.mark.parametrize("source", ["postgresql", "mariadb"], indirect=True)
def test_scratch_databases_are_dropped_after_verify(source, tmp_path):
    inv, db = str(write_inventory(tmp_path, source.settings)), records_url(tmp_path)
    assert inspect("backup", "run", "-i", inv, "--db", db)[0] == 0
    before = set(source.databases())
    assert inspect("backup", "verify", "-i", inv, "--db", db)[0] == 0
    assert set(source.databases()) == before
