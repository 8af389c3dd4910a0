"""The whole server patrol sheet in one `inspect run --profile patrol`, on this machine and over
the real sshd target: every item the profile asks for is on the sheet (a result or why not),
and every word of it exists in zh-CN as in English (issue: the patrol sheet, Chinese first)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import checks
from core import names
from core.catalog import translations
from core.model import HOST
from core.phrases import Phrase
from settings.profiles import PATROL

ROOT = Path(__file__).resolve().parents[1]


def owed_items() -> set[str]:
    """Every host item the patrol profile asks for (site-specific ones, such as log files or
    process rules, are asked for by a site's own profile)."""
    return {
        name for name, check in checks.REGISTRY.items()
        if check.family == HOST and check.configured(PATROL) and PATROL.enabled(name)
    }


@pytest.fixture(scope="module")
def patrol_records(tmp_path_factory, sshd_server, chrony_synchronised) -> str:
    work = tmp_path_factory.mktemp("patrol")
    inventory = work / "inventory.yaml"
    inventory.write_text(yaml.safe_dump({"hosts": {
        "here": {"address": "localhost", "collectors": ["local"], "profile": "patrol"},
        "remote": {"address": "127.0.0.1", "ssh": sshd_server.inventory_ssh(),
                   "profile": "patrol"},
    }}))
    db = f"sqlite:///{work / 'records.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "cli", "run", "-i", str(inventory), "--db", db, "-f", "json",
         "--timeout", "60"],
        capture_output=True, text=True, timeout=180, cwd=ROOT,
    )
    assert done.returncode in (0, 1, 2, 3) and done.stdout, done.stderr
    return db


def _stored(db: str):
    from records import open_store

    store = open_store(db)
    (latest,) = store.list_runs(limit=1)
    return store.get_run(latest.id)


@pytest.mark.parametrize("target", ["here", "remote"])
def test_one_run_fills_every_item_of_the_sheet_or_says_why_not(patrol_records, target):
    run = _stored(patrol_records)
    assert not [f for f in run.findings if f.target == target and f.check in (
        names.CHECK_REACHABILITY, names.CHECK_COLLECTOR, names.CHECK_INSPECTION)]
    seen = {f.check for f in run.findings if f.target == target}
    assert owed_items() - seen == set()
    assert len(owed_items()) >= 35  # the basic figures, system health, security, hardware


def _phrases(text) -> list[Phrase]:
    if not isinstance(text, Phrase):
        return []
    inner = [p for _key, value in text.values for p in _phrases(value)]
    return [text, *inner]


def test_every_word_of_the_stored_sheet_exists_in_chinese(patrol_records):
    zh = translations("zh-CN")
    run = _stored(patrol_records)
    untranslated = {
        phrase.template
        for finding in run.findings
        for text in (finding.summary, finding.hint, finding.threshold,
                     names.TITLES.get(finding.check))
        for phrase in _phrases(text)
        if phrase.template not in ("{text}",) and zh.gettext(phrase.template) == phrase.template
    }
    assert untranslated == set()


def test_the_daily_report_shows_the_sheet_in_chinese(patrol_records):
    done = subprocess.run(
        [sys.executable, "-m", "cli", "report", "daily", "--db", patrol_records,
         "--lang", "zh-CN", "-f", "json"],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    sheets = {s["target"]: s for s in json.loads(done.stdout)["sheets"]}
    assert set(sheets) == {"here", "remote"}
    markdown = subprocess.run(
        [sys.executable, "-m", "cli", "report", "daily", "--db", patrol_records,
         "--lang", "zh-CN", "-f", "md"],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    ).stdout
    sheet = markdown.split("## 巡检表", 1)[1]
    assert "| 巡检项目 | 标准 | 巡检结果 | 结论 |" in sheet
    assert "时间同步" in sheet or "Time synchronisation" not in sheet
    assert "巡检人" in sheet and "复核人" in sheet
