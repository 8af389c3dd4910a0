"""Table-driven check tests: samples in, findings out (checks are pure)."""

from datetime import UTC, datetime

import pytest

import checks
from checks import CheckContext
from core.model import Sample, Target
from core.status import Status
from settings.profiles import PortRule, ProcessRule, Profile
from settings.thresholds import Range

AT = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
HOST = Target("web01")


def sample(metric, value, unit="%", **labels):
    return Sample("web01", metric, value, unit, AT, labels)


def run_check(name, samples, profile=None, previous=()):
    context = CheckContext(profile=profile or Profile(), previous=previous)
    return list(checks.REGISTRY[name].evaluate(HOST, samples, context))


@pytest.mark.parametrize(
    ("check", "metric", "value", "labels", "status", "summary"),
    [
        (
            "disk",
            "disk.used_percent",
            93.1,
            {"mount": "/var"},
            Status.CRITICAL,
            "/var 93.1% used (critical > 90%)",
        ),
        (
            "disk",
            "disk.used_percent",
            85.0,
            {"mount": "/"},
            Status.WARNING,
            "/ 85.0% used (warning > 80%)",
        ),
        (
            "disk",
            "disk.used_percent",
            80.0,
            {"mount": "/"},
            Status.OK,
            "/ 80.0% used (warning > 80%)",
        ),
        (
            "inodes",
            "disk.inodes_used_percent",
            91,
            {"mount": "/srv"},
            Status.CRITICAL,
            "/srv 91.0% of inodes used (critical > 90%)",
        ),
        (
            "cpu",
            "cpu.used_percent",
            97.0,
            {},
            Status.CRITICAL,
            "CPU 97.0% busy now (critical > 95%)",
        ),
        (
            "memory",
            "memory.used_percent",
            91.0,
            {},
            Status.WARNING,
            "memory 91.0% used (warning > 90%)",
        ),
        ("swap", "swap.used_percent", 10.0, {}, Status.OK, "swap 10.0% used (warning > 50%)"),
        (
            "load",
            "load.per_core",
            3.5,
            {},
            Status.CRITICAL,
            "load 3.50 per core (5 min) (critical > 3)",
        ),
        ("zombies", "system.zombies", 7, {}, Status.WARNING, "7 zombie processes (warning > 5)"),
    ],
)
def test_threshold_checks(check, metric, value, labels, status, summary):
    unit = "count" if metric in ("load.per_core", "system.zombies") else "%"
    (finding,) = run_check(check, [sample(metric, value, unit, **labels)])
    assert finding.status is status
    assert str(finding.summary) == summary
    assert finding.value == value
    assert bool(str(finding.hint)) is (status is not Status.OK)


def test_disk_finding_is_per_mount_with_a_hint_naming_it():
    findings = run_check(
        "disk",
        [sample("disk.used_percent", 95, mount="/var"), sample("disk.used_percent", 10, mount="/")],
    )
    assert {f.subject: f.status for f in findings} == {"/var": Status.CRITICAL, "/": Status.OK}
    assert "/var" in str(findings[0].hint)
    assert findings[0].fingerprint == "web01|disk|/var"


def test_profile_threshold_override_and_disable():
    custom = Profile(thresholds={"disk.used_percent": _t("50", "60")}, disabled=frozenset({"cpu"}))
    (finding,) = run_check("disk", [sample("disk.used_percent", 55, mount="/")], custom)
    assert finding.status is Status.WARNING
    assert "cpu" not in {
        f.check
        for f in checks.evaluate_all(
            HOST, [sample("cpu.used_percent", 99)], CheckContext(profile=custom)
        )
    }


def _t(warning, critical):
    from settings.profiles import Thresholds

    return Thresholds(Range.parse(warning), Range.parse(critical))


@pytest.mark.parametrize(
    ("count", "critical", "status"),
    [
        (0, "1:", Status.CRITICAL),
        (1, "1:", Status.OK),
        (3, "2:4", Status.OK),
        (5, "2:4", Status.CRITICAL),
    ],
)
def test_process_count_range(count, critical, status):
    rule = ProcessRule("nginx", name="nginx", critical=Range.parse(critical))
    profile = Profile(processes=(rule,))
    (finding,) = run_check(
        "process", [sample("process.count", count, "count", process="nginx")], profile
    )
    assert finding.status is status
    assert str(finding.summary).startswith(f"nginx: {count} running")


@pytest.mark.parametrize(
    ("rule", "bound", "status"),
    [
        (PortRule(22), ["0.0.0.0"], Status.OK),
        (PortRule(5432), [], Status.CRITICAL),
        (PortRule(5432, "10.0.0.5"), ["127.0.0.1"], Status.CRITICAL),
        (PortRule(5432, "10.0.0.5"), ["::"], Status.OK),
    ],
)
def test_required_port(rule, bound, status):
    samples = [sample("port.listening", 1, "count", port=str(rule.port), address=a) for a in bound]
    samples.append(sample("port.listening", 1, "count", port="1", address="127.0.0.1"))
    (finding,) = run_check("port", samples, Profile(ports=(rule,)))
    assert finding.status is status


def test_reboot_since_last_run():
    before = [sample("system.boot_time", 1_700_000_000, "s")]
    same = [sample("system.boot_time", 1_700_000_001, "s")]
    later = [sample("system.boot_time", 1_700_086_400, "s")]
    assert run_check("reboot", same, previous=before)[0].status is Status.OK
    rebooted = run_check("reboot", later, previous=before)[0]
    assert rebooted.status is Status.WARNING
    assert "rebooted at 2023-11-15 22:13:20 UTC" in str(rebooted.summary)
    assert run_check("reboot", later)[0].status is Status.OK  # first run: nothing to compare
