"""Soak: the real agent running its metrics cycle every second and inspecting localhost
every 10 s (each inspection in a job process), exporting to a real VictoriaMetrics; the
daemon's RSS sampled over time, to show that memory stays flat over many cycles (the `runs
for hours` requirement, compressed).

    python3 bench/agent_soak.py [--minutes 20] [--every 1] [--inspect-every 10]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.services import free_port  # noqa: E402
from tests.services.victoriametrics import VictoriaMetrics  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=20)
    parser.add_argument("--every", type=int, default=1, help="metrics cycle, seconds")
    parser.add_argument("--inspect-every", type=int, default=10)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    vm = VictoriaMetrics(shutil.which("victoria-metrics") or "", base / "vm", free_port())
    vm.start()
    inventory = base / "inventory.yaml"
    inventory.write_text(
        f"hosts:\n  localhost: {{}}\nschedules:\n  soak: {{every: {args.inspect_every}s}}\n"
        f"export:\n  url: {vm.url}\n  metrics_every: {args.every}s\n"
    )
    env = {**os.environ, "XDG_DATA_HOME": str(base / "data"), "PYTHONPATH": str(ROOT)}
    log = base / "agent.log"
    with open(log, "wb") as err:
        agent = subprocess.Popen(
            [sys.executable, "-m", "cli", "agent", "-i", str(inventory)],
            cwd=ROOT,
            env=env,
            stderr=err,
            stdout=subprocess.DEVNULL,
        )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # run the cleanup below
    try:
        process = psutil.Process(agent.pid)
        began = time.monotonic()
        samples = []
        while time.monotonic() - began < args.minutes * 60:
            time.sleep(10)
            runs = log.read_text().count(": done in ")
            cycles = vm.count('cpu_used_percent{target="localhost"}') - runs
            rss = process.memory_info().rss / 2**20
            samples.append((cycles, rss))
            print(
                f"{time.monotonic() - began:6.0f} s  {cycles:5d} metrics cycles  {runs:4d} "
                f"inspections  daemon RSS {rss:6.1f} MiB"
            )
        settled = [rss for cycles, rss in samples if cycles >= 20] or [samples[-1][1]]
        print(
            f"after {samples[-1][0]} metrics cycles and {runs} inspections: daemon RSS "
            f"{settled[0]:.1f} MiB at cycle ~20, {settled[-1]:.1f} MiB at the end, "
            f"max {max(settled):.1f} MiB"
        )
    finally:
        agent.terminate()
        agent.wait(30)
        vm.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
