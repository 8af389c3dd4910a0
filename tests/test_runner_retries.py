"""Runner behaviour under injected failures: retries only for transient errors, hard deadlines.

The failures are injected (a collector that raises or hangs on purpose): no real program
fails on demand in these exact ways, which is what fakes are for.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import ClassVar

import pytest

import collectors
from core.errors import CollectError
from core.model import PreviousRun, Sample, Target
from core.status import Status
from flows.inspect import RunOptions, inspect, inspect_target
from flows.pool import TimedOut, run_bounded
from settings.inventory import Inventory

NO_HISTORY = lambda _name: PreviousRun()  # noqa: E731


class Flaky:
    """Fails with the given errors in turn, then succeeds."""

    name: ClassVar[str] = "flaky"
    family: ClassVar[str] = "none"  # owes no check a finding: it only measures zombies

    def __init__(self, *errors: CollectError) -> None:
        self.errors = list(errors)
        self.calls = 0

    def collect(self, target, session):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return [Sample(target.name, "system.zombies", 0, "count", datetime.now(UTC))]


@pytest.fixture
def with_collector(monkeypatch):
    def install(collector):
        monkeypatch.setitem(collectors.REGISTRY, collector.name, lambda: collector)
        return Target("t1", address="10.0.0.1", collectors=(collector.name,))

    return install


def refused() -> CollectError:
    return CollectError("unreachable", "refused", transient=True)


def test_transient_failures_are_retried_until_success(with_collector):
    flaky = Flaky(refused(), refused())
    target = with_collector(flaky)
    result = inspect_target(Inventory(targets=(target,)), target, NO_HISTORY, 10, retries=2)
    assert flaky.calls == 3
    assert not [f for f in result.findings if f.check == "reachability"]
    assert [s.metric for s in result.samples] == ["system.zombies"]


def test_retries_give_up_with_the_attempt_count(with_collector):
    flaky = Flaky(refused(), refused(), refused())
    target = with_collector(flaky)
    result = inspect_target(
        Inventory(targets=(target,)), target, NO_HISTORY, 10, retries=2, backoff=0.01
    )
    [finding] = result.findings
    assert finding.status == Status.UNKNOWN
    assert str(finding.summary) == "unreachable: refused (after 3 attempts)"


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (CollectError("auth failed", "rejected"), Status.UNKNOWN),
        (CollectError("host key changed", "offered another key"), Status.CRITICAL),
        (CollectError("host key unknown", "not in known_hosts"), Status.UNKNOWN),
    ],
)
def test_auth_and_host_key_failures_are_never_retried(with_collector, error, status):
    flaky = Flaky(error)
    target = with_collector(flaky)
    result = inspect_target(Inventory(targets=(target,)), target, NO_HISTORY, 10, retries=5)
    assert flaky.calls == 1
    [finding] = result.findings
    assert finding.status == status
    assert str(finding.summary).startswith(f"{error.reason}:")


def test_no_retry_that_cannot_finish_before_the_deadline(with_collector):
    flaky = Flaky(refused(), refused())
    target = with_collector(flaky)
    started = time.monotonic()
    result = inspect_target(
        Inventory(targets=(target,)), target, NO_HISTORY, 1.0, retries=2, backoff=5
    )
    assert time.monotonic() - started < 0.5
    assert flaky.calls == 1
    assert str(result.findings[0].summary) == "unreachable: refused"


def test_a_hung_item_costs_only_its_own_timeout():
    release = threading.Event()

    def work(item: str) -> str:
        if item == "hung":
            release.wait()  # never answers
        return item

    started = time.monotonic()
    results = run_bounded(["a", "hung", "b", "c"], work, workers=2, timeout=0.5)
    elapsed = time.monotonic() - started
    release.set()
    assert results[0] == "a" and results[2:] == ["b", "c"]
    assert isinstance(results[1], TimedOut)
    assert elapsed < 0.5 + 0.3


def test_jitter_stays_inside_the_deadline(with_collector):
    targets = tuple(
        with_collector(Flaky()) if i == 0 else Target(f"t{i}", collectors=("flaky",))
        for i in range(4)
    )
    started = time.monotonic()
    run = inspect(Inventory(targets=targets), targets, RunOptions(timeout=2, jitter=0.3))
    assert time.monotonic() - started < 0.3 + 0.5
    assert run.status == Status.OK
