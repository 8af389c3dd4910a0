"""Every Markdown output, read back by a real CommonMark parser (markdown-it-py, GFM tables).

What a reader relies on is the structure (headings, list items, table rows and cells), so the
tests compare the parsed outline, not substrings of the source.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from cli.main import cli
from core import markdown
from reports.i18n import Formatter
from reports.render import render
from tests.test_reports_history_render import november, reports  # noqa: F401 (fixtures)
from tests.test_reports_render import full_report  # noqa: F401 (fixture)

PARSER = MarkdownIt("commonmark").enable("table")
HOSTILE = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


def outline(source: str) -> list[tuple]:
    """The page's top-level blocks: (h1, text), (p,), (ul, items), (table, columns, rows), (hr,)."""
    tokens = PARSER.parse(source)
    blocks: list[tuple] = []
    for i, token in enumerate(tokens):
        if token.level != 0:
            continue
        if token.type == "heading_open":
            blocks.append((token.tag, tokens[i + 1].content))
        elif token.type == "paragraph_open":
            blocks.append(("p",))
        elif token.type == "hr":
            blocks.append(("hr",))
        elif token.type == "bullet_list_open":
            blocks.append(("ul", len(_inside(tokens, i, "list_item_open", 1))))
        elif token.type == "table_open":
            columns = len(_inside(tokens, i, "th_open", 3))
            blocks.append(("table", columns, len(_inside(tokens, i, "tr_open", 2)) - 1))
        elif token.type.endswith("_open") or token.nesting == 0:
            blocks.append((token.type,))
    return blocks


def _inside(tokens, start: int, kind: str, level: int) -> list:
    close = tokens[start].type.replace("_open", "_close")
    found = []
    for token in tokens[start + 1 :]:
        if token.type == close and token.level == tokens[start].level:
            return found
        if token.type == kind and token.level == level:
            found.append(token)
    raise AssertionError(f"{tokens[start].type} is never closed")


def spaced(page: str) -> bool:
    """Every heading after the first stands after a blank line, as readers of the source expect."""
    lines = page.splitlines()
    return all(lines[i - 1] == "" for i, line in enumerate(lines) if i and line.startswith("#"))


def shown(inline) -> str:
    """What a viewer shows of an inline token: its text and code, markup removed."""
    return "".join(c.content for c in inline.children if c.type in ("text", "code_inline"))


def cells(source: str) -> list[list[str]]:
    """Every table row (header rows too) of the page as the text its cells show."""
    rows, row = [], None
    for token in PARSER.parse(source):
        if token.type == "tr_open":
            row = []
        elif token.type == "inline" and row is not None:
            row.append(shown(token))
        elif token.type == "tr_close":
            rows.append(row)
            row = None
    return rows


def code_spans(source: str) -> list[str]:
    return [c.content for t in PARSER.parse(source) if t.type == "inline" for c in t.children
            if c.type == "code_inline"]


# -- the escaping helpers -------------------------------------------------------------------


@settings(max_examples=300, derandomize=True, deadline=None)
@given(HOSTILE)
@example("\\|")
@example("a\\\\|b|c`|")
def test_a_code_span_shows_any_value_verbatim_in_a_list_and_in_a_table(value):
    flat = markdown.one_line(value).replace("\0", "\ufffd")  # CommonMark's rule for NUL
    expected = [flat] if flat else []
    item = f"- {markdown.code(value)} after\n- next\n"
    assert outline(item) == [("ul", 2)]
    assert code_spans(item) == expected
    table = f"| a | b |\n|---|---|\n| {markdown.code(value, in_table=True)} | after |\n"
    assert outline(table) == [("table", 2, 1)]
    # A backslash right before a pipe cannot be shown verbatim in a table's code span by any
    # encoding that GFM (cmark-gfm) and markdown-it both keep as one cell: the cell stays whole
    # and the backslashes before that pipe show doubled (core.markdown.code says so).
    doubled = [re.sub(r"(\\+)\|", lambda m: m[1] * 2 + "|", flat)] if flat else []
    assert code_spans(table) == (doubled if "\\|" in flat else expected)
    assert cells(table)[1][1] == "after"


