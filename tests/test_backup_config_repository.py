"""The git store of device configs, on a real git repository in tmp_path."""

from __future__ import annotations

import subprocess
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from backup.config import ConfigRepository, backup_device, compare, normalise, render
from core.errors import UserError
from core.model import Target
from core.status import Status
from settings.change_windows import ChangeWindow
from tests.services import require_program

FIXTURES = Path(__file__).parent / "fixtures" / "configs"
T0 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _git():
    require_program("git")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


def commit_count(repo: Path) -> int:
    return int(git(repo, "rev-list", "--count", "HEAD"))


def ios(text: str, when: str, size: int) -> str:
    """A running-config as the device prints it, with its volatile header."""
    return (
        f"Building configuration...\n\nCurrent configuration : {size} bytes\n!\n"
        f"! Last configuration change at {when} by admin\n"
        f"! NVRAM config last updated at {when} by admin\n!\n{text}"
    )


BASE = (
    "hostname sw1\n!\ninterface Gi0/1\n description uplink\n!\n"
    "snmp-server community s3cret RO\nend\n"
)


def test_a_timestamp_only_change_makes_no_commit_and_a_real_change_exactly_one(tmp_path):
    repo = ConfigRepository(tmp_path / "configs")
    key = repo.mask_key()
    first = normalise("cisco_ios", ios(BASE, "10:00:00 UTC Fri Nov 20 2026", 1200), True, key)
    assert repo.save("sw1", first, T0) is not None

    noise_only = ios(BASE, "22:15:07 UTC Sat Nov 21 2026", 1234)
    again = normalise("cisco_ios", noise_only, True, key)
    assert repo.save("sw1", again, T0 + timedelta(days=1)) is None
    assert commit_count(repo.path) == 1

    edited = BASE.replace("description uplink", "description uplink to core-2")
    when = T0 + timedelta(days=2)
    commit = repo.save("sw1", normalise("cisco_ios", ios(edited, "x", 9), True, key), when)
    assert commit is not None
    assert commit_count(repo.path) == 2
    assert commit.message == "sw1: config changed at 2026-11-22 03:00:00 UTC"
    assert git(repo.path, "log", "-1", "--format=%s%n%cI%n%an").splitlines() == [
        commit.message,
        "2026-11-22T03:00:00+00:00",
        "opsinspect",
    ]
    assert git(repo.path, "show", "--name-only", "--format=", commit.rev).split() == ["sw1.cfg"]


def test_one_file_per_device_and_history_per_device(tmp_path):
    repo = ConfigRepository(tmp_path / "configs")
    repo.save("sw1", "hostname sw1\n", T0)
    repo.save("sw2", "hostname sw2\n", T0 + timedelta(hours=1))
    repo.save("sw1", "hostname sw1\nvlan 10\n", T0 + timedelta(hours=2))
    assert sorted(p.name for p in repo.path.iterdir() if p.name != ".git") == ["sw1.cfg", "sw2.cfg"]
    assert [c.when for c in repo.history("sw1")] == [T0 + timedelta(hours=2), T0]
    assert [c.device for c in repo.history("sw2")] == ["sw2"]
    assert repo.history("sw9") == []
    assert repo.show("sw1", repo.history("sw1")[1].rev) == "hostname sw1\n"


def test_diff_defaults_to_the_last_change_and_takes_two_revisions(tmp_path):
    repo = ConfigRepository(tmp_path / "configs")
    repo.save("sw1", "hostname sw1\nvlan 10\n", T0)
    repo.save("sw1", "hostname sw1\nvlan 10\nvlan 20\n", T0 + timedelta(hours=1))
    repo.save("sw1", "hostname sw1\nvlan 20\n", T0 + timedelta(hours=2))
    latest = repo.diff("sw1")
    assert "-vlan 10\n" in latest and "+vlan 20" not in latest
    first, _, last = reversed(repo.history("sw1"))
    both = repo.diff("sw1", first.rev[:8], last.rev)
    assert "-vlan 10\n" in both and "+vlan 20\n" in both
    assert both.startswith("diff --git a/sw1.cfg b/sw1.cfg")


