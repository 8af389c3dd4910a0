"""Table-driven tests of the switch checks: samples of two runs in, findings out."""

from datetime import UTC, datetime, timedelta

import pytest

import checks
from checks import CheckContext
from checks.counters import WRAP_32, counter_rate, restart_between
from core.model import Finding, Sample, Target
from core.status import Status
from settings.profiles import Profile

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
T1 = T0 + timedelta(seconds=300)
SWITCH = Target("sw1", kind="switch")


def port(name, at=T1, oper=1, admin=1, alias="", **counters):
    labels = {"interface": name, "index": "1", "alias": alias}
    out = [
        Sample("sw1", "if.oper_up", oper, "count", at, labels),
        Sample("sw1", "if.admin_up", admin, "count", at, labels),
    ]
    for metric, value in counters.items():
        bits = {"bits": "32"} if metric.endswith("32") else {}
        metric = metric.removesuffix("32")
        unit = "bit/s" if metric == "speed" else "B" if "octets" in metric else "count"
        out.append(Sample("sw1", f"if.{metric}", value, unit, at, {**labels, **bits}))
    return out


def up(seconds, at=T1):
    return [Sample("sw1", "system.uptime", seconds, "s", at, {"sys_name": "sw1"})]


def run(name, samples, previous=(), previous_findings=(), target=SWITCH):
    context = CheckContext(
        profile=Profile(), previous=previous, previous_findings=previous_findings
    )
    return list(checks.REGISTRY[name].evaluate(target, samples, context))


IMPORTANT = Target(
    "sw1",
    kind="switch",
    interfaces={
        "important": ["Gi0/48", "TenGigabitEthernet1/1"],
        "description_pattern": "(?i)uplink",
    },
)


@pytest.mark.parametrize(
    ("case", "before", "now", "target", "expected"),
    [
        ("first poll, empty port", None, port("Gi0/2", oper=0), SWITCH, []),
        ("empty port stays empty", port("Gi0/2", T0, oper=0), port("Gi0/2", oper=0), SWITCH, []),
        ("up port stays up", port("Gi0/1", T0), port("Gi0/1"), SWITCH, []),
        (
            "went down after seen up",
            port("Gi0/1", T0),
            port("Gi0/1", oper=0),
            SWITCH,
            [(Status.WARNING, "Gi0/1 went down since the last inspection")],
        ),
        ("shut down on purpose", port("Gi0/1", T0), port("Gi0/1", oper=0, admin=0), SWITCH, []),
        (
            "came back up",
            port("Gi0/1", T0, oper=0),
            port("Gi0/1"),
            SWITCH,
            [(Status.OK, "Gi0/1 is up")],
        ),
        (
            "important by name, first poll",
            None,
            port("Gi0/48", oper=0),
            IMPORTANT,
            [(Status.CRITICAL, "Gi0/48 is down (declared important)")],
        ),
        (
            "important by description",
            None,
            port("Te2/1", oper=0, alias="Uplink to core"),
            IMPORTANT,
            [
                (
                    Status.CRITICAL,
                    "Te2/1 (Uplink to core) is down (description matches the important pattern)",
                )
            ],
        ),
        ("important and up", None, port("gi0/48"), IMPORTANT, [(Status.OK, "gi0/48 is up")]),
        (
            "important by the long name, ifName short",
            None,
            port("Te1/1", oper=0),
            IMPORTANT,
            [(Status.CRITICAL, "Te1/1 is down (declared important)")],
        ),
        ("not important: another port", None, port("Te1/2", oper=0), IMPORTANT, []),
        (
            "important and shut",
            None,
            port("Gi0/48", oper=0, admin=0),
            IMPORTANT,
            [(Status.WARNING, "Gi0/48 is administratively down")],
        ),
    ],
)
def test_interface_down(case, before, now, target, expected):
    findings = run("interface", now, previous=before or (), target=target)
    assert [(f.status, str(f.summary)) for f in findings] == expected, case


def test_interface_down_keeps_alerting_until_it_comes_back():
    went_down = run("interface", port("Gi0/1", T1, oper=0), previous=port("Gi0/1", T0))
    assert [f.status for f in went_down] == [Status.WARNING]
    t2 = T1 + timedelta(seconds=300)
    still = run(
        "interface",
        port("Gi0/1", t2, oper=0),
        previous=port("Gi0/1", T1, oper=0),
        previous_findings=went_down,
    )
    assert [(f.status, str(f.summary)) for f in still] == [
        (Status.WARNING, "Gi0/1 is still down (was up before)")
    ]
    back = run(
        "interface", port("Gi0/1", t2), previous=port("Gi0/1", T1, oper=0), previous_findings=still
    )
    assert [f.status for f in back] == [Status.OK]


def test_first_poll_of_49_empty_ports_is_quiet():
    samples = [s for i in range(49) for s in port(f"Gi0/{i + 1}", oper=0)]
    assert run("interface", samples) == []


@pytest.mark.parametrize(
    ("case", "before", "now", "wraps", "limit", "rate"),
    [
        ("plain", 1000, 31000, False, None, 100.0),
        ("64-bit reset", 5000, 100, False, None, None),
        ("32-bit wrap", WRAP_32 - 3000, 27000, True, None, 100.0),
        ("32-bit reset beyond link speed", 4_000_000_000, 100, True, 1000.0, None),
        ("no change", 7, 7, True, None, 0.0),
    ],
)
def test_counter_rate(case, before, now, wraps, limit, rate):
    a = Sample("sw1", "if.in_octets", before, "B", T0)
    b = Sample("sw1", "if.in_octets", now, "B", T1)
    assert counter_rate(a, b, wraps, limit) == rate, case


