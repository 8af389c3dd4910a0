"""The daily report rendered for people: in a real headless Chromium, printed to PDF, translated."""

from __future__ import annotations

import dataclasses
import re
import struct
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner

from cli.main import cli
from core import markdown
from core.catalog import LOCALE_DIR, Language
from core.model import Finding, InspectionRun
from core.phrases import Phrase
from core.status import Status
from records import open_store
from reports.model import (
    BackupLine,
    BackupsSection,
    TicketLine,
    TicketsSection,
    as_json,
)
from reports.render import render
from reports.sources import DailySources
from tests.services import require_program
from tests.test_reports import DAY, NOW, ZONE, history_report, save_history

ROOT = Path(__file__).resolve().parents[1]
ZH_PO = LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "reports.po"
# Latin words a zh-CN report may show besides data: the product and an untranslated acronym.
KEPT_IN_CHINESE = {"opsinspect", "SLA", "CPU"}  # names Chinese ops staff write in Latin letters
# Report fields that hold data (names, measured text), not labels: removed before label checks.
DATA_KEYS = {
    "target",
    "check",
    "subject",
    "summary",
    "hint",
    "standard",  # a finding's threshold words and results, as its summary
    "results",
    "operator",
    "id",
    "run_id",
    "timezone",
    "title",
    "assignee",
    "state",
    "grade",
    "kind",
    "detail",
}


def backups(_engine, _start, end):
    return BackupsSection(
        done=1,
        failed=1,
        items=(
            BackupLine("sw01", "config", end - timedelta(hours=3), False, None, "timeout"),
            BackupLine("db01", "postgresql", end - timedelta(hours=4), True, True, "1.2 GB"),
        ),
    )


def tickets(_engine, start, _end):
    return TicketsSection(
        items=(
            TicketLine(
                "T-0042",
                "web01 /var almost full",
                "B",
                "acknowledged",
                "li.na",
                start - timedelta(days=1),
                start + timedelta(hours=4),
                "breached",
            ),
            TicketLine(
                "T-0043",
                "sw01 unreachable",
                "A",
                "open",
                "wang.fang",
                start,
                start + timedelta(days=2),
                "at_risk",
            ),
            TicketLine("T-0044", "app01 disk", "C", "open", "", start, None, "on_time"),
        )
    )


@pytest.fixture(scope="module")
def full_report(tmp_path_factory):
    """The history with every section filled, so every label of the template is on the page."""
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('render') / 'history.db'}")
    save_history(store)
    return history_report(store, DailySources(backups=backups, tickets=tickets))


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


def data_strings(value, key: str | None = None) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(data_strings(v, k) for k, v in value.items()))
    if isinstance(value, list):
        return set().union(set(), *(data_strings(v, key) for v in value))
    if isinstance(value, str) and len(value) > 1 and (key in DATA_KEYS or key == "not_inspected"):
        return {value}
    return set()


