"""Config backup over real SSH from a simulated Cisco switch (fake-switches) with netmiko."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backup.config import ConfigRepository, backup_device, semantic_diff
from collectors.netcli_connection import cli_session
from tests.services import require_program


def configure(target, *commands: str) -> None:
    with cli_session(target) as connection:
        # fake-switches knows `exit` but not `end`, so leave config mode ourselves.
        connection.send_config_set([*commands, "exit", "exit"], exit_config_mode=False)


def test_a_change_over_ssh_makes_one_commit_and_a_readable_diff(fake_cisco_switch, tmp_path):
    require_program("git")
    target = fake_cisco_switch.target(name="sw1")
    repo = ConfigRepository(tmp_path / "configs")
    times = iter(datetime(2026, 11, 22, 1, tzinfo=UTC) + timedelta(hours=h) for h in range(5))

    def backup():
        return backup_device(
            target, cli_session, repo, clock=lambda: next(times)
        )

    baseline = backup()
    assert baseline.commit is not None
    stored = (repo.path / "sw1.cfg").read_text()
    assert stored.startswith("version 12.1\n") and "Building configuration" not in stored
    assert backup().commit is None  # fetched again, nothing changed: no commit

    # Fa0/7: the session's one switch keeps other tests' changes (they use Fa0/3)
    configure(target, "interface FastEthernet0/7", "description uplink to core-2")
    changed = backup()
    assert changed.commit is not None and changed.commit.message.startswith("sw1: ")
    assert len(repo.history("sw1")) == 2
    diff = repo.diff("sw1")
    changed_lines = [
        line
        for line in diff.splitlines()
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
    ]
    assert changed_lines == ["+ description uplink to core-2"]

    before = repo.show("sw1", repo.history("sw1")[1].rev)
    after = repo.show("sw1")
    semantic = semantic_diff("cisco_ios", before, after)
    assert semantic.changed == ("interface FastEthernet0/7",)
    assert semantic.remediation == ("interface FastEthernet0/7", "  description uplink to core-2")
