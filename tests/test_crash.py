"""SIGKILL at random moments: `inspect run`, `inspect backup run` and the agent, side by side on
one records database, each killed over and over (seeded, so a failure replays).

Then a clean round, and what a user relies on: the database passes integrity_check, every
stored run is whole, no fingerprint has two open tickets, every plan slot tells the truth
about its run, every catalogued backup is its file, and no partial file is left behind.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from backup.artifact import sha256_file
from records import open_store
from records.backups import BackupStore
from records.plan import Plan
from tests.services import wait_until

ROOT = Path(__file__).resolve().parents[1]
SEED = 20261207
# lane: command, processes killed. Each is killed at a random moment of the life its lane's
# first, uncut, process took (a little past it, so some finish). 45-90 s on two busy cores.
LANES = {"run": ("run", 14), "backup": ("backup", 19), "agent": ("agent", 17)}
AGENT_LIFE = 4.0  # its start and a job or two


def _inventory(base: Path, export_url: str) -> Path:
    source = base / "app.db"
    connection = sqlite3.connect(source)
    connection.execute("CREATE TABLE t (x)")
    connection.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(2000)])
    connection.commit()
    connection.close()
    path = base / "inventory.yaml"
    path.write_text(
        "hosts:\n  localhost: {address: localhost}\n"
        "profiles:\n  standard:\n    checks:\n"
        "      disk.used_percent: {warning: 0.001, critical: 0.002}\n"  # tickets open
        "schedules:\n  often: {every: 1s, grace: 1h}\n"
        f"export: {{url: '{export_url}', spool_dir: {base / 'spool'}, "
        "metrics_every: 1s}\n"
        "databases:\n"
        f"  app: {{engine: sqlite, path: {source}, destination: {base / 'backups'}, "
        "every: 1s}\n"
    )
    return path


class Lab:
    def __init__(self, base: Path, export_url: str) -> None:
        self.base = base
        self.inventory = _inventory(base, export_url)
        self.db = f"sqlite:///{base / 'records.db'}"
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_DATA_HOME": str(base / "data")}
        self.kills = 0
        self._lock = threading.Lock()

    def command(self, kind: str) -> list[str]:
        common = ["-i", str(self.inventory), "--db", self.db]
        return {
            "run": [sys.executable, "-m", "cli", "run", *common],
            "backup": [sys.executable, "-m", "cli", "backup", "run", "--kind", "db", *common],
            "agent": [sys.executable, "-m", "cli", "agent", *common],
        }[kind]

    def start(self, kind: str, log: Path) -> subprocess.Popen:
        with open(log, "ab") as err:
            return subprocess.Popen(
                self.command(kind),
                stdout=subprocess.DEVNULL,
                stderr=err,
                env=self.env,
                cwd=self.base,
                start_new_session=True,  # a kill here never reaches the test runner
            )

    def lane(self, name: str, kind: str, kills: int) -> None:
        chance = random.Random(f"{SEED}-{name}")
        life = AGENT_LIFE
        if kind != "agent":
            began = time.monotonic()
            self.start(kind, self.base / f"{name}.log").wait(120)
            life = time.monotonic() - began
        killed = 0
        while killed < kills:
            process = self.start(kind, self.base / f"{name}.log")
            try:
                process.wait(chance.uniform(0.05, 1.1) * life)
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGKILL)
                process.wait()
                killed += 1
        with self._lock:
            self.kills += killed


@pytest.mark.slow
@pytest.mark.slow
def test_sigkill_at_random_moments_loses_and_corrupts_nothing(tmp_path, victoriametrics):
    lab = Lab(tmp_path, victoriametrics.url)
    lanes = [
        threading.Thread(target=lab.lane, args=(name, *spec), name=name)
        for name, spec in LANES.items()
    ]
    for lane in lanes:
        lane.start()
    for lane in lanes:
        lane.join()
    assert lab.kills >= 50

    # a clean round: each command once to its end, the agent stopped the polite way
    for kind in ("run", "backup"):
        done = subprocess.run(lab.command(kind), env=lab.env, cwd=tmp_path, capture_output=True)
        assert done.returncode in (0, 1, 2), done.stderr
        assert b"Traceback" not in done.stderr
    agent = lab.start("agent", tmp_path / "agent-final.log")
    log = (tmp_path / "agent-final.log").read_text
    wait_until(lambda: "agent started" in log(), 60, "the agent")
    agent.send_signal(signal.SIGTERM)
    assert agent.wait(60) == 0, log()

    with sqlite3.connect(tmp_path / "records.db") as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        open_tickets = connection.execute(
            "SELECT fingerprint, count(*) FROM tickets WHERE state != 'closed' "
            "GROUP BY fingerprint HAVING count(*) > 1"
        ).fetchall()
        assert open_tickets == []
    store = open_store(lab.db)
    runs = [store.get_run(r.id) for r in store.list_runs(limit=10_000)]
    inspections = [r for r in runs if r.trigger in ("manual", "schedule")]
    assert len(inspections) >= 3
    for run in inspections:  # whole or absent: every target judged, its samples there
        assert run.targets == ("localhost",) and run.samples and run.findings, run.id
        assert {f.target for f in run.findings} == {"localhost"}

    plan = Plan(store.engine).between(*_span(runs))
    assert plan and not [e for e in plan if e.state == "running"]
    done = {e.run_id for e in plan if e.state == "done"}
    scheduled = {r.id for r in runs if r.trigger == "schedule"}
    assert scheduled == done  # every slot true: done exactly when its run is stored

    backups = BackupStore(store.engine).backups("db", ["app"])
    assert [b for b in backups if b.ok]
    for record in backups:
        if record.ok and record.pruned_at is None:
            assert sha256_file(Path(record.path)) == record.sha256, record.id
    leftovers = [p for p in (tmp_path / "backups").rglob(".*") if p.name.endswith(".partial")]
    assert leftovers == []
    assert list((tmp_path / "spool").glob(".*.tmp")) == []
    for log_file in tmp_path.glob("*.log"):
        assert "Traceback" not in log_file.read_text(), log_file


def _span(runs):
    from datetime import timedelta

    moments = [r.started_at for r in runs]
    return min(moments) - timedelta(hours=1), max(moments) + timedelta(hours=1)
