"""Disk health: the smartctl JSON parser on recorded real answers, the check on a table of
samples, and the real smartctl on this machine (a VM: no SMART, said honestly)."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from checks import CheckContext, evaluate_all
from checks.smart import SmartCheck
from collectors import plugins, probes_hardware
from collectors.host_probes import probe_samples
from collectors.probe_model import ProbeInput
from collectors.session import Session
from core import names
from core.model import HOST, Sample, Target
from core.status import Status
from settings.profiles import HardwareRule, Profile

AT = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
RECORDED = Path(__file__).parent / "fixtures" / "smartctl"
WEB = Target("web01")
ASKED = Profile(hardware=HardwareRule(smart=True))


@pytest.mark.parametrize(
    ("fixture", "figures"),
    [
        ("nvme-pass.json", {names.SMART_PASSED: 1, names.SMART_WEAR_PERCENT: 0,
                            names.SMART_MEDIA_ERRORS: 0}),
        ("nvme-media-errors.json", {names.SMART_PASSED: 1, names.SMART_WEAR_PERCENT: 3,
                                    names.SMART_MEDIA_ERRORS: 7}),
        ("ata-hdd-failed.json", {names.SMART_PASSED: 0, names.SMART_REALLOCATED_SECTORS: 1975,
                                 names.SMART_PENDING_SECTORS: 8}),
    ],
)
def test_recorded_smartctl_answers(fixture, figures):
    data = json.loads((RECORDED / fixture).read_text())
    assert probes_hardware.disk_figures(data) == figures


def test_an_ssd_attribute_table_gives_its_wear():
    """ATA SSDs count their life down in a normalised attribute (shape as smartctl prints it)."""
    data = {"smart_status": {"passed": True}, "rotation_rate": 0, "ata_smart_attributes": {
        "table": [{"id": 177, "name": "Wear_Leveling_Count", "value": 85, "raw": {"value": 42}}]}}
    assert probes_hardware.disk_figures(data)[names.SMART_WEAR_PERCENT] == 15


def parsed(text: str, profile: Profile = ASKED) -> tuple[list, Session]:
    session = Session(profile=profile)

    def make(metric, value, unit, **labels):
        return Sample("web01", metric, float(value), unit, AT, labels)

    return list(probes_hardware.smart_parse(ProbeInput(text, make, profile, session, AT))), session


def test_probe_answer_with_recorded_disks_and_one_without_smart():
    vm = json.dumps({"smartctl": {"messages": [
        {"string": "/dev/vda: Unable to detect device type", "severity": "error"}]}})
    text = "\n".join([
        "@@device /dev/nvme0 -d nvme", (RECORDED / "nvme-media-errors.json").read_text(),
        "@@device /dev/sdc -d sat", (RECORDED / "ata-hdd-failed.json").read_text(),
        "@@device /dev/vda", vm,
    ])
    items, session = parsed(text)
    assert {(s.label("device"), s.metric) for s in items if s.metric == names.SMART_PASSED} == {
        ("/dev/nvme0", names.SMART_PASSED), ("/dev/sdc", names.SMART_PASSED)}
    assert session.texts[(names.CHECK_SMART, "/dev/vda")] == {
        "why": "/dev/vda: Unable to detect device type"}


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("@@missing", "smartctl is not installed (package smartmontools)"),
        ("@@unprivileged", "needs privilege: smartctl must run as root to read a disk"),
        ("@@nodisk", "smartctl found no disk to ask (a virtual machine's disks have no SMART)"),
        ("@@device /dev/vda\n{\"smartctl\": {\"messages\": [{\"string\": \"no SMART\"}]}}",
         "/dev/vda: no SMART"),
    ],
)
def test_no_smart_data_is_a_missing_note(text, why):
    items, _ = parsed(text)
    assert [(i.metric, str(i.why)) for i in items] == [(names.SMART_PASSED, why)]


def disk(**figures: float) -> list[Sample]:
    return [Sample("web01", metric, value, names.UNITS[metric], AT, {"device": "/dev/sda"})
            for metric, value in figures.items()]


P, R, Q, M, W = (names.SMART_PASSED, names.SMART_REALLOCATED_SECTORS, names.SMART_PENDING_SECTORS,
                 names.SMART_MEDIA_ERRORS, names.SMART_WEAR_PERCENT)


@pytest.mark.parametrize(
    ("figures", "status", "summary"),
    [
        ({P: 1, R: 0, Q: 0}, Status.OK,
         "SMART passed; reallocated sectors 0, pending sectors 0, media errors -, wear -%"),
        ({P: 1, R: 3, Q: 0}, Status.WARNING,
         "SMART passed; reallocated sectors 3, pending sectors 0, media errors -, wear -%"),
        ({P: 1, R: 0, Q: 11}, Status.CRITICAL,
         "SMART passed; reallocated sectors 0, pending sectors 11, media errors -, wear -%"),
        ({P: 0, R: 1975, Q: 8}, Status.CRITICAL,
         "SMART FAILED; reallocated sectors 1975, pending sectors 8, media errors -, wear -%"),
        ({P: 1, M: 0, W: 85}, Status.WARNING,
         "SMART passed; reallocated sectors -, pending sectors -, media errors 0, wear 85%"),
        ({P: 1, M: 0, W: 3}, Status.OK,
         "SMART passed; reallocated sectors -, pending sectors -, media errors 0, wear 3%"),
    ],
)
def test_smart_check(figures, status, summary):
    context = CheckContext(profile=ASKED)
    (finding,) = SmartCheck().evaluate(WEB, disk(**figures), context)
    assert (finding.status, str(finding.summary), finding.subject) == (status, summary, "/dev/sda")


def test_an_asked_for_device_without_answer_is_not_measured():
    profile = Profile(hardware=HardwareRule(smart=True, smart_devices=("/dev/sdz",)))
    context = CheckContext(profile=profile, texts={(names.CHECK_SMART, "/dev/sdz"): {
        "why": "/dev/sdz: No such device"}})
    findings = {f.subject: f for f in SmartCheck().evaluate(WEB, disk(**{P: 1}), context)}
    assert findings["/dev/sda"].status == Status.OK
    assert findings["/dev/sdz"].unmeasured
    assert str(findings["/dev/sdz"].summary) == "not measured: /dev/sdz: No such device"


def test_not_asked_costs_nothing_and_says_nothing():
    assert probes_hardware.SMART.wanted(Profile()) is False
    context = CheckContext(profile=Profile(), families=frozenset({HOST}))
    assert [f for f in evaluate_all(WEB, [], context) if f.check == names.CHECK_SMART] == []


def test_the_real_smartctl_here_reports_unknown_honestly():
    """This VM's disks have no SMART: the smart check is one UNKNOWN saying so, never OK."""
    assert shutil.which("smartctl"), "smartctl missing: run scripts/install-services"
    session = Session(profile=ASKED)

    def make(metric, value, unit, **labels):
        return Sample("localhost", metric, float(value), unit, AT, labels)

    samples = list(probe_samples(make, session, plugins.run, AT, (probes_hardware.SMART,)))
    context = CheckContext(profile=ASKED, families=frozenset({HOST}), missing=session.missing,
                           texts=session.texts)
    found = [f for f in evaluate_all(Target("localhost"), samples, context)
             if f.check == names.CHECK_SMART]
    if samples:  # a machine with a real SMART disk: judged like any other
        assert all(f.status != Status.UNKNOWN for f in found)
    else:
        (finding,) = found
        assert finding.status == Status.UNKNOWN and finding.unmeasured
        assert "no disk" in str(finding.summary) or "Unable" in str(finding.summary)
