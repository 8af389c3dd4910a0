"""A private VictoriaMetrics for the test session: speaks the InfluxDB v2 write API.

The fixture hands out a controller so an outage test can stop it and start it again on the
same port and storage directory (points written before the stop must survive).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.services import free_port, port_open, require_program, wait_until


class VictoriaMetrics:
    def __init__(self, binary: str, storage: Path, port: int) -> None:
        self.binary = binary
        self.storage = storage
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log = open(self.storage.parent / "vm.log", "ab")  # noqa: SIM115 - owned by the child
        self.process = subprocess.Popen(
            [
                self.binary,
                f"-storageDataPath={self.storage}",
                f"-httpListenAddr=127.0.0.1:{self.port}",
                "-retentionPeriod=100y",
                "-search.latencyOffset=0s",
                "-search.disableCache",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        wait_until(lambda: self._healthy(), 30, "VictoriaMetrics")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        wait_until(lambda: not port_open(self.port), 10, "VictoriaMetrics shutdown")

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/health", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    def export(self, match: str) -> list[dict]:
        """Every stored series matching the selector, with all its values and timestamps."""
        # make just-written points searchable now instead of after the periodic flush
        with urllib.request.urlopen(f"{self.url}/internal/force_flush", timeout=10) as resp:
            resp.read()
        query = urllib.parse.urlencode({"match[]": match, "start": "0"})
        with urllib.request.urlopen(f"{self.url}/api/v1/export?{query}", timeout=10) as resp:
            return [json.loads(line) for line in resp.read().decode().splitlines() if line]

    def count(self, match: str) -> int:
        return sum(len(series["values"]) for series in self.export(match))

    def wait_for_count(self, match: str, expected: int, timeout: float = 30) -> int:
        """Points appear a few seconds after the write: poll until all are there."""
        deadline = time.monotonic() + timeout
        seen = self.count(match)
        while seen < expected and time.monotonic() < deadline:
            time.sleep(0.5)
            seen = self.count(match)
        return seen


@pytest.fixture(scope="session")
def victoriametrics() -> Iterator[VictoriaMetrics]:
    binary = require_program("victoria-metrics")
    base = Path(tempfile.mkdtemp(prefix="opsinspect-vm-"))
    vm = VictoriaMetrics(binary, base / "data", free_port())
    vm.start()
    try:
        yield vm
    finally:
        vm.stop()
        shutil.rmtree(base, ignore_errors=True)
