"""Central mode against real programs: `inspect serve` subprocesses on SQLite records and
agents as real subprocesses pushing their runs through the outbox (agent/central.py).

The server is stopped while an agent runs, the agent is killed with SIGKILL between writing
runs to its outbox and sending them, both start again: every run arrives once. A replayed run,
another agent's target, a revoked token and an oversized body are refused or absorbed."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agent.central import RUN, SUFFIX
from core.model import Finding, InspectionRun, Sample, new_run_id
from core.phrases import phrase
from core.status import Status
from flows.wire import RUNS_PATH, run_to_json
from records import console, open_store
from records.tickets import list_tickets
from tests.services import free_port, port_open, wait_until
from tests.test_agent_process import AgentProcess, entries

ROOT = Path(__file__).resolve().parents[1]
SERVER_INVENTORY = """\
groups:
  core: {}
hosts:
  web01: {address: localhost, groups: [core]}
  db01: {address: localhost}
tickets: {open_after: 1}
"""
RUNS = f"*.{RUN}{SUFFIX}"  # the outbox's runs
STRICT = (
    "profiles:\n  strict:\n    checks:\n"
    "      disk.used_percent: {warning: '0.001', critical: '0.002'}\n"
)


class Server:
    """`inspect serve` on a fixed free port, stopped and started again on the same records
    (its own SQLite file unless `db` names another database, e.g. PostgreSQL's)."""

    def __init__(self, home: Path, db: str = "", inventory: str = SERVER_INVENTORY) -> None:
        home.mkdir()
        self.home = home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = db or f"sqlite:///{home / 'server.db'}"
        self.inventory = home / "inventory.yaml"
        self.inventory.write_text(inventory)
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(home)}
        self.process: subprocess.Popen | None = None

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "cli", *args, "-i", str(self.inventory), "--db", self.db],
            capture_output=True, text=True, env=self.env, timeout=120,
        )

    def token(self, name: str, *options: str) -> str:
        made = self.cli("token", "create", "--name", name, *options)
        assert made.returncode == 0, made.stderr
        return made.stdout.strip()

    def start(self) -> None:
        with open(self.home / "serve.log", "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "cli", "serve", "--bind", f"127.0.0.1:{self.port}",
                 "-i", str(self.inventory), "--db", self.db],
                env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )
        process = self.process
        wait_until(lambda: port_open(self.port) or process.poll() is not None, 60, "serve")
        assert process.poll() is None, (self.home / "serve.log").read_text()[-2000:]

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(20)

    def runs(self) -> list[str]:
        return [r.id for r in open_store(self.db).list_runs(limit=100_000)]

    def announce(self, token: str, length: int) -> int:
        """The answer to a POST whose headers announce `length` bytes, before any is sent."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.putrequest("POST", RUNS_PATH)
            connection.putheader("Authorization", f"Bearer {token}")
            connection.putheader("Content-Length", str(length))
            connection.endheaders()
            return connection.getresponse().status
        finally:
            connection.close()

    def post(self, token: str, body: bytes, path: str = RUNS_PATH) -> tuple[int, object]:
        request = urllib.request.Request(
            self.url + path, data=body, method="POST" if body is not None else "GET",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            text = error.read()
            try:
                return error.code, json.loads(text)
            except ValueError:
                return error.code, text.decode(errors="replace")


@pytest.fixture
def server(tmp_path):
    started = Server(tmp_path / "server")
    started.cli("token", "list")  # creates and migrates the records before the server reads
    started.start()
    yield started
    started.stop()


def _agent_inventory(path: Path, server: Server, token: str, host: str = "web01") -> Path:
    token_file = path.parent / f"{path.stem}.token"
    token_file.write_text(token + "\n")
    token_file.chmod(0o600)
    path.write_text(
        f"hosts:\n  {host}: {{address: 127.0.0.1, profile: strict}}\n{STRICT}"
        "schedules:\n  often:\n    every: 2s\n"
        f"central:\n  url: {server.url}\n  token: file:{token_file}\n"
        f"  outbox_dir: {path.parent / 'outbox'}\n  timeout: 10s\n"
    )
    return path


def _status(agent: AgentProcess, inventory: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "cli", "agent", "status", "-f", "json", "-i", str(inventory),
         "--db", agent.db],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "XDG_DATA_HOME": str(agent.home / "data"), "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["central"]


def _local_runs(agent: AgentProcess) -> list[str]:
    return [r.id for r in open_store(agent.db).list_runs(limit=100_000)]


def test_an_outage_and_a_sigkill_lose_no_run_and_duplicate_none(server, tmp_path):
    token = server.token("agent-web01", "--role", "agent", "--targets", "web01")
    inventory = _agent_inventory(tmp_path / "agent.yaml", server, token)
    outbox = tmp_path / "outbox"
    agent = AgentProcess(tmp_path, inventory)
    try:
        wait_until(lambda: server.runs(), 60, "a first run at the server")
        server.stop()
        before = len(entries(agent, "done"))  # a run sent just before the stop may count next
        wait_until(lambda: len(entries(agent, "done")) >= before + 3, 90, "runs in the outage")
        agent.signal(signal.SIGKILL)  # runs written to the outbox, not sent
        agent.wait()
        waiting = list(outbox.glob(RUNS))
        assert len(waiting) >= 2
        assert all(p.stat().st_mode & 0o777 == 0o600 for p in waiting)
        assert outbox.stat().st_mode & 0o777 == 0o700
        status = _status(agent, inventory)
        assert status["backlog"]["run"] == len(waiting) and status["bytes"] > 0
        assert status["last_ack_run"] in server.runs()
        server.start()
        agent = AgentProcess(tmp_path, inventory)
        wait_until(lambda: len(entries(agent, "done")) >= before + 4, 60, "a run after restart")
        agent.signal(signal.SIGTERM)
        assert agent.wait() == 0, agent.stderr()
        wait_until(lambda: not list(outbox.glob(RUNS)), 30, "the outbox to drain")
    finally:
        agent.stop()
    local, central = _local_runs(agent), server.runs()
    # every stored run arrived, once (a run killed after its outbox write but before the
    # local save may arrive without a local copy: at least once, never lost)
    assert set(local) <= set(central), set(local) - set(central)
    assert len(central) == len(set(central))
    tickets = list_tickets(open_store(server.db).engine, target="web01")
    assert tickets and max(Counter(t.fingerprint for t in tickets).values()) == 1
    reports = [e for e in console.audit_log(open_store(server.db).engine, 10_000)
               if e.action == "run_report"]
    assert sorted(e.subject for e in reports) == sorted(central)
    status = _status(agent, inventory)
    assert status["items"] == 0 and status["refused"] == 0 and status["dropped"] == 0
    assert status["last_ack_run"] in central and status["last_ack_at"]
    assert "central: " in agent.stderr() and "acknowledged" in agent.stderr()


def _run(target: str = "web01", **changes) -> InspectionRun:
    now = datetime.now(UTC)
    fields = {
        "id": new_run_id(), "trigger": "schedule", "operator": "agent", "started_at": now,
        "finished_at": now, "targets": (target,),
        "findings": (Finding(target, "disk", "/", Status.CRITICAL,
                             phrase("{mount} {used} used", mount="/", used="99%")),),
    }
    return InspectionRun(**{**fields, **changes})


def _body(run: InspectionRun) -> bytes:
    return json.dumps(run_to_json(run)).encode()


def test_a_replayed_run_stores_nothing_and_opens_no_ticket(server):
    token = server.token("replayer", "--role", "agent", "--targets", "core")  # a group
    run = _run()
    code, answer = server.post(token, _body(run))
    assert (code, answer["status"], answer["tickets"]["opened"]) == (201, "stored", 1)
    tickets = list_tickets(open_store(server.db).engine, target="web01")
    for _ in range(2):
        code, answer = server.post(token, _body(run))
        assert (code, answer) == (200, {"run_id": run.id, "status": "already stored"})
    assert server.runs().count(run.id) == 1
    assert list_tickets(open_store(server.db).engine, target="web01") == tickets
    stored = open_store(server.db).get_run(run.id)
    assert stored.findings[0].summary == run.findings[0].summary  # the phrase, not its text


def test_scope_revocation_and_size_are_enforced(server):
    token = server.token("web-only", "--role", "agent", "--targets", "web01")
    code, answer = server.post(token, _body(_run("db01")))
    assert code == 403 and "db01" in answer["error"]
    sneaky = _run("web01", samples=(Sample("db01", "cpu.load", 1.0, "", datetime.now(UTC)),))
    assert server.post(token, _body(sneaky))[0] == 400  # a target the run does not name
    assert server.post(token, None, "/api/v1/tickets")[0] == 403  # an agent may not read
    assert server.post(token, b"{not json")[0] == 400
    many = tuple(Sample("web01", "net.rx", float(i), "B", datetime.now(UTC), {"if": f"e{i}"})
                 for i in range(3000))
    big = _body(_run(samples=many))
    assert len(big) > 256 * 1024  # over the console's limit, within the runs' own
    assert server.post(token, big)[0] == 201
    assert server.announce(token, 16 * 1024 * 1024 + 1) == 413  # refused before it is read
    assert server.cli("token", "revoke", "web-only").returncode == 0
    assert server.post(token, _body(_run()))[0] == 401  # at once, no cache
    engineer = server.token("script", "--role", "engineer")  # unscoped: every target
    assert server.post(engineer, _body(_run("db01")))[0] == 201
    duty = server.token("reader", "--role", "duty")
    assert server.post(duty, _body(_run()))[0] == 403
    listed = {t["name"]: t for t in json.loads(server.cli("token", "list", "-f", "json").stdout)}
    assert listed["web-only"]["targets"] == ["web01"] and listed["script"]["targets"] is None
    empty = server.cli("token", "create", "--name", "none", "--role", "agent", "--targets", " , ")
    assert (empty.returncode, empty.stderr.strip()) == (
        3, "inspect: error: --targets: give at least one target name or group")


def test_an_agent_reporting_another_target_sets_the_run_aside(server, tmp_path):
    token = server.token("agent-web01", "--role", "agent", "--targets", "web01")
    inventory = _agent_inventory(tmp_path / "agent.yaml", server, token, host="db01")
    agent = AgentProcess(tmp_path, inventory)
    try:
        wait_until(lambda: "refused for good" in agent.stderr(), 60, "the refusal")
        agent.signal(signal.SIGTERM)
        assert agent.wait() == 0
    finally:
        agent.stop()
    status = _status(agent, inventory)
    assert status["refused"] >= 1 and "HTTP 403" in status["last_refusal"]
    assert status["last_ack_run"] is None  # its plan was taken, none of its runs
    assert list((tmp_path / "outbox" / "rejected").glob(RUNS))
    assert server.runs() == []
    assert token not in agent.stderr()


def test_inspect_run_reports_too_and_keeps_what_it_could_not_send(server, tmp_path):
    token = server.token("engineer-laptop", "--role", "engineer")
    inventory = _agent_inventory(tmp_path / "run.yaml", server, token)
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "PYTHONPATH": str(ROOT)}
    db = f"sqlite:///{tmp_path / 'local.db'}"

    def run() -> tuple[str, str]:
        done = subprocess.run(
            [sys.executable, "-m", "cli", "run", "-f", "json", "-i", str(inventory), "--db", db],
            capture_output=True, text=True, env=env, timeout=120,
        )
        assert done.returncode == 2, done.stderr  # CRITICAL, as the strict profile makes it
        return json.loads(done.stdout)["run"]["id"], done.stderr

    server.stop()
    first, warning = run()
    assert f"central: 1 item(s) kept in {tmp_path / 'outbox'}" in warning
    server.start()
    second, warning = run()
    assert "central" not in warning
    assert sorted(server.runs()) == sorted([first, second])