@settings(max_examples=300, derandomize=True, deadline=None)
@given(HOSTILE)
def test_text_stays_in_its_cell_item_and_heading(value):
    page = (
        f"## {markdown.text(value)} x\n\n- {markdown.text(value)} x\n- next\n\n"
        f"| a | b |\n|---|---|\n| {markdown.text(value)} | after |\n"
    )
    blocks = outline(page)
    assert [b[0] for b in blocks] == ["h2", "ul", "table"]
    assert blocks[1:] == [("ul", 2), ("table", 2, 1)]
    assert cells(page)[1][1] == "after"
    assert not [c for t in PARSER.parse(page) if t.children for c in t.children
                if c.type == "html_inline"]


@pytest.mark.parametrize(
    ("value", "source"),
    [
        ("sw`1", "``sw`1``"),
        ("``x", "``` ``x ```"),
        ("x`", "`` x` ``"),
        (" padded ", "`  padded  `"),
        ("a|b", "`a|b`"),
    ],
)
def test_code_span_fence_is_longer_than_any_backtick_run_inside(value, source):
    assert markdown.code(value) == source


def test_a_pipe_inside_a_code_span_in_a_table_does_not_split_the_cell():
    table = f"| a | b |\n|---|---|\n| {markdown.code('x|y', in_table=True)} | z |\n"
    assert cells(table)[1] == ["x|y", "z"]


# -- durations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "lang", "expected"),
    [
        (0.4, "en", "0.4 sec"),
        (1.26, "en", "1.3 sec"),
        (7, "en", "7 sec"),
        (42.4, "en", "42 sec"),
        (100, "en", "1 min 40 sec"),
        (3600, "en", "1 hr"),
        (3725, "en", "1 hr 2 min 5 sec"),
        (0.4, "zh-CN", "0.4秒"),
        (100, "zh-CN", "1分钟40秒"),
    ],
)
def test_run_durations_are_shown_as_measured_not_rounded_to_a_unit(seconds, lang, expected):
    start = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
    fmt = Formatter(lang, ZoneInfo("Asia/Shanghai"))
    assert fmt.duration(start, start + timedelta(seconds=seconds)) == expected


# -- the reports ----------------------------------------------------------------------------

DAILY = [
    ("h1", "Daily inspection report: Monday, November 2, 2026"),
    ("ul", 2),
    ("h2", "Overview"),
    ("p",),
    ("table", 3, 4),
    ("h2", "Target status"),
    ("table", 5, 4),
    ("h2", "Changes since yesterday"),
    ("h3", "New problems (2)"),
    ("ul", 2),
    ("h3", "Recovered (1)"),
    ("ul", 1),
    ("h3", "Still bad (1)"),
    ("ul", 1),
    ("h3", "Not inspected today (1)"),
    ("ul", 1),
    ("p",),
    ("h2", "Anomalies"),
    ("table", 6, 3),
    ("h2", "Patrol sheets"),
    ("h3", "app01"),
    ("p",),
    ("table", 5, 3),
    ("p",),
    ("h3", "db01"),
    ("p",),
    ("table", 5, 3),
    ("p",),
    ("h3", "sw01"),
    ("p",),
    ("table", 5, 1),
    ("p",),
    ("h3", "web01"),
    ("p",),
    ("table", 5, 3),
    ("p",),
    ("h2", "Backups"),
    ("p",),
    ("table", 6, 2),
    ("h2", "Open tickets"),
    ("table", 8, 3),
    ("h2", "Inspection runs"),
    ("table", 8, 2),
    ("hr",),
    ("p",),
]


