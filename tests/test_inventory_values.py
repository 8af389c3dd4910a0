"""Values that would fail (or hang) at run time are refused at load with file:line: ports,
counts and timeouts out of range or of the wrong type, patterns that do not compile."""

import pytest

from core.errors import UserError
from core.model import SshSettings
from settings.inventory import load


def error_of(tmp_path, text):
    path = tmp_path / "inventory.yaml"
    path.write_text(text)
    with pytest.raises(UserError) as caught:
        load(path)
    return str(caught.value)


PORT = "expected a port number from 1 to 65535, got"


@pytest.mark.parametrize(
    ("host", "message"),
    [
        ("{port: -1}", f"hosts.a.port: {PORT} -1"),
        ("{port: 99999999999999999999}", f"hosts.a.port: {PORT} 99999999999999999999"),
        ("{port: true}", f"hosts.a.port: {PORT} true"),
        ("{port: 22.5}", f"hosts.a.port: {PORT} 22.5"),
        ("{ssh: {port: 0}}", f"hosts.a.ssh.port: {PORT} 0"),
        ("{cli: {port: 65536}}", f"hosts.a.cli.port: {PORT} 65536"),
        ("{snmp: {port: false}}", f"hosts.a.snmp.port: {PORT} false"),
        ("{snmp: {retries: true}}", "hosts.a.snmp.retries: expected an integer from 0 to 10"),
        ("{snmp: {retries: 99999999999}}", "hosts.a.snmp.retries: expected an integer from 0"),
        ("{ssh: {timeout: .inf}}", "hosts.a.ssh.timeout: expected a number of seconds above 0"),
        ("{ssh: {timeout: .nan}}", "hosts.a.ssh.timeout: expected a number of seconds above 0"),
        ("{cli: {timeout: true}}", "hosts.a.cli.timeout: expected a number of seconds above 0"),
    ],
)
def test_nonsense_numbers_on_a_host_are_refused(tmp_path, host, message):
    assert error_of(tmp_path, f"hosts:\n  a: {host}\n").startswith(f"inventory.yaml:2: {message}")


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        ("processes: [{cmdline: 'app[.jar'}]",
         "profiles.p.processes.0.cmdline: not a valid regular expression (unterminated"),
        ("processes: [{cmdline: 'a{99999999999}'}]",
         "profiles.p.processes.0.cmdline: not a usable regular expression (too large)"),
        ("processes: [{cmdline: '" + "(" * 2000 + ")" * 2000 + "'}]",
         "profiles.p.processes.0.cmdline: not a usable regular expression (too large)"),
        ("ports: [22, true]", f"profiles.p.ports.1: {PORT} true"),
        ("ports: [{port: 70000}]", f"profiles.p.ports.0.port: {PORT} 70000"),
        ("checks: {cpu.used_percent: {warning: .nan}}",
         "profiles.p.checks.cpu.used_percent.warning: threshold range 'nan': 'nan' is not a"),
    ],
)
def test_nonsense_in_a_profile_is_refused(tmp_path, profile, message):
    error = error_of(tmp_path, f"hosts: {{a: {{}}}}\nprofiles:\n  p: {{{profile}}}\n")
    assert error.startswith(f"inventory.yaml:3: {message}")


def test_one_port_type_everywhere(tmp_path):
    sqlite = "engine: sqlite, path: x.db, destination: out"
    offsite = "offsite: {host: h, port: 0, username: u, directory: d}"
    error = error_of(tmp_path, f"hosts: {{a: {{}}}}\ndatabases:\n  d: {{{sqlite}, {offsite}}}\n")
    assert error == f"inventory.yaml:3: databases.d.offsite.port: {PORT} 0"
    email = "{type: email, host: h, port: true, from: a@b, to: [c@d]}"
    error = error_of(tmp_path, f"hosts: {{a: {{}}}}\ntickets:\n  channels: {{mail: {email}}}\n")
    assert error == f"inventory.yaml:3: tickets.channels.mail.port: {PORT} true"


def test_good_numbers_still_load(tmp_path):
    path = tmp_path / "inventory.yaml"
    path.write_text(
        "hosts:\n  a: {port: 8080, ssh: {port: 2222, timeout: 2.5}, snmp: {retries: 0}}\n"
        "profiles:\n  p: {ports: [22, {port: 5432}], processes: [{cmdline: 'app\\.jar$'}]}\n"
    )
    inv = load(path)
    (target,) = inv.targets
    assert target.port == 8080 and target.ssh == SshSettings(port=2222, timeout=2.5)
    assert [rule.port for rule in inv.profile("p").ports] == [22, 5432]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("hosts: {a: {ssh: {key_file: '~nosuchuser/id'}}}\n",
         "inventory.yaml:1: hosts.a.ssh.key_file: no home directory for ~nosuchuser"),
        ("hosts: {a: {ssh: {password: 'file:~nosuchuser/pw'}}}\n",
         "inventory.yaml:1: hosts.a.ssh.password: no home directory for ~nosuchuser"),
        ("hosts: {a: {}}\nconfig_backups: {repository: '~nosuchuser/r'}\n",
         "inventory.yaml:2: config_backups.repository: no home directory for ~nosuchuser"),
        ('hosts: {a: {}}\ndatabases:\n  d: {engine: sqlite, path: "a\\0b", destination: out}\n',
         "inventory.yaml:3: databases.d.path: a path cannot hold a NUL character"),
    ],
)
def test_paths_that_cannot_be_opened_are_refused(tmp_path, text, message):
    assert error_of(tmp_path, text) == message


DURATION = "expected a duration such as 90s, 30m, 4h, 1d12h or 2w, got"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("schedules:\n  m: {every: true}\n",
         f"inventory.yaml:3: schedules.m.every: {DURATION} true"),
        ("databases:\n  d: {engine: sqlite, path: a.db, destination: b, max_age: [1h]}\n",
         f"inventory.yaml:3: databases.d.max_age: {DURATION} a list"),
    ],
)
def test_a_duration_that_is_no_duration_is_refused(tmp_path, text, message):
    """`true` was read as one second (pydantic's lax int), so a schedule ran every second."""
    assert error_of(tmp_path, "hosts: {a: {}}\n" + text).startswith(message)


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("inode", "no metric or check is called 'inode'; did you mean 'inodes'?"),
        ("disk.used_pecent", "no metric or check is called 'disk.used_pecent'; did you mean "
                             "'disk.used_percent'?"),
        ("nonsense", "no metric or check is called 'nonsense'"),
    ],
)
def test_a_profile_check_that_does_not_exist_is_refused(tmp_path, key, message):
    """A misspelt key would silently keep the default threshold, or never disable the check."""
    text = f"hosts: {{a: {{}}}}\nprofiles:\n  p:\n    checks:\n      {key}: {{enabled: false}}\n"
    assert error_of(tmp_path, text) == f"inventory.yaml:5: profiles.p.checks.{key}: {message}"


def test_profile_checks_take_metrics_and_check_names(tmp_path):
    path = tmp_path / "inventory.yaml"
    path.write_text("hosts: {a: {}}\nprofiles:\n  p:\n    checks:\n"
                    "      disk.used_percent: {warning: 70}\n      inodes: {enabled: false}\n")
    profile = load(path).profile("p")
    assert profile.thresholds_for("disk.used_percent").warning.describe("%") == "> 70%"
    assert not profile.enabled("inodes")
