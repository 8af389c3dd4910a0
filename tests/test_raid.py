"""Software RAID: the /proc/mdstat parser and the raid check on a table, the real mdstat of
this machine, and the hardware items over the real sshd target (an unprivileged user)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from checks import CheckContext
from checks.raid import RaidCheck
from cli.main import cli
from collectors import plugins, probes_hardware
from collectors.host_probes import probe_samples
from collectors.probe_model import ProbeInput
from collectors.session import Session
from core import names
from core.model import Sample, Target
from core.status import Status
from settings.profiles import HardwareRule, Profile

AT = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
ASKED = Profile(hardware=HardwareRule(raid=True))
WEB = Target("web01")

# The kernel's md driver format (drivers/md/md.c, md_seq_show / status_resync), written out
# for the states a CI machine cannot make real: a degraded mirror with a failed member, a
# recovery, a delayed resync, an inactive array, a raid0 without redundancy.
MDSTAT = """Personalities : [raid1] [raid0] [raid6] [raid5] [raid4]
md0 : active raid1 sdb1[1] sda1[0]
      1046528 blocks super 1.2 [2/2] [UU]

md1 : active raid1 sdb2[1](F) sda2[0]
      976630464 blocks super 1.2 [2/1] [U_]
      bitmap: 2/8 pages [8KB], 65536KB chunk

md2 : active raid5 sde1[3] sdd1[1] sdc1[0]
      1953260544 blocks super 1.2 level 5, 512k chunk, algorithm 2 [3/2] [UU_]
      [==>..................]  recovery = 12.6% (123171584/976630272) finish=95.1min speed=149K/sec

md3 : active (auto-read-only) raid1 sdg1[1] sdf1[0]
      1046528 blocks super 1.2 [2/2] [UU]
      \tresync=DELAYED

md4 : inactive sdh1[0](S)
      1046528 blocks super 1.2

md5 : active raid0 sdj1[1] sdi1[0]
      2093056 blocks super 1.2 512k chunks

unused devices: <none>
"""


def parsed(text: str) -> tuple[dict, Session]:
    session = Session(profile=ASKED)

    def make(metric, value, unit, **labels):
        return Sample("web01", metric, float(value), unit, AT, labels)

    items = list(probes_hardware.raid_parse(ProbeInput(text, make, ASKED, session, AT)))
    return {(s.metric, s.label("array")): s.value for s in items}, session


def test_mdstat_parsed():
    values, session = parsed("@@present\n" + MDSTAT)
    assert values[(names.RAID_ARRAYS, "")] == 6
    missing = {array: v for (metric, array), v in values.items()
               if metric == names.RAID_MISSING_MEMBERS}
    assert missing == {"md0": 0, "md1": 1, "md2": 1, "md3": 0, "md4": 1, "md5": 0}
    assert values[(names.RAID_SYNC_PERCENT, "md2")] == 12.6
    assert values[(names.RAID_SYNC_PERCENT, "md3")] == 0
    assert session.texts[(names.CHECK_RAID, "md1")] == {
        "state": "active", "level": "raid1", "members": "sdb2[1](F) sda2[0]", "map": "U_"}
    assert session.texts[(names.CHECK_RAID, "md3")]["level"] == "raid1"
    assert session.texts[(names.CHECK_RAID, "md4")]["state"] == "inactive"


@pytest.mark.parametrize(
    ("array", "status", "summary"),
    [
        ("md0", Status.OK, "md0 (raid1) healthy [UU]"),
        ("md1", Status.CRITICAL, "md1 (raid1) degraded: 1 member(s) missing [U_]"),
        ("md2", Status.CRITICAL, "md2 (raid5) degraded: 1 member(s) missing [UU_]"),
        ("md3", Status.WARNING, "md3 (raid1) resync DELAYED at 0%"),
        ("md4", Status.CRITICAL, "md4 is inactive: no member is working"),
        ("md5", Status.OK, "md5 (raid0) healthy []"),
    ],
)
def test_raid_check(array, status, summary):
    values, session = parsed("@@present\n" + MDSTAT)
    samples = [Sample("web01", metric, value, names.UNITS[metric], AT,
                      {"array": name} if name else {}) for (metric, name), value in values.items()]
    context = CheckContext(profile=ASKED, texts=session.texts)
    findings = {f.subject: f for f in RaidCheck().evaluate(WEB, samples, context)}
    assert (findings[array].status, str(findings[array].summary)) == (status, summary)


def test_a_recovering_array_with_all_members_is_a_warning():
    text = ("@@present\nmd9 : active raid1 sdb1[2] sda1[0]\n"
            "      1046528 blocks super 1.2 [2/2] [UU]\n"
            "      [=>...................]  resync =  8.1% (85248/1046528) finish=0.1min\n")
    values, session = parsed(text)
    samples = [Sample("web01", metric, value, names.UNITS[metric], AT,
                      {"array": name} if name else {}) for (metric, name), value in values.items()]
    (finding,) = RaidCheck().evaluate(WEB, samples, CheckContext(profile=ASKED,
                                                                 texts=session.texts))
    assert (finding.status, str(finding.summary)) == (Status.WARNING, "md9 (raid1) resync at 8.1%")


def test_the_real_mdstat_of_this_machine():
    """Read for real: no md driver (no /proc/mdstat) or no array is OK 'no array'; arrays
    present are judged one by one."""
    session = Session(profile=ASKED)

    def make(metric, value, unit, **labels):
        return Sample("localhost", metric, float(value), unit, AT, labels)

    samples = list(probe_samples(make, session, plugins.run, AT, (probes_hardware.RAID,)))
    findings = list(RaidCheck().evaluate(Target("localhost"), samples,
                                         CheckContext(profile=ASKED, texts=session.texts)))
    mdstat = Path("/proc/mdstat")
    has_arrays = mdstat.exists() and any(
        line.startswith("md") for line in mdstat.read_text().splitlines())
    if has_arrays:
        assert findings and all(f.subject.startswith("md") for f in findings)
    else:
        (finding,) = findings
        assert (finding.status, str(finding.summary)) == (
            Status.OK, "no Linux software RAID array on this host")


def test_hardware_over_ssh_as_an_unprivileged_user(tmp_path, sshd_server):
    """The sshd target's user is not root: SMART says so (UNKNOWN), mdstat is still read."""
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(yaml.safe_dump({
        "hosts": {"box": {"address": "127.0.0.1", "ssh": sshd_server.inventory_ssh(),
                          "profile": "patrol"}},
        "profiles": {"patrol": {"hardware": {"smart": True, "raid": True}}},
    }))
    result = CliRunner().invoke(cli, ["run", "-i", str(inventory), "--no-store", "-f", "json",
                                      "--timeout", "20"], catch_exceptions=False)
    findings = {f["check"]: f for f in json.loads(result.output)["findings"]
                if f["check"] in (names.CHECK_SMART, names.CHECK_RAID)}
    assert findings[names.CHECK_SMART]["status"] == "UNKNOWN"
    assert findings[names.CHECK_SMART]["summary"] == (
        "not measured: needs privilege: smartctl must run as root to read a disk")
    assert findings[names.CHECK_RAID]["status"] in ("OK", "WARNING", "CRITICAL")