def kinds(blocks: list[tuple]) -> list[tuple]:
    """The outline without heading texts: the same in every language."""
    return [b[:1] if b[0].startswith("h") and b[0] != "hr" else b for b in blocks]


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_daily_report_is_valid_markdown(full_report, lang):  # noqa: F811
    page = render(full_report, "md", lang).decode()
    assert kinds(outline(page)) == kinds(DAILY) and spaced(page)
    if lang == "en":
        assert outline(page) == DAILY
    durations = [row[2] for row in cells(page) if row[0] in ("t1", "t2")]
    assert durations == ([ "7 sec"] * 2 if lang == "en" else ["7秒"] * 2)


def test_daily_report_keeps_its_structure_whatever_the_names(full_report):  # noqa: F811
    name = "we`b|01\n## <b>x</b>"
    changes = full_report.changes
    hostile = dataclasses.replace(
        full_report,
        changes=dataclasses.replace(
            changes,
            new=tuple(dataclasses.replace(c, target=name) for c in changes.new),
            not_inspected=(name,),
        ),
        runs=tuple(dataclasses.replace(r, id=name) for r in full_report.runs),
    )
    page = render(hostile, "md", "en").decode()
    assert outline(page) == DAILY
    flat = markdown.one_line(name)
    assert code_spans(page).count(flat) == len(changes.new) + 1 + len(full_report.runs)
    assert [row[0] for row in cells(page)[-2:]] == [flat, flat]
    assert "<b>" not in PARSER.render(page)


def test_empty_daily_report_is_valid_markdown(full_report):  # noqa: F811
    empty = dataclasses.replace(
        full_report,
        targets=(),
        anomalies=(),
        runs=(),
        changes=dataclasses.replace(
            full_report.changes, new=(), recovered=(), still_bad=(), not_inspected=()
        ),
        backups=None,
        tickets=None,
        sheets=(),
    )
    assert outline(render(empty, "md", "en").decode()) == [
        ("h1", "Daily inspection report: Monday, November 2, 2026"),
        ("ul", 2),
        ("h2", "Overview"),
        ("p",),
        ("h2", "Changes since yesterday"),
        ("p",),
        ("h2", "Anomalies"),
        ("p",),
        ("h2", "Inspection runs"),
        ("p",),
        ("hr",),
        ("p",),
    ]


FAULT = [
    ("h1", "Fault report: #4 db01: memory CRITICAL"),
    ("ul", 5),
    ("h2", "The seven elements"),
    ("table", 2, 7),
    ("h2", "For the customer"),
    ("table", 2, 5),
    ("h2", "Cause and resolution"),
    ("table", 2, 3),
    ("table", 3, 3),
    ("h2", "Timeline"),
    ("table", 4, 7),
    ("hr",),
    ("p",),
]
NOTICE = [("h1", "Fault notice: #4 db01: memory CRITICAL"), ("ul", 5), *FAULT[4:6], *FAULT[-2:]]


@pytest.mark.parametrize("audience", ["internal", "customer"])
def test_fault_report_is_valid_markdown(reports, november, audience):  # noqa: F811
    report = dataclasses.replace(reports["fault"], audience=audience)
    page = render(report, "md", "en").decode()
    assert outline(page) == (FAULT if audience == "internal" else NOTICE) and spaced(page)


def test_fault_report_title_with_markup_stays_in_its_heading(reports):  # noqa: F811
    report = dataclasses.replace(reports["fault"], title="a | b\n# c `d")
    blocks = outline(render(report, "md", "en").decode())
    assert blocks[0] == ("h1", "Fault report: #4 a \\| b # c `d")
    assert blocks[1:] == FAULT[1:]


ASSESSMENT = [
    ("h1", "Assessment report: 2026-11"),
    ("ul", 2),
    ("h2", "Scores"),
    ("table", 7, 3),
    ("h2", "KPIs and deductions"),
    ("h3", "team ops: 15.18 Fail, coefficient 0.5"),
    ("table", 7, 7),
    ("table", 4, 1),
    ("h3", "engineer li.na: 44.44 Fail, coefficient 0.5"),
    ("table", 7, 7),
    ("p",),
    ("h3", "engineer wang.fang: 100 Excellent, coefficient 1"),
    ("table", 7, 7),
    ("p",),
    ("hr",),
    ("p",),
]


