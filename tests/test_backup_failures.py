"""A backup that dies (killed, disk full, wrong password, busy) leaves nothing that looks valid."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from backup.artifact import exclusive
from backup.db.dump import run_backup
from backup.db.verify import verify_backup
from core.backups import Database
from core.status import Status
from records import open_store
from records.backups import BackupStore
from tests.test_backup_db import inspect, records_url, write_inventory

WORKTREE = Path(__file__).resolve().parent.parent


def visible_files(directory: Path) -> list[str]:
    """What a person or a restore script would take for a backup: anything not hidden."""
    return sorted(p.name for p in directory.iterdir() if not p.name.startswith("."))


def big_sqlite(path: Path, megabytes: int) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB)")
    conn.executemany("INSERT INTO blobs (data) VALUES (randomblob(1048576))", [()] * megabytes)
    conn.commit()
    conn.close()


def test_a_killed_backup_run_leaves_no_valid_looking_file(tmp_path):
    big_sqlite(tmp_path / "big.db", 6)
    inv = write_inventory(tmp_path, {"engine": "sqlite", "path": str(tmp_path / "big.db")})
    dest, db = tmp_path / "backups", records_url(tmp_path)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from cli.main import main; main()",
            "backup",
            "run",
            "-i",
            str(inv),
            "--db",
            db,
        ],  # fmt: skip
        cwd=WORKTREE,
        env={**os.environ, "PYTHONPATH": str(WORKTREE)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        partial = list(dest.glob(".shop-*.sqlite.gz.partial")) if dest.exists() else []
        if partial and partial[0].stat().st_size > 0:
            break
        time.sleep(0.005)
    assert proc.poll() is None, "the backup finished before it could be killed; use more data"
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    assert visible_files(dest) == []
    assert [b for b in BackupStore(open_store(db).engine).backups() if b.ok] == []

    code, out = inspect("backup", "run", "-i", str(inv), "--db", db)
    assert code == 0, out
    assert [p.name for p in dest.iterdir() if p.name.endswith(".partial")] == []
    assert len(visible_files(dest)) == 2  # the dump and its manifest


@pytest.fixture
def tiny_disk(tmp_path):
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs to fill (tests run as root): {done.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_fails_the_backup_cleanly(mariadb_server, tiny_disk, tmp_path, monkeypatch):
    mariadb_server.root_sql("DROP DATABASE IF EXISTS bulky; CREATE DATABASE bulky")
    mariadb_server.root_sql(
        "CREATE TABLE t (id INT PRIMARY KEY, pad BLOB);"
        "INSERT INTO t SELECT seq, RANDOM_BYTES(1024) FROM seq_1_to_1000",
        "bulky",
    )
    monkeypatch.setenv("TEST_MARIADB_PASSWORD", mariadb_server.password)
    settings = {
        "engine": "mariadb",
        "host": mariadb_server.host,
        "port": mariadb_server.port,
        "user": mariadb_server.user,
        "password": "env:TEST_MARIADB_PASSWORD",
        "database": "bulky",
    }
    inv = str(write_inventory(tmp_path, settings, destination=str(tiny_disk)))
    db = records_url(tmp_path)
    code, out = inspect("backup", "run", "-i", inv, "--db", db)
    assert code == int(Status.CRITICAL), out
    assert "No space left on device" in out
    assert visible_files(tiny_disk) == []
    assert [p.name for p in tiny_disk.iterdir() if p.name.endswith(".partial")] == []
    (record,) = BackupStore(open_store(db).engine).backups()
    assert record.status == "failed" and record.path == ""


def test_a_killed_dump_program_fails_the_backup(postgres_url, tmp_path):
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(postgres_url)
    where = {"host": url.host, "port": url.port, "user": url.username}
    with psycopg.connect(**where, dbname=url.database, autocommit=True) as c:
        c.execute("DROP DATABASE IF EXISTS bulky WITH (FORCE)")
        c.execute("CREATE DATABASE bulky")
    with psycopg.connect(**where, dbname="bulky", autocommit=True) as c:
        c.execute(
            "CREATE TABLE t AS SELECT g AS id, md5(g::text) AS pad "
            "FROM generate_series(1, 150000) g"
        )
    db = Database(name="bulky", engine="postgresql", destination=tmp_path / "b", database="bulky",
                  **where)  # fmt: skip

    def kill_pg_dump() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            for child in psutil.Process().children(recursive=True):
                try:
                    if "-Fc" in child.cmdline():  # the dump itself, not `pg_dump --version`
                        time.sleep(0.05)
                        child.kill()
                        return
                except psutil.Error:
                    continue  # a short-lived helper that already exited
            time.sleep(0.002)

    killer = threading.Thread(target=kill_pg_dump)
    killer.start()
    record = run_backup(db)
    killer.join()
    assert record.status == "failed"
    assert "pg_dump was killed by signal SIGKILL" in record.error
    assert visible_files(tmp_path / "b") == []


def test_a_wrong_password_fails_without_showing_it(mariadb_server, tmp_path, monkeypatch):
    monkeypatch.setenv("WRONG_PASSWORD", "not-the-Password-42")
    db = Database(
        name="shop",
        engine="mariadb",
        destination=tmp_path / "b",
        host=mariadb_server.host,
        port=mariadb_server.port,
        user=mariadb_server.user,
        password="env:WRONG_PASSWORD",
        database="mysql",
    )
    record = run_backup(db)
    assert record.status == "failed"
    assert "Access denied" in record.error
    assert "not-the-Password-42" not in record.error


def test_a_second_backup_of_the_same_source_waits_for_nobody(tmp_path):
    big_sqlite(tmp_path / "app.db", 1)
    db = Database(name="app", engine="sqlite", destination=tmp_path / "b", path=tmp_path / "app.db")
    with exclusive(db.destination, "app"):
        record = run_backup(db)
    assert record.status == "failed" and "another backup of app is running" in record.error
    assert run_backup(db).ok


def test_the_postgresql_password_reaches_pg_dump_but_never_its_argv(postgres_url, tmp_path,
                                                                     monkeypatch):  # fmt: skip
    import psycopg
    from sqlalchemy.engine import make_url

    from tests.services.postgres import PASSWORD_ROLE

    url = make_url(postgres_url)
    password = "Pg-s3cret-for-backup"
    with psycopg.connect(host=url.host, port=url.port, user="postgres", dbname=url.database,
                         autocommit=True) as c:  # fmt: skip
        c.execute("DROP DATABASE IF EXISTS pwprobe WITH (FORCE)")
        c.execute(f"DROP ROLE IF EXISTS {PASSWORD_ROLE}")
        c.execute(f"CREATE ROLE {PASSWORD_ROLE} LOGIN CREATEDB PASSWORD '{password}'")
        c.execute(f"CREATE DATABASE pwprobe OWNER {PASSWORD_ROLE}")
    with psycopg.connect(host=url.host, port=url.port, user=PASSWORD_ROLE, password=password,
                         dbname="pwprobe", autocommit=True) as c:  # fmt: skip
        c.execute("CREATE TABLE probe (x int)")
        c.execute("INSERT INTO probe VALUES (1), (2)")
    db = Database(name="probe", engine="postgresql", destination=tmp_path / "b", host=url.host,
                  port=url.port, user=PASSWORD_ROLE, password="env:PROBE_PW",
                  database="pwprobe")  # fmt: skip

    monkeypatch.setenv("PROBE_PW", "wrong-password")
    record = run_backup(db)
    assert record.status == "failed" and "password authentication failed" in record.error
    assert "wrong-password" not in record.error

    monkeypatch.setenv("PROBE_PW", password)
    argvs: list[list[str]] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            for child in psutil.Process().children(recursive=True):
                try:
                    argvs.append(child.cmdline())
                except psutil.Error:
                    continue
            time.sleep(0.001)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        record = run_backup(db)
    finally:
        stop.set()
        watcher.join()
    assert record.ok, record.error
    assert record.manifest["tables"] == {"public.probe": 2}
    assert any("-Fc" in argv for argv in argvs)
    assert not any(password in " ".join(argv) for argv in argvs)
    assert verify_backup(db, record).ok  # pg_restore authenticates the same way
