"""The agent's metrics cycle: this host's metrics every `export.metrics_every`, read back from
a real VictoriaMetrics, with no inspection record and no plan row per cycle."""

from __future__ import annotations

import json
import signal
import time
import uuid

import pytest

from agent.metrics import HostMetrics, for_inventory
from settings.inventory import Inventory, load
from settings.profiles import FilesystemRule
from tests.services import wait_until
from tests.test_agent_process import AgentProcess, entries
from tests.test_agent_settings import inspect_cli


@pytest.fixture
def agent_with(tmp_path):
    started: list[AgentProcess] = []

    def start(inventory_text: str) -> AgentProcess:
        inventory = tmp_path / "inv.yaml"
        inventory.write_text(inventory_text)
        started.append(AgentProcess(tmp_path, inventory))
        return started[-1]

    yield start
    for agent in started:
        agent.stop()


def exporting(url: str, target: str, spool: str, metrics_every: str) -> str:
    """One local target, an inspection that does not come round during a test, export."""
    return (
        f"hosts:\n  {target}: {{address: 127.0.0.1}}\n"
        "schedules:\n  inspection:\n    cron: '0 3 1 1 *'\n"
        f"export:\n  url: {url}\n  metrics_every: {metrics_every}\n  spool_dir: {spool}\n"
    )


HOST_METRICS = {"cpu.used_percent", "load.1", "memory.available", "swap.total", "system.uptime"}


def test_a_cycle_reads_the_host_metrics_without_the_process_table_or_sockets():
    cycle = HostMetrics("web1", FilesystemRule())
    time.sleep(0.2)
    samples = cycle.collect()
    metrics = {s.metric for s in samples}
    assert metrics >= HOST_METRICS
    assert any(m.startswith("disk.") for m in metrics)
    assert not any(m.startswith(("process", "port", "zombie")) for m in metrics)
    assert {s.target for s in samples} == {"web1"}
    busy = next(s.value for s in samples if s.metric == "cpu.used_percent")
    assert 0.0 <= busy <= 100.0


def test_cycles_are_named_like_the_local_target_else_after_the_host(tmp_path):
    path = tmp_path / "inv.yaml"
    remote = "hosts:\n  db1: {address: 10.0.0.9, ssh: {username: x}}\n"
    path.write_text(remote + "  me: {address: 127.0.0.1}\n")
    assert for_inventory(load(path), "box").host == "me"
    path.write_text(remote)
    assert for_inventory(load(path), "box").host == "box"
    assert for_inventory(Inventory(), "box").host == "localhost"


def test_the_agent_exports_a_cycle_every_interval_without_plan_rows(
    victoriametrics, agent_with, tmp_path
):
    target = f"m{uuid.uuid4().hex[:8]}"
    agent = agent_with(exporting(victoriametrics.url, target, tmp_path / "spool", "1s"))

    def stamps() -> set[int]:
        found = victoriametrics.export(f'cpu_used_percent{{target="{target}"}}')
        return set(found[0]["timestamps"]) if found else set()

    wait_until(lambda: len(stamps()) >= 3, 60, "three metrics cycles in VictoriaMetrics")
    assert victoriametrics.count(f'disk_used_percent{{target="{target}"}}') >= 3
    assert victoriametrics.count(f'memory_available{{target="{target}"}}') >= 3
    assert entries(agent) == []  # cycles are not inspections: no plan row, no record
    agent.signal(signal.SIGTERM)
    assert agent.wait() == 0
    assert "metrics cycle failed" not in agent.stderr()
    assert "export: sent" not in agent.stderr()  # cycles are not worth a log line each


def test_metrics_every_null_turns_the_cycle_off(victoriametrics, agent_with, tmp_path):
    target = f"m{uuid.uuid4().hex[:8]}"
    agent = agent_with(exporting(victoriametrics.url, target, tmp_path / "spool", "null"))
    wait_until(lambda: "agent started" in agent.stderr(), 60, "the agent to start")
    time.sleep(2.5)
    assert victoriametrics.count(f'{{target="{target}"}}') == 0
    assert agent.process.poll() is None


def test_status_shows_the_metrics_interval(tmp_path):
    path = tmp_path / "inv.yaml"
    path.write_text(exporting("http://127.0.0.1:9", "me", tmp_path / "spool", "2m"))
    db = f"sqlite:///{tmp_path / 'r.db'}"
    shown = inspect_cli("agent", "status", "-i", str(path), "--db", db, "-f", "json", home=tmp_path)
    assert json.loads(shown.stdout)["host_metrics_every"] == 120
    table = inspect_cli("agent", "status", "-i", str(path), "--db", db, home=tmp_path).stdout
    assert "host metrics: every 120 s" in table