def test_assessment_report_is_valid_markdown(reports):  # noqa: F811
    page = render(reports["assessment"], "md", "en").decode()
    assert outline(page) == ASSESSMENT and spaced(page)
    unpublished = dataclasses.replace(reports["assessment"], assessments=())
    assert spaced(render(unpublished, "md", "en").decode())
    assert outline(render(unpublished, "md", "en").decode()) == [
        *ASSESSMENT[:2], ("p",), ("hr",), ("p",)
    ]


MONTHLY = [
    ("h1", "Monthly report: 2026-11"),
    ("ul", 3),
    ("h2", "Faults"),
    ("p",),
    ("table", 2, 6),
    ("table", 2, 4),
    ("table", 2, 6),
    ("h2", "Top problem targets"),
    ("table", 3, 4),
    ("h2", "Potential problems"),
    ("table", 7, 2),
    ("p",),
    ("h2", "Work summary"),
    ("table", 2, 14),
    ("h2", "KPIs and assessment"),
    ("table", 7, 3),
    ("h3", "team ops: 15.18 Fail, coefficient 0.5"),
    ("table", 7, 7),
    ("table", 4, 1),
    ("h2", "Open items for next month"),
    ("table", 5, 4),
    ("hr",),
    ("p",),
]


def test_monthly_report_is_valid_markdown(reports):  # noqa: F811
    page = render(reports["monthly"], "md", "en").decode()
    assert outline(page) == MONTHLY and spaced(page)
    unassessed = dataclasses.replace(reports["monthly"], assessments=())
    assert spaced(render(unassessed, "md", "en").decode())


# -- inspect run -f markdown ----------------------------------------------------------------

ALARMING = """\
hosts:
  "loc`al|<b>host": {address: localhost}
profiles:
  standard:
    checks:
      disk.used_percent: {warning: 0.001, critical: 0.002}
"""


def test_run_markdown_is_valid_markdown(tmp_path):
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(ALARMING)
    db = f"sqlite:///{tmp_path / 'records.db'}"
    args = ["run", "-i", str(inventory), "--db", db, "-f", "markdown"]
    CliRunner().invoke(cli, args, catch_exceptions=False)
    first = CliRunner().invoke(cli, args, catch_exceptions=False)  # tickets open on the second
    blocks = outline(first.output)
    assert blocks[:3] == [("h1", blocks[0][1]), ("ul", 4), ("table", 6, blocks[2][2])]
    assert blocks[3:] == [("h2", "Tickets"), ("ul", blocks[4][1])] and blocks[4][1] >= 1
    rows = cells(first.output)[1:]
    assert len(rows) == blocks[2][2] and {row[1] for row in rows} == {"loc`al|<b>host"}
    assert code_spans(first.output)[0] == "loc`al|<b>host"
    assert "<b>" not in PARSER.render(first.output)
    assert "CRITICAL" in {row[0] for row in rows}
    shown_again = CliRunner().invoke(cli, ["records", "show", "--db", db, "-f", "markdown",
                                           first.output.split()[2]], catch_exceptions=False)
    assert outline(shown_again.output) == blocks[:3]


# -- chat notifications (DingTalk, WeCom) ---------------------------------------------------


def test_ticket_notification_markdown_keeps_its_heading_and_facts():
    from tickets.messages import render as notification

    hostile = "disk /var | 96%\n# pwned <img src=x>"
    ticket = {
        "id": 7, "grade": "B", "target": "web`01", "title": hostile, "status": "CRITICAL",
        "summary": hostile, "escalation_level": "duty", "assignee": None,
        "opened_at": "2026-11-02T06:00:00Z", "response_due": "2026-11-02T06:15:00Z",
        "resolution_due": "2026-11-02T10:00:00Z",
    }
    message = notification({"event": "open", "note": "line one\nline two", "ticket": ticket})
    assert [b[0] for b in outline(message.markdown)] == ["h3", "ul"]
    assert outline(message.markdown)[1] == ("ul", 10)
    assert "<img" not in PARSER.render(message.markdown)
