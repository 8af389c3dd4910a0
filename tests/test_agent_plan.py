"""The inspection plan on a real SQLite store with an injected clock: done, missed, reload."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from agent.daemon import Agent
from cli.main import cli
from core.catalog import language
from core.phrases import phrase
from flows.wire_records import plan_from_json, plan_to_json
from records import open_store
from records.plan import Plan

BERLIN = ZoneInfo("Europe/Berlin")


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN).astimezone(UTC)


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Berlin")  # the default schedule is in local time
    return open_store(f"sqlite:///{tmp_path / 'records.db'}")


def finish(agent: Agent) -> None:
    for running in list(agent.running.values()):
        running.thread.join(30)
    agent.tick()


def states(plan: Plan, start: datetime, days: int = 4) -> list[tuple[str, str]]:
    return [
        (e.slot_at.astimezone(BERLIN).strftime("%d %H:%M"), e.state)
        for e in plan.between(start, start + timedelta(days=days))
    ]


def test_default_schedule_runs_then_downtime_is_recorded_as_missed(store):
    clock = Clock(berlin(2026, 3, 27, 7, 0))
    agent = Agent(None, store.url, clock=clock, host="h")
    agent.recover()
    agent.tick()
    plan = Plan(store.engine)
    assert states(plan, berlin(2026, 3, 27, 0, 0)) == [("27 08:00", "planned")]

    clock.moment = berlin(2026, 3, 27, 8, 0, 5)
    agent.tick()
    finish(agent)
    (done,) = [e for e in plan.between(clock.moment - timedelta(hours=1), clock.moment)]
    assert done.state == "done" and done.run_id
    run = store.get_run(done.run_id)
    assert run.trigger == "schedule" and run.targets == ("localhost",)

    # the agent is down from here until the morning of the DST change, then starts again
    later = Clock(berlin(2026, 3, 29, 8, 30))
    agent = Agent(None, store.url, clock=later, host="h")
    agent.recover()
    agent.tick()
    finish(agent)
    assert states(plan, berlin(2026, 3, 27, 0, 0)) == [
        ("27 08:00", "done"),
        ("27 14:00", "missed"),
        ("27 20:00", "missed"),
        ("28 08:00", "missed"),
        ("28 14:00", "missed"),
        ("28 20:00", "missed"),
        ("29 08:00", "done"),
        ("29 14:00", "planned"),
    ]
    missed = [e for e in plan.between(berlin(2026, 3, 27), berlin(2026, 3, 30)) if e.reason]
    assert {str(e.reason) for e in missed} == {"agent was not running at the planned time"}


def test_a_run_left_running_by_a_dead_agent_is_closed_as_missed(store):
    clock = Clock(berlin(2026, 5, 4, 7, 59))
    agent = Agent(None, store.url, clock=clock, host="h")
    agent.tick()
    plan = Plan(store.engine)
    slot = berlin(2026, 5, 4, 8, 0)
    plan.mark("inspection", [slot], "running")  # as if killed mid-run
    Agent(None, store.url, clock=clock, host="h").recover()
    (entry,) = plan.between(slot, slot + timedelta(minutes=1))
    assert (entry.state, str(entry.reason)) == ("missed", "agent stopped during the run")


def test_a_run_stored_before_its_agent_died_is_credited_to_its_slot(store):
    """The job's child stored the run, the agent died before hearing of it."""
    from core.model import InspectionRun

    clock = Clock(berlin(2026, 5, 4, 7, 59))
    Agent(None, store.url, clock=clock, host="h").tick()
    plan = Plan(store.engine)
    slot = berlin(2026, 5, 4, 8, 0)
    plan.mark("inspection", [slot], "running", run_id="0123456789abcdef")
    at = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)
    store.save_run(InspectionRun("0123456789abcdef", "schedule", "agent", at, at, ("h",), ()))
    Agent(None, store.url, clock=clock, host="h").recover()
    (entry,) = plan.between(slot, slot + timedelta(minutes=1))
    assert (entry.state, entry.run_id, entry.reason) == ("done", "0123456789abcdef", "")


def test_reload_cancels_slots_a_changed_schedule_no_longer_has(store, tmp_path):
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(
        "hosts:\n  localhost: {}\nschedules:\n  evening:\n    cron: '0 20 * * *'\n"
    )
    clock = Clock(berlin(2026, 5, 4, 9, 0))
    agent = Agent(inventory, store.url, clock=clock, host="h")
    agent.tick()
    inventory.write_text("hosts:\n  localhost: {}\nschedules:\n  noon:\n    cron: '0 12 * * *'\n")
    agent.reload()
    agent.tick()
    plan = Plan(store.engine)
    assert [(e.job, e.state) for e in plan.between(berlin(2026, 5, 4), berlin(2026, 5, 5))] == [
        ("noon", "planned"),
        ("evening", "cancelled"),
    ]
    inventory.write_text("schedules:\n  noon:\n    cron: '0 12 * *'\n")
    agent.reload()  # a broken file keeps the previous settings
    assert list(agent.jobs) == ["noon"]


