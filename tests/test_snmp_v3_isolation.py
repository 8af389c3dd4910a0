"""SNMPv3 targets polled side by side never borrow each other's keys.

Two real snmpd agents share a v3 user name with different keys (and so different engine IDs),
as estates configure one user on every switch with per-device keys.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from flows.inspect import RunOptions, inspect
from settings import inventory as inventory_loader
from tests.services.snmpd import TWIN_USERS, USERS, serve

INVENTORY = """\
hosts:
{hosts}
"""
HOST = """\
  {name}:
    kind: router
    address: 127.0.0.1
    snmp:
      version: "3"
      port: {port}
      username: {user}
      auth_key: env:{env}_AUTH
      priv_key: env:{env}_PRIV
      timeout: 1
      retries: 0
"""


def inventory(tmp_path, monkeypatch, *agents) -> str:
    """agents: (name, snmpd, auth key, priv key); the user name is the same on every one."""
    hosts = []
    for name, agent, auth, priv in agents:
        env = name.upper().replace("-", "_")
        monkeypatch.setenv(f"{env}_AUTH", auth)
        monkeypatch.setenv(f"{env}_PRIV", priv)
        user = agent.users[0].name
        hosts.append(HOST.format(name=name, port=agent.port, user=user, env=env))
    path = tmp_path / "inventory.yaml"
    path.write_text(INVENTORY.format(hosts="".join(hosts)))
    return str(path)


def failures(path: str) -> dict[str, str]:
    """{target: summary} of every target the run could not poll (default workers)."""
    result = CliRunner().invoke(cli, ["run", "-i", path, "-f", "json", "--no-store"])
    findings = json.loads(result.output)["findings"]
    failed = [f for f in findings if f["check"] in ("reachability", "collector")]
    return {f["target"]: f["summary"] for f in failed}


@pytest.fixture
def twins(snmpd, snmpd_twin):
    assert snmpd.users[0].name == snmpd_twin.users[0].name
    assert snmpd.users[0].auth_key != snmpd_twin.users[0].auth_key
    return snmpd, snmpd_twin


def keys(agent) -> tuple[str, str]:
    return agent.users[0].auth_key, agent.users[0].priv_key


def test_same_user_different_keys_polled_together(twins, tmp_path, monkeypatch):
    one, two = twins
    path = inventory(tmp_path, monkeypatch, ("sw-a", one, *keys(one)), ("sw-b", two, *keys(two)))
    for attempt in range(20):
        assert failures(path) == {}, f"run {attempt + 1}"


def test_a_wrong_key_fails_only_its_own_target(twins, tmp_path, monkeypatch):
    one, two = twins
    path = inventory(
        tmp_path,
        monkeypatch,
        ("sw-good", one, *keys(one)),
        ("sw-wrong", two, "not-the-twin-auth-key", keys(two)[1]),
    )
    for _ in range(3):
        failed = failures(path)
        assert list(failed) == ["sw-wrong"], failed
        assert failed["sw-wrong"].startswith("auth failed:")


def test_a_too_short_key_fails_only_its_own_target(twins, tmp_path, monkeypatch):
    one, two = twins
    path = inventory(
        tmp_path, monkeypatch, ("sw-good", one, *keys(one)), ("sw-short", two, *keys(two))
    )
    # refused at load when the reference already resolves to a short key
    monkeypatch.setenv("SW_SHORT_AUTH", "sh0rt")
    refused = CliRunner().invoke(cli, ["run", "-i", path, "--no-store"])
    assert refused.exit_code == 3 and "inventory.yaml:" in refused.stderr
    assert "sh0rt" not in refused.stderr and "\n" not in refused.stderr.rstrip()
    # the secret changed under a loaded inventory (the agent's case): only its target fails
    monkeypatch.setenv("SW_SHORT_AUTH", keys(two)[0])
    inv = inventory_loader.load(Path(path))
    monkeypatch.setenv("SW_SHORT_AUTH", "sh0rt")
    for _ in range(3):
        run = inspect(inv, inv.select((), ()), RunOptions(timeout=20))
        failed = {f.target: str(f.summary) for f in run.findings
                  if f.check in ("reachability", "collector")}
        assert list(failed) == ["sw-short"], failed
        assert "Error" not in failed["sw-short"] and "8 characters" in failed["sw-short"]


def test_agents_wrongly_sharing_an_engine_id_take_turns(snmpd, tmp_path, monkeypatch):
    """Cloned configs give two agents one engine ID (RFC 3411 wants it unique): each still
    authenticates with its own keys, the polls wait for each other instead."""
    with (
        serve(users=USERS, engine_id="cloned-config") as one,
        serve(users=TWIN_USERS, engine_id="cloned-config") as two,
    ):
        path = inventory(
            tmp_path, monkeypatch, ("sw-a", one, *keys(one)), ("sw-b", two, *keys(two))
        )
        for attempt in range(5):
            assert failures(path) == {}, f"run {attempt + 1}"
