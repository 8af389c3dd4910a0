"""The records database under concurrent first use, and the modes of the files it creates."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from records import open_store

ROOT = Path(__file__).resolve().parents[1]
RUNS_AT_ONCE = {"sqlite": 5, "postgresql": 3}  # PostgreSQL races on its catalogue


def _fresh_postgres(postgres_url: str) -> str:
    name = f"race_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return postgres_url.rsplit("/", 1)[0] + f"/{name}"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_runs_started_at_once_on_a_new_database_all_succeed_and_are_stored(
    backend, tmp_path, request
):
    """Each process finds the schema missing; they must not all create it."""
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text("hosts:\n  localhost: {address: localhost}\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_DATA_HOME": str(tmp_path / "data")}
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'new' / 'records.db'}"
    else:
        url = _fresh_postgres(request.getfixturevalue("postgres_url"))
    command = [sys.executable, "-m", "cli", "run", "-i", str(inventory), "--db", url]
    processes = [
        subprocess.Popen(
            [*command, "-f", "json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        for _ in range(RUNS_AT_ONCE[backend])
    ]
    ids = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode in (0, 1, 2), err  # the run's status, never 3
        assert err == ""
        ids.append(json.loads(out)["run"]["id"])
    stored = {r.id for r in open_store(url).list_runs(limit=100)}
    assert stored == set(ids)


def test_a_new_database_and_its_wal_files_are_private(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'deep' / 'records.db'}")
    with store.engine.connect() as connection:  # an open connection keeps -wal and -shm
        connection.execute(text("SELECT count(*) FROM runs"))
        files = sorted((tmp_path / "deep").iterdir())
        assert [f.name for f in files] == ["records.db", "records.db-shm", "records.db-wal"]
        for file in files:
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    assert stat.S_IMODE((tmp_path / "deep").stat().st_mode) == 0o700
