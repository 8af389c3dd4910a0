"""The agent as a real subprocess: signals, the single-instance lock, reload on SIGHUP."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from records import open_store
from records.plan import Plan
from tests.services import wait_until

ROOT = Path(__file__).resolve().parents[1]


class AgentProcess:
    """`python -m cli agent ...` with its own data dir, database and stderr log."""

    def __init__(self, home: Path, inventory: Path, *args: str) -> None:
        self.home = home
        self.db = f"sqlite:///{home / 'records.db'}"
        self.log = home / f"agent-{time.monotonic_ns()}.log"
        self.plan: Plan | None = None
        env = {**os.environ, "XDG_DATA_HOME": str(home / "data"), "PYTHONPATH": str(ROOT)}
        with open(self.log, "wb") as err:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "cli",
                    "agent",
                    "-i",
                    str(inventory),
                    "--db",
                    self.db,
                    *args,
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )

    def stderr(self) -> str:
        return self.log.read_text()

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    def wait(self, timeout: float = 30) -> int:
        return self.process.wait(timeout)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


@pytest.fixture
def agents(tmp_path):
    started: list[AgentProcess] = []

    def start(inventory: Path, *args: str) -> AgentProcess:
        agent = AgentProcess(tmp_path, inventory, *args)
        started.append(agent)
        return agent

    yield start
    for agent in started:
        agent.stop()


def inventory(path: Path, hosts: int = 1, schedules: str = "") -> Path:
    lines = ["hosts:"] + [f"  h{i}: {{address: 127.0.0.1}}" for i in range(hosts)]
    path.write_text("\n".join(lines) + "\nschedules:\n" + schedules)
    return path


def plan_of(agent: AgentProcess) -> Plan:
    """The agent's plan, opened once the agent has migrated its database (no racing it)."""
    if agent.plan is None:
        wait_until(lambda: "agent started" in agent.stderr(), 60, "the agent to start")
        agent.plan = Plan(open_store(agent.db).engine)
    return agent.plan


def entries(agent: AgentProcess, state: str | None = None, job: str | None = None):
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    found = plan_of(agent).between(now - timedelta(hours=1), now + timedelta(hours=1))
    return [e for e in found if (state is None or e.state == state) and (job in (None, e.job))]


SLOW = "  slow:\n    every: 4s\n    workers: 1\n    grace: 1h\n"  # 8 hosts x 0.5 s each


def test_sigterm_mid_run_lets_the_run_finish_and_records_it_done(agents, tmp_path):
    agent = agents(inventory(tmp_path / "inv.yaml", 8, SLOW), "--stop-timeout", "60")
    wait_until(lambda: entries(agent, "running"), 30, "a running slot")
    agent.signal(signal.SIGTERM)
    assert agent.wait() == 0
    (slot,) = [e for e in entries(agent) if e.state != "planned"]
    assert slot.state == "done", slot
    run = open_store(agent.db).get_run(slot.run_id)
    assert len(run.targets) == 8 and run.trigger == "schedule"
    log = agent.stderr()
    assert "stopping on SIGTERM" in log and f"run {slot.run_id}" in log
    assert "Traceback" not in log


def test_sigterm_past_the_stop_timeout_abandons_the_run_and_records_it_missed(agents, tmp_path):
    agent = agents(inventory(tmp_path / "inv.yaml", 8, SLOW), "--stop-timeout", "0.5")
    wait_until(lambda: entries(agent, "running"), 30, "a running slot")
    (job_process,) = psutil.Process(agent.process.pid).children()
    began = time.monotonic()
    agent.signal(signal.SIGTERM)
    assert agent.wait() == 0
    assert time.monotonic() - began < 3.5  # did not wait for the 4 s run
    assert not job_process.is_running()  # the job's process was killed, not left behind
    (slot,) = [e for e in entries(agent) if e.state != "planned"]
    assert slot.state == "missed"
    assert str(slot.reason).startswith("abandoned: agent stopped (SIGTERM)")
    assert open_store(agent.db).list_runs() == []  # no half-written record
    assert "abandoned" in agent.stderr()


