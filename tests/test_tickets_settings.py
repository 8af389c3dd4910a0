"""The `tickets:` inventory section: the documented example loads; mistakes name file:line."""

import re
from datetime import timedelta
from pathlib import Path

import pytest

from core.errors import UserError
from settings.inventory import load

DOC = Path(__file__).parent.parent / "docs" / "tickets.md"


def doc_example() -> str:
    text = DOC.read_text()
    return re.search(r"<!-- example:.*?-->\n```yaml\n(.*?)```", text, re.S).group(1)


def test_documented_example_loads_without_its_secrets_at_hand(tmp_path):
    path = tmp_path / "inventory.yaml"
    path.write_text(doc_example())
    spec = load(path).tickets
    assert spec.sla.for_grade("C").resolution == "end_of_day"
    assert spec.sla.for_grade("A").resolution == timedelta(hours=4)
    assert spec.calendar.start.hour == 9 and spec.calendar.timezone == "Asia/Shanghai"
    assert [level.name for level in spec.escalation] == ["line1", "line2", "vendor"]
    assert spec.channels["duty-mail"].password == "env:SMTP_PASSWORD"  # a reference only
    assert spec.maintenance[0].duration == timedelta(hours=2)


def test_defaults_without_a_tickets_section(tmp_path):
    path = tmp_path / "inventory.yaml"
    path.write_text("hosts: {web01: {}}\n")
    spec = load(path).tickets
    assert (spec.open_after, spec.resolve_after) == (2, 2)
    assert spec.sla.for_grade("B").response == timedelta(minutes=15)
    assert spec.sla.for_grade("D").resolution == timedelta(days=3)
    assert spec.sweep_every == timedelta(minutes=1)
    assert load(None).tickets.calendar.kind == "7x24"


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (
            "  sla:\n    grades:\n      A: {resolution: soon}\n",
            "inventory.yaml:5: tickets.sla.grades.A.resolution: expected a duration such as 90s",
        ),
        (  # duty rules were once bare minutes: a bare number is refused, not read as seconds
            "  sla:\n    grades:\n      A: {response: 15, resolution: 4h}\n",
            "inventory.yaml:5: tickets.sla.grades.A.response: needs a unit: write 15m, 15h or 15s",
        ),
        (
            "  maintenance:\n    - {targets: [web01], cron: 5, duration: 1h}\n",
            "inventory.yaml:4: tickets.maintenance.0.cron: expected a cron expression as a quoted "
            "string",
        ),
        (
            "  maintenance:\n    - {targets: [web01], cron: '0 0 31 2 *', duration: 1h}\n",
            "inventory.yaml:4: tickets.maintenance.0.cron: cron '0 0 31 2 *' never fires",
        ),
        (
            "  calendar: {timezone: Mars/Olympus}\n",
            "inventory.yaml:3: tickets.calendar.timezone: unknown time zone 'Mars/Olympus'",
        ),
        (
            "  notify:\n    - {channel: pager}\n",
            "inventory.yaml:4: tickets.notify.0.channel: unknown channel 'pager'",
        ),
        (
            "  maintenance:\n    - {groups: [web]}\n",
            "inventory.yaml:4: tickets.maintenance.0: give either start and end, or cron and",
        ),
        (
            "  maintenance:\n    - {targets: [web02], cron: '0 2 * * *', duration: 1h}\n",
            "inventory.yaml:4: tickets.maintenance.0.targets.0: unknown host 'web02'",
        ),
        (
            "  maintenance:\n    - {targets: [web01], cron: 'every night', duration: 1h}\n",
            "inventory.yaml:4: tickets.maintenance.0.cron: cron expression 'every night' "
            "needs 5 fields",
        ),
        (
            "  maintenance:\n    - {targets: [web01], start: 2026-11-16T02:00:00, "
            "end: 2026-11-16T04:00:00}\n",
            "inventory.yaml:4: tickets.maintenance.0.start: needs a time zone",
        ),
        (
            "  channels:\n    mail: {type: email, host: h, from: a@b, to: [c@d], "
            "password: hunter2}\n",
            "inventory.yaml:4: tickets.channels.mail.password: expected a credential reference",
        ),
        (
            "  channels:\n    pager: {type: pagerduty, url: 'https://x'}\n",
            "inventory.yaml:4: tickets.channels.pager",
        ),
        (
            "  channels:\n    ding: {type: dingtalk, url: 'ftp://x'}\n",
            "inventory.yaml:4: tickets.channels.ding.url: expected an http(s) URL",
        ),
        ("  sla: {at_risk: 1.5}\n", "inventory.yaml:3: tickets.sla.at_risk:"),
        ("  sweep_every: 0.5s\n", "inventory.yaml:3: tickets.sweep_every: at least 1s"),
        ("  sweep_every: 60\n", "inventory.yaml:3: tickets.sweep_every: needs a unit: write 60m"),
        ("  open_after: 0\n", "inventory.yaml:3: tickets.open_after:"),
        ("  grades:\n    - {grade: E}\n", "inventory.yaml:4: tickets.grades.0.grade: expected"),
        (
            "  calendar: {kind: business, start: '18:00', end: '09:00'}\n",
            "inventory.yaml:3: tickets.calendar: business hours: start must be before end",
        ),
    ],
)
def test_mistakes_name_file_and_line(tmp_path, section, message):
    path = tmp_path / "inventory.yaml"
    path.write_text("hosts: {web01: {}}\ntickets:\n" + section)
    with pytest.raises(UserError) as caught:
        load(path)
    assert str(caught.value).startswith(message), str(caught.value)
    assert "hunter2" not in str(caught.value)
