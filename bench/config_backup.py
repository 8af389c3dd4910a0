"""Config backup throughput: opsinspect vs RANCID on the same simulated Cisco switches.

    python3 bench/config_backup.py [--devices 100] [--workers 10] [--farm-procs 4]
    python3 bench/config_backup.py --devices-file devices.txt   # your own simulators

Without --devices-file, fake-switches (cisco_generic) serves the devices on 127.0.0.1, several
switches per process. A devices file holds one `name host port` per line (Cisco IOS, login
root/root, enable password root). Both tools back up every device once into a fresh
repository with the same parallelism; the script prints devices per minute and the ratio.

RANCID (apt `rancid`) refuses to run as root from its stock config, so it gets a private
rancid.conf without that check and a private .cloginrc / ssh_config (no system files are
changed). RANCID's `cisco` type runs ~70 show commands per device; we run three (two
pager-off commands and `show running-config`): the numbers compare the tools as shipped.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

USER = PASSWORD = ENABLE = "root"
RANCID_BIN = Path("/usr/lib/rancid/bin")


# -- the simulated switches --------------------------------------------------------------


def serve(ports: list[int]) -> None:
    """One Twisted reactor serving one fake Cisco switch per port (run in a subprocess)."""
    from fake_switches import switch_factory
    from fake_switches.transports.ssh_service import SwitchSshService
    from twisted.internet import reactor

    factory = switch_factory.SwitchFactory()
    for port in ports:
        core = factory.get("cisco_generic", f"sw{port}", ENABLE)
        service = SwitchSshService(
            ip="127.0.0.1", port=port, switch_core=core, users={USER: PASSWORD.encode()}
        )
        service.hook_to_reactor(reactor)
    reactor.run()


def start_farm(count: int, processes: int) -> tuple[list[tuple[str, str, int]], list]:
    from tests.services import port_open, wait_until

    ports = distinct_free_ports(count)
    children = []
    for chunk in (ports[i::processes] for i in range(processes)):
        if chunk:
            children.append(
                subprocess.Popen(
                    [sys.executable, __file__, "--serve", ",".join(map(str, chunk))],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
    for port in ports:
        wait_until(lambda p=port: port_open(p), 180, f"fake switch on port {port}")
    return [(f"sw{i:03d}", "127.0.0.1", port) for i, port in enumerate(ports)], children


def distinct_free_ports(count: int) -> list[int]:
    """Hold every probe socket open until all are chosen, so no port is handed out twice."""
    sockets = []
    try:
        for _ in range(count):
            probe = socket.socket()
            probe.bind(("127.0.0.1", 0))
            sockets.append(probe)
        return [probe.getsockname()[1] for probe in sockets]
    finally:
        for probe in sockets:
            probe.close()


def read_devices(path: Path) -> list[tuple[str, str, int]]:
    devices = []
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, host, port = line.split()
            devices.append((name, host, int(port)))
    return devices


# -- ours ------------------------------------------------------------------------------


def run_ours(devices: list[tuple[str, str, int]], workers: int, repo_dir: Path) -> float:
    from backup.config import ConfigRepository, backup_device
    from core.model import Target

    def connect(target: Target):
        from netmiko import ConnectHandler

        connection = ConnectHandler(
            device_type="cisco_ios",
            host=target.address,
            port=target.port,
            username=USER,
            password=PASSWORD,
            secret=ENABLE,
            fast_cli=True,
        )
        connection.enable()
        return connection

    repo = ConfigRepository(repo_dir)
    targets = [
        Target(name=name, kind="switch", address=host, port=port, platform="cisco_ios")
        for name, host, port in devices
    ]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(lambda t: backup_device(t, connect, repo), targets))
    elapsed = time.perf_counter() - started
    stored = sum(1 for r in results if r.commit is not None)
    if stored != len(devices):
        raise SystemExit(f"ours: only {stored} of {len(devices)} configs committed")
    return elapsed


# -- RANCID ----------------------------------------------------------------------------


def run_rancid(devices: list[tuple[str, str, int]], workers: int, base: Path) -> float:
    if not (RANCID_BIN / "rancid-run").exists():
        raise SystemExit("RANCID is not installed (apt install rancid)")
    base.mkdir(parents=True)
    conf = base / "rancid.conf"
    conf.write_text(
        "TERM=network; export TERM\nLC_COLLATE=POSIX; export LC_COLLATE\numask 027\n"
        "PERL5LIB=/usr/share/perl5/rancid; export PERL5LIB\n"
        f"TMPDIR={base}; export TMPDIR\nBASEDIR={base}; export BASEDIR\n"
        f"PATH={RANCID_BIN}:/usr/bin:/usr/sbin:/bin; export PATH\n"
        f"CVSROOT={base}/CVS; export CVSROOT\nLOGDIR={base}/logs; export LOGDIR\n"
        f"RCSSYS=git; export RCSSYS\nPAR_COUNT={workers}; export PAR_COUNT\n"
        'LIST_OF_GROUPS="bench"; export LIST_OF_GROUPS\nMAILDOMAIN=""; export MAILDOMAIN\n'
        "NOPIPE=YES; export NOPIPE\nSENDMAIL=/bin/true; export SENDMAIL\n"
    )
    ssh_config = base / "ssh_config"
    ssh_config.write_text(
        "".join(f"Host {name}\n  HostName {host}\n  Port {port}\n" for name, host, port in devices)
        + "Host *\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n"
        "  LogLevel ERROR\n"
    )
    ssh = base / "ssh"  # clogin joins a multi-word sshcmd without spaces: use a wrapper
    ssh.write_text(f'#!/bin/sh\nexec ssh -F {ssh_config} "$@"\n')
    ssh.chmod(0o700)
    cloginrc = base / "cloginrc"
    cloginrc.write_text(
        f"add sshcmd * {ssh}\nadd method * ssh\n"
        f"add user * {USER}\nadd password * {PASSWORD} {ENABLE}\n"
    )
    cloginrc.chmod(0o600)
    env = {
        **os.environ,
        "CLOGINRC": str(cloginrc),
        "HOME": str(base),
        "GIT_CONFIG_GLOBAL": str(base / "gitconfig"),
    }
    (base / "gitconfig").write_text("[user]\n\tname = rancid\n\temail = rancid@localhost\n")
    subprocess.run(
        [str(RANCID_BIN / "rancid-cvs"), "-f", str(conf), "bench"],
        env=env,
        check=True,
        capture_output=True,
    )
    (base / "bench" / "router.db").write_text(
        "".join(f"{name};cisco;up\n" for name, _, _ in devices)
    )
    started = time.perf_counter()
    subprocess.run(
        [str(RANCID_BIN / "rancid-run"), "-f", str(conf), "bench"],
        env=env,
        check=True,
        capture_output=True,
    )
    elapsed = time.perf_counter() - started
    configs = base / "bench" / "configs"
    names = {name for name, _, _ in devices}
    stored = [p for p in configs.iterdir() if p.name in names and "hostname" in p.read_text()]
    if len(stored) != len(devices):
        logs = sorted((base / "logs").glob("bench.*"))
        tail = logs[-1].read_text()[-2000:] if logs else "(no log)"
        raise SystemExit(f"RANCID stored {len(stored)} of {len(devices)} configs\n{tail}")
    return elapsed


# -- main ------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=100)
    parser.add_argument("--workers", type=int, default=10)
    parser.add_argument("--farm-procs", type=int, default=4)
    parser.add_argument("--devices-file", type=Path)
    parser.add_argument("--skip-rancid", action="store_true")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve([int(p) for p in args.serve.split(",")])
        return

    children: list = []
    if args.devices_file:
        devices = read_devices(args.devices_file)
    else:
        devices, children = start_farm(args.devices, args.farm_procs)
    work = Path(tempfile.mkdtemp(prefix="opsinspect-bench-"))
    try:
        ours = run_ours(devices, args.workers, work / "ours")
        rate = len(devices) / ours * 60
        print(f"opsinspect: {len(devices)} devices in {ours:.1f} s = {rate:.0f} devices/min")
        if not args.skip_rancid:
            theirs = run_rancid(devices, args.workers, work / "rancid")
            their_rate = len(devices) / theirs * 60
            print(
                f"RANCID:     {len(devices)} devices in {theirs:.1f} s = "
                f"{their_rate:.0f} devices/min"
            )
            print(f"ratio (ours / RANCID devices per minute): {rate / their_rate:.2f}")
    finally:
        for child in children:
            child.terminate()
            child.wait(timeout=10)
        if os.environ.get("BENCH_KEEP"):
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
