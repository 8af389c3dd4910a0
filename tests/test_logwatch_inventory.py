"""The inventory's `logwatch:` and `hardware:` sections: read into the profile, and every
mistake one line naming file:line and key (a bad regex found at load, not at 3 a.m.)."""

from __future__ import annotations

import pytest

from core.errors import UserError
from settings.inventory import load
from settings.profiles import HardwareRule, LogRule

PATROL = """hosts:
  web01: {profile: patrol}
profiles:
  patrol:
    logwatch:
      - file: /var/log/syslog
        critical: ['I/O error', 'Out of memory']
        warning: ['(?i)error']
        exclude: ['ACPI']
        max_bytes: 65536
        max_lines: 5
      - journal: ssh.service
        warning: ['Failed password']
    hardware: {smart: true, raid: true}
"""


def test_rules_are_read_into_the_profile(tmp_path):
    path = tmp_path / "inventory.yaml"
    path.write_text(PATROL)
    profile = load(path).profile("patrol")
    assert profile.logwatch == (
        LogRule("/var/log/syslog", path="/var/log/syslog", critical=("I/O error", "Out of memory"),
                warning=("(?i)error",), exclude=("ACPI",), max_bytes=65536, max_lines=5),
        LogRule("journal:ssh.service", journal="ssh.service", warning=("Failed password",)),
    )
    assert profile.hardware == HardwareRule(smart=True, raid=True)
    assert load(None).profile("standard").logwatch == ()


def error_of(tmp_path, text: str) -> str:
    path = tmp_path / "inventory.yaml"
    path.write_text(text)
    with pytest.raises(UserError) as caught:
        load(path)
    return str(caught.value).replace(str(tmp_path) + "/", "")


RULE = "profiles:\n  p:\n    logwatch:\n      - file: /var/log/app.log\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (RULE + "        critical: ['(unclosed']\n",
         "inventory.yaml:5: profiles.p.logwatch.0.critical.0: not a valid regular expression"),
        (RULE + "        warning: [error]\n        journal: ssh\n",
         "inventory.yaml:4: profiles.p.logwatch.0: give exactly one of `file` or `journal`"),
        (RULE, "inventory.yaml:4: profiles.p.logwatch.0: give at least one `critical` or "
               "`warning` pattern"),
        ("profiles:\n  p:\n    logwatch:\n      - file: app.log\n        warning: [x]\n",
         "inventory.yaml:4: profiles.p.logwatch.0: the log file 'app.log' must be given by its "
         "absolute path"),
        (RULE + "        warning: [x]\n        max_bytes: 99999999\n",
         "inventory.yaml:6: profiles.p.logwatch.0.max_bytes: expected a number of bytes from 1 "
         "to 4194304 (4 MiB)"),
        ("profiles:\n  p:\n    logwatch:\n      - {journal: 'a b', warning: [x]}\n",
         "inventory.yaml:4: profiles.p.logwatch.0.journal: a systemd unit name is"),
        (RULE + "        warning: [x]\n      - {file: /var/log/app.log, warning: [y]}\n",
         "inventory.yaml:2: profiles.p: log '/var/log/app.log' is given twice"),
        ("profiles:\n  p:\n    logwatch:\n"
         "      - {journal: cron, warning: [x], from_start: true}\n",
         "inventory.yaml:4: profiles.p.logwatch.0: `from_start` is for files"),
        ("profiles:\n  p:\n    hardware: {smart: yes please}\n",
         "inventory.yaml:3: profiles.p.hardware.smart:"),
    ],
)
def test_mistakes_name_file_line_and_key(tmp_path, text, message):
    assert error_of(tmp_path, text).startswith(message)
