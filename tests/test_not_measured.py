"""What is not measured is said: a check the profile asks for whose input a target did not give
is one UNKNOWN "not measured: <why>", never silence; and nothing is owed that does not apply.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

import checks
from checks import CheckContext
from collectors import linux_parsers
from collectors.linux_script import MARK
from collectors.netcli import ASPECT_METRICS, PLATFORMS
from core.model import DEVICE, HOST, Missing, PreviousRun, Sample, SnmpSettings, SshSettings, Target
from core.status import Status
from flows.inspect import inspect_target
from settings.inventory import Inventory
from settings.profiles import STANDARD, PortRule, ProcessRule, Profile
from tests.services.sshd import new_workdir, start_sshd

AT = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
HOST_TARGET = Target("web01")
NO_HISTORY = lambda _name: PreviousRun()  # noqa: E731


def sample(metric: str, value: float, **labels: str) -> Sample:
    return Sample("web01", metric, value, "count", AT, labels)


def judged(samples, profile=STANDARD, families=frozenset({HOST}), missing=None):
    context = CheckContext(profile=profile, families=families, missing=missing or {})
    return {f.check: f for f in checks.evaluate_all(HOST_TARGET, samples, context)}


def owed(profile: Profile, family: str) -> set[str]:
    return {
        name
        for name, check in checks.REGISTRY.items()
        if check.family == family and check.configured(profile) and profile.enabled(name)
    }


def test_every_owed_check_without_input_is_one_unknown_with_the_reason():
    profile = Profile(ports=(PortRule(22),), processes=(ProcessRule("sshd", name="sshd"),))
    findings = judged(
        [sample("memory.used_percent", 40)],
        profile,
        missing={"port.listening": "no socket table: `ss` is missing"},
    )
    assert set(findings) == owed(profile, HOST)  # one each, no device check on a server
    assert findings["memory"].status == Status.OK
    unmeasured = {name: str(f.summary) for name, f in findings.items() if name != "memory"}
    assert all(f.status == Status.UNKNOWN for n, f in findings.items() if n != "memory")
    assert unmeasured["port"] == "not measured: no socket table: `ss` is missing"
    assert unmeasured["cpu"] == "not measured: no cpu.used_percent was collected"


def test_a_socket_table_read_empty_is_judged_not_silenced():
    findings = judged([sample("port.listeners", 0)], Profile(ports=(PortRule(5432),)))
    assert findings["port"].status == Status.CRITICAL
    assert str(findings["port"].summary) == "port 5432 not listening"


def test_no_not_measured_for_a_family_whose_collector_failed():
    """The collector's own failure is the one UNKNOWN: no storm of 'not measured' beside it."""
    assert judged([], Profile(ports=(PortRule(22),)), families=frozenset()) == {}


def test_nothing_owed_that_the_profile_does_not_ask_for():
    profile = Profile(disabled=frozenset({"cpu", "load"}), thresholds={})
    assert owed(profile, HOST) == {"reboot"}  # no thresholds, no rules: only the reboot check
    assert set(judged([], profile)) == {"reboot"}


def test_no_swap_and_no_inode_limit_are_measured_not_missing():
    findings = judged([sample("swap.total", 0), sample("disk.total", 1e9, mount="/")])
    assert "inodes" not in findings
    no_swap = findings["swap"]  # the sheet's row says so instead of staying empty
    assert (no_swap.status, str(no_swap.summary)) == (Status.OK, "no swap space configured")


def _script_output(**sections: str) -> str:
    """The Linux script's output shape: marked sections, /proc files as `head` prints them."""
    proc = "\n\n".join(f"==> {path} <==\n{text}" for path, text in sections.pop("proc", {}).items())
    parts = [f"{MARK}{name}\n{text}" for name, text in sections.items()]
    return "\n".join([*parts, f"{MARK}proc\n{proc}" if proc else ""]) + f"\n{MARK}end\n"


