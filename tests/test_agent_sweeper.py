"""The agent's tickets timer (agent/sweeper.py) is bounded: a sweep stuck on a receiver that
accepts and never answers (a real tarpit) is killed after its timeout, and at stop after the
stop timeout; the notification it was sending stays claimed, so the next sweep does not send
it again while the claim holds."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest

from agent.sweeper import Sweeper
from core.clock import utc_now
from records import open_store
from records.tickets import events, notifications
from settings import inventory as inventory_loader
from tests.services import wait_until
from tickets import lifecycle


@pytest.fixture
def breached(tmp_path, tarpit):
    """A ticket past its response deadline, whose escalation notifies a hook that hangs."""
    path = tmp_path / "inventory.yaml"
    path.write_text(f"""\
hosts: {{h0: {{}}}}
tickets:
  sla: {{grades: {{B: {{response: 1s, resolution: 8h}}}}}}
  channels: {{hook: {{type: webhook, url: "http://{tarpit.host}:{tarpit.port}/", timeout: 600}}}}
  escalation: [{{name: line1}}, {{name: line2, channels: [hook]}}]
""")
    db = f"sqlite:///{tmp_path / 'records.db'}"
    engine = open_store(db).engine
    spec = inventory_loader.load(path).tickets
    ticket = lifecycle.open_manual(engine, spec, target="h0", title="t", actor="li", grade="B")
    wait_until(lambda: utc_now() > ticket.response_due, 30, "the response deadline to pass")
    return path, db, engine


def test_a_hung_sweep_is_killed_after_its_timeout(breached, caplog):
    path, db, _engine = breached
    sweeper = Sweeper(path, db, lambda: 1.0, threading.Event(), timeout=5)
    with caplog.at_level(logging.INFO, logger="opsinspect.agent"):
        sweeper.sweep_once()  # returns: the child was killed, not waited for
    assert "tickets sweep killed: still running after 5 s" in caplog.text
    assert sweeper.process is None


def test_at_stop_a_running_sweep_is_killed_and_its_claim_holds(breached, caplog):
    path, db, engine = breached
    stop = threading.Event()
    sweeper = Sweeper(path, db, lambda: 1.0, stop)
    with caplog.at_level(logging.INFO, logger="opsinspect.agent"):
        sweeper.start()
        wait_until(
            lambda: [n.attempts for n in notifications(engine)] == [1],
            120,
            "the sweep to escalate and send to the hook",
        )
        stop.set()
        sweeper.finish(0.5)
    assert not sweeper.thread.is_alive()
    assert "tickets sweep abandoned: agent stopped mid-sweep" in caplog.text
    [n] = notifications(engine)
    assert n.status == "pending" and n.next_attempt_at - utc_now() > timedelta(minutes=10)
    assert [e.action for e in events(engine)].count("escalated") == 1
    again = Sweeper(path, db, lambda: 1.0, threading.Event())
    again.sweep_once()  # nothing due: the claim holds, no second send
    assert [n.attempts for n in notifications(engine)] == [1]
