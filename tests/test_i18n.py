"""Chinese throughout: every text we show has a zh-CN translation, and `inspect` shows it.

The completeness test extracts every msgid from the product's sources the way pybabel does
(babel.cfg: `phrase(...)` in Python, `_()` and `{% trans %}` in the report templates) and fails
on one without a zh-CN translation in the merged catalogs (core/locale/zh_CN/LC_MESSAGES/*.po),
naming where it is written. So a new check written with `phrase(...)` fails here until its
author adds the translation to their area's .po file.
"""

from __future__ import annotations

import inspect
import json
import os
import re
import string
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from click.testing import CliRunner

from cli.help import HEADINGS
from cli.main import cli
from core.catalog import LOCALE_DIR, Language, language_from_environment, languages, translations
from core.model import Finding, InspectionRun
from core.phrases import phrase
from core.status import Status
from records import open_store
from tickets.messages import render as render_message

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {**DEFAULT_KEYWORDS, "phrase": None}
ZH_FILES = sorted((LOCALE_DIR / "zh_CN" / "LC_MESSAGES").glob("*.po"))
HAN = re.compile(r"[\u4e00-\u9fff]")


def extracted() -> dict[str, str]:
    """msgid -> where it is first written (file:line), from every product source."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[str, str] = {}
    for file, line, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS
    ):
        for msgid in [message] if isinstance(message, str) else [m for m in message if m]:
            found.setdefault(msgid, f"{file}:{line}")
    return found


def catalog_entries() -> list[tuple[str, str, str]]:
    """(file name, msgid, msgstr) of every translated entry in every zh_CN .po file."""
    entries = []
    for po in ZH_FILES:
        with po.open("rb") as source:
            for message in read_po(source):
                if message.id and not message.fuzzy:
                    ids = [message.id] if isinstance(message.id, str) else list(message.id)
                    strings = (
                        [message.string] if isinstance(message.string, str) else message.string
                    )
                    entries += [(po.name, i, s) for i, s in zip(ids, strings, strict=False)]
    return entries


def test_the_extraction_sees_phrases_templates_and_other_areas_files():
    found = extracted()
    assert "not measured: {why}" in found  # core.model, a phrase
    assert "Daily inspection report" in found  # a report template
    assert found["What to look at first:"].startswith("cli/render.py:")
    assert {po.name for po in ZH_FILES} >= {"cli.po", "findings.po", "reports.po"}


def help_texts() -> dict[str, str]:
    """msgid -> the command whose `--help` shows it: docstrings (as click shows them), the
    options' help, the lazy commands' lines, and the headings click writes around them."""
    found = dict.fromkeys(HEADINGS, "cli/help.py")

    def walk(command: click.Command, path: str) -> None:
        ctx = click.Context(command, info_name=path)
        for text in (command.help, command.short_help):
            if text:
                found.setdefault(inspect.cleandoc(text).partition("\f")[0], path)
        for param in command.get_params(ctx):
            if getattr(param, "help", None):
                found.setdefault(param.help, f"{path} {param.opts[0]}")
        for name, lazy in getattr(command, "lazy", {}).items():
            found.setdefault(lazy.help, f"{path} {name}")
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                walk(command.get_command(ctx, name), f"{path} {name}")

    walk(cli, "inspect")
    return found


def test_every_text_has_a_zh_cn_translation():
    translated = {msgid for _file, msgid, text in catalog_entries() if text}
    texts = {**extracted(), **help_texts()}
    missing = [f"{where}: {msgid!r}" for msgid, where in texts.items() if msgid not in translated]
    assert missing == [], "add these to your area's core/locale/zh_CN/LC_MESSAGES/*.po:\n" + (
        "\n".join(missing)
    )


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def test_every_translation_keeps_the_fields_of_its_msgid():
    """A `{field}` missing or renamed in a translation would show the English text instead
    (core.phrases falls back), or a KeyError; %(name)s placeholders likewise."""
    wrong = []
    for file, msgid, text in catalog_entries():
        if not text:
            continue
        if "{" in msgid and _fields(msgid) != _fields(text):
            wrong.append(f"{file}: {msgid!r} -> {text!r}")
        named = re.compile(r"%\((\w+)\)s")
        if set(named.findall(msgid)) != set(named.findall(text)):
            wrong.append(f"{file}: {msgid!r} -> {text!r}")
    assert wrong == []


def test_a_text_translated_in_two_files_is_translated_alike():
    seen: dict[str, tuple[str, str]] = {}
    differ = []
    for file, msgid, text in catalog_entries():
        if msgid in seen and seen[msgid][1] != text:
            differ.append(f"{msgid!r}: {seen[msgid][0]} {seen[msgid][1]!r}, {file} {text!r}")
        seen.setdefault(msgid, (file, text))
    assert differ == []


def test_catalog_files_are_merged_and_phrases_render_nested():
    assert languages() == ("en", "zh-CN")
    zh = Language("zh-CN")
    assert translations("zh-CN").gettext("Daily inspection report") == "巡检日报"  # reports.po
    summary = phrase(
        "{what} ({clause})",
        what=phrase("{mount} {used} used", mount="/var", used="93.1%"),
        clause=phrase("critical {range}", range="> 90%"),
    )
    assert zh.text(summary) == "/var 已用 93.1%（严重 > 90%）"
    assert Language().text(summary) == "/var 93.1% used (critical > 90%)"
    assert zh.text("device text") == "device text"


@pytest.mark.parametrize(
    ("environ", "lang"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh-CN"),
        ({"LC_ALL": "zh_CN.utf8", "LANG": "en_US.UTF-8"}, "zh-CN"),
        ({"LC_MESSAGES": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"LANG": "zh_CN"}, "zh-CN"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({"LANG": "C"}, "en"),
        ({}, "en"),
    ],
)
def test_language_from_the_locale(environ, lang):
    assert language_from_environment(environ) == lang


ALARMING = """\
hosts:
  localhost: {address: localhost}
