"""Samples -> line protocol -> durable spool -> a real VictoriaMetrics, every point counted."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from agent.export.influx import Exporter
from agent.export.lineprotocol import lines
from agent.spool import Spool
from core.model import Sample
from settings.agent_spec import ExportSpec

ROOT = Path(__file__).resolve().parents[1]

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def samples(target: str, count: int, start: datetime = T0) -> list[Sample]:
    """`count` points: three metrics of two measurements, one timestamp per minute."""
    out = []
    for i in range(count):
        metric = ("disk.used_percent", "disk.free_bytes", "load.1")[i % 3]
        at = start + timedelta(minutes=i // 3)
        labels = {"mount": "/var lib,x=1"} if metric.startswith("disk") else {}
        out.append(Sample(target, metric, float(i), "%", at, labels))
    return out


def test_line_protocol_groups_fields_escapes_tags_and_keeps_the_sample_time():
    at = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    got = list(
        lines(
            [
                Sample("web 1", "disk.used_percent", 81.5, "%", at, {"mount": "/var lib"}),
                Sample("web 1", "disk.free_bytes", 1e9, "B", at, {"mount": "/var lib"}),
                Sample("web 1", "uptime", 12, "s", at),
                Sample("web 1", "load.1", float("nan"), "count", at),
            ]
        )
    )
    stamp = int(at.timestamp() * 1000)
    assert got == [
        (
            rf"disk,target=web\ 1,mount=/var\ lib used_percent=81.5,free_bytes=1000000000.0"
            f" {stamp}",
            2,
        ),
        (rf"uptime,target=web\ 1 value=12.0 {stamp}", 1),
    ]


def test_every_point_written_is_read_back(victoriametrics, tmp_path):
    target = f"t{uuid.uuid4().hex[:8]}"
    spec = ExportSpec(url=victoriametrics.url, batch_size=100, spool_dir=str(tmp_path / "spool"))
    exporter = Exporter(spec)
    points = exporter.enqueue(samples(target, 3000))
    assert points == 3000
    assert exporter.spool.stats().batches > 1  # several batches, each durable on disk
    result = exporter.flush(patience=10)
    assert (result.sent_points, result.left_batches) == (3000, 0)
    assert exporter.spool.batches() == []
    match = f'{{target="{target}"}}'
    assert victoriametrics.wait_for_count(match, 3000) == 3000
    series = victoriametrics.export(f'disk_used_percent{{target="{target}"}}')
    assert series[0]["metric"]["mount"] == "/var lib,x=1"
    assert series[0]["timestamps"][0] == int(T0.timestamp() * 1000)


def test_unreachable_server_keeps_every_batch_in_the_spool(tmp_path):
    from tests.services import free_port

    spec = ExportSpec(url=f"http://127.0.0.1:{free_port()}", spool_dir=str(tmp_path / "s"))
    exporter = Exporter(spec)
    exporter.enqueue(samples("x", 30))
    result = exporter.flush(patience=0)
    assert result.sent_points == 0 and result.left_batches == 1
    assert "ConnectionError" in result.error or "127.0.0.1" in result.error
    assert exporter.spool.stats().points == 30


def test_spool_over_its_limit_drops_the_oldest_and_counts_them(tmp_path, caplog):
    spool = Spool(tmp_path, limit_bytes=250)
    for i in range(5):
        spool.put(f"m{i} value=1 {i}\n".encode() * 5, 5)  # ~65 bytes each
    stats = spool.stats()
    assert stats.bytes <= 250
    assert stats.dropped_batches == 5 - stats.batches >= 1
    assert stats.dropped_points == 5 * stats.dropped_batches
    assert spool.batches()[-1].read_bytes().startswith(b"m4")  # the newest survives
    assert "dropped the 1 oldest batch" in caplog.text
    # the count survives a restart of the process that owns the spool
    assert Spool(tmp_path, 250).stats().dropped_points == stats.dropped_points


def test_a_damaged_batch_is_set_aside_and_the_rest_still_goes(victoriametrics, tmp_path, caplog):
    target = f"t{uuid.uuid4().hex[:8]}"
    spec = ExportSpec(url=victoriametrics.url, spool_dir=str(tmp_path / "spool"))
    exporter = Exporter(spec)
    exporter.spool.put(b"not gzip at all", 3)  # e.g. a spool file damaged on disk
    exporter.enqueue(samples(target, 30))
    result = exporter.flush(patience=5)
    assert (result.sent_points, result.left_batches) == (30, 0)
    (rejected,) = (tmp_path / "spool" / "rejected").iterdir()
    assert rejected.read_bytes() == b"not gzip at all"
    assert "is damaged (not a complete gzip stream)" in caplog.text
    assert victoriametrics.wait_for_count(f'{{target="{target}"}}', 30) == 30


def test_a_password_in_the_export_url_reaches_no_message(tmp_path):
    """`inspect run` warns and the agent logs with the URL redacted, password and user gone."""
    from tests.services import free_port

    closed = free_port()
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(
        "hosts:\n  localhost: {address: localhost}\n"
        f"export: {{url: 'http://ops:s3cret-pw@127.0.0.1:{closed}/', spool_dir: {tmp_path}/s}}\n"
        "schedules:\n  daily: {cron: '0 8 * * *'}\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_DATA_HOME": str(tmp_path / "data")}
    db = f"sqlite:///{tmp_path / 'records.db'}"
    run = subprocess.run(
        [sys.executable, "-m", "cli", "run", "-i", str(inventory), "--db", db],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    agent = subprocess.run(  # --once sends what the run left in the spool
        [sys.executable, "-m", "cli", "agent", "--once", "-i", str(inventory), "--db", db],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    for stderr in (run.stderr, agent.stderr):
        assert f"http://127.0.0.1:{closed}/" in stderr and "batch(es)" in stderr
        assert "s3cret" not in stderr and "ops" not in stderr


def test_spool_files_are_private(tmp_path):
    import stat

    spool = Spool(tmp_path / "spool", limit_bytes=100)
    for _ in range(3):
        spool.put(b"x" * 60, 1)  # over the limit: dropped.json is written too
    assert stat.S_IMODE((tmp_path / "spool").stat().st_mode) == 0o700
    files = list((tmp_path / "spool").iterdir())
    assert {f.name for f in files} >= {"dropped.json"} and len(files) >= 2
    for file in files:
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file


class _CountingSpool(Spool):
    listings = 0

    def batches(self) -> list[Path]:
        self.listings += 1
        return super().batches()


class _Collector:
    """A receiver that takes everything: what the drain sent, in order."""

    name, where = "collector", "here"

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    def send(self, item: Path, body: bytes) -> None:
        self.bodies.append(body)

    def set_aside(self, item: Path, error) -> None:
        raise AssertionError(error)


def test_a_full_spool_drains_oldest_first_listing_its_directory_once_per_pass(tmp_path):
    """An outbox left by a long outage holds thousands of items: draining it must not list the
    directory again for every item sent (quadratic in the backlog)."""
    import logging

    from agent.spool import Drainer

    spool = _CountingSpool(tmp_path / "spool", 50 * 1024 * 1024)
    bodies = [f"item {i:04d}".encode() for i in range(300)]
    for body in bodies:
        spool.put(body, 1)
    spool.listings = 0
    receiver = _Collector()
    drained = Drainer(spool, receiver, logging.getLogger("test")).drain()
    assert receiver.bodies == bodies
    assert (len(drained.sent), drained.left) == (300, 0)
    assert spool.listings <= 2  # the backlog, then the empty directory
