"""Change windows from the inventory, and the unexpected-change finding they decide."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime, timedelta, timezone

import pytest

from backup.config import Commit, unexpected_change_finding
from core.change_windows import ChangeWindow, parse_duration
from core.errors import UserError
from core.inventory import load
from core.status import Status

SAT_NIGHT = ChangeWindow(cron="0 22 * * 6", duration=timedelta(hours=4))  # Sat 22:00-02:00
COMMIT = Commit(
    rev="0123456789abcdef" * 2 + "01234567",
    device="sw1",
    when=datetime(2026, 11, 30, 14, tzinfo=UTC),
    message="sw1: config changed",
)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)  # 2026-11-28 is a Saturday


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (at(28, 22), True),
        (at(29, 1, 59), True),
        (at(29, 2, 0), True),
        (at(29, 2, 1), False),
        (at(28, 21, 59), False),
        (at(25, 23), False),
    ],
)
def test_recurring_window_contains_its_span_only(when, expected):
    assert SAT_NIGHT.overlaps(when, when) is expected


def test_a_change_seen_after_the_window_but_made_in_it_is_expected():
    assert SAT_NIGHT.overlaps(since=at(28, 9), until=at(29, 9))
    assert not SAT_NIGHT.overlaps(since=at(29, 9), until=at(30, 9))


def test_window_cron_is_read_in_its_time_zone():
    beijing = ChangeWindow(cron="0 22 * * 6", duration=timedelta(hours=4), timezone="Asia/Shanghai")
    assert beijing.overlaps(at(28, 14, 30), at(28, 14, 30))  # 22:30 in Beijing
    assert not beijing.overlaps(at(28, 23), at(28, 23))  # 07:00 Sunday in Beijing


def test_fixed_window():
    east8 = timezone(timedelta(hours=8))
    window = ChangeWindow(
        start=datetime(2026, 12, 1, 22, tzinfo=east8), end=datetime(2026, 12, 2, 2, tzinfo=east8)
    )
    assert window.overlaps(
        datetime(2026, 12, 1, 15, tzinfo=UTC), datetime(2026, 12, 1, 15, tzinfo=UTC)
    )
    assert not window.overlaps(at(30, 12), at(30, 13))


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("4h", 14400), ("90m", 5400), ("1d12h", 129600), ("45s", 45), ("2h 30m", 9000)],
)
def test_durations(text, seconds):
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "4", "4x", "h", "0h", "-1h", "4h!"])
def test_bad_durations(text):
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_finding_outside_every_window():
    finding = unexpected_change_finding("sw1", COMMIT, [SAT_NIGHT], at(30, 14))
    assert finding is not None
    assert finding.status is Status.WARNING
    assert finding.check == "config_change"
    assert finding.fingerprint == "sw1|config_change|running-config"
    assert finding.summary == (
        "unexpected config change on sw1 at 2026-11-30 14:00 UTC (outside change window)"
    )
    assert "inspect backup diff sw1 0123456789ab~1 0123456789ab" in finding.hint
    assert finding.evidence["commit"] == COMMIT.rev


def test_no_finding_inside_a_window_or_without_declared_windows():
    assert unexpected_change_finding("sw1", COMMIT, [SAT_NIGHT], at(28, 23)) is None
    assert unexpected_change_finding("sw1", COMMIT, [SAT_NIGHT], at(29, 6), since=at(28, 6)) is None
    assert unexpected_change_finding("sw1", COMMIT, [], at(30, 14)) is None


# -- inventory --------------------------------------------------------------------------

INVENTORY = """\
groups:
  core:
    kind: switch
    platform: cisco_ios
    change_windows:
      - {cron: "0 22 * * 6", duration: 4h, timezone: Asia/Shanghai}
hosts:
  sw1: {groups: [core]}
  sw2:
    groups: [core]
    change_windows:
      - {start: "2026-12-01T22:00:00+08:00", end: "2026-12-02T02:00:00+08:00"}
  srv1: {}
"""


def write(tmp_path, text):
    path = tmp_path / "inventory.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def test_inventory_windows_merge_host_over_group(tmp_path):
    targets = {t.name: t for t in load(write(tmp_path, INVENTORY)).targets}
    assert targets["sw1"].change_windows == (
        ChangeWindow(cron="0 22 * * 6", duration=timedelta(hours=4), timezone="Asia/Shanghai"),
    )
    (fixed,) = targets["sw2"].change_windows
    assert fixed.cron is None and fixed.start.utcoffset() == timedelta(hours=8)
    assert targets["srv1"].change_windows == ()


@pytest.mark.parametrize(
    ("window", "message"),
    [
        (
            '{cron: "0 22 * *", duration: 4h}',
            "inventory.yaml:6: groups.core.change_windows.0.cron: expected a five-field cron",
        ),
        (
            '{cron: "0 22 * * 6", duration: 4 hours}',
            "inventory.yaml:6: groups.core.change_windows.0.duration: expected a duration",
        ),
        ('{cron: "0 22 * * 6"}', "inventory.yaml:6: groups.core.change_windows.0: a recurring"),
        (
            '{start: "2026-12-01T22:00:00", end: "2026-12-02T02:00:00+08:00"}',
            "inventory.yaml:6: groups.core.change_windows.0.start: Input should have timezone",
        ),
        (
            '{start: "2026-12-02T22:00:00Z", end: "2026-12-01T02:00:00Z"}',
            "inventory.yaml:6: groups.core.change_windows.0: a fixed window needs start and a",
        ),
        (
            '{cron: "0 22 * * 6", duration: 4h, start: "2026-12-02T22:00:00Z"}',
            "either cron and duration, or start and end",
        ),
        (
            '{cron: "0 22 * * 6", duration: 4h, timezone: Mars/Olympus}',
            "groups.core.change_windows.0.timezone: unknown time zone 'Mars/Olympus'",
        ),
        (
            '{cron: "0 22 * * 6", duration: 4h, every: 1d}',
            "groups.core.change_windows.0.every: unknown key",
        ),
    ],
)
def test_bad_windows_are_named_with_file_and_line(tmp_path, window, message):
    text = INVENTORY.replace('{cron: "0 22 * * 6", duration: 4h, timezone: Asia/Shanghai}', window)
    with pytest.raises(UserError) as caught:
        load(write(tmp_path, text))
    assert message in str(caught.value)
