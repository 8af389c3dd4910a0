"""Everything that runs for a target is inside one exception boundary: a failure of ours (a
check that raises, a broken history lookup) is that target's UNKNOWN at once, naming it,
never a timeout after the whole deadline.

The failures are injected: no real program makes a check raise or a lookup break on demand.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime
from typing import ClassVar

import pytest

import checks
import collectors
from core.model import PreviousRun, Sample, Target
from core.status import Status
from flows import pool
from flows.inspect import RunOptions, inspect
from settings.inventory import Inventory

DEADLINE = 20.0  # seconds: the old code waited all of it before saying "timeout"


class Answers:
    name: ClassVar[str] = "answers"
    family: ClassVar[str] = "none"  # owes no check a finding: it only measures zombies

    def collect(self, target, session):
        return [Sample(target.name, "system.zombies", 0, "count", datetime.now(UTC))]


class Raises:
    """A check with a bug in it."""

    name: ClassVar[str] = "broken"
    family: ClassVar[str] = "host"
    inputs: ClassVar[tuple[str, ...]] = ("system.zombies",)

    def configured(self, profile) -> bool:
        return True

    def evaluate(self, target, samples, context):
        return [1 / 0]


@pytest.fixture
def targets(monkeypatch):
    monkeypatch.setitem(collectors.REGISTRY, Answers.name, Answers)
    return tuple(Target(name, address="10.0.0.1", collectors=(Answers.name,)) for name in "ab")


def run(targets, previous=lambda _name: PreviousRun()):
    started = time.monotonic()
    result = inspect(
        Inventory(targets=targets), targets, RunOptions(timeout=DEADLINE, jitter=0), previous
    )
    return result, time.monotonic() - started


def test_a_broken_history_lookup_is_named_at_once(targets):
    def previous(name: str) -> PreviousRun:
        if name == "a":
            raise sqlite3.DatabaseError("database disk image is malformed")
        return PreviousRun()

    result, elapsed = run(targets, previous)
    assert elapsed < 3
    [failed] = [f for f in result.findings if f.target == "a"]
    assert failed.status == Status.UNKNOWN
    assert str(failed.summary).startswith("internal error: the inspection stopped at ")
    assert str(failed.summary).endswith(": database disk image is malformed")
    assert failed.evidence["error"] == "DatabaseError: database disk image is malformed"
    assert "timeout" not in str(failed.summary) and "deadline" not in str(failed.summary)
    # the other target is inspected as usual
    assert [f.check for f in result.findings if f.target == "b"] == ["zombies"]


def test_a_check_that_raises_is_named_at_once(targets, monkeypatch):
    monkeypatch.setitem(checks.REGISTRY, Raises.name, Raises())
    result, elapsed = run(targets)
    assert elapsed < 3
    failed = [f for f in result.findings if f.check == "inspection"]
    assert [f.target for f in failed] == ["a", "b"]
    assert all(str(f.summary).endswith(": division by zero") for f in failed)
    assert all("test_runner_boundary.py:" in str(f.summary) for f in failed)
    assert all(f.evidence["error"] == "ZeroDivisionError: division by zero" for f in failed)


def test_the_pool_delivers_a_failure_as_a_result_not_a_hang():
    def work(item: str) -> str:
        if item == "bad":
            raise RuntimeError("boom")
        return item

    started = time.monotonic()
    results = pool.run_bounded(["a", "bad", "b"], work, workers=2, timeout=DEADLINE)
    assert time.monotonic() - started < 1
    assert results[0] == "a" and results[2] == "b"
    assert isinstance(results[1], pool.Failed) and str(results[1].error) == "boom"


def test_a_failed_inspection_does_not_resolve_the_targets_tickets(tmp_path):
    """The failure hid every finding of the target: its open problems are not gone."""
    from tests.test_tickets_support import estate

    e = estate(tmp_path, "hosts:\n  web01: {}\n")
    var = "web01|disk|/var"
    e.inspect({var: Status.CRITICAL})
    e.inspect({var: Status.CRITICAL})
    for _ in range(3):
        e.inspect({"web01|inspection|target": Status.UNKNOWN})
    assert {t.fingerprint: t.state for t in e.tickets()}[var] == "open"
