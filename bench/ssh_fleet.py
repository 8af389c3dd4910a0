"""Fleet inspection over SSH: `inspect run` vs `ansible all -m shell` on the same N targets.

Not a test. Both tools reach N inventory names that all point at one real OpenSSH sshd on
127.0.0.1 (KexAlgorithms curve25519-sha256, the KEX paramiko negotiates; the test user's shell
is dash, so no shell start-up cost), with the same key, the same known_hosts, and the same
remote commands: Ansible runs our collector's sh script through its shell module. Wall time
includes each tool's process start. Prints hosts/s for both and the ratio.

    python3 bench/ssh_fleet.py [--hosts 50] [--forks 50] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from collectors import linux_script  # noqa: E402
from collectors.local import CPU_INTERVAL  # noqa: E402
from core.profiles import STANDARD  # noqa: E402
from tests.services.sshd import (  # noqa: E402
    SshServer,
    ensure_test_user,
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


def run_ours(inventory: Path, hosts: int, forks: int) -> float:
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
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    report = json.loads(done.stdout)
    failed = [f for f in report["findings"] if f["check"] == "reachability"]
    inspected = {f["target"] for f in report["findings"] if f["check"] == "memory"}
    if failed or len(inspected) != hosts:
        raise SystemExit(f"inspect run failed: {failed[:3]} ({len(inspected)}/{hosts} inspected)")
    return elapsed


def run_ansible(inventory: Path, hosts: int, forks: int, script: str, control: Path) -> float:
    control.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "ANSIBLE_HOST_KEY_CHECKING": "True", "ANSIBLE_NOCOLOR": "1"}
    command = ["ansible", "all", "-i", str(inventory), "-f", str(forks), "-m", "shell"]
    started = time.perf_counter()
    done = subprocess.run([*command, "-a", script], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    changed = done.stdout.count("| CHANGED | rc=0 >>")
    for socket_path in control.iterdir():  # end ControlPersist masters: they would load sshd
        subprocess.run(
            ["ssh", "-O", "exit", "-o", f"ControlPath={socket_path}", "x"], capture_output=True
        )
    if changed != hosts:
        raise SystemExit(f"ansible reached {changed}/{hosts} hosts:\n{done.stdout[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--forks", type=int, default=50, help="ansible -f and inspect --workers")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not shutil.which("ansible"):
        raise SystemExit("ansible is not installed (apt-get install ansible)")
    ensure_test_user(secrets.token_urlsafe(18))
    workdir = new_workdir()
    server = start_sshd(workdir / "sshd", extra_config=FAIR_SSHD)
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
            ours.append(run_ours(ours_inv, args.hosts, args.forks))
            theirs.append(run_ansible(ansible_inv, args.hosts, args.forks, script, control))
            print(f"round {round_no + 1}: inspect {ours[-1]:.2f} s, ansible {theirs[-1]:.2f} s")
        ours_rate = args.hosts / statistics.median(ours)
        their_rate = args.hosts / statistics.median(theirs)
        load = Path("/proc/loadavg").read_text().split()[0]
        print(f"hosts={args.hosts} forks={args.forks} (median of {args.repeat}), load {load}")
        print(f"inspect run        : {ours_rate:7.1f} hosts/s")
        print(f"ansible -m shell   : {their_rate:7.1f} hosts/s")
        print(f"ratio              : {ours_rate / their_rate:7.1f}x")
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
