"""A real `inspect serve` on a free port, on a SQLite store holding one real inspection: web01
(this machine, under a profile whose disk threshold every filesystem crosses) is CRITICAL, and
the run opened its tickets. Users of every role are made with the real `inspect user add`."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.services import free_port, port_open, wait_until

PASSWORD = "correct horse battery"
USERS = {"duty1": "duty", "eng1": "engineer", "boss": "manager", "root1": "admin"}
INVENTORY = """\
groups:
  core: {}
hosts:
  web01:
    address: localhost
    profile: strict
    groups: [core]
profiles:
  strict:
    checks:
      disk.used_percent: {warning: "0.001", critical: "0.002"}
tickets: {open_after: 1, calendar: {timezone: Asia/Shanghai}}
databases:
  appdb: {engine: sqlite, path: app.db, destination: dumps}
config_backups: {repository: configs}
"""
# A real recorded device config (tests/fixtures), committed twice with one line changed.
RECORDED_CONFIG = Path(__file__).resolve().parents[1] / "fixtures/configs/cisco_ios"


@dataclass(frozen=True)
class Console:
    url: str
    db: str
    inventory: Path
    env: dict[str, str]

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "cli", *args, "-i", str(self.inventory), "--db", self.db],
            input=stdin, capture_output=True, text=True, env=self.env, timeout=120,
        )


def _two_config_revisions(repository: Path) -> None:
    from backup.config import ConfigRepository

    text = next(p for p in sorted(RECORDED_CONFIG.iterdir()) if p.is_file()).read_text()
    repo = ConfigRepository(repository)
    repo.save("sw01", text, datetime(2026, 12, 1, tzinfo=UTC))
    changed = text.replace("hostname ", "hostname changed-", 1) + "\n! console test\n"
    repo.save("sw01", changed, datetime(2026, 12, 2, tzinfo=UTC))


@pytest.fixture(scope="session")
def console_server() -> Iterator[Console]:
    work = Path(tempfile.mkdtemp(prefix="opsinspect-console-"))
    inventory = work / "inventory.yaml"
    inventory.write_text(INVENTORY)
    db = f"sqlite:///{work / 'records.db'}"
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root), "HOME": str(work), "INSPECT_USER": "zhang.wei"}
    port = free_port()
    console = Console(f"http://127.0.0.1:{port}", db, inventory, env)
    sqlite3.connect(work / "app.db").executescript(
        "CREATE TABLE IF NOT EXISTS orders (id INTEGER PRIMARY KEY, item TEXT);"
        "INSERT INTO orders (item) VALUES ('router');"
    )
    for step in (("backup", "run", "--kind", "db"), ("backup", "verify", "--kind", "db")):
        done = console.cli(*step)
        assert done.returncode == 0, done.stdout + done.stderr
    _two_config_revisions(work / "configs")
    ran = console.cli("run")
    assert ran.returncode == 2, ran.stdout + ran.stderr  # CRITICAL, as the profile makes it
    for name, role in USERS.items():
        added = console.cli("user", "add", name, "--role", role, "--password-stdin",
                            stdin=PASSWORD + "\n")
        assert added.returncode == 0, added.stderr
    log = (work / "serve.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--bind", f"127.0.0.1:{port}",
         "-i", str(inventory), "--db", db],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        wait_until(lambda: port_open(port) or server.poll() is not None, 60, "inspect serve")
        if server.poll() is not None:
            raise RuntimeError((work / "serve.log").read_text()[-2000:])
        yield console
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
