"""Damaged state on disk: records databases and export spools.

A damaged file is one line naming it (exit 3), never a traceback, never silently rebuilt or
written to; what is intact is still used.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli

INVENTORY = "hosts:\n  localhost: {address: localhost}\n"
PAGE = 4096

ROOT = Path(__file__).resolve().parents[1]


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def good_database(tmp_path_factory) -> Path:
    """A real records database with runs and tickets, checkpointed into one file."""
    base = tmp_path_factory.mktemp("good")
    inventory = base / "inventory.yaml"
    inventory.write_text(
        INVENTORY + "profiles:\n  standard:\n    checks:\n"
        "      disk.used_percent: {warning: 0.001, critical: 0.002}\n"
    )
    path = base / "records.db"
    for _ in range(2):
        assert invoke("run", "-i", str(inventory), "--db", f"sqlite:///{path}").exit_code == 2
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return path


def _garbage(data: bytes) -> bytes:
    return random.Random(1).randbytes(len(data))


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _pages_overwritten(data: bytes) -> bytes:
    """Every page after the schema's first one overwritten: the header still says SQLite."""
    noise = random.Random(2)
    damaged = bytearray(data)
    for start in range(PAGE, len(data), PAGE):
        damaged[start : start + PAGE] = noise.randbytes(PAGE)
    return bytes(damaged)


DAMAGE = {"garbage": _garbage, "truncated": _truncated, "pages": _pages_overwritten}
COMMANDS = {
    "records list": ("records", "list"),
    "ticket list": ("ticket", "list"),
    "plan": ("records", "plan"),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_database_is_one_line_exit_3_and_left_byte_identical(
    damage, good_database, tmp_path
):
    path = tmp_path / "records.db"
    path.write_bytes(DAMAGE[damage](good_database.read_bytes()))
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    url = f"sqlite:///{path}"
    for name, args in COMMANDS.items():
        result = invoke(*args, "--db", url)
        assert result.exit_code == 3, (name, result.output)
        assert result.output.count("\n") == 1, (name, result.output)
        assert result.output.startswith(f"inspect: error: database {path} is not a valid SQLite")
        assert "damaged" in result.output
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(INVENTORY)
    run = invoke("run", "-i", str(inventory), "--db", url, "-f", "json")
    assert run.exit_code == 3
    printed, error = run.output.rsplit("}\n", 1)[0] + "}", run.output.rsplit("}\n", 1)[1]
    assert json.loads(printed)["run"]["targets"] == ["localhost"]  # inspected all the same
    assert error.startswith(f"inspect: error: database {path} is not a valid SQLite")
    assert "this run was not stored" in error and "--no-store" in error
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inventory.yaml", "records.db"]


def test_records_tables_without_a_schema_version_are_not_migrated_over(good_database, tmp_path):
    path = tmp_path / "records.db"
    shutil.copy(good_database, path)
    connection = sqlite3.connect(path)
    connection.execute("DROP TABLE alembic_version")
    connection.commit()
    connection.close()
    before = path.read_bytes()
    result = invoke("records", "list", "--db", f"sqlite:///{path}")
    assert result.exit_code == 3
    assert result.output == (
        f"inspect: error: database sqlite:///{path} has records tables but no schema version: "
        "not an opsinspect database, or damaged; left untouched\n"
    )
    assert path.read_bytes() == before


def test_tables_of_another_area_without_a_schema_version_are_not_migrated_over(
    good_database, tmp_path
):
    """`records list` loads only the run tables; the check must still see every area's."""
    path = tmp_path / "records.db"
    shutil.copy(good_database, path)
    connection = sqlite3.connect(path)
    kept = {"tickets"}
    names = [r[0] for r in connection.execute("select name from sqlite_master where type='table'")]
    for name in names:
        if name not in kept:
            connection.execute(f'DROP TABLE "{name}"')
    connection.commit()
    connection.close()
    before = path.read_bytes()
    done = subprocess.run([sys.executable, "-m", "cli", "records", "list", "--db",
                           f"sqlite:///{path}"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 3, done.stderr
    assert "has records tables but no schema version" in done.stderr
    assert path.read_bytes() == before


def test_an_empty_file_is_a_new_database(tmp_path):
    """What a crash between creating the file and the schema leaves: safe to build on."""
    path = tmp_path / "records.db"
    path.touch()
    assert invoke("records", "list", "--db", f"sqlite:///{path}").exit_code == 0


def test_a_spool_with_damaged_batches_sends_the_intact_ones_and_sets_the_bad_aside(
    victoriametrics, tmp_path, caplog
):
    from agent.export.influx import Exporter
    from settings.agent_spec import ExportSpec
    from tests.test_agent_export import T0, samples

    target = f"t{random.Random().getrandbits(32):08x}"
    spool_dir = tmp_path / "spool"
    exporter = Exporter(ExportSpec(url=victoriametrics.url, spool_dir=str(spool_dir)))
    for hour in range(4):  # four batches of ten points
        exporter.enqueue(samples(target, 10, T0 + timedelta(hours=hour)))
    first, torn, overwritten, last = exporter.spool.batches()
    torn.write_bytes(torn.read_bytes()[:-9])  # the gzip trailer (CRC, length) lost
    overwritten.write_bytes(random.Random(3).randbytes(len(overwritten.read_bytes())))
    bad = {torn.name: torn.read_bytes(), overwritten.name: overwritten.read_bytes()}
    result = exporter.flush(patience=5)
    assert (result.sent_points, result.left_batches) == (20, 0)
    assert victoriametrics.wait_for_count(f'{{target="{target}"}}', 20) == 20
    kept = {p.name: p.read_bytes() for p in (spool_dir / "rejected").iterdir()}
    assert kept == bad  # set aside as they were, for a look
    for name in bad:
        assert f"spool batch {name} (10 point(s)) is damaged" in caplog.text


def test_temporary_spool_files_of_dead_writers_are_removed_on_open(tmp_path):
    import os
    import subprocess
    import sys

    from agent.spool import Spool

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    spool = tmp_path / "spool"
    spool.mkdir()
    orphan = spool / f".{dead.stdout.strip()}.0001-9-000001-5.lp.gz.tmp"
    in_flight = spool / f".{os.getpid()}.0002-9-000001-5.lp.gz.tmp"  # a live writer's
    orphan.write_bytes(b"half a batch")
    in_flight.write_bytes(b"being written")
    Spool(spool, 1 << 20)
    assert not orphan.exists() and in_flight.exists()


def test_damage_met_mid_run_still_prints_the_run_and_stores_nothing(good_database, tmp_path):
    """The file opens (schema and version intact); the previous run's samples are damaged."""
    path = tmp_path / "records.db"
    shutil.copy(good_database, path)
    connection = sqlite3.connect(path)
    (root,) = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'samples'")
    connection.close()
    data = bytearray(path.read_bytes())
    start = (root[0] - 1) * PAGE
    data[start : start + PAGE] = random.Random(4).randbytes(PAGE)
    path.write_bytes(data)
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(INVENTORY)
    run = invoke("run", "-i", str(inventory), "--db", f"sqlite:///{path}")
    assert run.exit_code == 3
    *table, error = run.output.rstrip("\n").split("\n")
    assert any("localhost" in line for line in table)  # the findings, printed
    assert error.startswith(f"inspect: error: database {path} is not a valid SQLite database")
    assert error.endswith("this run was not stored (--no-store runs without it)")
    assert path.read_bytes() == data