def phrases_shown(value, lang: str) -> set[str]:
    """A finding's texts as the report shows them in `lang` (data: summaries, hints)."""
    if isinstance(value, Phrase):
        return {Language(lang).text(value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return set().union(
            *(phrases_shown(getattr(value, f.name), lang) for f in dataclasses.fields(value))
        )
    if isinstance(value, list | tuple):
        return set().union(set(), *(phrases_shown(v, lang) for v in value))
    return set()


def labels_left(text: str, report, lang: str = "zh-CN") -> str:
    """The page text with every data string removed: what is left must be translated labels."""
    data_shown = data_strings(as_json(report)) | phrases_shown(report, lang)
    for data in sorted(data_shown, key=len, reverse=True):
        text = text.replace(data, " ").replace(markdown.text(data), " ")
    return text


def msgids() -> list[str]:
    with ZH_PO.open("rb") as po:
        return [m.id for m in read_po(po) if m.id]


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_html_loads_in_chromium_without_errors_or_network(browser, full_report, lang, tmp_path):
    page = tmp_path / f"daily-{lang}.html"
    page.write_bytes(render(full_report, "html", lang))
    loaded = browser.load(page)
    assert loaded.console_errors == []
    assert loaded.requests == [page.as_uri()]  # the page itself and nothing else
    assert loaded.charts == 2 + len(full_report.targets)  # two bar charts, one strip per target
    width, height = png_size(loaded.screenshot)
    assert width == 1200 and height > 1000
    (tmp_path / f"daily-{lang}.png").write_bytes(loaded.screenshot)
    heading = {"en": "Daily inspection report", "zh-CN": "巡检日报"}[lang]
    assert loaded.text.startswith(heading)
    summary = {
        "en": "3 of 4 inspected targets need attention.",
        "zh-CN": "已巡检 4 个对象，其中 3 个需要关注。",
    }[lang]
    assert summary in loaded.text
    assert "web01 /var almost full" in loaded.text and "T-0043" in loaded.text


def test_zh_cn_page_shows_no_untranslated_label(browser, full_report, tmp_path):
    page = tmp_path / "daily.html"
    page.write_bytes(render(full_report, "html", "zh-CN"))
    left = labels_left(browser.load(page).text, full_report)
    for msgid in msgids():
        for fragment in {p.strip(" .,:") for p in re.split(r"%\(\w+\)s", msgid)}:
            if not fragment or fragment in KEPT_IN_CHINESE:
                continue
            assert not re.search(rf"(?<![\w/]){re.escape(fragment)}(?![\w/])", left), fragment
    assert set(re.findall(r"[A-Za-z]{2,}", left)) <= KEPT_IN_CHINESE


def test_zh_cn_markdown_shows_no_untranslated_label(full_report):
    left = labels_left(render(full_report, "md", "zh-CN").decode(), full_report)
    assert set(re.findall(r"[A-Za-z]{2,}", left)) <= KEPT_IN_CHINESE


def test_every_report_label_is_translated_with_its_placeholders():
    """reports.po: no entry left empty or fuzzy, python-format placeholders agree (that every
    label the templates use has a translation is tests/test_i18n.py's, over all catalogs)."""
    with ZH_PO.open("rb") as po:
        catalog = read_po(po)
    untranslated = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert untranslated == []
    assert [(m.id, errors) for m, errors in catalog.check()] == []


def test_data_is_escaped_not_executed(browser, tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'hostile.db'}")
    hostile = '<img src="http://127.0.0.1:9/x.png" onerror="console.error(1)"><script>x</script>'
    at = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)
    finding = Finding("web<01>", "disk", "/var", Status.CRITICAL, hostile, hint=hostile)
    store.save_run(InspectionRun("h1", "manual", "<b>me</b>", at, at, ("web<01>",), (finding,)))
    report = history_report(store)
    page = tmp_path / "hostile.html"
    page.write_bytes(render(report, "html", "en"))
    loaded = browser.load(page)
    assert loaded.console_errors == []
    assert loaded.requests == [page.as_uri()]
    assert hostile in loaded.text and "web<01>" in loaded.text
    assert "<img" not in render(report, "md", "en").decode()


def test_the_harness_sees_console_errors_and_requests(browser, tmp_path):
    """Guards the checks above: a page that errs and fetches must be caught."""
    page = tmp_path / "bad.html"
    page.write_text("<body><script>console.error('boom')</script><img src='http://127.0.0.1:9/'>")
    loaded = browser.load(page)
    assert "boom" in loaded.console_errors
    assert "http://127.0.0.1:9/" in loaded.requests


@pytest.mark.parametrize(
    ("lang", "heading"), [("en", "Daily inspection report"), ("zh-CN", "巡检日报")]
)
def test_pdf_prints_on_a4_pages(chromium_path, lang, heading, tmp_path):
    pdftoppm, pdftotext = require_program("pdftoppm"), require_program("pdftotext")
    db = f"sqlite:///{tmp_path / 'history.db'}"
    save_history(open_store(db))
    pdf = tmp_path / f"daily-{lang}.pdf"
    args = ["report", "daily", "--db", db, "--day", DAY, "--tz", ZONE, "--lang", lang]
    result = CliRunner().invoke(cli, [*args, "-f", "pdf", "-o", str(pdf)])
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF-")
    subprocess.run([pdftoppm, "-r", "40", "-png", pdf, tmp_path / "page"], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 1
    width, height = png_size(pages[0].read_bytes())
    assert abs(height / width - 297 / 210) < 0.01  # A4 portrait
    text = subprocess.run([pdftotext, pdf, "-"], capture_output=True, text=True, check=True)
    assert heading in text.stdout and "web01" in text.stdout  # CJK text embedded, not tofu


def test_pdf_without_chromium_is_one_clear_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("INSPECT_CHROMIUM", str(tmp_path / "no-such-chromium"))
    db = f"sqlite:///{tmp_path / 'empty.db'}"
    result = CliRunner().invoke(cli, ["report", "daily", "--db", db, "-f", "pdf"])
    assert result.exit_code == 3
    assert result.output.startswith("inspect: error: PDF output needs Chromium (")
    assert result.output.count("\n") == 1
    assert not list(tmp_path.glob("*.pdf"))


def test_generated_time_is_formatted_per_locale(full_report):
    assert full_report.generated_at == NOW
    assert "2026年11月2日 23:30:00" in render(full_report, "md", "zh-CN").decode()
    assert "Nov 2, 2026, 11:30:00\u202fPM" in render(full_report, "md", "en").decode()