@pytest.mark.parametrize(
    ("case", "before", "now", "restarted"),
    [
        ("kept running", 1_000_000, 1_000_300, False),
        ("rebooted", 1_000_000, 120, True),
        ("rebooted long after the poll", 7200, 7200 + 300 - 3600, True),
        ("sysUpTime wrapped at 497 days", 2**32 / 100 - 100, 200, False),
        ("minute-granular CLI uptime", 86_400, 86_400 + 240, False),
    ],
)
def test_restart_between(case, before, now, restarted):
    result = restart_between(up(before, T0)[0], up(now, T1)[0])
    assert result.restarted is restarted, case


def rates(previous, now, check):
    return [(f.status, str(f.summary)) for f in run(check, now, previous=previous)]


GIG = 1e9


@pytest.mark.parametrize(
    ("case", "check", "before", "now", "expected"),
    [
        (
            "busy gigabit link",
            "if_utilization",
            port("Gi0/1", T0, speed=GIG, in_octets=0, out_octets=0),
            # 300 s at 930 Mbit/s in
            port("Gi0/1", speed=GIG, in_octets=930e6 / 8 * 300, out_octets=1e6),
            [(Status.CRITICAL, "Gi0/1: in 93.0%, out 0.0% (critical > 90%)")],
        ),
        (
            "32-bit counters wrapped",
            "if_utilization",
            port("Fa0/1", T0, speed=1e8, in_octets32=WRAP_32 - 1_000_000),
            port("Fa0/1", speed=1e8, in_octets32=11_000_000 * 300 - 1_000_000),
            [(Status.WARNING, "Fa0/1: in 88.0% (warning > 70%)")],
        ),
        (
            "errors rising",
            "if_errors",
            port("Gi0/2", T0, speed=GIG, in_errors=10, out_errors=0),
            port("Gi0/2", speed=GIG, in_errors=10 + 5 * 300, out_errors=0),
            [(Status.WARNING, "Gi0/2: in 5.00 errors/s, out 0.00 errors/s (warning > 1)")],
        ),
        (
            "discards quiet",
            "if_discards",
            port("Gi0/2", T0, in_discards=3),
            port("Gi0/2", in_discards=3),
            [(Status.OK, "Gi0/2: in 0.00 discards/s (warning > 10)")],
        ),
        (
            "cleared counters are no rate",
            "if_errors",
            port("Gi0/2", T0, speed=GIG, in_errors=900_000),
            port("Gi0/2", speed=GIG, in_errors=2),
            [],
        ),
        (
            "down port is not judged",
            "if_utilization",
            port("Gi0/3", T0, speed=GIG, in_octets=0),
            port("Gi0/3", oper=0, speed=GIG, in_octets=10**12),
            [],
        ),
        ("first poll has no rate", "if_errors", (), port("Gi0/2", in_errors=5), []),
    ],
)
def test_rate_checks(case, check, before, now, expected):
    assert rates(before, now, check) == expected, case


def test_no_rates_across_a_restart():
    before = up(5_000_000, T0) + port("Gi0/1", T0, speed=GIG, in_errors=10**6)
    now = up(60) + port("Gi0/1", speed=GIG, in_errors=10**6 + 10**5)
    assert run("if_errors", now, previous=before) == []
    restart = run("device_restart", now, previous=before)
    assert [(f.status, str(f.summary)) for f in restart] == [
        (Status.WARNING, "restarted since the last inspection (up 0h 1m)")
    ]


@pytest.mark.parametrize(
    ("check", "sample", "status", "summary"),
    [
        (
            "device_cpu",
            Sample("sw1", "device.cpu_percent", 93, "%", T1, {"cpu": "MPU Board 0"}),
            Status.CRITICAL,
            "MPU Board 0 93.0% busy (critical > 90%)",
        ),
        (
            "device_cpu",
            Sample("sw1", "device.cpu_percent", 12, "%", T1),
            Status.OK,
            "CPU 12.0% busy (warning > 80%)",
        ),
        (
            "device_memory",
            Sample("sw1", "device.memory_used_percent", 88, "%", T1, {"memory": "Processor"}),
            Status.WARNING,
            "Processor 88.0% used (warning > 85%)",
        ),
    ],
)
def test_device_thresholds(check, sample, status, summary):
    assert [(f.status, str(f.summary)) for f in run(check, [sample])] == [(status, summary)]


def test_device_restart_quiet_on_first_poll_and_servers():
    assert [f.status for f in run("device_restart", up(86_400 * 3))] == [Status.OK]
    server = up(100) + [Sample("sw1", "system.boot_time", 1.0, "s", T1)]
    assert run("device_restart", server, previous=up(5000, T0)) == []


def test_previous_findings_only_of_this_check_count():
    other = Finding("sw1", "if_errors", "Gi0/1", Status.CRITICAL, "x")
    assert run("interface", port("Gi0/1", oper=0), port("Gi0/1", T0, oper=0), (other,)) == []
