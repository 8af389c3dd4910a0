"""Central mode's other reports against real programs: an `inspect serve` subprocess and
agents as real subprocesses pushing backup records and plan changes through the same outbox
as their runs (agent/central.py, web/api_reports.py). The server is stopped while the agent
works: everything arrives once when it is back; a replay adds nothing; the server's checks of
backup age and its assessment's completion rate see what arrived; a token cannot report
another target's backups or count another target's run as its plan's; the server reconciles
tickets, the agent does not; a run whose reconciliation failed is reconciled on its resend."""

from __future__ import annotations

import json
import signal
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.backups import BackupRecord, BackupReport
from flows.db_facts import backup_samples
from flows.wire import BACKUPS_PATH, PLAN_PATH
from flows.wire_records import backups_to_json, plan_to_json
from records import open_store
from records.backups import BackupStore
from records.plan import DONE, MISSED, RUNNING, Plan, PlanEntry
from records.tickets import list_tickets
from scoring.gather import gather
from scoring.kpis import Subject, compute
from scoring.period import Period
from settings.inventory import load
from tests.services import wait_until
from tests.test_agent_central import STRICT, Server, _body, _run, _status
from tests.test_agent_process import AgentProcess, entries

AGENT = "agent-web01"  # the token's name: the server keeps the agent's plan under it
REPORTER = f"token:{AGENT}"  # the name the server knows the token by


@pytest.fixture
def server(tmp_path):
    """web01 reports the age of database backup `app` (flows/db_facts.py)."""
    started = Server(tmp_path / "server")
    started.inventory.write_text(
        "groups:\n  core: {}\n"
        "hosts:\n"
        "  web01: {address: localhost, groups: [core],"
        " database: {engine: postgresql, backups: [app]}}\n"
        "  db01: {address: localhost}\n"
        f"databases:\n  app: {{engine: sqlite, path: {tmp_path / 'app.db'},"
        f" destination: {tmp_path / 'server-backups'}}}\n"
        "tickets: {open_after: 1}\n"
    )
    started.cli("token", "list")  # creates and migrates the records before the server reads
    started.start()
    yield started
    started.stop()


def _agent_inventory(tmp_path: Path, server: Server, token: str) -> Path:
    source = tmp_path / "app.db"
    with sqlite3.connect(source) as db:
        db.execute("CREATE TABLE t (x INTEGER)")
        db.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(5)])
    token_file = tmp_path / "agent.token"
    token_file.write_text(token + "\n")
    token_file.chmod(0o600)
    path = tmp_path / "agent.yaml"
    path.write_text(
        f"hosts:\n  web01: {{address: 127.0.0.1, profile: strict}}\n{STRICT}"
        f"databases:\n  app: {{engine: sqlite, path: {source},"
        f" destination: {tmp_path / 'backups'}}}\n"
        "schedules:\n  often:\n    every: 2s\n  backups:\n    kind: backup\n    every: 3s\n"
        f"central:\n  url: {server.url}\n  token: file:{token_file}\n"
        f"  outbox_dir: {tmp_path / 'outbox'}\n  timeout: 10s\n"
    )
    return path


def _near_now() -> Period:
    now = datetime.now(UTC)
    return Period("now", "day", now - timedelta(hours=1), now + timedelta(hours=1))


def _server_plan(server: Server, state: str | None = None) -> list[PlanEntry]:
    period = _near_now()
    found = Plan(open_store(server.db).engine).between(period.start, period.end)
    return [e for e in found if state in (None, e.state)]


def _settled(plan: list[PlanEntry]) -> set[tuple]:
    return {(e.job, e.slot_at, e.state, e.run_id) for e in plan if e.state in (DONE, MISSED)}