profiles:
  standard:
    checks:
      disk.used_percent: {warning: 0.001, critical: 0.002}
"""


@pytest.fixture
def inventory(tmp_path):
    path = tmp_path / "inventory.yaml"
    path.write_text(ALARMING)
    return str(path)


def invoke(*args, env=None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_run_in_chinese_with_lang(inventory, tmp_path):
    db = f"sqlite:///{tmp_path / 'r.db'}"
    result = invoke("--lang", "zh-CN", "run", "-i", inventory, "--db", db)
    assert result.exit_code == 2, result.output
    out = result.output
    assert out.splitlines()[0].split() == ["状态", "巡检对象", "检查项", "部件", "情况说明"]
    assert "严重" in out and "优先处理：" in out
    assert re.search(r"/ 已用 [\d.]+%（严重 > 0\.002%）", out)
    assert "1 个对象" in out
    # the same option on the command itself
    again = invoke("run", "--lang", "zh-CN", "-i", inventory, "--db", db, "-q").output
    assert "优先处理：" in again


def test_run_in_chinese_from_the_locale(inventory, tmp_path, monkeypatch):
    monkeypatch.delenv("INSPECT_LANG")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    result = invoke("run", "-i", inventory, "--no-store", "-f", "markdown")
    assert "| 状态 | 巡检对象 | 检查项 | 部件 | 情况说明 | 初步处置建议 |" in result.output
    assert "| 严重 | localhost | disk | / |" in result.output
    english = invoke("--lang", "en", "run", "-i", inventory, "--no-store").output
    assert "What to look at first:" in english and not HAN.search(english)


def test_json_keeps_english_and_adds_the_shown_texts(inventory):
    data = json.loads(
        invoke("--lang", "zh-CN", "run", "-i", inventory, "--no-store", "-f", "json").output
    )
    assert data["lang"] == "zh-CN"
    disk = next(f for f in data["findings"] if f["check"] == "disk")
    assert disk["summary"].endswith("used (critical > 0.002%)")
    used = disk["summary"].split()[1]
    assert disk["shown"]["summary"] == f"/ 已用 {used}（严重 > 0.002%）"
    assert HAN.search(disk["shown"]["hint"]) and not HAN.search(disk["hint"])


def test_a_run_stored_in_english_is_shown_in_chinese_later(inventory, tmp_path):
    db = f"sqlite:///{tmp_path / 'r.db'}"
    stored = invoke("--lang", "en", "run", "-i", inventory, "--db", db, "-f", "json")
    run_id = json.loads(stored.output)["run"]["id"]
    shown = invoke("records", "show", run_id, "--db", db, "--lang", "zh-CN").output
    assert "优先处理：" in shown and re.search(r"/ 已用 [\d.]+%（严重", shown)
    listing = invoke("--lang", "zh-CN", "records", "list", "--db", db).output
    assert listing.split()[:2] == ["编号", "开始时间"]


def test_a_stored_finding_from_before_phrases_is_shown_as_it_was(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'old.db'}")
    at = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)
    old = Finding("web01", "disk", "/var", Status.CRITICAL, "/var 93% used (critical > 90%)")
    store.save_run(InspectionRun("a1", "manual", "me", at, at, ("web01",), (old,)))
    shown = invoke("records", "show", "a1", "--db", f"sqlite:///{tmp_path / 'old.db'}",
                   "--lang", "zh-CN").output
    assert "/var 93% used (critical > 90%)" in shown and "严重" in shown


def test_unknown_language_is_one_line_exit_3(inventory):
    result = CliRunner().invoke(cli, ["--lang", "fr", "run", "-i", inventory, "--no-store"])
    assert result.exit_code == 3
    assert result.output.strip() == (
        "inspect: error: --lang 'fr': no such language; available: en, zh-CN"
    )


def test_user_errors_are_shown_in_the_chosen_language(inventory):
    args = ["--lang", "zh-CN", "run", "-i", inventory, "--no-store", "-t", "web9"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 3
    assert result.output.startswith("inspect: error: 未知的巡检对象 'web9'（见 ")


@pytest.mark.parametrize(
    ("body", "english", "chinese"),
    [
        (  # pydantic's own check, in our words
            "hosts:\n  web1:\n    ssh:\n      port: 70000\n",
            "bad.yaml:4: hosts.web1.ssh.port: expected a port number from 1 to 65535, got 70000",
            "bad.yaml:4：hosts.web1.ssh.port：应为1 到 65535 之间的端口号，实际为 70000",
        ),
        (  # a validator of ours, the secret not echoed
            "hosts:\n  web1:\n    ssh:\n      password: hunter2\n",
            "bad.yaml:4: hosts.web1.ssh.password: expected a credential reference (env:NAME, "
            "file:PATH or keyring:service/user), not an inline secret",
            "bad.yaml:4：hosts.web1.ssh.password：应为凭据引用（env:NAME、file:PATH 或 "
            "keyring:service/user），而不是直接写入的密码",
        ),
        (  # checked after validation, with the line of the name
            "hosts:\n  web1:\n    groups: [core]\n",
            "bad.yaml:3: hosts.web1.groups.0: unknown group 'core'",
            "bad.yaml:3：hosts.web1.groups.0：未知的分组 'core'",
        ),
    ],
)
def test_a_config_error_is_one_line_in_the_chosen_language(tmp_path, body, english, chinese):
    """file:line, the key and what is wrong, exit 3, in Chinese with --lang zh-CN; a real
    process, so a traceback would show on stderr."""
    (tmp_path / "bad.yaml").write_text(body)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for lang, said in (("en", english), ("zh-CN", chinese)):
        done = subprocess.run(
            [sys.executable, "-m", "cli", "--lang", lang, "run", "-i", "bad.yaml", "--no-store"],
            env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path,
        )
        assert done.returncode == 3, done.stderr
        assert done.stdout == ""
        assert done.stderr == f"inspect: error: {said}\n"
        assert "hunter2" not in done.stderr


def test_a_notification_has_the_teams_language_and_the_tickets_own_words():
    data = {
        "event": "escalate",
        "note": "",
        "ticket": {
            "id": 7, "title": "web01: disk /var CRITICAL", "grade": "B", "target": "web01",
            "status": "CRITICAL", "summary": "/var 93.1% used (critical > 90%)",
            "assignee": None, "escalation_level": "L2", "opened_at": "2026-11-02T08:00:00Z",
            "response_due": "2026-11-02T08:15:00Z", "resolution_due": "2026-11-02T16:00:00Z",
        },
    }
    message = render_message(data, Language("zh-CN"))
    assert message.subject == "【已升级至 L2】#7 B 级 web01：web01: disk /var CRITICAL"
    assert "情况说明：/var 93.1% used (critical > 90%)" in message.text
    assert "处理人：-" in message.text
    assert render_message(data).subject == (
        "[ESCALATED to L2] #7 grade B web01: web01: disk /var CRITICAL"
    )


def test_a_real_process_under_a_chinese_locale_speaks_chinese(inventory, tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("LC_")}
    env.pop("INSPECT_LANG", None)
    env.update({"LANG": "zh_CN.UTF-8", "PYTHONPATH": str(ROOT)})
    done = subprocess.run(
        [sys.executable, "-m", "cli", "run", "-i", inventory, "--no-store"],
        env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout.splitlines()[0].split() == ["状态", "巡检对象", "检查项", "部件", "情况说明"]
    assert "优先处理：" in done.stdout


def test_ticket_list_and_show_label_in_chinese_and_keep_the_stored_texts(inventory, tmp_path):
    db = f"sqlite:///{tmp_path / 'r.db'}"
    opened = invoke("ticket", "open", "-i", inventory, "--db", db, "-t", "localhost",
                    "--title", "disk full on /data")
    assert opened.exit_code == 0, opened.output
    listing = invoke("--lang", "zh-CN", "ticket", "list", "-i", inventory, "--db", db).output
    assert listing.split()[:3] == ["编号", "等级", "状态"] and "disk full on /data" in listing
    shown = invoke("--lang", "zh-CN", "ticket", "show", "1", "-i", inventory, "--db", db).output
    assert "disk full on /data" in shown and "工作记录：" in shown and "响应时限" in shown
    refused = CliRunner().invoke(cli, ["--lang", "zh-CN", "ticket", "reopen", "1", "-i", inventory,
                                       "--db", db, "--note", "again"])
    assert refused.exit_code == 3
    assert refused.output.strip() == "inspect: error: 工单 #1 的状态为 open：无法重新打开"


def test_help_is_shown_in_the_chosen_language():
    """Every command's --help, from `--lang` (before --help, on either level), INSPECT_LANG or
    the locale; click's own brackets and metavars stay as they are."""
    shown = invoke("--lang", "zh-CN", "check", "--help").output
    assert shown.startswith("用法： ") and "check [OPTIONS] CHECK" in shown.splitlines()[0]
    assert "以 Nagios 插件方式运行单个检查项：一行状态加性能数据，退出码 0-3。" in shown
    assert "告警范围（Nagios 语法）。" in shown and "[default: 30.0;" in shown
    assert "选项：" in shown and "显示本帮助并退出。" in shown
    own = invoke("run", "--lang", "zh-CN", "--help").output
    assert "立即巡检所选对象并保存巡检记录。" in own and "只巡检此对象（可重复）。" in own
    listing = invoke("ticket", "--help", env={"INSPECT_LANG": "zh-CN"}).output
    assert "命令：" in listing and "升级已超时的 SLA 并重试到期的通知" in listing
    top = invoke("--help", env={"INSPECT_LANG": "zh-CN"}).output
    assert "  check      以 Nagios 插件方式运行单个检查项" in top
    english = invoke("check", "--help").output
    assert "Run one check as a Nagios plugin" in english and "Options:" in english
    assert not HAN.search(english)
