"""snmpsim serving the recorded device walks (community = file stem) for the test session.

It serves the recordings the tests use (snmpsim indexes every file at start, and the big ones
cost seconds) plus a few copies of the Catalyst 3560 walk with single values changed, so tests
can poll "the same switch" twice and see a port go down, a 32-bit counter wrap, a restart,
counters growing at a known rate, or an ifAlias full of terminal escape sequences.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.services import free_port, missing, require_program, wait_until

BASE = "cisco-catalyst-c3560"
RECORDINGS = (
    BASE,
    "huawei-s5720-36c-ei",
    "huawei-s12704",
    "h3c-e528",
    "h3c-sr8808-x",
    "hpe-procurve-6120xg",  # no CPU OID we read: "not measured"
    "juniper-mx960",
    "arista-dcs-7150s-52-cl",
    "cisco-catalyst-c3750",
    "cisco-nxos-n5000",
)
ENVMON_FAN_STATE = "1.3.6.1.4.1.9.9.13.1.4.1.3.1004"  # CISCO-ENVMON ciscoEnvMonFanState, Fan#1
GI0_49, GI0_50, NU0 = "10149", "10150", "10501"
IF_IN_OCTETS, IF_OPER = "1.3.6.1.2.1.2.2.1.10", "1.3.6.1.2.1.2.2.1.8"
IF_HC_IN_OCTETS, IF_HC_OUT_OCTETS = "1.3.6.1.2.1.31.1.1.1.6", "1.3.6.1.2.1.31.1.1.1.10"
RATE_IN = 125_000  # bytes/s: 1 Mbit/s on Gi0/49 of the "rates" copy
IF_ALIAS = "1.3.6.1.2.1.31.1.1.1.18"
# an ifAlias that retitles the terminal (OSC 0), clears the screen (CSI 2J) and rings the bell
HOSTILE_ALIAS = "uplink\x1b]0;pwned\x07\x1b[2J\x1b[31mred\x9b"

# copy name -> {oid: "TAG|VALUE"} replacing lines of the base recording
VARIANTS: Mapping[str, Mapping[str, str]] = {
    "c3560-linkdown": {f"{IF_OPER}.{GI0_50}": "2|2"},
    "c3560-wrap-a": {f"{IF_IN_OCTETS}.{NU0}": "65|4294960000"},
    "c3560-wrap-b": {f"{IF_IN_OCTETS}.{NU0}": "65|5000"},
    "c3560-rebooted": {"1.3.6.1.2.1.1.3.0": "67|6000"},
    "c3560-rates": {
        f"{IF_HC_IN_OCTETS}.{GI0_49}": f"70:numeric|rate={RATE_IN},initial=1050166720685",
        f"{IF_HC_OUT_OCTETS}.{GI0_49}": "70:numeric|rate=0,initial=6575276732753",
    },
    # the one change: the fan's state 1 normal -> 6 notFunctioning (a failed fan)
    "c3560-fan-failed": {ENVMON_FAN_STATE: "2|6"},
    "c3560-hostile": {f"{IF_ALIAS}.{GI0_49}": f"4x|{HOSTILE_ALIAS.encode().hex()}"},
}
# snmpsim drops root privileges and then imports these; a Python under /root is unreadable
# for `nobody`, so import them first (see /work/shared/services.md)
PRELOAD = "import dbm, dbm.dumb, encodings.latin_1, encodings.ascii, encodings.utf_8"


RECORDED_WALKS = Path(__file__).resolve().parents[1] / "fixtures" / "snmprec"


@dataclass(frozen=True)
class Snmpsim:
    port: int
    data: Path
    env: dict[str, str]

    def recording(self, community: str) -> dict[str, str]:
        """{oid: value} of a served file, for comparing what we collected with the source."""
        rows = (line.split("|", 2) for line in (self.data / f"{community}.snmprec").open())
        return {oid: value.rstrip("\n") for oid, _tag, value in rows}

    def walk(self, community: str, oid: str) -> str:
        agent = f"127.0.0.1:{self.port}"
        args = ["snmpbulkwalk", "-v2c", "-c", community, "-On", "-t", "2", agent, oid]
        return subprocess.run(args, capture_output=True, text=True, env=self.env).stdout


def _write_variants(data: Path) -> None:
    base = (data / f"{BASE}.snmprec").read_text().splitlines()
    for name, changes in VARIANTS.items():
        oids = [line.split("|", 1)[0] for line in base]
        absent = set(changes) - set(oids)
        assert not absent, f"{name}: OIDs not in {BASE}: {absent}"
        lines = [
            f"{oid}|{changes[oid]}" if oid in changes else line
            for oid, line in zip(oids, base, strict=True)
        ]
        (data / f"{name}.snmprec").write_text("\n".join(lines) + "\n")


@contextmanager
def serve(
    recordings: Sequence[str], variants: bool = False, derived: Mapping[str, str] | None = None
) -> Iterator[Snmpsim]:
    """snmpsim on a free 127.0.0.1 port serving copies of the named recordings, plus
    `derived` recordings (name -> snmprec text) a test made from them."""
    home = Path(tempfile.mkdtemp(prefix="opsinspect-snmpsim-"))
    data, cache = home / "data", home / "cache"
    data.mkdir()
    cache.mkdir()
    for name in recordings:
        shutil.copy(RECORDED_WALKS / f"{name}.snmprec", data)
    if variants:
        _write_variants(data)
    for name, text in (derived or {}).items():
        (data / f"{name}.snmprec").write_text(text)
    port = free_port(socket.SOCK_DGRAM)
    args = [
        "snmpsim-command-responder",
        f"--data-dir={data}",
        f"--cache-dir={cache}",
        f"--agent-udpv4-endpoint=127.0.0.1:{port}",
        "--logging-method=null",
    ]
    if os.geteuid() == 0:  # snmpsim refuses to run as root
        os.chmod(home, 0o755)
        for path in (home, data, cache, *data.iterdir()):
            shutil.chown(path, "nobody", "nogroup")
        args += ["--process-user=nobody", "--process-group=nogroup"]
    code = f"{PRELOAD}; import sys; from snmpsim.commands.responder import main; "
    code += f"sys.argv = {args!r}; sys.exit(main())"
    env = {**os.environ, "SNMPCONFPATH": str(home)}
    (home / "snmp.conf").write_text("mibs :\n")
    log = open(home / "snmpsim.log", "wb")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=log, stderr=subprocess.STDOUT)
    service = Snmpsim(port=port, data=data, env=env)
    try:
        # it indexes every file before answering: the largest takes a few seconds
        def ready() -> bool:
            if proc.poll() is not None:
                raise RuntimeError(f"snmpsim exited: {(home / 'snmpsim.log').read_text()[-2000:]}")
            return "1.3.6.1.2.1.1.5.0" in service.walk(recordings[0], "1.3.6.1.2.1.1.5")

        wait_until(ready, 90, f"snmpsim (log: {home / 'snmpsim.log'})")
        yield service
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def snmpsim() -> Iterator[Snmpsim]:
    require_program("snmpbulkwalk")
    try:
        import snmpsim as _  # noqa: F401
    except ImportError:
        missing("snmpsim (pip)")
    with serve(RECORDINGS, variants=True) as service:
        yield service
