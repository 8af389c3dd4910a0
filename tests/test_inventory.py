import textwrap

import pytest

from core.errors import UserError
from core.model import SshSettings
from settings.inventory import load

EXAMPLE = """\
defaults: {profile: standard, labels: {site: bj}}
groups:
  core-switches: {kind: switch, platform: cisco_ios, snmp: {version: 2c, community: env:SNMP_RO}}
  web: {labels: {team: web, site: sh}, ssh: {username: deploy, port: 2222}}
hosts:
  web01: {address: 10.0.0.5, kind: server, platform: linux, groups: [web],
          ssh: {port: 22, username: ops, key_file: ~/.ssh/id_ed25519}}
  sw-core-1: {address: 10.0.0.2, groups: [core-switches], labels: {criticality: high}}
profiles:
  standard: {checks: {disk.used_percent: {warning: 70, critical: 85}}, processes: [sshd]}
"""


def write(tmp_path, text):
    path = tmp_path / "inventory.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def error_of(tmp_path, text):
    with pytest.raises(UserError) as caught:
        load(write(tmp_path, text))
    return str(caught.value)


def test_host_beats_group_beats_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("SNMP_RO", "secret-community")
    inv = load(write(tmp_path, EXAMPLE))
    web = next(t for t in inv.targets if t.name == "web01")
    assert web.labels == {"site": "sh", "team": "web"}
    assert web.ssh.port == 22 and web.ssh.username == "ops"
    switch = next(t for t in inv.targets if t.name == "sw-core-1")
    assert (switch.kind, switch.platform) == ("switch", "cisco_ios")
    assert switch.labels == {"site": "bj", "criticality": "high"}
    assert switch.snmp.community == "env:SNMP_RO"  # the reference, never the secret
    assert inv.profile("standard").thresholds["disk.used_percent"].warning.end == 70
    assert inv.profile("standard").processes[0].name == "sshd"


def test_no_inventory_means_localhost():
    inv = load(None)
    assert [t.name for t in inv.targets] == ["localhost"]
    assert inv.targets[0].is_local


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "hosts:\n  web01:\n    address: 10.0.0.5\n    port: ssh\n",
            'inventory.yaml:4: hosts.web01.port: expected a port number from 1 to 65535, '
            'got "ssh"',
        ),
        (
            "hosts:\n  web01: {}\n  db01: {}\n  web01: {address: x}\n",
            "inventory.yaml:4: hosts.web01: duplicate key (first defined on line 2)",
        ),
        (
            "hosts:\n  web01:\n    adress: 10.0.0.5\n",
            "inventory.yaml:3: hosts.web01.adress: unknown key",
        ),
        (
            "hosts:\n  web01:\n    ssh:\n      password: env:OPSINSPECT_NO_SUCH_VAR\n",
            "inventory.yaml:4: hosts.web01.ssh.password: environment variable "
            "OPSINSPECT_NO_SUCH_VAR is not set",
        ),
        (
            "hosts:\n  web01: {groups: [nope]}\n",
            "inventory.yaml:2: hosts.web01.groups.0: unknown group 'nope'",
        ),
        (
            "hosts:\n  web01: {profile: gold}\n",
            "inventory.yaml:2: hosts.web01.profile: unknown profile 'gold' "
            "(known: patrol, standard)",
        ),
        (
            "hosts:\n  a: {kind: toaster}\n",
            "inventory.yaml:2: hosts.a.kind: expected 'server', 'switch', 'router', 'firewall' or "
            "'database', got \"toaster\"",
        ),
        (
            "profiles:\n  p:\n    checks:\n      cpu.used_percent: {warning: '9:3'}\n",
            "inventory.yaml:4: profiles.p.checks.cpu.used_percent.warning: threshold range '9:3': "
            "start 9 is above end 3",
        ),
        ("hosts: [\n", "inventory.yaml:2: invalid YAML"),
        (
            "hosts:\n  web01: {address: \"10.0.0.\x07\"}\n",
            "inventory.yaml:2: invalid YAML: character U+0007 is not allowed",
        ),
        (  # multi-byte text before it: the line is counted in characters, not bytes
            "# 巡检清单 核心交换机\n# 机房\nhosts:\n  web01: {address: \"10.0.0.\x01\"}\n",
            "inventory.yaml:4: invalid YAML: character U+0001 is not allowed",
        ),
    ],
)
def test_errors_name_file_line_and_key(tmp_path, text, message):
    assert error_of(tmp_path, text).startswith(message)