def test_an_unreadable_process_table_is_not_measured_not_zero_running():
    """/proc mounted with hidepid, or a PATH without `cat`: an empty table proves nothing."""
    profile = Profile(processes=(ProcessRule("nginx", name="nginx"),))
    output = _script_output(stat1="", pstat="", pstatus="", cmdline="")
    parsed = linux_parsers.parse(output, "web01", AT, profile)
    notes = {m.metric: m.why for m in parsed if isinstance(m, Missing)}
    samples = [s for s in parsed if isinstance(s, Sample)]
    assert not [s for s in samples if s.metric == "process.count"]
    findings = judged(samples, profile, missing=notes)
    assert findings["process"].status == Status.UNKNOWN
    assert str(findings["process"].summary) == (
        "not measured: the process table was not readable (/proc/PID/stat)"
    )


def test_every_cli_probe_names_what_it_measures():
    aspects = {probe.aspect for probes in PLATFORMS.values() for probe in probes}
    assert aspects <= set(ASPECT_METRICS)


@pytest.fixture
def sshd_without_ss(sshd_server):
    """A real sshd whose sessions get a PATH holding every program but `ss` and `head`."""
    workdir = new_workdir()
    bin_dir = workdir / "bin"
    bin_dir.mkdir(mode=0o755)
    for program in Path("/usr/bin").iterdir():
        if program.name not in ("ss", "head"):
            (bin_dir / program.name).symlink_to(program)
    server = start_sshd(workdir, extra_config=[f"SetEnv PATH={bin_dir}"])
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def test_ssh_target_without_ss_says_what_it_could_not_measure(sshd_without_ss):
    profile = Profile(ports=(PortRule(22),), processes=(ProcessRule("sshd", name="sshd"),))
    ssh = SshSettings(**sshd_without_ss.inventory_ssh())
    target = Target("web01", address="127.0.0.1", ssh=ssh)
    inventory = Inventory(targets=(target,), profiles={"standard": profile})
    result = inspect_target(inventory, target, NO_HISTORY, 30)
    findings = {f.check: f for f in result.findings}
    assert set(findings) >= owed(profile, HOST)  # every check asked for has its finding
    assert findings["port"].status == Status.UNKNOWN
    assert str(findings["port"].summary) == f"not measured: {linux_parsers.NO_SOCKETS}"
    assert str(findings["cpu"].summary) == "not measured: /proc/stat was not read"
    assert findings["process"].status == Status.OK  # read with `cat`, not `head`


def test_snmp_device_without_a_cpu_oid_says_so(snmpsim, monkeypatch):
    monkeypatch.setenv("TEST_COMMUNITY_PROCURVE", "hpe-procurve-6120xg")
    snmp = SnmpSettings(port=snmpsim.port, community="env:TEST_COMMUNITY_PROCURVE", timeout=5)
    target = Target("procurve", kind="switch", address="127.0.0.1", snmp=snmp)
    result = inspect_target(Inventory(targets=(target,)), target, NO_HISTORY, 30)
    findings = {f.check: f for f in result.findings}
    assert findings["device_cpu"].status == Status.UNKNOWN
    assert str(findings["device_cpu"].summary) == (
        "not measured: the device answers no CPU OID we read (HOST-RESOURCES-MIB)"
    )
    assert not owed(Profile(), HOST) & set(findings)  # no server check on a router
    # the first poll's rate checks have counters but no baseline yet: measured, silent
    collected = {s.metric for s in result.samples}
    for name in owed(Profile(), DEVICE) - set(findings):
        assert not collected.isdisjoint(checks.REGISTRY[name].inputs), name


def test_a_problem_not_measured_is_not_resolved_as_gone(tmp_path):
    """A CRITICAL /var with its ticket, then runs where no filesystem could be read: the
    ticket stays open (not measured is not gone), and resolves once /var is measured OK."""
    import tickets
    from tests.test_tickets_support import estate, finding

    e = estate(tmp_path, "hosts:\n  web01: {}\n")
    var = "web01|disk|/var"
    e.inspect({var: Status.CRITICAL})
    e.inspect({var: Status.CRITICAL})
    unread = finding("web01|disk|disk", Status.UNKNOWN, "not measured: /proc/mounts was not read")
    for _ in range(3):
        run = e.make_run(["web01"], [unread])
        e.store.save_run(run)
        tickets.reconcile(e.engine, run, e.inventory, e.clock)
    states = {t.fingerprint: t.state for t in e.tickets()}
    assert states[var] == "open"
    e.inspect({var: Status.OK})
    e.inspect({var: Status.OK})
    assert {t.fingerprint: t.state for t in e.tickets()}[var] == "resolved"
