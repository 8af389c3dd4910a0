"""Session-wide fixtures: each real service starts once per test run."""

from __future__ import annotations

import pytest

pytest_plugins = [
    "tests.services.postgres",
    "tests.services.mariadb",
    "tests.services.db_replicas",
    "tests.services.fake_switches",
    "tests.services.fakenos",
    "tests.services.smtp",
    "tests.services.webhook",
    "tests.services.sshd",
    "tests.services.tarpit",
    "tests.services.hostile",
    "tests.services.snmpd",
    "tests.services.snmpsim",
    "tests.services.chromium",
    "tests.services.console",
    "tests.services.victoriametrics",
    "tests.services.chrony",
    "tests.services.redis",
]


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """Keep every test's records and config out of the user's real XDG dirs."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("INSPECT_DB", raising=False)
    monkeypatch.delenv("INSPECT_INVENTORY", raising=False)
    # the shown language follows the locale (core.catalog): tests expect English unless
    # they choose another (tests/test_i18n.py), whatever the machine's LANG
    monkeypatch.setenv("INSPECT_LANG", "en")