def test_a_second_instance_is_refused_with_a_clear_error(agents, tmp_path):
    inv = inventory(tmp_path / "inv.yaml", 1, "  daily:\n    cron: '0 8 * * *'\n")
    first = agents(inv)
    wait_until(lambda: "agent started" in first.stderr(), 30, "the first agent")
    second = agents(inv, "--once")
    assert second.wait() == 3
    message = second.stderr().strip()
    assert message == (
        f"inspect: error: another agent is already running (pid {first.process.pid}, "
        f"lock {tmp_path / 'data' / 'opsinspect' / 'agent.lock'})"
    )
    first.signal(signal.SIGINT)
    assert first.wait() == 0
    third = agents(inv, "--once")  # the lock is free again
    assert third.wait() == 0, third.stderr()


def test_sighup_reloads_a_changed_inventory(agents, tmp_path):
    path = inventory(tmp_path / "inv.yaml", 1, "  first:\n    every: 2s\n")
    agent = agents(path)
    wait_until(lambda: entries(agent, "done", "first"), 30, "a run of the first job")
    inventory(path, 1, "  second:\n    every: 2s\n")
    agent.signal(signal.SIGHUP)
    wait_until(lambda: entries(agent, "done", "second"), 30, "a run of the reloaded job")
    assert "reloaded" in agent.stderr()
    assert not entries(agent, "planned", "first")  # its next slot was cancelled
    path.write_text("schedules: [broken")
    agent.signal(signal.SIGHUP)
    wait_until(lambda: "reload failed" in agent.stderr(), 10, "the reload error")
    assert agent.process.poll() is None  # a bad file does not stop the agent
    agent.signal(signal.SIGTERM)
    assert agent.wait() == 0


def test_a_job_gone_from_the_file_before_the_reload_is_missed_and_the_agent_goes_on(
    agents, tmp_path
):
    path = inventory(tmp_path / "inv.yaml", 1, "  often:\n    every: 2s\n")
    agent = agents(path)
    wait_until(lambda: entries(agent, "done", "often"), 30, "a run")
    inventory(path, 1, "  other:\n    cron: '0 3 1 1 *'\n")  # edited, no SIGHUP yet
    reason = f"failed to start: job 'often' is no longer in {path}"

    def cannot_start() -> bool:  # other slots may be missed as still going on a busy box
        return any(str(e.reason) == reason for e in entries(agent, "missed", "often"))

    wait_until(cannot_start, 30, "a slot that cannot start")
    assert agent.process.poll() is None
    agent.signal(signal.SIGTERM)
    assert agent.wait() == 0


def test_sigkill_of_the_agent_ends_its_job_and_the_restarted_agent_keeps_the_plan_true(
    agents, tmp_path
):
    path = inventory(tmp_path / "inv.yaml", 8, SLOW)
    agent = agents(path)
    wait_until(lambda: entries(agent, "running"), 30, "a running slot")
    (killed_slot,) = entries(agent, "running")
    (job_process,) = psutil.Process(agent.process.pid).children()
    agent.process.kill()
    agent.wait()
    job_process.wait(timeout=2)  # died with the agent, not re-parented to finish unwatched
    again = agents(path, "--stop-timeout", "60")
    wait_until(lambda: "agent started" in again.stderr(), 60, "the restarted agent")
    again.signal(signal.SIGTERM)
    assert again.wait() == 0
    after = {e.slot_at: e for e in entries(again)}
    assert after[killed_slot.slot_at].state == "missed"
    assert str(after[killed_slot.slot_at].reason) == "agent stopped during the run"
    done = {e.run_id for e in after.values() if e.state == "done"}
    stored = {r.id for r in open_store(agent.db).list_runs(limit=100)}
    assert stored == done  # every stored run is credited to its slot, and only those
