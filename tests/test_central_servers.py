"""Several server processes on one PostgreSQL database (docs/central.md): two real `inspect
agent` processes on two data directories share the plan, and only one of them writes it
(records.plan.PlanLock, a PostgreSQL advisory lock); when it is killed with SIGKILL the other
takes over. Every slot is planned and run once; so is the tickets' sweep (escalation timers,
notification retries): the leader alone runs it, with no inspection in between. Two real
`inspect serve` processes serve the same tickets, and changes through both at once all land."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from records import open_store
from records.plan import DONE, Plan
from records.tickets import events, get_ticket, notifications
from tests.services import free_port, port_open, wait_until

ROOT = Path(__file__).resolve().parents[1]
INVENTORY = "hosts:\n  h0: {address: 127.0.0.1}\nschedules:\n  often:\n    every: 3s\n"
_names = itertools.count(1)


@pytest.fixture
def fresh_database(postgres_url) -> str:
    """A database of its own on the session's cluster: the plan starts empty."""
    import psycopg

    parts = urlsplit(postgres_url)
    name = f"central_{os.getpid()}_{next(_names)}"
    admin = parts._replace(scheme="postgresql", path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return parts._replace(path=f"/{name}").geturl()


class AgentProcess:
    def __init__(self, home: Path, inventory: Path, db: str) -> None:
        home.mkdir(parents=True, exist_ok=True)
        self.log = home / "agent.log"
        env = {**os.environ, "XDG_DATA_HOME": str(home / "data"), "PYTHONPATH": str(ROOT)}
        with open(self.log, "wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "cli", "agent", "-i", str(inventory), "--db", db],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err,
            )

    def stderr(self) -> str:
        return self.log.read_text()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


@contextlib.contextmanager
def leader_and_standby(tmp_path: Path, inventory: Path, db: str):
    """Two agents on one database: the first leads, the second waits as standby."""
    first = AgentProcess(tmp_path / "a", inventory, db)
    try:
        wait_until(lambda: "agent started" in first.stderr(), 60, "the first agent to lead")
        second = AgentProcess(tmp_path / "b", inventory, db)
        try:
            wait_until(lambda: "standby" in second.stderr(), 60, "the second agent to wait")
            yield first, second
        finally:
            second.stop()
    finally:
        first.stop()


def kill_the_leader(first: AgentProcess, second: AgentProcess) -> datetime:
    """SIGKILL the leader; returns when the standby has taken the plan lock."""
    first.process.send_signal(signal.SIGKILL)
    first.process.wait(10)
    killed_at = datetime.now(UTC)
    wait_until(lambda: "plan lock taken" in second.stderr(), 30, "the standby to lead")
    return killed_at


def _slots(db: str):
    now = datetime.now(UTC)
    return Plan(db).between(now - timedelta(hours=1), now + timedelta(hours=1))


def test_two_agents_on_postgresql_plan_and_run_each_slot_once(tmp_path, fresh_database):
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(INVENTORY)
    with leader_and_standby(tmp_path, inventory, fresh_database) as (first, second):
        wait_until(lambda: sum(e.state == DONE for e in _slots(fresh_database)) >= 2, 90,
                   "two slots run by the leader")
        assert "agent started" not in second.stderr()
        killed_at = kill_the_leader(first, second)
        wait_until(
            lambda: any(e.state == DONE and e.slot_at > killed_at
                        for e in _slots(fresh_database)),
            90, "a slot run by the new leader",
        )
    slots = _slots(fresh_database)
    twice = [k for k, n in Counter((e.job, e.slot_at) for e in slots).items() if n > 1]
    assert not twice, twice
    runs = [e.run_id for e in slots if e.state == DONE]
    assert len(runs) == len(set(runs)) >= 3
    _each_run_stored_once(fresh_database, runs)


def _each_run_stored_once(db: str, run_ids: list[str]) -> None:
    import psycopg

    with psycopg.connect(urlsplit(db)._replace(scheme="postgresql").geturl()) as connection:
        rows = connection.execute("SELECT id FROM runs").fetchall()
    stored = Counter(row[0] for row in rows)
    assert all(stored[run] == 1 for run in run_ids), (run_ids, stored)


def test_a_second_agent_once_on_postgresql_leaves_the_plan_to_the_running_one(
    tmp_path, fresh_database
):
    """`inspect agent --once` from cron on a second server while an agent leads: nothing
    runs twice, it says why and exits 0."""
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(INVENTORY)
    leader = AgentProcess(tmp_path / "a", inventory, fresh_database)
    try:
        wait_until(lambda: "agent started" in leader.stderr(), 60, "the agent to lead")
        env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "b"), "PYTHONPATH": str(ROOT)}
        began = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "cli", "agent", "--once", "-i", str(inventory),
             "--db", fresh_database],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert "another agent schedules on this database" in done.stderr
        assert time.monotonic() - began < 30
    finally:
        leader.stop()


