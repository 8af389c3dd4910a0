"""Generated inventories through `inspect inventory validate`: well-formed structures holding
hostile values (wrong types, out of range, unicode, control characters, huge numbers, shared
anchors, deep nesting, damaged text). Whatever comes in: no traceback, exit 0 or 3, an error is
one printable line naming file:line, and a secret behind a credential reference never shows.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli.main import cli

ROOT = Path(__file__).resolve().parents[1]
SECRET_ENV = "OPSINSPECT_FUZZ_SECRET"
SECRET = "fuzz-secret-Zq7w-do-not-show"
REF = f"env:{SECRET_ENV}"
ERROR = re.compile(r"inspect: error: inventory\.yaml:\d+: \S")

pytestmark = pytest.mark.slow
FUZZ = settings(
    derandomize=True,
    deadline=None,
    max_examples=250,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

hostile_text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=24
) | st.sampled_from(["", " ", "~", "null", "1e999", "0x1F", "-0", "９", "\x1b[2J", "a\nb",
                     "‮rtl", "${HOME}", "*x", "&a", "!!python/name:os.system", REF])
hostile_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([0, -1, 65535, 65536, 2**63, -(2**63) - 1, 10**100]),
    st.floats(allow_nan=True, allow_infinity=True),
    hostile_text,
)


def nested(depth: int) -> object:
    value: object = "deep"
    for _ in range(depth):
        value = [value]
    return value


hostile = st.one_of(
    hostile_scalar,
    hostile_scalar,
    hostile_scalar,
    st.lists(hostile_scalar, max_size=3),
    st.dictionaries(hostile_text, hostile_scalar, max_size=3),
    st.integers(min_value=1, max_value=80).map(nested),
)
credential = st.sampled_from([REF, REF, "keyring:a/b"])
# the secret written inline where a reference belongs, or as a key below one, is never shown
bad_credential = st.sampled_from(
    ["env:OPSINSPECT_FUZZ_UNSET", "file:/nope", "keyring:x", SECRET, [SECRET], {SECRET: 1}]
)


def maybe(value: st.SearchStrategy, other: st.SearchStrategy = hostile) -> st.SearchStrategy:
    """Mostly a sensible value, one time in twenty a hostile or plain wrong one."""
    return st.integers(0, 19).flatmap(lambda roll: other if roll == 0 else value)


def secret(value: st.SearchStrategy = credential) -> st.SearchStrategy:
    return maybe(value, bad_credential | hostile)


ssh = st.fixed_dictionaries(
    {},
    optional={
        "port": maybe(st.integers(1, 65535)),
        "username": maybe(st.sampled_from(["ops", "root", "运维"])),
        "password": secret(),
        "passphrase": secret(),
        "key_file": maybe(st.sampled_from(["~/.ssh/id_nope", "/etc/hostname", "/dev/null"]),
                          st.sampled_from(["~nosuchuser/id", "a\0b", "/"]) | hostile),
        "timeout": maybe(st.floats(0.1, 60)),
        "jump_host": maybe(st.sampled_from(["bastion", "ops@[::1]:2222", "a@b:0"])),
        "host_key_policy": maybe(st.sampled_from(["strict", "tofu"])),
    },
)
snmp = st.fixed_dictionaries(
    {},
    optional={
        "version": maybe(st.sampled_from(["1", "2c", "3"]), st.sampled_from([3, "v3"]) | hostile),
        "port": maybe(st.integers(1, 65535)),
        "community": secret(),
        "username": maybe(st.just("ops")),
        "auth_protocol": maybe(st.sampled_from(["SHA", "MD5"]), st.just("sha") | hostile),
        "auth_key": secret(),
        "priv_key": secret(),
        "retries": maybe(st.integers(0, 10)),
        "timeout": maybe(st.floats(0.1, 10)),
    },
)
names = st.sampled_from(["web01", "sw-core-1", "db", "主机-1", "a b", "x\x1by"])
target = st.fixed_dictionaries(
    {},
    optional={
        "address": maybe(st.sampled_from(["10.0.0.1", "localhost", "::1"])),
        "kind": maybe(
            st.sampled_from(["server", "switch", "router"]), st.just("toaster") | hostile
        ),
        "port": maybe(st.integers(1, 65535)),
        "platform": maybe(st.sampled_from(["linux", "cisco_ios", "huawei"])),
        "labels": maybe(st.dictionaries(st.sampled_from(["site", "criticality"]), hostile_text)),
        "collectors": maybe(st.lists(st.sampled_from(["local", "ssh", "snmp", "netcli"]))),
        "ssh": maybe(ssh),
        "snmp": maybe(snmp),
        "cli": maybe(ssh.map(lambda d: {k: v for k, v in d.items()
                                         if k not in ("passphrase", "jump_host")})),
        "parents": maybe(st.lists(names, max_size=2)),
        "profile": maybe(st.sampled_from(["standard", "gold"])),
        "answer_limit_mb": maybe(st.sampled_from([1, 16, 4096]), st.sampled_from([0, 4097])),
        "change_windows": maybe(st.lists(st.fixed_dictionaries(
            {"cron": maybe(st.just("0 2 * * 6"), st.sampled_from(["61 * * * *", "0 0 31 2 *"])),
             "duration": maybe(st.just("2h"), st.sampled_from(["0s", 10**30]))}), max_size=1)),
    },
)
threshold = st.fixed_dictionaries(
    {}, optional={"warning": maybe(st.sampled_from([80, "10:", "@1:2", "9:3"])),
                  "critical": maybe(st.integers(0, 100)), "enabled": maybe(st.booleans())},
)
profile = st.fixed_dictionaries(
    {},
    optional={
        "checks": maybe(st.dictionaries(st.sampled_from(["cpu.used_percent", "x"]), threshold)),
        "processes": maybe(st.lists(st.one_of(
            hostile_text, st.fixed_dictionaries({"cmdline": maybe(st.sampled_from(
                ["app\\.jar", "(", "[a-", "a{99999999999}"]))})), max_size=2)),
        "ports": maybe(st.lists(st.one_of(st.integers(1, 65535), hostile_scalar), max_size=3)),
        "plugins": maybe(st.lists(st.fixed_dictionaries(
            {"name": maybe(st.sampled_from(["disk_root", "http"])),
             "command": maybe(st.just(["/usr/lib/nagios/plugins/check_disk", "-w", "20%"]),
                              st.sampled_from(["check_disk -w 20%", ["check_disk"], []])),
             "timeout": maybe(st.just("10s"), st.sampled_from(["0s", "2h", "nan"]))}),
            max_size=2)),
        "logwatch": maybe(st.lists(st.fixed_dictionaries(
            {"file": maybe(st.sampled_from(["/var/log/syslog", "/var/log/a b"]),
                           st.sampled_from(["syslog", "a\0b"]) | hostile),
             "critical": maybe(st.lists(st.sampled_from(["I/O error", "(", "a{99999999999}"]),
                                        max_size=2))},
            optional={"journal": st.sampled_from(["ssh.service", "a b", ""]),
                      "max_bytes": st.one_of(st.integers(0, 5 * 2**20), hostile_scalar)}),
            max_size=2)),
        "hardware": maybe(st.fixed_dictionaries(
            {"smart": maybe(st.booleans()), "raid": maybe(st.booleans())},
            optional={"smart_devices": st.lists(st.sampled_from(["/dev/sda", "~nosuchuser/x"]))})),
    },
)
inventory = st.fixed_dictionaries(
    {"hosts": maybe(st.dictionaries(names, target.flatmap(lambda t: st.fixed_dictionaries(
        {**{k: st.just(v) for k, v in t.items()},
         "groups": maybe(st.lists(st.sampled_from(["web", "core"]), max_size=2),
                        st.just(["nope"]) | hostile)})),
        min_size=1, max_size=4))},
    optional={
        "defaults": target,
        "groups": st.fixed_dictionaries({"web": target, "core": target}),
        "profiles": st.dictionaries(st.sampled_from(["standard", "gold"]), profile),
        "schedules": maybe(st.dictionaries(names, st.fixed_dictionaries(
            {"every": maybe(st.sampled_from(["1h", "0s", "nan"])),
             "workers": maybe(st.integers(1, 1024))}), max_size=1)),
        "tickets": maybe(st.fixed_dictionaries({}, optional={
            "open_after": maybe(st.integers(1, 5)),
            "channels": maybe(st.dictionaries(st.just("mail"), st.fixed_dictionaries(
                {"type": st.just("email"), "host": st.just("smtp"), "from": st.just("a@b"),
                 "to": st.just(["c@d"]), "port": maybe(st.integers(1, 65535)),
                 "password": secret()}))),
        })),
        "databases": st.dictionaries(st.just("app"), st.fixed_dictionaries(
            {"engine": maybe(st.just("sqlite")), "path": maybe(st.just("~/app.db")),
             "destination": maybe(st.just("backups"), st.just("~nosuchuser/b") | hostile),
             "every": maybe(st.just("1d")),
             "retention": maybe(st.fixed_dictionaries({"keep_last": maybe(st.just(3))}))})),
        "export": maybe(st.fixed_dictionaries(
            {"url": st.just("http://127.0.0.1:9"), "token": secret()})),
    },
)


def as_yaml(data: object, share: bool) -> str:
    """YAML of the data; with `share`, every host reuses the first one's ssh section through an
    anchor and aliases (as people write it)."""
    hosts = data.get("hosts") if isinstance(data, dict) else None
    if share and isinstance(hosts, dict) and hosts:
        first = next(iter(hosts.values()))
        if isinstance(first, dict) and isinstance(first.get("ssh"), dict):
            for host in hosts.values():
                if isinstance(host, dict):
                    host["ssh"] = first["ssh"]  # the same object: dumped as &id001 / *id001
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def damaged(text: str, cut: int, insert: str) -> str:
    at = cut % (len(text) + 1)
    return text[:at] + insert + text[at:]


@pytest.fixture
def secret_env(monkeypatch):
    monkeypatch.setenv(SECRET_ENV, SECRET)


def check_outcome(code: int, stdout: str, stderr: str) -> None:
    assert "Traceback" not in stdout + stderr
    assert SECRET not in stdout + stderr
    assert code in (0, 3), stderr
    if code == 3:
        assert stderr.endswith("\n") and stderr.count("\n") == 1, stderr
        assert ERROR.match(stderr), stderr
        assert stderr[:-1].isprintable(), stderr
    else:
        assert ": OK: " in stdout


def validate(path: Path) -> None:
    result = CliRunner().invoke(cli, ["inventory", "validate", "-i", str(path)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # the traceback a user would have seen
    check_outcome(result.exit_code, result.stdout, result.stderr)


@FUZZ
@given(data=inventory, share=st.booleans())
def test_generated_inventories_validate_cleanly(tmp_path, secret_env, data, share):
    path = tmp_path / "inventory.yaml"
    path.write_text(as_yaml(data, share), encoding="utf-8")
    validate(path)


DAMAGE = ["\x00", "\t", ": ", "- ", "&a ", "*a", "*nope ", "[", "{", "'", '"', "\n  ", "<<: ",
          "!!binary ", "!!set ", "!!omap ", "? ", "---\n", "%YAML 9.9\n", "\ufeff", "\udcff"]


@settings(FUZZ, max_examples=120)
@given(data=inventory, cut=st.integers(0, 10**6),
       insert=st.sampled_from(DAMAGE) | st.text(max_size=4))
def test_damaged_inventories_validate_cleanly(tmp_path, secret_env, data, cut, insert):
    path = tmp_path / "inventory.yaml"
    text = damaged(as_yaml(data, share=True), cut, insert)
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    validate(path)


@settings(FUZZ, max_examples=3)
@given(data=inventory)
def test_generated_inventories_through_the_real_command(tmp_path, secret_env, data):
    path = tmp_path / "inventory.yaml"
    path.write_text(as_yaml(data, share=True), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "cli", "inventory", "validate", "-i", str(path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    check_outcome(done.returncode, done.stdout, done.stderr)
