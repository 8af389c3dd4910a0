"""Fleet inspection over SSH: `inspect run` vs `ansible all -m shell` on the same N targets.

Not a test. Both tools reach N inventory names that all point at one real OpenSSH sshd on
127.0.0.1 (KexAlgorithms curve25519-sha256, the KEX paramiko negotiates; the test user's shell
is dash, so no shell start-up cost), with the same key, the same known_hosts, and the same
remote commands: Ansible runs our collector's sh script through its shell module. Wall time
includes each tool's process start. Prints hosts/s for both and the ratio, and each
controller's own CPU per host (the tool and the children it waits for; Ansible's ControlPersist
ssh masters run detached and are not counted, which flatters Ansible).

With --pin, the target sshd (and so everything it runs) is held to the last CPU and both
controllers to the others: targets are other machines in reality, and on a shared box the
target's CPU would otherwise be charged to whichever tool runs at the time.

    python3 bench/ssh_fleet.py [--hosts 50] [--forks 50] [--repeat 3] [--pin]

Ansible is a bench-only peer: `pip install 'ansible-core==2.14.*'` (the version Debian 12
ships), or put an existing `ansible` on PATH.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from collectors import linux_script  # noqa: E402
from collectors.local import CPU_INTERVAL  # noqa: E402
from settings.profiles import STANDARD  # noqa: E402
from tests.services.sshd import (  # noqa: E402
    SshServer,
    ensure_test_user,
    machine_password,
    new_workdir,
    start_sshd,
)

# paramiko names it by its pre-RFC alias; the algorithm is the same
FAIR_SSHD = ("KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org", "SetEnv SHLVL=1")


def our_inventory(path: Path, server: SshServer, hosts: list[str]) -> None:
    ssh = server.inventory_ssh()
    lines = ["hosts:"]
    for name in hosts:
        lines.append(f"  {name}:")
        lines.append("    address: 127.0.0.1")
        lines.append("    ssh: " + json.dumps(ssh))
    path.write_text("\n".join(lines) + "\n")


def ansible_inventory(path: Path, server: SshServer, hosts: list[str], control: Path) -> None:
    common = f"-o UserKnownHostsFile={server.known_hosts}"
    lines = ["[all]"]
    for name in hosts:
        lines.append(
            f"{name} ansible_host=127.0.0.1 ansible_port={server.port} "
            f"ansible_user={server.username} ansible_ssh_private_key_file={server.key_path} "
            f"ansible_control_path={control}/{name} "
            f"ansible_python_interpreter=/usr/bin/python3 "
            f"ansible_ssh_common_args='{common}'"
        )
    path.write_text("\n".join(lines) + "\n")


def cpu_split(pin: bool) -> tuple[set[int], set[int]] | None:
    """(controller CPUs, target CPUs) for --pin; None to share all CPUs."""
    if not pin:
        return None
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        raise SystemExit("--pin needs at least 2 CPUs")
    return set(cpus[:-1]), {cpus[-1]}


def pinned(command: list[str], cpus: set[int] | None) -> list[str]:
    if cpus is None:
        return command
    return ["taskset", "-c", ",".join(map(str, sorted(cpus))), *command]


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float  # the controller's user+sys seconds, with the children it waited for


def timed(command: list[str], **kwargs) -> tuple[subprocess.CompletedProcess, Timing]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return done, Timing(wall, cpu)


def run_ours(inventory: Path, hosts: int, forks: int, cpus: set[int] | None) -> Timing:
    command = [
        sys.executable,
        "-c",
        "from cli.main import main; main()",
        "run",
        "-i",
        str(inventory),
        "--no-store",
        "-f",
        "json",
        "--workers",
        str(forks),
    ]
    done, timing = timed(pinned(command, cpus), cwd=ROOT)
    report = json.loads(done.stdout)
    failed = [f for f in report["findings"] if f["check"] == "reachability"]
    inspected = {f["target"] for f in report["findings"] if f["check"] == "memory"}
    if failed or len(inspected) != hosts:
        raise SystemExit(f"inspect run failed: {failed[:3]} ({len(inspected)}/{hosts} inspected)")
    return timing


def run_ansible(
    inventory: Path, hosts: int, forks: int, script: str, control: Path, cpus: set[int] | None
) -> Timing:
    control.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "ANSIBLE_HOST_KEY_CHECKING": "True", "ANSIBLE_NOCOLOR": "1"}
    command = ["ansible", "all", "-i", str(inventory), "-f", str(forks), "-m", "shell"]
    done, timing = timed(pinned([*command, "-a", script], cpus), env=env)
    changed = done.stdout.count("| CHANGED | rc=0 >>")
    for socket_path in control.iterdir():  # end ControlPersist masters: they would load sshd
        subprocess.run(
            ["ssh", "-O", "exit", "-o", f"ControlPath={socket_path}", "x"], capture_output=True
        )
    if changed != hosts:
        raise SystemExit(f"ansible reached {changed}/{hosts} hosts:\n{done.stdout[-2000:]}")
    return timing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--forks", type=int, default=50, help="ansible -f and inspect --workers")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--pin", action="store_true", help="target sshd on the last CPU, controllers on the rest"
    )
    args = parser.parse_args()
    if not shutil.which("ansible"):
        raise SystemExit("ansible is not installed (pip install 'ansible-core==2.14.*')")
    split = cpu_split(args.pin)
    controllers = split[0] if split else None
    ensure_test_user(machine_password())  # a new password would break tests running meanwhile
    workdir = new_workdir()
    server = start_sshd(workdir / "sshd", extra_config=FAIR_SSHD)
    if split:
        os.sched_setaffinity(server.pid, split[1])  # its children inherit it
    scratch = Path(tempfile.mkdtemp(prefix="opsinspect-bench-"))
    try:
        names = [f"h{i:03d}" for i in range(1, args.hosts + 1)]
        ours_inv, ansible_inv = scratch / "inventory.yaml", scratch / "hosts.ini"
        our_inventory(ours_inv, server, names)
        script = linux_script.build(STANDARD, CPU_INTERVAL)
        ours, theirs = [], []
        for round_no in range(args.repeat):
            control = scratch / f"cp{round_no}"
            ansible_inventory(ansible_inv, server, names, control)
            ours.append(run_ours(ours_inv, args.hosts, args.forks, controllers))
            theirs.append(
                run_ansible(ansible_inv, args.hosts, args.forks, script, control, controllers)
            )
            print(
                f"round {round_no + 1}: inspect {ours[-1].wall:.2f} s ({ours[-1].cpu:.2f} s CPU), "
                f"ansible {theirs[-1].wall:.2f} s ({theirs[-1].cpu:.2f} s CPU)"
            )
        ours_rate = args.hosts / statistics.median(t.wall for t in ours)
        their_rate = args.hosts / statistics.median(t.wall for t in theirs)
        ours_cpu = 1000 * statistics.median(t.cpu for t in ours) / args.hosts
        their_cpu = 1000 * statistics.median(t.cpu for t in theirs) / args.hosts
        load = Path("/proc/loadavg").read_text().split()[0]
        setup = (
            f"sshd on CPU {sorted(split[1])}, controllers on {sorted(split[0])}"
            if split
            else "all CPUs shared"
        )
        print(f"hosts={args.hosts} forks={args.forks} (median of {args.repeat}), {setup}")
        print(f"load average at the end: {load}")
        print(f"inspect run        : {ours_rate:7.1f} hosts/s")
        print(f"ansible -m shell   : {their_rate:7.1f} hosts/s")
        print(f"ratio              : {ours_rate / their_rate:7.1f}x")
        print(
            f"controller CPU/host: inspect {ours_cpu:.1f} ms, ansible {their_cpu:.1f} ms, "
            f"ratio {their_cpu / ours_cpu:.1f}x"
        )
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