def test_first_backup_diff_shows_the_whole_file_as_added(tmp_path):
    repo = ConfigRepository(tmp_path / "configs")
    repo.save("sw1", "hostname sw1\n", T0)
    assert "+hostname sw1" in repo.diff("sw1")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda r: r.diff("sw1", "deadbeef", "HEAD"), "unknown revision 'deadbeef' for sw1"),
        (lambda r: r.diff("sw1", "--output=x", "HEAD"), "unknown revision '--output=x'"),
        (lambda r: r.diff("sw1", "HEAD"), "give two revisions"),
        (lambda r: r.diff("sw9"), "no config backup of sw9"),
        (lambda r: r.save("../etc/passwd", "x", T0), "cannot be a file name"),
    ],
)
def test_bad_requests_are_one_line_user_errors(tmp_path, call, message):
    repo = ConfigRepository(tmp_path / "configs")
    repo.save("sw1", "hostname sw1\n", T0)
    with pytest.raises(UserError, match=message.replace("(", r"\(")):
        call(repo)
    assert not (repo.path / "x").exists()


def test_parallel_backups_each_get_their_own_commit(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    repo = ConfigRepository(tmp_path / "configs")
    names = [f"sw{i}" for i in range(12)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        keys = set(pool.map(lambda _: repo.mask_key(), names))
        commits = list(pool.map(lambda n: repo.save(n, f"hostname {n}\n", T0), names))
    assert len(keys) == 1
    assert all(c is not None for c in commits)
    assert commit_count(repo.path) == 12
    assert git(repo.path, "status", "--porcelain") == ""


def test_a_changed_masked_secret_is_a_diff_line_but_never_in_git(tmp_path):
    repo = ConfigRepository(tmp_path / "configs")
    key = repo.mask_key()
    repo.save("sw1", normalise("cisco_ios", BASE, True, key), T0)
    rotated = BASE.replace("s3cret", "n3wer-s3cret")
    repo.save("sw1", normalise("cisco_ios", rotated, True, key), T0 + timedelta(hours=1))
    changed = [
        line
        for line in repo.diff("sw1").splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert len(changed) == 2
    assert all(line[1:].startswith("snmp-server community <secret:") for line in changed)
    everything = git(repo.path, "log", "-p", "--all")
    assert "s3cret" not in everything
    assert "opsinspect-mask-key" not in git(repo.path, "ls-files")


def test_repository_key_and_directory_are_private(tmp_path):
    repo = ConfigRepository(tmp_path / "configs")
    key = repo.mask_key()
    assert len(key) == 32 and repo.mask_key() == key
    assert (repo.path / ".git" / "opsinspect-mask-key").stat().st_mode & 0o777 == 0o600
    assert repo.path.stat().st_mode & 0o077 == 0


def test_user_git_config_and_hooks_do_not_leak_in(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[user]\n\tname = Someone Else\n[commit]\n\tgpgsign = true\n")
    monkeypatch.setenv("HOME", str(home))
    repo = ConfigRepository(tmp_path / "configs")
    assert repo.save("sw1", "hostname sw1\n", T0) is not None
    assert git(repo.path, "log", "-1", "--format=%an <%ae>").strip() == (
        "opsinspect <opsinspect@localhost>"
    )


# -- the whole flow for one device -------------------------------------------------------


class Device:
    """A switch whose running-config the test edits between backups."""

    def __init__(self, config: str) -> None:
        self.config = config
        self.clock = 0

    def send_command(self, command_string: str, *, read_timeout: float) -> str:
        if command_string != "show running-config":
            return ""
        self.clock += 1
        return ios(self.config, f"0{self.clock}:00:00 UTC Sat Nov 21 2026", 1000 + self.clock)


def factory_for(device: Device):
    @contextmanager
    def factory(target):
        yield device

    return factory


def test_backup_device_commits_changes_and_flags_one_outside_its_window(tmp_path):
    saturday_night = ChangeWindow(cron="0 22 * * 6", duration=timedelta(hours=4))
    target = Target(
        name="sw1", kind="switch", platform="cisco_ios", change_windows=(saturday_night,)
    )
    device = Device(BASE)
    repo = ConfigRepository(tmp_path / "configs")
    times = iter(
        [
            datetime(2026, 11, 27, 9, 0, tzinfo=UTC),  # Fri: first backup, baseline
            datetime(2026, 11, 28, 9, 0, tzinfo=UTC),  # Sat 09:00: unchanged
            datetime(2026, 11, 29, 6, 0, tzinfo=UTC),  # Sun 06:00: changed in Sat's window
            datetime(2026, 11, 30, 9, 0, tzinfo=UTC),  # Mon 09:00: unchanged
            datetime(2026, 11, 30, 14, 0, tzinfo=UTC),  # Mon 14:00: changed since 09:00
        ]
    )

    def backup():
        return backup_device(target, factory_for(device), repo, clock=lambda: next(times))

    first = backup()
    assert first.commit is not None and first.finding is None
    assert backup().commit is None
    assert repo.last_backup("sw1") == datetime(2026, 11, 28, 9, 0, tzinfo=UTC)

    device.config = BASE.replace("uplink", "uplink (planned)")  # done Sat 23:00
    planned = backup()
    assert planned.commit is not None and planned.finding is None
    assert backup().commit is None

    device.config = BASE.replace("uplink", "someone was here")
    surprise = backup()
    assert surprise.commit is not None
    assert surprise.finding is not None
    assert surprise.finding.status is Status.WARNING
    assert str(surprise.finding.summary) == (
        "unexpected config change on sw1 at 2026-11-30 14:00 UTC (outside change window)"
    )
    assert surprise.finding.evidence["since"] == "2026-11-30T09:00:00+00:00"
    assert "s3cret" not in (repo.path / "sw1.cfg").read_text()
    assert commit_count(repo.path) == 3


def test_compare_shows_semantic_summary_remediation_and_unified_diff(tmp_path):
    repo = ConfigRepository(tmp_path / "configs")
    key = repo.mask_key()
    for hours, name in enumerate(("before", "after")):
        raw = (FIXTURES / f"hp_comware/comware7.1.045_irf_NTC123456_{name}.txt").read_text()
        repo.save("irf1", normalise("hp_comware", raw, True, key), T0 + timedelta(hours=hours))
    change = compare(repo, "irf1", "hp_comware")
    first, latest = reversed(repo.history("irf1"))
    assert (change.old_rev, change.new_rev) == (first.rev, latest.rev)
    assert "vlan 101" in change.semantic.changed
    text = render(change)
    assert "  changed  vlan 101\n" in text
    assert "remediation (commands that turn the old config into the new):\n" in text
    assert "    undo name Test-Vlan-101\n" in text
    assert "\n- name Test-Vlan-101\n" in text  # the unified diff follows
    assert "$c$3$" not in text

    same = compare(repo, "irf1", "hp_comware", latest.rev, latest.rev)
    assert same.semantic.empty and "no configuration change" in render(same)


def test_compare_of_a_first_backup_and_of_an_unknown_platform(tmp_path):
    repo = ConfigRepository(tmp_path / "configs")
    repo.save("sw1", "hostname sw1\n", T0)
    change = compare(repo, "sw1", "cisco_ios")
    assert change.old_rev is None
    assert change.semantic.added == ("hostname sw1",)
    assert "first backup" in render(change)
    with pytest.raises(UserError, match="no config backup model for platform 'dell_os10'"):
        compare(repo, "sw1", "dell_os10")
