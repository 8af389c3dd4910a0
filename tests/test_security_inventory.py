"""The security baseline's inventory keys: defaults when `security: {}` asks for the checks,
overrides, and errors naming file, line and key."""

from __future__ import annotations

import textwrap

import pytest

from settings.inventory import load
from settings.profiles import SecurityPolicy
from tests.test_inventory import error_of


def test_an_empty_security_section_asks_for_the_checks_with_the_defaults(tmp_path):
    path = tmp_path / "inventory.yaml"
    path.write_text(
        textwrap.dedent("""\
        hosts:
          web01: {address: 10.0.0.5, profile: hardened}
        profiles:
          hardened: {security: {}, ports_allowed: [22, 443, "30000-32767"]}
          loose: {security: {uid0_allowed: [root, toor], password_max_days: 365,
                             sshd_config: /etc/ssh/sshd_config.d/site.conf,
                             sshd_expected: {permitrootlogin: ["no"]},
                             weak_algorithms: [cbc], refresh_updates: true,
                             mac_required: false, first_window: 12h}}
        """)
    )
    inventory = load(path)
    assert inventory.profile("standard").security is None
    assert inventory.profile("standard").ports_allowed is None
    hardened = inventory.profile("hardened")
    assert hardened.security == SecurityPolicy()
    assert hardened.ports_allowed == ((22, 22), (443, 443), (30000, 32767))
    loose = inventory.profile("loose").security
    assert loose.uid0_allowed == frozenset({"root", "toor"})
    assert loose.password_max_days == 365
    assert loose.sshd_config == "/etc/ssh/sshd_config.d/site.conf"
    assert loose.sshd_expected == {"permitrootlogin": frozenset({"no"})}
    assert loose.weak_algorithms == ("cbc",)
    assert (loose.refresh_updates, loose.mac_required, loose.first_window) == (True, False, 43200)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "profiles:\n  p:\n    ports_allowed: [22, '90-80']\n",
            "inventory.yaml:3: profiles.p.ports_allowed.1: expected a port (22) or a port range",
        ),
        (
            "profiles:\n  p:\n    ports_allowed: [70000]\n",
            "inventory.yaml:3: profiles.p.ports_allowed.0: expected a port (22) or a port range",
        ),
        (
            "profiles:\n  p:\n    security:\n      password_max_days: 0\n",
            "inventory.yaml:4: profiles.p.security.password_max_days: expected a number of days "
            "from 1 to 100000, got 0",
        ),
        (
            "profiles:\n  p:\n    security:\n      sshd_expected: {PermitRootLogin: ['no']}\n",
            "inventory.yaml:4: profiles.p.security.sshd_expected: an sshd option is written as "
            "`sshd -T` prints it: 'PermitRootLogin'",
        ),
        (
            "profiles:\n  p:\n    security:\n      uid0_alowed: [root]\n",
            "inventory.yaml:4: profiles.p.security.uid0_alowed: unknown key",
        ),
    ],
)
def test_bad_security_keys_name_file_line_and_key(tmp_path, text, message):
    assert error_of(tmp_path, text).startswith(message)


def test_the_built_in_patrol_profile_asks_for_the_security_checks(tmp_path):
    path = tmp_path / "inventory.yaml"
    path.write_text("hosts:\n  web01: {address: 10.0.0.5, profile: patrol}\n")
    patrol = load(path).profile("patrol")
    assert patrol.security == SecurityPolicy()
    assert patrol.ports_allowed is None  # a port baseline is the host's own to declare
