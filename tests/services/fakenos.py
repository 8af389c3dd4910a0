"""Multi-vendor canned CLIs (fakenos) over SSH on 127.0.0.1, once per test session.

fakenos pins paramiko 4, so it lives in its own venv made by scripts/install-services
(OPSINSPECT_TOOLS, default /opt/opsinspect). Its outputs are canned: the same text for a
command every time, and no config mode.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from core.model import CliSettings, Target
from tests.services import free_port, missing, port_open, scan_host_keys, wait_until

PASSWORD_ENV = "OPSINSPECT_TEST_FAKENOS_PASSWORD"
# netmiko device_type (our Target.platform) -> fakenos platform
PLATFORMS = {
    "cisco_ios": "cisco_ios",
    "huawei": "huawei_vrp",
    "hp_comware": "hp_comware",
    "juniper_junos": "juniper_junos",
    "arista_eos": "arista_eos",
}
# fakenos serves `show version` on these only after `enable`, as some real devices do.
NEEDS_ENABLE = {"cisco_ios", "arista_eos"}


@dataclass(frozen=True)
class FakeNos:
    host: str
    username: str
    password_env: str
    known_hosts: str
    ports: dict[str, int] = field(default_factory=dict)  # device -> port
    platforms: dict[str, str] = field(default_factory=dict)  # device -> platform, if not alike

    def target(self, device: str, **cli: object) -> Target:
        """`device`: a platform, or the name of a recorded device (see `serve`)."""
        return Target(
            name=f"fakenos-{device}",
            kind="switch",
            address=self.host,
            platform=self.platforms.get(device, device),
            cli=CliSettings(**self.inventory_cli(device, **cli)),
        )

    def inventory_cli(self, device: str, **cli: object) -> dict:
        """An inventory `cli:` section for one device; `cli` overrides settings."""
        platform = self.platforms.get(device, device)
        settings: dict[str, object] = {
            "port": self.ports[device],
            "username": self.username,
            "password": f"env:{self.password_env}",
            "timeout": 10,
            "known_hosts": self.known_hosts,
            # fakenos answers in bursts that netmiko's fast timings sometimes split,
            # shifting every later output by one command
            "fast_cli": False,
        }
        if platform in NEEDS_ENABLE:
            settings["secret"] = f"env:{self.password_env}"
        return {**settings, **cli}


def fakenos_program() -> str | None:
    tools = Path(os.environ.get("OPSINSPECT_TOOLS", "/opt/opsinspect"))
    candidate = tools / "fakenos-venv" / "bin" / "fakenos"
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    return shutil.which("fakenos")


@pytest.fixture(scope="session")
def fakenos_devices() -> Iterator[FakeNos]:
    with serve() as devices:
        yield devices


def recorded_nos(platform: str, outputs: Mapping[str, str], path: Path) -> Path:
    """A fakenos NOS file: fakenos' own `platform` (netmiko device_type) with `outputs`
    (command -> recorded device text) added or replacing its canned answers."""
    program = fakenos_program()
    if program is None:
        missing("fakenos (own venv, see scripts/install-services)")
    site = next(Path(program).resolve().parents[1].glob("lib/python3*/site-packages"))
    base = site / "fakenos" / "plugins" / "nos" / "platforms_yaml" / f"{PLATFORMS[platform]}.yaml"
    nos = yaml.safe_load(base.read_text())
    prompts = sorted({p for c in nos["commands"].values() for p in _prompts(c)})
    for command, text in outputs.items():
        nos["commands"][command] = {"output": text, "help": command, "prompt": prompts}
    path.write_text(yaml.safe_dump(nos))
    return path


def _prompts(command: Mapping) -> list[str]:
    prompt = command.get("prompt") or []
    return [prompt] if isinstance(prompt, str) else list(prompt)


@contextmanager
def serve(
    recorded: Mapping[str, tuple[str, Mapping[str, str]]] | None = None,
) -> Iterator[FakeNos]:
    """fakenos with one device per PLATFORMS entry, or with only the `recorded` devices
    (name -> (platform, {command: recorded output})) when given."""
    program = fakenos_program()
    if program is None:
        missing("fakenos (own venv, see scripts/install-services)")
    workdir = Path(tempfile.mkdtemp(prefix="opsinspect-fakenos-"))
    platforms = {n: p for n, (p, _) in recorded.items()} if recorded else {}
    devices = FakeNos(
        host="127.0.0.1",
        username="netops",
        password_env=PASSWORD_ENV,
        known_hosts=str(workdir / "known_hosts"),
        ports={device: free_port() for device in (platforms or PLATFORMS)},
        platforms=platforms,
    )
    os.environ[PASSWORD_ENV] = "fakenos-pass-2718"
    hosts = {}
    for device, port in devices.ports.items():
        if recorded:
            platform, outputs = recorded[device]
            nos = recorded_nos(platform, outputs, workdir / f"{device}.yaml")
            hosts[device.replace("_", "-")] = {"port": port, "nos": {"plugin": str(nos)}}
        else:
            hosts[device.replace("_", "-")] = {"port": port, "platform": PLATFORMS[device]}
    inventory = {
        "default": {
            "username": devices.username,
            "password": os.environ[PASSWORD_ENV],
            "server": {
                "plugin": "ParamikoSshServer",
                "configuration": {"address": devices.host, "timeout": 1},
            },
        },
        "hosts": hosts,
    }
    (workdir / "inventory.yaml").write_text(yaml.safe_dump(inventory))
    log = (workdir / "fakenos.log").open("wb")
    process = subprocess.Popen(
        [program, "-i", str(workdir / "inventory.yaml"), "-l", "warning"],
        cwd=workdir,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until(
            lambda: all(port_open(p) for p in devices.ports.values()) or process.poll() is not None,
            60,
            "fakenos",
        )
        if process.poll() is not None:
            raise RuntimeError(f"fakenos exited: {(workdir / 'fakenos.log').read_text()[-2000:]}")
        scan_host_keys(devices.host, list(devices.ports.values()), devices.known_hosts)
        yield devices
    finally:
        process.send_signal(signal.SIGINT)  # its CLI stops its servers on KeyboardInterrupt
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        os.environ.pop(PASSWORD_ENV, None)
        shutil.rmtree(workdir, ignore_errors=True)