def test_backups_and_plan_arrive_once_through_an_outage(server, tmp_path):
    token = server.token(AGENT, "--role", "agent", "--targets", "web01")
    inventory = _agent_inventory(tmp_path, server, token)
    agent = AgentProcess(tmp_path, inventory)
    try:
        wait_until(lambda: BackupStore(open_store(server.db).engine).backups(), 90,
                   "the backup record at the server")
        wait_until(lambda: _server_plan(server, DONE), 60, "a done slot at the server")
        server.stop()
        before = len(entries(agent, DONE, "often"))
        wait_until(lambda: len(entries(agent, DONE, "often")) >= before + 2, 90,
                   "runs in the outage")
        waiting = _status(agent, inventory)
        assert waiting["backlog"]["run"] >= 1 and waiting["backlog"]["plan"] >= 2
        assert waiting["items"] == sum(waiting["backlog"].values())
        agent.signal(signal.SIGTERM)
        assert agent.wait(120) == 0, agent.stderr()
        kept = _status(agent, inventory)
        assert kept["items"] >= waiting["items"]  # an agent restart loses nothing
        server.start()
        agent = AgentProcess(tmp_path, inventory)
        restarted = len(entries(agent, DONE, "often"))
        wait_until(lambda: len(entries(agent, DONE, "often")) > restarted, 60, "a run after")
        agent.signal(signal.SIGTERM)
        assert agent.wait(120) == 0, agent.stderr()
    finally:
        agent.stop()
    status = _status(agent, inventory)
    assert status["items"] == 0 and status["refused"] == 0, status
    assert status["last_ack_kind"] in ("run", "plan", "backups") and status["last_ack_at"]

    # every run arrived once, the backup job's too (its tickets are the server's)
    local_runs, central_runs = _runs(agent.db), server.runs()
    assert set(local_runs) <= set(central_runs) and len(central_runs) == len(set(central_runs))
    assert any(r.trigger == "backup" for r in open_store(server.db).list_runs(limit=1000))

    # the backup record arrived once, without its file; a replay adds nothing
    local = BackupStore(open_store(agent.db).engine).backups()
    central = BackupStore(open_store(server.db).engine).backups()
    assert [b.id for b in central] == [b.id for b in local] and len(local) == 1
    assert central[0].path == local[0].path and not (tmp_path / "server-backups").exists()
    replay = json.dumps(backups_to_json(BackupReport(tuple(local)))).encode()
    assert server.post(token, replay, BACKUPS_PATH) == (
        200, {"status": "stored", "added": 0, "left_out": 0})
    assert len(BackupStore(open_store(server.db).engine).backups()) == 1

    # the server's backup overview and its check of backup age see the agent's backup
    code, overview = server.post(server.token("reader", "--role", "engineer"), None,
                                 BACKUPS_PATH)
    assert code == 200 and local[0].id in json.dumps(overview)
    web01 = next(t for t in load(server.inventory).targets if t.name == "web01")
    (sample,) = backup_samples(open_store(server.db))(web01)
    assert sample.value == local[0].finished_at.timestamp()

    # the plan arrived: every settled slot with its state and run, under the token's name
    mine = entries(agent)
    theirs = _server_plan(server)
    assert {e.agent for e in theirs} == {REPORTER}
    assert _settled(mine) <= _settled(theirs) and _settled(mine)
    completion = compute(gather(open_store(server.db).engine, _near_now()), _near_now(),
                         Subject("team", "team"))["inspection_completion"]
    inspections = [e for e in theirs if e.kind == "inspect" and e.state in (DONE, MISSED)]
    assert completion.denominator == len(inspections) > 0
    assert completion.numerator == sum(e.state == DONE for e in inspections)

    # tickets are the server's: the agent reconciled none, nor mailed any
    assert list_tickets(open_store(server.db).engine, target="web01")
    assert list_tickets(open_store(agent.db).engine) == []


def _runs(db: str) -> list[str]:
    return [r.id for r in open_store(db).list_runs(limit=100_000)]


def _backup(name: str) -> bytes:
    now = datetime.now(UTC)
    record = BackupRecord(f"{name}-{now:%H%M%S%f}", "db", name, now, now, "ok", "/b/x.gz", 10,
                          "0" * 64, manifest={"engine": "sqlite"})
    return json.dumps(backups_to_json(BackupReport((record,)))).encode()


def _slot(run_id: str | None, state: str = DONE, at: datetime | None = None,
          updated: datetime | None = None) -> bytes:
    at = at or datetime.now(UTC).replace(microsecond=0)
    entry = PlanEntry("often", "inspect", at, at, state, run_id, "", updated or at)
    return json.dumps(plan_to_json([entry])).encode()


def test_a_token_reports_only_its_own_backups_and_plan(server):
    token = server.token("web-only", "--role", "agent", "--targets", "web01")
    code, answer = server.post(token, _backup("db01"), BACKUPS_PATH)
    assert code == 403 and "db01" in answer["error"]
    assert server.post(token, _backup("app"), BACKUPS_PATH)[0] == 200  # web01's database
    assert server.post(token, b'{"version": 1, "backups": [{}]}', BACKUPS_PATH)[0] == 400
    engineer = server.token("script", "--role", "engineer")
    theirs, mine = _run("db01"), _run("web01")
    assert server.post(engineer, _body(theirs))[0] == 201
    assert server.post(token, _body(mine))[0] == 201
    code, answer = server.post(token, _slot(theirs.id), PLAN_PATH)
    assert code == 403 and "db01" in answer["error"]
    assert server.post(token, _slot(mine.id), PLAN_PATH) == (200, {"status": "stored",
                                                                   "changed": 1})
    assert server.post(token, b'{"version": 1, "entries": [{"state": "odd"}]}',
                       PLAN_PATH)[0] == 400
    assert server.cli("token", "revoke", "web-only").returncode == 0
    assert server.post(token, _slot(mine.id), PLAN_PATH)[0] == 401
    assert server.post(token, _backup("app"), BACKUPS_PATH)[0] == 401


