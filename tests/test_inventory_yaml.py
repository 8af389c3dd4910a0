"""Hostile YAML: alias bombs, self-referencing anchors, deep nesting and odd tags are one-line
errors naming file:line, found before anything is built; legitimate anchors still work."""

import os
import resource
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from core.errors import UserError
from core.inventory import load

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path, text, name="inventory.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def error_of(tmp_path, text):
    with pytest.raises(UserError) as caught:
        load(write(tmp_path, text))
    return str(caught.value)


def billion_laughs() -> str:
    """10 levels of 9 aliases: 529 bytes, 10**9 strings once expanded."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefghi", "bcdefghij", strict=True):
        lines.append(f"{name}: &{name} [{','.join(['*' + previous] * 9)}]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_one_line_in_milliseconds_under_a_memory_limit(tmp_path):
    bomb = write(tmp_path, billion_laughs(), "bomb.yaml")
    assert bomb.stat().st_size < 600

    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "cli", "inventory", "validate", "-i", str(bomb)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        preexec_fn=limit_memory,
    )
    elapsed = time.monotonic() - started
    assert done.returncode == 3, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("inspect: error: bomb.yaml:")
    assert "aliases expand to more than" in done.stderr
    assert elapsed < 15  # the interpreter's start; the refusal itself takes milliseconds


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("hosts: &h {a: {parents: *h}}\n",
                     "inventory.yaml:1: invalid YAML: alias *h refers to", id="self-alias"),
        pytest.param("hosts:\n  a: *nowhere\n",
                     "inventory.yaml:2: invalid YAML: alias *nowhere has no", id="no-anchor"),
        pytest.param("hosts:\n  a: " + "[" * 100_000 + "]" * 100_000 + "\n",
                     "inventory.yaml:2: invalid YAML: nested more than 64 levels deep",
                     id="deep"),
        pytest.param("hosts:\n  a: {port: !!python/object:os.system x}\n",
                     "inventory.yaml:2: invalid YAML: a value tagged !!python/object:os.system",
                     id="python-tag"),
        pytest.param("hosts:\n  a:\n    address: 2024-13-45\n",
                     "inventory.yaml:3: invalid YAML: a value tagged !!timestamp cannot be read",
                     id="bad-date"),
        pytest.param("!!set hosts: {}\n",
                     "inventory.yaml:1: invalid YAML: a value tagged !!set cannot be read",
                     id="collection-tag-on-key"),
        pytest.param("hosts: {}\n---\nhosts: {}\n",
                     "inventory.yaml:2: invalid YAML: expected one document", id="two-docs"),
        pytest.param("hosts:\n  a: {<<: [1, 2]}\n",
                     "inventory.yaml:2: invalid YAML: `<<` merges mappings", id="merge-scalar"),
        pytest.param('hosts:\n  "web\\e]0;owned\\a": {kind: toaster}\n',
                     "inventory.yaml:2: hosts.web\\x1b]0;owned\\x07.kind: expected",
                     id="escape-in-key"),
        pytest.param('hosts:\n  a: {ssh: {password: "env:\\e[2J"}}\n',
                     "inventory.yaml:2: hosts.a.ssh.password: environment variable \\x1b[2J is",
                     id="escape-in-message"),
    ],
)
def test_hostile_yaml_is_one_line_naming_file_and_line(tmp_path, text, message):
    error = error_of(tmp_path, text)
    assert error.startswith(message)
    assert error.isprintable()


def test_anchors_aliases_and_merge_keys_still_work(tmp_path, monkeypatch):
    monkeypatch.setenv("SNMP_RO", "x")
    inv = load(write(tmp_path, """\
        groups:
          switches: &switch {kind: switch, snmp: {version: 2c, community: env:SNMP_RO}}
          web: {ssh: &ssh {username: ops, port: 2222}}
        hosts:
          sw1: {<<: *switch, address: 10.0.0.1}
          sw2:
            <<: [*switch, {kind: router, platform: cisco_ios}]
            kind: firewall
          web1: {ssh: *ssh}
          web2: {ssh: {<<: *ssh, port: 22}}
        """))
    by_name = {t.name: t for t in inv.targets}
    assert by_name["sw1"].kind == "switch" and by_name["sw1"].address == "10.0.0.1"
    assert by_name["sw2"].kind == "firewall"  # its own key beats every merged one
    assert by_name["sw2"].platform == "cisco_ios"
    assert by_name["sw2"].snmp["community"] == "env:SNMP_RO"
    assert by_name["web1"].ssh == {"username": "ops", "port": 2222}
    assert by_name["web2"].ssh == {"username": "ops", "port": 22}


def test_a_merged_key_given_twice_is_still_a_duplicate(tmp_path):
    error = error_of(tmp_path, "hosts:\n  a: {address: x}\n  b: {}\n  a: {address: y}\n")
    assert error.startswith("inventory.yaml:4: hosts.a: duplicate key (first defined on line 2)")