SWEPT = "tickets sweep: 1 ticket(s) escalated, 1 notification(s) delivered, 0 not"


def swept_inventory(path: Path, smtp) -> Path:
    """Inspections once a year; a grade B ticket must be answered within 10 s, or it is
    escalated to line2, whose channel is mail."""
    path.write_text(f"""\
hosts:
  h0: {{address: 127.0.0.1}}
schedules:
  yearly: {{cron: '0 0 1 1 *'}}
tickets:
  sweep_every: 2s
  sla: {{grades: {{B: {{response: 10s, resolution: 8h}}}}}}
  channels:
    mail: {{type: email, host: {smtp.host}, port: {smtp.port}, username: {smtp.username},
            password: env:SMTP_PASSWORD, from: inspect@example.com, to: [duty@example.com],
            ca_file: {smtp.ca_file}}}
  escalation:
    - {{name: line1}}
    - {{name: line2, channels: [mail]}}
    - {{name: vendor}}
""")
    return path


def open_ticket(inventory: Path, db: str, title: str) -> int:
    """A ticket reported by a person (no inspection run), through the CLI."""
    done = subprocess.run(
        [sys.executable, "-m", "cli", "ticket", "open", "-i", str(inventory), "--db", db,
         "-t", "h0", "--title", title, "--grade", "B"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[0].lstrip("#"))


def escalated_once(db: str, ticket: int, smtp, mails: int) -> None:
    """Wait until the ticket's breach is escalated and its mail delivered, then check it was
    one escalation, one notification (one attempt) and one mail, soon after the deadline."""
    engine = open_store(db).engine

    def mailed() -> bool:
        sent = [n for n in notifications(engine, ticket) if n.event == "escalate"]
        return bool(sent) and sent[0].status == "delivered" and len(smtp.messages) >= mails

    wait_until(mailed, 120, f"ticket #{ticket}'s escalation mail")
    [escalation] = [e for e in events(engine, ticket) if e.action == "escalated"]
    assert escalation.detail["level"] == "line2"
    [sent] = [n for n in notifications(engine, ticket) if n.event == "escalate"]
    assert (sent.channel, sent.attempts) == ("mail", 1)
    assert len(smtp.messages) == mails
    assert f"#{ticket} " in smtp.messages[-1].content.decode()
    # within about sweep_every of the deadline (generously: the machine may be busy), not at
    # the next inspection, which is months away
    assert escalation.at - get_ticket(engine, ticket).response_due < timedelta(minutes=1)


def test_the_leading_agent_alone_escalates_breached_deadlines_between_inspections(
    tmp_path, fresh_database, smtp_server, monkeypatch
):
    monkeypatch.setenv("SMTP_PASSWORD", smtp_server.password)
    smtp_server.messages.clear()
    inventory = swept_inventory(tmp_path / "inventory.yaml", smtp_server)
    with leader_and_standby(tmp_path, inventory, fresh_database) as (first, second):
        escalated_once(fresh_database, open_ticket(inventory, fresh_database, "one"),
                       smtp_server, mails=1)
        wait_until(lambda: SWEPT in first.stderr(), 30, "the leader's sweep logged")
        assert "tickets sweep" not in second.stderr()  # a standby never sweeps
        kill_the_leader(first, second)
        ticket = open_ticket(inventory, fresh_database, "two")
        escalated_once(fresh_database, ticket, smtp_server, mails=2)
        wait_until(lambda: SWEPT in second.stderr(), 30, "the new leader's sweep logged")
    assert open_store(fresh_database).list_runs() == []  # no inspection did it
    assert "Traceback" not in first.stderr() + second.stderr()


def test_a_lone_agent_on_sqlite_sweeps(tmp_path, smtp_server, monkeypatch):
    monkeypatch.setenv("SMTP_PASSWORD", smtp_server.password)
    smtp_server.messages.clear()
    inventory = swept_inventory(tmp_path / "inventory.yaml", smtp_server)
    db = f"sqlite:///{tmp_path / 'records.db'}"
    agent = AgentProcess(tmp_path / "a", inventory, db)
    try:
        wait_until(lambda: "agent started" in agent.stderr(), 60, "the agent to start")
        assert "tickets sweep every 2 s" in agent.stderr()
        escalated_once(db, open_ticket(inventory, db, "one"), smtp_server, mails=1)
        wait_until(lambda: SWEPT in agent.stderr(), 30, "the sweep logged")
    finally:
        agent.stop()
    assert open_store(db).list_runs() == []


def test_with_tickets_disabled_the_agent_does_not_sweep(tmp_path):
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(INVENTORY.replace("3s", "1h") + "tickets: {enabled: false}\n")
    agent = AgentProcess(tmp_path / "a", inventory, f"sqlite:///{tmp_path / 'records.db'}")
    try:
        wait_until(lambda: "agent started" in agent.stderr(), 60, "the agent to start")
    finally:
        agent.stop()
    assert "tickets sweep" not in agent.stderr()  # not announced, never started


SERVED = """\
hosts:
  web01: {address: localhost, profile: strict}
profiles:
  strict:
    checks:
      disk.used_percent: {warning: "0.001", critical: "0.002"}
tickets: {open_after: 1}
"""


def _api(url: str, method: str, path: str, token: str, body: dict | None = None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{url}{path}", data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def test_two_servers_on_postgresql_serve_the_same_tickets_without_conflict(
    tmp_path, fresh_database
):
    """Two `inspect serve` processes (what an nginx upstream balances over): a change made
    through one is seen through the other, and comments sent to both at once all land."""
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(SERVED)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "cli", *args, "-i", str(inventory), "--db", fresh_database],
            capture_output=True, text=True, env=env, timeout=120, cwd=ROOT,
        )

    assert cli("run").returncode == 2  # CRITICAL: the run opens a ticket
    token = cli("token", "create", "--name", "both", "--role", "engineer").stdout.strip()
    servers, urls = [], []
    try:
        for n in range(2):
            port = free_port()
            log = open(tmp_path / f"serve-{n}.log", "wb")  # noqa: SIM115 - the child's
            servers.append(subprocess.Popen(
                [sys.executable, "-m", "cli", "serve", "--bind", f"127.0.0.1:{port}",
                 "-i", str(inventory), "--db", fresh_database],
                env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
            ))
            log.close()
            urls.append(f"http://127.0.0.1:{port}")
            wait_until(lambda p=port: port_open(p), 60, "inspect serve")
        a, b = urls
        code, tickets = _api(a, "GET", "/api/v1/tickets", token)
        assert code == 200 and tickets, tickets
        assert _api(b, "GET", "/api/v1/tickets", token) == (200, tickets)
        ticket = tickets[0]["id"]
        code, _ = _api(a, "POST", f"/api/v1/tickets/{ticket}/ack", token, {})
        assert code == 200
        code, seen = _api(b, "GET", f"/api/v1/tickets/{ticket}", token)
        assert code == 200 and seen["state"] != tickets[0]["state"], seen

        def comment(n: int):
            url = urls[n % 2]
            return _api(url, "POST", f"/api/v1/tickets/{ticket}/comment", token,
                        {"note": f"note {n}"})[0]

        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(comment, range(16)))
        assert codes == [200] * 16
        code, seen = _api(a, "GET", f"/api/v1/tickets/{ticket}", token)
        notes = [e for e in seen["events"] if "note " in json.dumps(e)]
        assert len(notes) == 16, seen["events"]
    finally:
        for server in servers:
            server.terminate()
            server.wait(20)
