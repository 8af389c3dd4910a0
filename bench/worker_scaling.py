"""Zone workers: `inspect run` through 1, 2 and 4 `inspect worker` processes vs today's
single-process `inspect run`, on the same inventory, in one run.

Not a test. The inventory holds recorded switches served by snmpsim (SNMP, community = the
recording's name) and names that all point at one real OpenSSH sshd on 127.0.0.1 (key auth,
the KEX paramiko negotiates). The zoned copy adds `zone: bench` and a `central:` section on a
private redis-server; the plain copy is the same targets without them. Each worker gets the
same `--concurrency` as the single process's `--workers`, so the ratios show what more
processes buy. Wall time includes each `inspect run`'s process start (workers are started and
ready before the clock starts). Prints targets/s and the ratios against 1 worker and against
the single process.

    python3 bench/worker_scaling.py [--snmp 24] [--ssh 24] [--concurrency 8] [--repeat 2]

On a 2-core machine the targets (snmpsim, sshd) share the CPU with the pollers: expect the
gain to stop where they, not the workers, are the limit.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.services import free_port, port_open, wait_until  # noqa: E402
from tests.services.snmpsim import serve as serve_recordings  # noqa: E402
from tests.services.sshd import (  # noqa: E402
    ensure_test_user,
    machine_password,
    new_workdir,
    start_sshd,
)

SWITCHES = ("cisco-catalyst-c3560", "huawei-s5720-36c-ei", "arista-dcs-7150s-52-cl", "h3c-e528")
FAIR_SSHD = ("KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org", "SetEnv SHLVL=1")


@contextlib.contextmanager
def redis() -> Iterator[str]:
    workdir = Path(tempfile.mkdtemp(prefix="opsinspect-bench-redis-"))
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
         "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: port_open(port), 20, "redis-server")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(20)
        shutil.rmtree(workdir, ignore_errors=True)


def inventories(scratch: Path, sim_port: int, ssh: dict, broker: str, snmp_n: int, ssh_n: int):
    hosts: dict[str, dict] = {}
    for i in range(snmp_n):
        device = SWITCHES[i % len(SWITCHES)]
        hosts[f"sw{i:03d}"] = {
            "kind": "switch", "address": "127.0.0.1",
            "snmp": {"port": sim_port, "community": f"env:BENCH_{_var(device)}", "timeout": 10},
        }
    for i in range(ssh_n):
        hosts[f"srv{i:03d}"] = {"address": "127.0.0.1", "ssh": ssh}
    plain, zoned = scratch / "plain.yaml", scratch / "zoned.yaml"
    plain.write_text(json.dumps({"hosts": hosts}))
    zoned_hosts = {name: {**spec, "zone": "bench"} for name, spec in hosts.items()}
    central = {"broker": broker, "deadline": "120s"}
    zoned.write_text(json.dumps({"central": central, "hosts": zoned_hosts}))
    return plain, zoned


def _var(device: str) -> str:
    return device.upper().replace("-", "_")


def timed_run(inventory: Path, env: dict, workers: int) -> float:
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "cli", "run", "-i", str(inventory), "--no-store", "-f", "json",
         "--workers", str(workers), "--timeout", "120", "--jitter", "0"],
        env=env, capture_output=True, text=True, cwd=ROOT,
    )
    took = time.perf_counter() - began
    if "Traceback" in done.stderr or not done.stdout:
        raise RuntimeError(done.stderr[-2000:])
    findings = json.loads(done.stdout)["findings"]
    failed = [f for f in findings if f["check"] in ("reachability", "collector")]
    if failed:
        raise RuntimeError(f"{len(failed)} target(s) not inspected: {failed[0]['summary']}")
    return took


@contextlib.contextmanager
def workers(count: int, inventory: Path, env: dict, concurrency: int) -> Iterator[None]:
    from flows.zones import celery_app
    from settings.inventory import load

    started = [
        subprocess.Popen(
            [sys.executable, "-m", "cli", "worker", "--zone", "bench", "-i", str(inventory),
             "--concurrency", str(concurrency)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
        )
        for _ in range(count)
    ]
    app = celery_app(load(inventory).central)
    pids = {str(p.pid) for p in started}

    def all_ready() -> bool:
        replies = app.control.ping(timeout=0.5) or []
        return pids <= {name.rsplit(".", 1)[-1] for r in replies for name in r}

    try:
        wait_until(all_ready, 60, f"{count} worker(s)")
        yield
    finally:
        for p in started:
            p.send_signal(signal.SIGTERM)
        for p in started:
            p.wait(30)
        app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snmp", type=int, default=24, help="SNMP targets (recorded switches)")
    parser.add_argument("--ssh", type=int, default=24, help="SSH targets (one real sshd)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    ensure_test_user(machine_password())
    scratch = Path(tempfile.mkdtemp(prefix="opsinspect-bench-zones-"))
    server = start_sshd(new_workdir(), extra_config=FAIR_SSHD)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_DATA_HOME": str(scratch / "data"),
           **{f"BENCH_{_var(d)}": d for d in SWITCHES}}
    try:
        with serve_recordings(list(SWITCHES)) as sim, redis() as broker:
            plain, zoned = inventories(
                scratch, sim.port, server.inventory_ssh(), broker, args.snmp, args.ssh
            )
            total = args.snmp + args.ssh
            results: dict[str, float] = {}
            results["single process"] = statistics.median(
                timed_run(plain, env, args.concurrency) for _ in range(args.repeat)
            )
            for count in (1, 2, 4):
                with workers(count, zoned, env, args.concurrency):
                    results[f"{count} worker(s)"] = statistics.median(
                        timed_run(zoned, env, args.concurrency) for _ in range(args.repeat)
                    )
    finally:
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    one, single = results["1 worker(s)"], results["single process"]
    print(f"{total} targets ({args.snmp} SNMP recorded switches, {args.ssh} SSH), "
          f"concurrency {args.concurrency} per process, median of {args.repeat}")
    print(f"{'':18}{'wall s':>8}{'targets/s':>11}{'vs 1 worker':>13}{'vs single':>11}")
    for label, took in results.items():
        print(f"{label:18}{took:8.2f}{total / took:11.1f}{one / took:13.2f}{single / took:11.2f}")


if __name__ == "__main__":
    main()