def test_inline_secret_is_refused_without_echoing_it(tmp_path):
    message = error_of(tmp_path, "hosts:\n  web01:\n    ssh: {password: hunter2}\n")
    assert message.startswith("inventory.yaml:3: hosts.web01.ssh.password: expected a credential")
    assert "hunter2" not in message


def test_missing_file_is_one_clear_line(tmp_path):
    assert "no such file" in str(pytest.raises(UserError, load, tmp_path / "nope.yaml").value)


def test_selection_by_target_and_group(tmp_path, monkeypatch):
    monkeypatch.setenv("SNMP_RO", "x")
    inv = load(write(tmp_path, EXAMPLE))
    assert [t.name for t in inv.select(groups=["web"])] == ["web01"]
    assert [t.name for t in inv.select(names=["sw-core-1"])] == ["sw-core-1"]
    with pytest.raises(UserError, match="unknown group 'db'"):
        inv.select(groups=["db"])


SITE = """\
groups:
  site-a: {parents: [sw-core-1]}
hosts:
  sw-core-1: {kind: switch, groups: [site-a]}
  web01: {groups: [site-a]}
"""


def test_a_host_inheriting_itself_as_parent_is_refused_with_the_fix(tmp_path):
    message = error_of(tmp_path, SITE)
    assert message.startswith(
        "inventory.yaml:2: groups.site-a.parents.0: host 'sw-core-1' would be its own parent"
    )
    assert "give hosts.sw-core-1 its own `parents:`" in message
    fixed = SITE.replace("groups: [site-a]}\n  web", "groups: [site-a], parents: []}\n  web")
    inv = load(write(tmp_path, fixed))
    assert {t.name: t.parents for t in inv.targets} == {"sw-core-1": (), "web01": ("sw-core-1",)}


def test_the_self_parent_is_refused_by_inventory_validate(tmp_path):
    from click.testing import CliRunner

    from cli.main import cli

    result = CliRunner().invoke(cli, ["inventory", "validate", "-i", str(write(tmp_path, SITE))])
    assert result.exit_code == 3
    assert result.stderr.startswith("inspect: error: inventory.yaml:2: groups.site-a.parents.0:")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "hosts:\n  a: {parents: [a]}\n",
            "inventory.yaml:2: hosts.a.parents.0: host 'a' lists itself as its parent",
            id="self",
        ),
        pytest.param(
            "hosts:\n  a: {parents: [b]}\n  b: {parents: [c]}\n  c:\n    parents: [x, a]\n"
            "  x: {}\n",
            "inventory.yaml:2: hosts.a.parents.0: parent cycle a -> b -> c -> a",
            id="cycle",
        ),
        pytest.param(
            "defaults: {parents: [gw]}\nhosts:\n  gw: {}\n  a: {}\n",
            "inventory.yaml:1: defaults.parents.0: host 'gw' would be its own parent",
            id="defaults",
        ),
        pytest.param(
            "hosts:\n  a:\n    parents: [nope]\n",
            "inventory.yaml:3: hosts.a.parents.0: unknown host 'nope'",
            id="unknown",
        ),
    ],
)
def test_parent_loops_are_load_errors_naming_the_loop(tmp_path, text, message):
    assert error_of(tmp_path, text).startswith(message)


@pytest.mark.parametrize(
    "text", ["", "# nothing yet\n", "hosts: {}\n", "profiles:\n  p: {}\n"], ids=str.strip
)
def test_an_inventory_with_nothing_to_inspect_is_an_error(tmp_path, text):
    message = error_of(tmp_path, text)
    assert message.startswith("inventory.yaml:1: hosts: no hosts: the inventory has nothing")


def test_null_means_not_set_so_the_group_value_stays(tmp_path):
    inv = load(write(tmp_path, """\
        groups:
          web: {ssh: {username: ops}, parents: [gw], labels: {team: web}}
        hosts:
          gw: {}
          web01:
            groups: [web]
            ssh: null
            parents: null
            labels: null
            collectors: null
            change_windows: null
            address: null
        """))
    web = next(t for t in inv.targets if t.name == "web01")
    assert web.ssh == SshSettings(username="ops")
    assert (web.parents, web.labels) == (("gw",), {"team": "web"})
    assert web.change_windows == () and web.address == "web01"


def test_an_inline_export_token_is_not_shown(tmp_path):
    message = error_of(tmp_path, "hosts: {a: {}}\nexport:\n  url: http://x\n  token: 73125841\n")
    assert message.startswith("inventory.yaml:4: export.token: expected a string, got a value")
    assert "73125841" not in message
