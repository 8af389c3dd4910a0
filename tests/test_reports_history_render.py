"""Fault, monthly and assessment reports rendered for people: in real headless Chromium (one
session for the whole run), printed to PDF and read back with pdftoppm/pdftotext, in en and
zh-CN with no untranslated label left on the page."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from core import markdown
from records.tickets import list_tickets
from reports.assessment import build_assessment
from reports.fault import build_fault
from reports.model import as_json
from reports.monthly import build_monthly
from reports.render import render
from reports.sources import recorded_tickets
from tests.services import require_program
from tests.test_reports_render import KEPT_IN_CHINESE, msgids, png_size
from tests.test_reports_support import DB, NOW, ZONE, sla_rule, write_history

SCREENSHOTS = Path("/tmp/opsinspect-report-screenshots")
# Fields holding data (names, notes, measured text), not labels: removed before label checks.
DATA_KEYS = {
    "target",
    "check",
    "subject",
    "summary",
    "hint",
    "title",
    "assignee",
    "nature",
    "scope",
    "discovered_by",
    "discovery_run",
    "note",
    "actor",
    "timezone",
    "ref",
    "name",
    "evidence",
    "missed",
    "root_cause",
    "resolution",
    "follow_up",
    "support_needed",
    "id",
}
HEADINGS = {
    ("fault", "en"): "Fault report",
    ("fault", "zh-CN"): "故障报告",
    ("monthly", "en"): "Monthly report",
    ("monthly", "zh-CN"): "运维月报",
    ("assessment", "en"): "Assessment report",
    ("assessment", "zh-CN"): "考核报告",
}


@pytest.fixture(scope="module")
def november(tmp_path_factory):
    path = tmp_path_factory.mktemp("november-render")
    e = write_history(path)
    e.url = f"sqlite:///{path / 'records.db'}"
    e.inventory_path = path / "inventory.yaml"
    return e


@pytest.fixture(scope="module")
def reports(november):
    db = next(t for t in list_tickets(november.engine) if t.fingerprint == DB)
    source = recorded_tickets(sla_rule(november.inventory.tickets), lambda: NOW)
    return {
        "fault": build_fault(november.engine, db.id, ZONE.key, now=NOW),
        "monthly": build_monthly(november.engine, "2026-11", ZONE, source, NOW),
        "assessment": build_assessment(november.engine, "2026-11", ZONE.key, NOW),
    }


def data_strings(value, key: str | None = None) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(data_strings(v, k) for k, v in value.items()))
    if isinstance(value, list):
        return set().union(set(), *(data_strings(v, key) for v in value))
    if isinstance(value, str) and len(value) > 1 and key in DATA_KEYS:
        return {value}
    return set()


def labels_left(text: str, report) -> str:
    text = text.replace("opsinspect", " ")  # the product, before data like "inspect" is cut out
    for data in sorted(data_strings(as_json(report)), key=len, reverse=True):
        text = text.replace(data, " ").replace(markdown.text(data), " ")
    return text


def assert_all_translated(left: str) -> None:
    for msgid in msgids():
        for fragment in {p.strip(" .,:") for p in re.split(r"%\(\w+\)s", msgid)}:
            if fragment and fragment not in KEPT_IN_CHINESE:
                assert not re.search(rf"(?<![\w/]){re.escape(fragment)}(?![\w/])", left), fragment
    assert set(re.findall(r"[A-Za-z]{2,}", left)) <= KEPT_IN_CHINESE


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
@pytest.mark.parametrize("kind", ["fault", "monthly", "assessment"])
def test_report_loads_in_chromium_without_errors_or_network(browser, reports, kind, lang):
    report = reports[kind]
    SCREENSHOTS.mkdir(exist_ok=True)
    page = SCREENSHOTS / f"{kind}-{lang}.html"
    page.write_bytes(render(report, "html", lang))
    loaded = browser.load(page)
    assert loaded.console_errors == []
    assert loaded.requests == [page.as_uri()]
    (SCREENSHOTS / f"{kind}-{lang}.png").write_bytes(loaded.screenshot)
    assert png_size(loaded.screenshot)[0] == 1200
    assert loaded.text.startswith(HEADINGS[(kind, lang)])
    if kind == "monthly":
        assert loaded.charts == 4  # category, grade, per day, per month
        assert "Archive old partitions or add a disk." in loaded.text
    if kind == "fault":
        assert "the nightly report job leaks memory" in loaded.text
    if lang == "zh-CN":
        assert_all_translated(labels_left(loaded.text, report))


@pytest.mark.parametrize("kind", ["fault", "monthly", "assessment"])
def test_zh_cn_markdown_has_no_untranslated_label(reports, kind):
    report = reports[kind]
    assert_all_translated(labels_left(render(report, "md", "zh-CN").decode(), report))


def test_customer_fault_notice_leaves_out_internal_sections(browser, november, tmp_path):
    db = next(t for t in list_tickets(november.engine) if t.fingerprint == DB)
    report = build_fault(november.engine, db.id, ZONE.key, "customer", NOW)
    page = tmp_path / "notice.html"
    page.write_bytes(render(report, "html", "en"))
    loaded = browser.load(page)
    assert loaded.console_errors == []
    assert loaded.text.startswith("Fault notice")
    assert "restarted the report job" in loaded.text  # the handling
    assert "leaks memory" not in loaded.text and "Timeline" not in loaded.text


def test_reports_without_a_published_assessment_point_at_inspect_score(november):
    args = ["report", "assessment", "--db", november.url, "--period", "2026-09", "-f", "md"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "publish it with inspect score --period 2026-09." in result.output


@pytest.mark.parametrize(
    ("args", "lang", "heading"),
    [
        (["monthly", "--month", "2026-11"], "zh-CN", "运维月报"),
        (["fault", "1"], "en", "Fault report"),
        (["assessment", "--period", "2026-11"], "en", "Assessment report"),
    ],
)
def test_pdf_prints_on_a4_pages(chromium_path, november, args, lang, heading, tmp_path):
    pdftoppm, pdftotext = require_program("pdftoppm"), require_program("pdftotext")
    pdf = tmp_path / "report.pdf"
    common = ["--db", november.url, "--tz", ZONE.key, "--lang", lang, "-f", "pdf", "-o", str(pdf)]
    result = CliRunner().invoke(cli, ["report", *args, *common])
    assert result.exit_code == 0, result.output
    subprocess.run([pdftoppm, "-r", "40", "-png", pdf, tmp_path / "page"], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert pages
    width, height = png_size(pages[0].read_bytes())
    assert abs(height / width - 297 / 210) < 0.01
    text = subprocess.run([pdftotext, pdf, "-"], capture_output=True, text=True, check=True)
    assert heading in text.stdout


def test_json_of_each_report_is_the_data(november):
    runner = CliRunner()
    base = ["--db", november.url, "--tz", ZONE.key, "-f", "json"]
    monthly = json.loads(
        runner.invoke(cli, ["report", "monthly", "--month", "2026-11", *base]).output
    )
    assert monthly["kind"] == "monthly" and monthly["faults"] == 5
    fault = json.loads(runner.invoke(cli, ["report", "fault", "1", *base]).output)
    assert fault["kind"] == "fault" and fault["timeline"][0]["action"] == "opened"
    assessed = runner.invoke(cli, ["report", "assessment", "--period", "2026-11", *base])
    assert [a["subject"]["kind"] for a in json.loads(assessed.output)["assessments"]] == [
        "team",
        "engineer",
        "engineer",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["fault", "999"], "inspect: error: no ticket #999\n"),
        (
            ["monthly", "--month", "2026-13"],
            "inspect: error: report monthly: Invalid value for '--month': period '2026-13': "
            "expected",
        ),
        (
            ["monthly", "--month", "2026-Q4"],
            "inspect: error: report monthly: Invalid value for '--month': '2026-Q4' is a "
            "quarter; expected a month",
        ),
        (
            ["assessment", "--period", "nov"],
            "inspect: error: report assessment: Invalid value for '--period': period 'nov': "
            "expected",
        ),
    ],
)
def test_bad_input_is_one_clear_line(november, args, message):
    result = CliRunner().invoke(cli, ["report", *args, "--db", november.url])
    assert result.exit_code == 3
    assert result.output.startswith(message) and result.output.count("\n") == 1


def test_ticket_comment_kinds_reach_the_fault_report(tmp_path):
    november = write_history(tmp_path)  # its own: this test writes to the work log
    november.url = f"sqlite:///{tmp_path / 'records.db'}"
    november.inventory_path = tmp_path / "inventory.yaml"
    runner = CliRunner()
    portal = next(t for t in list_tickets(november.engine) if t.target == "portal")
    base = ["--db", november.url, "-i", str(november.inventory_path), "--as", "li.na"]
    for kind, text in [
        ("root-cause", "expired TLS certificate"),
        ("occurred", "2026-11-24T16:40+08:00"),
    ]:
        result = runner.invoke(
            cli, ["ticket", "comment", str(portal.id), text, "--kind", kind, *base]
        )
        assert result.exit_code == 0, result.output
    bad = runner.invoke(
        cli, ["ticket", "comment", str(portal.id), "at 8", "--kind", "occurred", *base]
    )
    assert bad.exit_code == 3
    assert bad.output == (
        "inspect: error: --kind occurred: 'at 8' is not a time with offset, "
        "e.g. 2026-11-05T08:10+08:00\n"
    )
    args = ["report", "fault", str(portal.id), "--db", november.url, "-f", "json"]
    report = json.loads(runner.invoke(cli, args).output)
    assert report["root_cause"] == "expired TLS certificate"
    assert report["occurred_at"] == "2026-11-24T08:40:00Z"
    kinds = [entry["note_kind"] for entry in report["timeline"] if entry["action"] == "comment"]
    assert sorted(kinds) == ["occurred", "root-cause"]
