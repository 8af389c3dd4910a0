"""Text from devices reaches the terminal as text: an ifAlias with escape sequences cannot
retitle the window or clear the screen; JSON keeps the exact value, escaped as JSON does."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from click.testing import CliRunner
from markdown_it import MarkdownIt

from cli.main import cli
from cli.render import run_json, run_markdown, run_table, table, visible
from core.model import Finding, InspectionRun
from core.status import Status
from tests.services.snmpsim import HOSTILE_ALIAS

RAW = ("\x1b]", "\x1b[2J", "\x07", "\x9b")  # our own colours are the only escapes left
SHOWN = "uplink\\x1b]0;pwned\\x07\\x1b[2J\\x1b[31mred\\x9b"


def _run(text: str) -> InspectionRun:
    at = datetime(2026, 11, 2, 8, tzinfo=UTC)
    finding = Finding(
        target="sw1",
        check="interface",
        subject=f"Gi0/1 {text}",
        status=Status.WARNING,
        summary=f"Gi0/1 ({text}) went down",
        hint=f"check the cable {text}",
    )
    return InspectionRun(id="r1", trigger="manual", operator="ops", started_at=at,
                         finished_at=at, targets=("sw1",), findings=(finding,))


def test_visible_escapes_controls_and_keeps_text():
    assert visible(HOSTILE_ALIAS) == SHOWN
    assert visible("a\tb\nc\u202ed 中文 é") == "a\\tb\\nc\\u202ed 中文 é"
    assert table(("A",), [("x\x1b[2J",)]).splitlines()[1] == "x\\x1b[2J"


def test_table_and_markdown_escape_json_keeps_the_value():
    run = _run(HOSTILE_ALIAS)
    for text in (run_table(run), run_markdown(run)):
        assert not any(c in text for c in RAW)
    assert SHOWN in run_table(run)
    # Markdown escapes the backslashes of the escaped form: a reader sees it as in the table
    assert SHOWN in MarkdownIt().render(run_markdown(run))
    text = run_json(run)
    assert not any(c in text for c in RAW)
    assert "\\u001b]0;pwned\\u0007" in text and "\\u009b" in text
    data = json.loads(text)
    assert data["findings"][0]["summary"] == f"Gi0/1 ({HOSTILE_ALIAS}) went down"


def test_hostile_if_alias_from_a_real_agent(snmpsim, tmp_path, monkeypatch):
    monkeypatch.setenv("HOSTILE_COMMUNITY", "c3560-hostile")
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(
        "hosts:\n  sw1:\n    kind: switch\n    address: 127.0.0.1\n"
        f"    snmp: {{port: {snmpsim.port}, community: env:HOSTILE_COMMUNITY}}\n"
        "    interfaces: {important: [Gi0/49]}\n"
    )
    args = ["run", "-i", str(inventory), "--no-store", "-t", "sw1", "--timeout", "30"]
    shown = CliRunner().invoke(cli, args)
    assert f"Gi0/49 ({SHOWN}) is up" in shown.output, shown.output
    assert not any(c in shown.output for c in RAW)
    text = CliRunner().invoke(cli, [*args, "-f", "json"]).output
    assert not any(c in text for c in RAW)  # C1 too, which JSON itself may leave raw
    data = json.loads(text)
    (finding,) = [f for f in data["findings"] if f["check"] == "interface"]
    assert finding["summary"] == f"Gi0/49 ({HOSTILE_ALIAS}) is up"


def test_ticket_views_escape_a_hostile_title(tmp_path):
    """A ticket's title carries device text (a subject) or a person's; every view escapes it."""
    db = f"sqlite:///{tmp_path / 'records.db'}"
    runner = CliRunner()
    outputs = [
        runner.invoke(cli, ["ticket", "open", "--db", db, "-t", "sw1", "--title", HOSTILE_ALIAS]),
        runner.invoke(cli, ["ticket", "list", "--db", db]),
        runner.invoke(cli, ["ticket", "show", "1", "--db", db]),
        runner.invoke(cli, ["ticket", "ack", "1", "--db", db, "--as", HOSTILE_ALIAS]),
        runner.invoke(cli, ["handover", "--db", db, "--note", HOSTILE_ALIAS]),
    ]
    for result in outputs:
        assert result.exit_code == 0, result.output
        assert not any(c in result.output for c in RAW), result.output
        assert "pwned" in result.output
