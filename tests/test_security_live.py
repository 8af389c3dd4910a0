"""The security baseline on real things: accounts, a sudoers.d rule and an nft table planted on
this machine, judged by one inspection here and over SSH (the sshd fixture runs on this same
machine, so the same facts must be seen), `sshd -T` run on the fixture's own config, a real
failed login counted since the previous inspection, and a plain login told "needs privilege".
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import paramiko
import pytest

from core import names
from core.model import Finding, PreviousRun, Sample
from core.status import Status
from flows.inspect import inspect_target
from settings.inventory import load
from tests.services import missing

SECURITY_CHECKS = (
    names.CHECK_UID0,
    names.CHECK_EMPTY_PASSWORD,
    names.CHECK_PASSWORD_AGE,
    names.CHECK_STALE_ACCOUNT,
    names.CHECK_SSHD,
    names.CHECK_FAILED_LOGINS,
    names.CHECK_SUDO_NOPASSWD,
    names.CHECK_SECURITY_UPDATES,
    names.CHECK_FIREWALL,
    names.CHECK_MAC,
    names.CHECK_UNEXPECTED_PORT,
)
# what depends on this machine alone, not on the moment (others' tests open ports, fail logins)
STABLE = (
    names.CHECK_UID0,
    names.CHECK_EMPTY_PASSWORD,
    names.CHECK_PASSWORD_AGE,
    names.CHECK_STALE_ACCOUNT,
    names.CHECK_SSHD,
    names.CHECK_SUDO_NOPASSWD,
    names.CHECK_FIREWALL,
    names.CHECK_MAC,
)


def _run(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True)


class Planted:
    """What the test put on this machine, to find in the findings."""

    def __init__(self) -> None:
        tag = secrets.token_hex(3)
        self.uid0 = f"opsi0-{tag}"
        self.empty = f"opsie-{tag}"
        self.sudoer = f"opsn-{tag}"
        self.sudoers_file = Path(f"/etc/sudoers.d/opsinspect-{tag}")
        self.table = f"opsinspect_{tag}"


@pytest.fixture(scope="module")
def planted() -> Iterator[Planted]:
    if os.geteuid() != 0:
        missing("root (the test creates real accounts, a sudoers.d file and an nft table)")
    for program in ("useradd", "sudo", "nft", "lastb"):
        if not shutil.which(program):
            missing(f"{program} (scripts/install-services: sudo, nftables, util-linux)")
    made = Planted()
    try:
        _run("useradd", "-o", "-u", "0", "-M", "-s", "/usr/sbin/nologin", made.uid0)
        _run("useradd", "-M", "-s", "/bin/sh", made.empty)
        _run("passwd", "-d", made.empty)
        made.sudoers_file.write_text(f"{made.sudoer} ALL=(ALL:ALL) NOPASSWD: ALL\n")
        made.sudoers_file.chmod(0o440)
        _run("nft", "add", "table", "inet", made.table)
        _run(
            "nft",
            "add",
            "chain",
            "inet",
            made.table,
            "input",
            "{ type filter hook input priority 0; policy accept; }",
        )
        _run("nft", "add", "rule", "inet", made.table, "input", "ip", "saddr", "192.0.2.1", "drop")
        yield made
    finally:
        # userdel refuses a UID 0 account while root runs anything: -f
        subprocess.run(["userdel", "-f", made.uid0], capture_output=True)
        subprocess.run(["userdel", "-f", made.empty], capture_output=True)
        made.sudoers_file.unlink(missing_ok=True)
        subprocess.run(["nft", "delete", "table", "inet", made.table], capture_output=True)


@pytest.fixture(scope="module")
def inventory(tmp_path_factory, sshd_server, planted):
    path = tmp_path_factory.mktemp("security") / "inventory.yaml"
    config = sshd_server.workdir / "sshd_config"
    as_root = json.dumps(sshd_server.inventory_ssh(username="root"))
    as_user = json.dumps(sshd_server.inventory_ssh())
    path.write_text(
        "hosts:\n"
        "  here: {address: localhost, profile: patrol}\n"
        f"  root-ssh: {{address: 127.0.0.1, profile: patrol, ssh: {as_root}}}\n"
        f"  user-ssh: {{address: 127.0.0.1, profile: patrol, ssh: {as_user}}}\n"
        "profiles:\n"
        "  patrol:\n"
        f"    security: {{sshd_config: {json.dumps(str(config))}}}\n"
        "    ports_allowed: [22]\n"
    )
    return load(path)


def since(moment: datetime):
    """The previous inspection, as the records would give it: a run whose samples were taken
    at `moment`."""
    earlier = PreviousRun(samples=(Sample("x", names.CPU_USED_PERCENT, 1.0, "%", moment),))
    return lambda _name: earlier


def inspect(inventory, name: str, previous=None) -> dict[tuple[str, str], Finding]:
    target = next(t for t in inventory.targets if t.name == name)
    result = inspect_target(inventory, target, previous or since(datetime.now(UTC)), 60)
    return {(f.check, f.subject): f for f in result.findings if f.check in SECURITY_CHECKS}


def fail_a_login(server) -> None:
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    with pytest.raises(paramiko.AuthenticationException):
        client.connect(
            server.host,
            server.port,
            username=server.username,
            password="not-" + secrets.token_hex(8),
            look_for_keys=False,
            allow_agent=False,
            timeout=10,
        )
    client.close()


@pytest.fixture(scope="module")
def here(inventory, sshd_server):
    before = datetime.now(UTC) - timedelta(seconds=1)
    fail_a_login(sshd_server)
    return inspect(inventory, "here", since(before))


def test_one_local_run_fills_every_security_row(here, planted, sshd_server):
    assert {check for check, _ in here} == set(SECURITY_CHECKS)
    assert here[(names.CHECK_UID0, planted.uid0)].status == Status.CRITICAL
    assert here[(names.CHECK_EMPTY_PASSWORD, planted.empty)].status == Status.CRITICAL
    assert here[(names.CHECK_STALE_ACCOUNT, planted.empty)].status == Status.WARNING
    assert here[(names.CHECK_SUDO_NOPASSWD, planted.sudoer)].evidence["files"] == [
        str(planted.sudoers_file)
    ]
    assert here[(names.CHECK_FIREWALL, names.CHECK_FIREWALL)].status == Status.OK
    # the fixture's config, as `sshd -T -f` resolves it: password login on, root by key only
    assert str(here[(names.CHECK_SSHD, "passwordauthentication")].summary) == (
        "sshd passwordauthentication is yes (allowed: no)"
    )
    assert (names.CHECK_SSHD, "permitrootlogin") not in here
    failed = here[(names.CHECK_FAILED_LOGINS, names.CHECK_FAILED_LOGINS)]
    assert failed.value >= 1  # ours, and any other test's since
    updates = here[(names.CHECK_SECURITY_UPDATES, names.CHECK_SECURITY_UPDATES)]
    assert updates.evidence["manager"] == "apt"  # from the indexes already here: not refreshed
    assert len(updates.evidence["packages"]) == min(int(updates.value), 50)
    assert not any(f.unmeasured for f in here.values())
    # the fixture listens on 127.0.0.1 only: not exposed, so not an unexpected port
    assert (names.CHECK_UNEXPECTED_PORT, str(sshd_server.port)) not in here


def test_over_ssh_as_root_the_same_facts_are_seen(inventory, here):
    remote = inspect(inventory, "root-ssh")
    stable = {k: f.status for k, f in here.items() if k[0] in STABLE}
    assert {k: f.status for k, f in remote.items() if k[0] in STABLE} == stable
    assert not any(f.unmeasured for f in remote.values())


def test_a_plain_login_says_needs_privilege_instead_of_guessing(inventory, planted):
    found = inspect(inventory, "user-ssh")
    for check in (
        names.CHECK_EMPTY_PASSWORD,
        names.CHECK_PASSWORD_AGE,
        names.CHECK_STALE_ACCOUNT,
        names.CHECK_SSHD,
        names.CHECK_FAILED_LOGINS,
        names.CHECK_SUDO_NOPASSWD,
        names.CHECK_FIREWALL,
    ):
        finding = found[(check, check)]
        assert finding.status == Status.UNKNOWN, check
        assert str(finding.summary).startswith("not measured: needs privilege: "), check
    # /etc/passwd is anyone's to read: the duplicate root is still seen
    assert found[(names.CHECK_UID0, planted.uid0)].status == Status.CRITICAL
