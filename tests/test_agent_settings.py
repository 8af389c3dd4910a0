"""Inventory keys of the agent (schedules, export, central) and the commands that show its work."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from core.errors import UserError
from settings.inventory import load

ROOT = Path(__file__).resolve().parents[1]


def inspect_cli(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "XDG_DATA_HOME": str(home / "data"), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "cli", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "inventory.yaml"
    path.write_text(textwrap.dedent(text))
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "schedules:\n  m:\n    cron: '0 25 * * *'\n",
            "inventory.yaml:3: schedules.m.cron: cron hour: '25' is outside 0-23",
        ),
        (
            "schedules:\n  m:\n    every: soon\n",
            "inventory.yaml:3: schedules.m.every: expected a duration such as 90s, 30m",
        ),
        ("schedules:\n  m: {profile: standard}\n", "give exactly one of `cron` or `every`"),
        (
            "hosts:\n  a: {}\nschedules:\n  m:\n    every: 1h\n    groups: [web]\n",
            "inventory.yaml:6: schedules.m.groups.0: unknown group 'web'",
        ),
        (
            "schedules:\n  m:\n    cron: '0 8 * * *'\n    timezone: Mars/Base\n",
            "inventory.yaml:4: schedules.m.timezone: unknown time zone 'Mars/Base'",
        ),
        (
            "export:\n  url: http://tsdb:8086\n  token: hunter2\n",
            "inventory.yaml:3: export.token: expected a credential reference",
        ),
        (
            "central:\n  url: https://ops:8000\n  token: hunter2\n",
            "inventory.yaml:3: central.token: expected a credential reference",
        ),
        (
            "central:\n  url: ops.example:8000\n  token: env:PATH\n",
            "inventory.yaml:2: central.url: expected the server's http:// or https:// address",
        ),
        (
            "central:\n  url: https://admin:hunter2@ops\n  token: env:PATH\n",
            "inventory.yaml:2: central.url: no user:password@ in the address",
        ),
        ("central:\n  url: https://ops\n", "central: `url` and `token` go together"),
        (
            "central:\n  url: https://ops\n  token: env:PATH\n  outbox_limit_mb: 0\n",
            "inventory.yaml:4: central.outbox_limit_mb: expected a number of megabytes",
        ),
    ],
)
def test_bad_agent_settings_name_file_line_and_key(tmp_path, text, message):
    with pytest.raises(UserError) as caught:
        load(write(tmp_path, text))
    assert message in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_agent_settings_load(tmp_path, monkeypatch):
    monkeypatch.setenv("INFLUX_TOKEN", "t0ken")
    inv = load(
        write(
            tmp_path,
            """\
            hosts:
              web01: {address: 10.0.0.5, groups: [web]}
            groups: {web: {}}
            schedules:
              web-hourly: {every: 1h, groups: [web], splay: 5m}
            export: {url: "http://127.0.0.1:8428", token: "env:INFLUX_TOKEN", batch_size: 10000}
            """,
        )
    )
    assert inv.schedules["web-hourly"].splay == timedelta(minutes=5)  # parsed once, at load
    assert inv.export.token == "env:INFLUX_TOKEN" and inv.export.batch_size == 10000


def test_bad_schedule_stops_the_agent_with_one_line(tmp_path):
    path = write(tmp_path, "schedules:\n  m:\n    cron: '61 * * * *'\n")
    result = inspect_cli("agent", "--once", "-i", str(path), home=tmp_path)
    assert result.returncode == 3
    assert result.stderr == (
        "inspect: error: inventory.yaml:3: schedules.m.cron: cron minute: '61' is outside 0-59\n"
    )


def test_plan_and_status_show_done_and_next_runs(tmp_path):
    path = write(tmp_path, "hosts:\n  localhost: {}\nschedules:\n  often: {every: 1s}\n")
    db = f"sqlite:///{tmp_path / 'r.db'}"
    for _ in range(2):  # the first call plans the next slot, the second runs it
        ran = inspect_cli("agent", "--once", "-i", str(path), "--db", db, home=tmp_path)
        assert ran.returncode == 0, ran.stderr
        subprocess.run(["sleep", "1.1"])
    assert "job often slot" in ran.stderr and ": done in" in ran.stderr
    shown = inspect_cli("records", "plan", "--db", db, "-f", "json", home=tmp_path)
    plan = json.loads(shown.stdout)
    done = [s for s in plan["slots"] if s["state"] == "done"]
    assert plan["done"] == len(done) == 1 and done[0]["run_id"]
    table = inspect_cli("records", "plan", "--db", db, home=tmp_path).stdout
    assert done[0]["run_id"] in table and "completion" in table
    status = inspect_cli(
        "agent", "status", "-i", str(path), "--db", db, "-f", "json", home=tmp_path
    )
    (job,) = json.loads(status.stdout)["jobs"]
    assert job["last_state"] == "done" and job["last_run_id"] == done[0]["run_id"]
    assert job["next_slot"] and json.loads(status.stdout)["agent"]["running"] is False


def test_inspect_run_exports_samples_when_export_is_configured(tmp_path, victoriametrics):
    target = f"run-{uuid.uuid4().hex[:8]}"
    path = write(
        tmp_path,
        f"hosts:\n  {target}: {{address: 127.0.0.1}}\n"
        f"export:\n  url: {victoriametrics.url}\n  spool_dir: {tmp_path / 'spool'}\n",
    )
    db = f"sqlite:///{tmp_path / 'r.db'}"
    result = inspect_cli("run", "-i", str(path), "--db", db, "-f", "json", home=tmp_path)
    assert result.returncode in (0, 1, 2), result.stderr
    assert "warning: export" not in result.stderr
    assert list((tmp_path / "spool").glob("*.lp.gz")) == []
    from records import open_store

    samples = open_store(db).get_run(json.loads(result.stdout)["run"]["id"]).samples
    assert victoriametrics.wait_for_count(f'{{target="{target}"}}', len(samples)) == len(samples)
