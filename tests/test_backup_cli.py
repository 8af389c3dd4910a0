"""`inspect backup list|show|status|prune` over real SQLite backups made on a fake calendar."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from core.inventory import load
from flows.db_backups import run_db_backups, verify_db_backups
from records import open_store
from tests.test_backup_db import inspect

START = datetime(2026, 10, 1, 2, 0, tzinfo=UTC)


def setup(tmp_path: Path, retention: dict, compression: str = "gzip") -> tuple[str, str]:
    conn = sqlite3.connect(tmp_path / "app.db")
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES (1)")
    conn.commit()
    conn.close()
    entry = {
        "engine": "sqlite",
        "path": "app.db",
        "destination": "backups",
        "retention": retention,
        "compression": compression,
    }
    inv = tmp_path / "inventory.yaml"
    inv.write_text(yaml.safe_dump({"databases": {"app": entry}}))
    return str(inv), f"sqlite:///{tmp_path / 'records.db'}"


def backups_on_days(inv: str, db: str, days: int, verify_day: int | None = None) -> None:
    """One real backup per day, each made while the clock reads that day."""
    databases = tuple(load(Path(inv)).databases.values())
    store = open_store(db)
    for day in range(days):
        at = START + timedelta(days=day)
        run_db_backups(databases, store, clock=lambda at=at: at)
        if day == verify_day:
            verify_db_backups(databases, store, clock=lambda at=at: at)


def test_prune_dry_run_lists_then_prune_deletes_per_policy(tmp_path):
    inv, db = setup(tmp_path, {"keep_last": 2, "daily": 3, "weekly": 0, "monthly": 0})
    backups_on_days(inv, db, 8, verify_day=1)
    dest = tmp_path / "backups"
    files_before = sorted(p.name for p in dest.glob("app-*.sqlite.gz"))
    assert len(files_before) == 8

    code, out = inspect("backup", "prune", "--dry-run", "-i", inv, "--db", db, "-f", "json")
    assert code == 0
    decisions = {d["id"]: d for d in json.loads(out)}
    keep = {i for i, d in decisions.items() if d["keep"]}
    assert keep == {"app-20261008T020000Z", "app-20261007T020000Z", "app-20261006T020000Z",
                    "app-20261002T020000Z"}  # fmt: skip
    assert decisions["app-20261002T020000Z"]["reasons"] == ["newest verified"]
    assert sorted(p.name for p in dest.glob("app-*.sqlite.gz")) == files_before

    code, out = inspect("backup", "prune", "-i", inv, "--db", db)
    assert code == 0 and "4 backup(s) deleted" in out
    left = sorted(p.name.split(".")[0] for p in dest.glob("app-*.sqlite.gz"))
    assert set(left) == keep
    assert len(list(dest.glob("*.manifest.json"))) == 4

    code, out = inspect("backup", "list", "--db", db, "-f", "json")
    states = {b["id"]: b["status"] for b in json.loads(out)}
    assert sum(1 for s in states.values() if s == "pruned") == 4
    code, out = inspect("backup", "prune", "--dry-run", "-i", inv, "--db", db)
    assert "0 backup(s) would be deleted" in out


def test_list_show_and_status(tmp_path):
    inv, db = setup(tmp_path, {"keep_last": 3})
    backups_on_days(inv, db, 2, verify_day=1)

    code, out = inspect("backup", "list", "--db", db)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "NAME", "STARTED", "STATUS", "SIZE", "VERIFIED", "FILE"]
    assert lines[1].split()[:4] == ["app-20261002T020000Z", "app", "2026-10-02T02:00:00Z", "ok"]
    assert lines[1].split()[6] == "ok" and lines[2].split()[6] == "-"

    code, out = inspect("backup", "show", "app", "--db", db)
    assert code == 0
    assert "backup   app-20261002T020000Z (db app) ok" in out
    assert "  t: 1" in out and "verified 2026-10-02T02:00:00Z: ok" in out

    code, out = inspect("backup", "status", "-i", inv, "--db", db, "-f", "json")
    assert code == 2  # the fake calendar's last backup is weeks old: CRITICAL freshness
    results = {r["action"]: r["detail"] for r in json.loads(out)}
    assert results["freshness"].startswith("last good backup app-20261002T020000Z is")

    code, out = inspect("backup", "show", "nope", "--db", db)
    assert code == 3 and "no backup with id 'nope'" in out


def test_restore_refuses_a_damaged_backup(tmp_path):
    inv, db = setup(tmp_path, {"keep_last": 3})
    backups_on_days(inv, db, 1)
    (artifact,) = (tmp_path / "backups").glob("app-*.sqlite.gz")
    artifact.write_bytes(artifact.read_bytes()[:-10])
    code, out = inspect("backup", "restore", "app", "--to", str(tmp_path / "r.db"), "-i", inv,
                        "--db", db)  # fmt: skip
    assert code == 3 and "is damaged, not restoring" in out
    assert not (tmp_path / "r.db").exists()


def test_an_unknown_database_is_one_clear_line(tmp_path):
    inv, db = setup(tmp_path, {"keep_last": 3})
    code, out = inspect("backup", "run", "--kind", "db", "-t", "nope", "-i", inv, "--db", db)
    assert code == 3 and "unknown database 'nope' (known: app)" in out
    code, out = inspect("backup", "run", "-t", "nope", "-i", inv, "--db", db)
    assert code == 3 and "unknown device or database 'nope' (databases: app; devices: none)" in out


@pytest.mark.parametrize(("compression", "suffix"), [("zstd", ".zst"), ("none", "")])
def test_every_compression_round_trips(tmp_path, compression, suffix):
    inv, db = setup(tmp_path, {"keep_last": 3}, compression)
    assert inspect("backup", "run", "-i", inv, "--db", db)[0] == 0
    (artifact,) = (tmp_path / "backups").glob("app-*.sqlite" + suffix)
    magic = artifact.read_bytes()[:16]
    assert magic.startswith(b"\x28\xb5\x2f\xfd" if compression == "zstd" else b"SQLite format 3")
    code, out = inspect("backup", "verify", "-i", inv, "--db", db)
    assert code == 0 and "counts match" in out
    target = tmp_path / "restored.db"
    assert inspect("backup", "restore", "app", "--to", str(target), "-i", inv, "--db", db)[0] == 0
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT x FROM t").fetchall() == [(1,)]


def test_overwriting_the_live_database_backs_it_up_first(tmp_path):
    inv, db = setup(tmp_path, {"keep_last": 3})
    backups_on_days(inv, db, 1)
    live = tmp_path / "app.db"
    with sqlite3.connect(live) as conn:
        conn.execute("INSERT INTO t VALUES (2)")  # written after the backup: lost by a restore

    code, out = inspect("backup", "restore", "app", "--to", str(live), "-i", inv, "--db", db)
    assert code == 3 and "(the live database!) already exists" in out

    code, out = inspect("backup", "restore", "app-20261001T020000Z", "--to", str(live),
                        "--force", "-i", inv, "--db", db)  # fmt: skip
    assert code == 0, out
    assert "safety backup of the live database first" in out
    with sqlite3.connect(live) as conn:
        assert conn.execute("SELECT x FROM t").fetchall() == [(1,)]
    safety = out.split("first: ")[1].split()[0]
    target = tmp_path / "before-restore.db"
    assert inspect("backup", "restore", safety, "--to", str(target), "-i", inv, "--db", db)[0] == 0
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT x FROM t ORDER BY x").fetchall() == [(1,), (2,)]


def test_an_inventory_without_databases_says_so(tmp_path):
    inv = tmp_path / "inventory.yaml"
    inv.write_text("hosts: {web1: {address: 10.0.0.1}}\n")
    records = f"sqlite:///{tmp_path}/r.db"
    code, out = inspect("backup", "run", "--kind", "db", "-i", str(inv), "--db", records)
    assert code == 3 and "nothing to back up in" in out and "add a `databases:` section (" in out
    code, out = inspect("backup", "run", "-i", str(inv), "--db", records)
    assert code == 3 and "or a switch, router or firewall with a `cli:` section" in out


def test_the_catalogue_works_on_a_postgresql_records_database(tmp_path, postgres_url):
    inv, _ = setup(tmp_path, {"keep_last": 3})
    assert inspect("backup", "run", "-i", inv, "--db", postgres_url)[0] == 0
    assert inspect("backup", "verify", "-i", inv, "--db", postgres_url)[0] == 0
    code, out = inspect("backup", "show", "app", "--db", postgres_url, "-f", "json")
    shown = json.loads(out)
    assert shown["manifest"]["tables"] == {"t": 1}
    assert [v["ok"] for v in shown["verifications"]] == [True]
