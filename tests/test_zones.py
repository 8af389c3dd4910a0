"""Zones: real `inspect worker` processes on a private Redis inspect their zone's targets for
`inspect run` (docs/central.md). A worker killed with SIGKILL mid-task has its target
redelivered to another worker of the zone, and the run still records each target once; a
zone without a worker gives one "no poller" per target after the deadline, never a hang."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml

from core.catalog import Language
from core.model import Finding, Sample
from core.phrases import phrase
from core.status import Status
from flows import wire
from tests.services import wait_until
from tests.services.sshd import PASSWORD_ENV

ROOT = Path(__file__).resolve().parents[1]
WORKER_PASSWORD = "ZONE_WORKER_SSH_PASSWORD"  # only the worker's environment has it
DEADLINE = 6  # central.deadline: visibility 11 s, a run waits at most 29 s
_databases = itertools.count(1)


def _env(**extra: str) -> dict[str, str]:
    """A child's environment without the test's SSH password: the server never has it."""
    env = {k: v for k, v in os.environ.items() if k not in (PASSWORD_ENV, WORKER_PASSWORD)}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


def _inventory(tmp_path: Path, redis_url: str, hosts: dict) -> Path:
    path = tmp_path / "inventory.yaml"
    data = {"central": {"broker": redis_url, "deadline": f"{DEADLINE}s"}, "hosts": hosts}
    path.write_text(yaml.safe_dump(data))
    return path


class Worker:
    """One `inspect worker --zone` process, ready once it answers a Celery ping."""

    def __init__(self, inventory: Path, zone: str, log: Path, **env: str) -> None:
        self.zone = zone
        self.log = log
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "cli", "worker", "--zone", zone, "-i", str(inventory),
                 "--concurrency", "4"],
                env=_env(**env), stdout=out, stderr=subprocess.STDOUT,
            )
        self.name = f"{zone}@"

    def wait_ready(self, app) -> None:
        def answers() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"worker exited: {self.log.read_text()[-2000:]}")
            replies = app.control.ping(timeout=0.5) or []
            return any(name.endswith(f".{self.process.pid}") for r in replies for name in r)

        wait_until(answers, 60, f"inspect worker --zone {self.zone}")

    def active(self, app) -> list:
        replies = app.control.inspect(timeout=0.5).active() or {}
        return [t for name, tasks in replies.items() if name.endswith(f".{self.process.pid}")
                for t in tasks]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def zone_setup(tmp_path, redis_server):
    """An inventory on a Redis database of its own (queues never shared between tests) and
    the workers a test starts, stopped at the end."""
    url = redis_server.url(next(_databases))
    started: list[Worker] = []

    def inventory(hosts: dict) -> Path:
        return _inventory(tmp_path, url, hosts)

    def worker(path: Path, zone: str, **env: str) -> Worker:
        w = Worker(path, zone, tmp_path / f"worker-{zone}-{len(started)}.log", **env)
        started.append(w)
        return w

    yield url, inventory, worker
    for w in started:
        w.stop()


def _app(path: Path):
    from flows.zones import celery_app
    from settings.inventory import load

    return celery_app(load(path).central)


def _run(path: Path, *args: str, timeout: float = 90) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "cli", "run", "-i", str(path), "-f", "json", "--timeout",
         str(DEADLINE), *args],
        env=_env(), capture_output=True, text=True, timeout=timeout,
    )
    assert done.returncode in (0, 1, 2, 3), done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    return json.loads(done.stdout)


def _by_target(run: dict) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for f in run["findings"]:
        found.setdefault(f["target"], []).append(f)
    return found


def _once_each(run: dict, names: list[str]) -> None:
    assert sorted(run["run"]["targets"]) == sorted(names)
    assert Counter(run["run"]["targets"]).most_common(1)[0][1] == 1
    prints = Counter(f"{f['target']}|{f['check']}|{f['subject']}" for f in run["findings"])
    assert prints and prints.most_common(1)[0][1] == 1, prints.most_common(3)


def test_workers_in_two_zones_inspect_their_targets(zone_setup, sshd_server):
    """The server inspects its own target; dc-a's worker an SSH target whose password only
    that worker's environment holds; dc-b's worker a local target and the same sshd by key."""
    url, inventory, worker = zone_setup
    path = inventory({
        "here": {"address": "localhost"},
        "b-local": {"address": "localhost", "zone": "dc-b"},
        "b-ssh": {"address": "127.0.0.1", "zone": "dc-b", "ssh": sshd_server.inventory_ssh()},
        "a-ssh": {"address": "127.0.0.1", "zone": "dc-a",
                  "ssh": sshd_server.inventory_ssh(key_file=None,
                                                   password=f"env:{WORKER_PASSWORD}")},
    })
    password = os.environ[PASSWORD_ENV]
    app = _app(path)
    workers = [worker(path, "dc-a", **{WORKER_PASSWORD: password}), worker(path, "dc-b")]
    for w in workers:
        w.wait_ready(app)
    run = _run(path, "--no-store")
    _once_each(run, ["here", "b-local", "b-ssh", "a-ssh"])
    found = _by_target(run)
    for name in ("b-ssh", "a-ssh"):  # reached, logged in and measured on the worker
        failures = [f for f in found[name] if f["check"] in ("reachability", "collector")]
        assert not failures, failures
        assert any(f["check"] == "disk" for f in found[name]), found[name]
    assert any(f["check"] == "cpu" for f in found["b-local"])
    # the password never travelled: not in the broker's messages nor results
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter())
    assert keys  # the results are there to look into
    for key in keys:
        assert password.encode() not in (client.dump(key) or b""), key


def test_a_worker_killed_mid_task_has_its_target_redelivered(zone_setup, sshd_server, tarpit):
    """k-slow's SSH connects to a tarpit and holds its task for the whole deadline: the
    worker that took it is killed (SIGKILL) then, and another worker of the zone gets it
    again after the visibility timeout; every target is in the run exactly once."""
    _url, inventory, worker = zone_setup
    path = inventory({
        "k-slow": {"address": "127.0.0.1", "zone": "dc-k",
                   "ssh": sshd_server.inventory_ssh(port=tarpit.port)},
        "k-ssh": {"address": "127.0.0.1", "zone": "dc-k", "ssh": sshd_server.inventory_ssh()},
        "k-local": {"address": "localhost", "zone": "dc-k"},
    })
    app = _app(path)
    first = worker(path, "dc-k")
    first.wait_ready(app)
    run = subprocess.Popen(
        [sys.executable, "-m", "cli", "run", "-i", str(path), "-f", "json", "--timeout",
         str(DEADLINE), "--no-store", "--retries", "0"],
        env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        wait_until(lambda: any(t["kwargs"]["target"] == "k-slow" for t in first.active(app)),
                   30, "the first worker to take k-slow")
        first.process.send_signal(signal.SIGKILL)
        first.process.wait()
        second = worker(path, "dc-k")
        second.wait_ready(app)
        out, err = run.communicate(timeout=90)
    finally:
        if run.poll() is None:
            run.kill()
    assert "Traceback" not in err, err
    result = json.loads(out)
    _once_each(result, ["k-slow", "k-ssh", "k-local"])
    slow = _by_target(result)["k-slow"]
    assert len(slow) == 1 and slow[0]["status"] == "UNKNOWN", slow
    assert "no poller" not in slow[0]["summary"], slow  # the second worker did answer
    assert "timeout" in slow[0]["summary"] or "banner" in slow[0]["summary"], slow


def test_a_zone_without_worker_is_one_no_poller_per_target(zone_setup):
    """Nobody listens on dc-z: after the wait, each of its targets is one UNKNOWN naming the
    zone; the server's own target is inspected as usual. The stored finding is a phrase, so a
    Chinese reader sees it in Chinese later."""
    _url, inventory, _worker = zone_setup
    path = inventory({
        "here": {"address": "localhost"},
        "z1": {"address": "localhost", "zone": "dc-z"},
        "z2": {"address": "localhost", "zone": "dc-z"},
    })
    began = time.monotonic()
    run = _run(path, "--timeout", "2")
    assert time.monotonic() - began < 60
    _once_each(run, ["here", "z1", "z2"])
    found = _by_target(run)
    for name in ("z1", "z2"):
        [finding] = found[name]
        assert finding["status"] == "UNKNOWN"
        assert finding["summary"].startswith("no poller: zone dc-z "), finding
    assert any(f["check"] == "cpu" for f in found["here"])
    shown = subprocess.run(
        [sys.executable, "-m", "cli", "--lang", "zh-CN", "records", "show", run["run"]["id"],
         "-f", "json"],
        env=_env(), capture_output=True, text=True, timeout=60,
    )
    stored = _by_target(json.loads(shown.stdout))
    seconds = found["z1"][0]["summary"].split()[-2]
    assert stored["z1"][0]["shown"]["summary"] == (
        f"无巡检节点：区域 dc-z 在 {seconds} 秒内没有巡检节点接收该任务"
    )
    assert stored["z1"][0]["shown"]["hint"].startswith("该目标所在区域没有巡检节点")


def test_zone_runs_are_stored_and_listed(zone_setup):
    """A zone run is stored like a local one (the records' `list`); the second run's task
    carries the first run's samples and findings (its history)."""
    _url, inventory, worker = zone_setup
    path = inventory({"s-local": {"address": "localhost", "zone": "dc-s"}})
    app = _app(path)
    worker(path, "dc-s").wait_ready(app)
    first = _run(path)
    second = _run(path)
    assert first["run"]["id"] != second["run"]["id"]
    listed = subprocess.run(
        [sys.executable, "-m", "cli", "records", "list", "-i", str(path), "-f", "json"],
        env=_env(), capture_output=True, text=True, timeout=60,
    )
    ids = {r["id"] for r in json.loads(listed.stdout)}
    assert {first["run"]["id"], second["run"]["id"]} <= ids


def test_the_wire_keeps_samples_findings_and_phrases():
    from datetime import UTC, datetime

    sample = Sample("t", "disk.used_percent", 93.5, "%", datetime(2026, 1, 2, tzinfo=UTC),
                    {"mount": "/var"})
    finding = Finding(
        "t", "disk", "/var", Status.CRITICAL,
        summary=phrase("disk {mount} {used} used", mount="/var", used=phrase("93.5%")),
        value=93.5, unit="%", threshold="critical > 90%", hint=phrase("clean up"),
        evidence={"reason": "x", "n": [1, 2]},
    )
    data = json.loads(json.dumps(wire.to_json((sample,), (finding,))))
    assert wire.from_json(data) == ((sample,), (finding,))


def test_a_zone_without_central_is_refused_with_its_line(tmp_path):
    path = tmp_path / "inventory.yaml"
    path.write_text("hosts:\n  web1:\n    zone: dc-b\n")
    done = subprocess.run(
        [sys.executable, "-m", "cli", "inventory", "validate", "-i", str(path)],
        env=_env(), capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 3, done
    assert "inventory.yaml:" in done.stderr and "central" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_worker_refuses_a_target_of_another_inventory_or_unknown(tmp_path):
    """The worker's own file decides: another version, or a name not in it, is one UNKNOWN
    configuration finding for the target, never a guess."""
    from settings.inventory import load
    from workers.tasks import Copy, run

    path = tmp_path / "inventory.yaml"
    path.write_text("central: {broker: 'redis://127.0.0.1:1/0'}\n"
                    "hosts:\n  w1: {address: localhost, zone: dc-w}\n")
    copy = Copy(path, "dc-w", load(path, "dc-w"))
    task = {"deadline": 5.0, "until": time.time() + 10, "retries": 0, "backoff": 0.1,
            "previous": wire.to_json((), ())}
    [stale] = run(copy, "dc-w", target="w1", inventory="0123456789abcdef", **task).findings
    assert stale.status == Status.UNKNOWN and "is not the server's" in str(stale.summary)
    [unknown] = run(copy, "dc-w", target="nope", inventory=copy.version, **task).findings
    assert "not in this worker's inventory" in str(unknown.summary)
    # what the server gets back is the phrase, shown in the reader's language
    _samples, (received,) = wire.from_json(json.loads(json.dumps(wire.to_json((), (stale,)))))
    assert Language("zh-CN").text(received.summary) == (
        f"配置错误：本巡检节点的清单（{copy.version}）与服务器的（0123456789abcdef）不一致："
        "请把同一份文件复制到巡检节点"
    )
    path.write_text(path.read_text() + "  w2: {address: localhost, zone: dc-w}\n")
    edited = load(path, "dc-w")
    from flows.zones import inventory_version

    result = run(copy, "dc-w", target="w2", inventory=inventory_version(edited), **task)
    assert any(f.check == "cpu" for f in result.findings)  # read again, then inspected


def test_a_task_taken_late_ends_in_time_for_its_result_to_reach_the_run(
    tmp_path, sshd_server, tarpit
):
    """A task redelivered with little of the run's wait left, on a target that hangs: the
    worker cuts it short by the result's return trip, so the run gets the target's timeout
    rather than giving up on it as "no poller" the moment the worker answers."""
    from flows.zones import MARGIN
    from settings.inventory import load
    from workers.tasks import Copy, run

    path = tmp_path / "inventory.yaml"
    path.write_text(yaml.safe_dump({
        "central": {"broker": "redis://127.0.0.1:1/0"},
        "hosts": {"w-hung": {"address": "127.0.0.1", "zone": "dc-w",
                             "ssh": sshd_server.inventory_ssh(port=tarpit.port)}},
    }))
    copy = Copy(path, "dc-w", load(path, "dc-w"))
    until = time.time() + MARGIN + 3  # the run waits 3 s more than the return trip
    result = run(copy, "dc-w", target="w-hung", inventory=copy.version, deadline=60.0,
                 until=until, retries=0, backoff=0.1, previous=wire.to_json((), ()))
    assert time.time() < until - MARGIN / 2  # well before the run stops waiting
    [finding] = result.findings
    assert finding.status == Status.UNKNOWN and "no poller" not in str(finding.summary)


@pytest.mark.parametrize(
    ("text", "command", "said"),
    [
        ("hosts:\n  web1:\n    zone: 'dc b!'\n", "validate", "a zone is letters"),
        ("hosts:\n  web1: {address: localhost}\n", "worker", "no `central:` section"),
    ],
)
def test_zone_mistakes_are_one_line_exit_3(tmp_path, text, command, said):
    path = tmp_path / "inventory.yaml"
    path.write_text(text)
    args = ["inventory", "validate"] if command == "validate" else ["worker", "--zone", "dc-b"]
    done = subprocess.run(
        [sys.executable, "-m", "cli", *args, "-i", str(path)],
        env=_env(), capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 3, done
    assert said in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
