"""The long-lived agent keeps neither pydantic nor SQLAlchemy resident: the inventory is
validated in a child (agent/config.py) and the plan written through the DB-API
(records/plan.py), so its resident set stays that of the scheduler and the exporter."""

from __future__ import annotations

from pathlib import Path

import pydantic_core
import sqlalchemy

from tests.services import free_port, wait_until
from tests.test_agent_process import AgentProcess


def _libraries(pid: int) -> set[str]:
    """The shared objects mapped into the process: a compiled module imported is one."""
    lines = Path(f"/proc/{pid}/maps").read_text().splitlines()
    return {line.split()[-1] for line in lines if line.split()[-1].endswith(".so")}


def test_the_running_agent_imports_neither_pydantic_nor_sqlalchemy(tmp_path):
    pydantic_dir = str(Path(pydantic_core.__file__).parent)
    sqlalchemy_dir = str(Path(sqlalchemy.__file__).parent)
    # both ship compiled modules here, so an import of either shows in the maps
    assert any(Path(pydantic_dir).glob("*.so")) and any(Path(sqlalchemy_dir).rglob("*.so"))
    inventory = tmp_path / "inv.yaml"
    inventory.write_text(  # export on and failing: the send path has run too
        "hosts:\n  h0: {address: 127.0.0.1}\n"
        "schedules:\n  inspection:\n    cron: '0 3 1 1 *'\n"
        f"export:\n  url: http://127.0.0.1:{free_port()}\n  metrics_every: 1s\n"
        f"  spool_dir: {tmp_path / 'spool'}\n"
    )
    agent = AgentProcess(tmp_path, inventory)
    try:
        wait_until(lambda: "export:" in agent.stderr(), 60, "the agent to try its export")
        loaded = _libraries(agent.process.pid)
    finally:
        agent.stop()
    assert not [so for so in loaded if so.startswith((pydantic_dir, sqlalchemy_dir))]