def test_agents_plans_stay_apart_and_a_late_state_never_goes_back(server):
    first = server.token("agent-a", "--role", "agent", "--targets", "web01")
    second = server.token("agent-b", "--role", "agent", "--targets", "web01")
    slot = datetime.now(UTC).replace(microsecond=0)
    later = slot + timedelta(seconds=5)
    assert server.post(first, _slot("r1", DONE, slot, later), PLAN_PATH)[0] == 200
    assert server.post(second, _slot(None, MISSED, slot, later), PLAN_PATH)[0] == 200
    # a reordered replay: the slot's earlier state, after its final one
    assert server.post(first, _slot("r1", RUNNING, slot, slot), PLAN_PATH) == (
        200, {"status": "stored", "changed": 0})
    found = {(e.agent, e.job, e.state, e.run_id) for e in _server_plan(server)}
    assert found == {
        ("token:agent-a", "often", DONE, "r1"), ("token:agent-b", "often", MISSED, None)}


def test_a_run_whose_reconciliation_failed_is_reconciled_when_resent(server):
    """The server stores the run, then reconciling fails (here a trigger refuses new
    tickets): the agent has no acknowledgement and resends; the resend reconciles."""
    token = server.token(AGENT, "--role", "agent", "--targets", "web01")
    database = sqlite3.connect(server.home / "server.db")
    database.execute("CREATE TRIGGER refuse BEFORE INSERT ON tickets "
                     "BEGIN SELECT RAISE(ABORT, 'no new tickets now'); END")
    database.commit()
    run = _run()
    assert server.post(token, _body(run))[0] == 500
    assert run.id in server.runs()
    assert list_tickets(open_store(server.db).engine, target="web01") == []
    database.execute("DROP TRIGGER refuse")
    database.commit()
    database.close()
    code, answer = server.post(token, _body(run))
    assert (code, answer["status"], answer["tickets"]["opened"]) == (200, "already stored", 1)
    tickets = list_tickets(open_store(server.db).engine, target="web01")
    assert len(tickets) == 1
    assert server.post(token, _body(run)) == (200, {"run_id": run.id, "status": "already stored"})
    assert list_tickets(open_store(server.db).engine, target="web01") == tickets


def test_each_change_set_of_the_plan_is_one_outbox_item(tmp_path):
    from agent.central import PLAN, SUFFIX, Central, CentralSettings, outbox_stats

    central = Central(CentralSettings("http://127.0.0.1:9", "env:NONE", timedelta(seconds=1),
                                      str(tmp_path / "outbox"), 1.0))
    plan = Plan(open_store(f"sqlite:///{tmp_path / 'records.db'}").engine, central.enqueue_plan)
    start = datetime(2026, 12, 7, 8, tzinfo=UTC)
    slots = [start + timedelta(minutes=i) for i in range(5)]
    assert plan.add_planned("often", "inspect", [(s, s) for s in slots]) == 5
    plan.mark("often", slots[:2], RUNNING, run_id="r1")
    plan.add_planned("often", "inspect", [(s, s) for s in slots])  # nothing new: no item
    items = sorted((tmp_path / "outbox").glob(f"*.{PLAN}{SUFFIX}"))
    assert [json.loads(p.read_text())["entries"].__len__() for p in items] == [5, 2]
    assert outbox_stats(central.outbox).backlog == {"run": 0, "backups": 0, "plan": 2}


def test_a_backup_jobs_run_is_in_the_outbox_before_it_is_stored(tmp_path):
    """Outbox first, like an inspection run's: a backup job that fails (here the database is
    missing) and whose run then cannot be stored locally (a trigger refuses it, as a full
    disk would) has still left the run for the server."""
    from agent.central import RUN, SUFFIX, Central, CentralSettings
    from agent.jobs import KINDS as JOB_KINDS
    from agent.jobs import JobContext
    from agent.scheduler import IntervalTrigger, Job

    path = tmp_path / "agent.yaml"
    path.write_text(
        f"databases:\n  app: {{engine: sqlite, path: {tmp_path / 'missing.db'},"
        f" destination: {tmp_path / 'backups'}}}\n"
        f"central:\n  url: http://127.0.0.1:9\n  token: file:{tmp_path / 'token'}\n"
        f"  outbox_dir: {tmp_path / 'outbox'}\n"
    )
    (tmp_path / "token").write_text("not sent anywhere\n")
    (tmp_path / "token").chmod(0o600)
    inventory = load(path)
    central = Central(CentralSettings.of(inventory.central))
    store = open_store(f"sqlite:///{tmp_path / 'records.db'}")
    with sqlite3.connect(tmp_path / "records.db") as db:
        db.execute("CREATE TRIGGER refuse BEFORE INSERT ON runs "
                   "BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    job = Job(name="nightly", kind="backup", trigger=IntervalTrigger(86400))
    with pytest.raises(Exception, match="disk full"):
        JOB_KINDS["backup"](JobContext(inventory, job, store, None, central=central))
    (item,) = sorted((tmp_path / "outbox").glob(f"*.{RUN}{SUFFIX}"))
    sent = json.loads(item.read_text())
    assert sent["trigger"] == "backup" and sent["targets"] == ["app"]
    assert sent["findings"] and store.list_runs() == []