def test_plan_round_trip_on_postgresql(postgres_url):
    import uuid

    plan = Plan(open_store(postgres_url).engine)
    job = f"pg-{uuid.uuid4().hex[:8]}"
    slots = [berlin(2026, 3, 29, h, 0) for h in (8, 14, 20)]
    assert plan.add_planned(job, "inspect", [(s, s + timedelta(seconds=30)) for s in slots]) == 3
    assert plan.add_planned(job, "inspect", [(slots[0], slots[0])]) == 0  # already there
    plan.mark(job, [slots[0]], "done", run_id="abc")
    plan.mark(job, [slots[1]], "missed", "agent was not running at the planned time")
    assert plan.pending(job) == [slots[2]]
    assert plan.latest_slot(job) == slots[2]
    assert plan.last_closed(job).run_id is None and plan.last_closed(job).state == "missed"
    assert plan.cancel_planned({}, "schedule changed on reload") >= 1
    assert plan.latest_slot(job) == slots[1]  # cancelled slots do not count
    ours = [e for e in plan.between(slots[0], slots[2] + timedelta(hours=1)) if e.job == job]
    assert [e.state for e in ours] == ["done", "missed", "cancelled"]
    assert ours[0].due_at == slots[0] + timedelta(seconds=30)


def test_a_slot_overtaken_by_a_later_one_says_so_not_the_grace_period(store, tmp_path):
    """A pass that comes after two slots are due (a long previous run, a loaded machine) runs
    the latest; the older one is missed well within its grace, and its reason says why."""
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text("hosts:\n  localhost: {}\nschedules:\n  often:\n    every: 60s\n")
    clock = Clock(datetime(2026, 5, 4, 8, 0, 30, tzinfo=UTC))
    agent = Agent(inventory, store.url, clock=clock, host="h")
    agent.tick()
    clock.moment = datetime(2026, 5, 4, 8, 2, 5, tzinfo=UTC)
    agent.tick()
    finish(agent)
    found = Plan(store.engine).between(clock.moment - timedelta(minutes=5), clock.moment)
    assert [(e.slot_at.strftime("%H:%M"), e.state, str(e.reason)) for e in found] == [
        ("08:01", "missed", "a later slot was due before it could start"),
        ("08:02", "done", ""),
    ]


def test_a_slot_reason_is_shown_in_the_reader_language_an_older_free_text_one_as_written(
    store, tmp_path
):
    """The plan keeps why a slot was missed as a phrase: `inspect records plan` shows it in
    the reader's language (JSON keeps the English); a reason an older agent wrote as plain
    text is shown as it was written."""
    plan = Plan(store.engine)
    early, late = berlin(2026, 3, 28, 8, 0), berlin(2026, 3, 28, 14, 0)
    plan.add_planned("inspection", "inspect", [(early, early), (late, late)])
    plan.mark("inspection", [early], "missed", phrase("agent was not running at the planned time"))
    plan.mark("inspection", [late], "missed", "host rebooted for maintenance")
    day = ["--day", "2026-03-28", "--db", store.url]
    shown = CliRunner().invoke(cli, ["--lang", "zh-CN", "records", "plan", *day])
    assert shown.exit_code == 0, shown.output
    assert "计划时间时巡检代理未在运行" in shown.output
    assert "host rebooted for maintenance" in shown.output
    as_json = CliRunner().invoke(cli, ["records", "plan", "-f", "json", *day])
    reasons = [s["reason"] for s in json.loads(as_json.output)["slots"]]
    assert reasons == ["agent was not running at the planned time", "host rebooted for maintenance"]


def test_a_reporting_agent_slot_reason_reaches_the_server_still_translatable(store):
    """Central mode: the server keeps the agent's reason as a phrase (its own readers choose
    the language), through the wire and the server's merge."""
    plan = Plan(store.engine)
    slot = berlin(2026, 3, 28, 8, 0)
    plan.add_planned("inspection", "inspect", [(slot, slot)])
    reason = phrase("not started within the {seconds} s grace period", seconds="300")
    plan.mark("inspection", [slot], "missed", reason)
    (entry,) = plan.between(slot, slot + timedelta(seconds=1))
    sent = plan_from_json(json.loads(json.dumps(plan_to_json([entry]))))
    plan.merge("edge-1", sent)
    kept = [e for e in plan.between(slot, slot + timedelta(seconds=1)) if e.agent == "edge-1"]
    assert [e.reason for e in kept] == [reason]
    assert language("zh-CN").text(kept[0].reason) == "未在 300 秒宽限期内启动"

