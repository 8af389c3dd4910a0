"""Errors in the reader's language: a bad report option, a damaged records database and why a
target could not be inspected read in Chinese under `--lang zh-CN`, and stay English otherwise
(str() of the error is the English line that logs and older callers keep)."""

from __future__ import annotations

import socket

import pytest
import yaml
from click.testing import CliRunner

from cli.main import cli
from collectors import ssh_wire
from collectors.session import Session
from collectors.ssh import SshCollector
from core.catalog import Language
from core.errors import CollectError
from settings import inventory as inventory_loader

ZH = Language("zh-CN")


def inspect_cli(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_a_bad_time_zone_is_one_chinese_line_exit_3(tmp_path):
    db = f"sqlite:///{tmp_path / 'r.db'}"
    result = inspect_cli("--lang", "zh-CN", "report", "daily", "--db", db, "--tz", "Nowhere/City")
    assert result.exit_code == 3
    assert result.output == (
        "inspect: error: --tz 'Nowhere/City' 不是已知的时区（例如 Asia/Shanghai、UTC）\n"
    )


def test_pdf_without_chromium_says_what_to_do_in_chinese(tmp_path, monkeypatch):
    monkeypatch.setenv("INSPECT_CHROMIUM", str(tmp_path / "no-such-chromium"))
    db = f"sqlite:///{tmp_path / 'r.db'}"
    args = ["report", "daily", "--db", db, "--tz", "UTC", "-f", "pdf", "-o", str(tmp_path / "r")]
    result = inspect_cli("--lang", "zh-CN", *args)
    assert result.exit_code == 3
    assert result.output == (
        f"inspect: error: 输出 PDF 需要 Chromium（未找到 {tmp_path / 'no-such-chromium'}）；请安装"
        "（apt install chromium）或设置 INSPECT_CHROMIUM，或使用 --format html 后在浏览器中打印\n"
    )


def test_our_words_in_an_option_error_follow_the_language(tmp_path):
    """click's own prefix stays as click words it; what we say about the value is translated,
    whether --lang comes before the command or before the option."""
    db = f"sqlite:///{tmp_path / 'r.db'}"
    zh = inspect_cli("report", "monthly", "--lang", "zh-CN", "--db", db, "--month", "2026")
    assert zh.exit_code == 3
    assert zh.output == (
        "inspect: error: report monthly: Invalid value for '--month': '2026' 是年份；应为月份\n"
    )
    en = inspect_cli("--lang", "en", "report", "monthly", "--db", db, "--month", "2026")
    assert en.output == (
        "inspect: error: report monthly: Invalid value for '--month': '2026' is a year; "
        "expected a month\n"
    )
    period = inspect_cli("--lang", "zh-CN", "score", "--db", db, "--period", "2026-13")
    assert period.exit_code == 3
    assert period.output.endswith(
        "'--period': 周期 '2026-13'：应为 YYYY-MM-DD、YYYY-Www、YYYY-MM、YYYY-Qn 或 YYYY\n"
    )


def test_a_damaged_database_is_named_in_chinese_and_left_as_it_was(tmp_path):
    damaged = tmp_path / "records.db"
    damaged.write_bytes(b"not a database at all\n" * 100)
    before = damaged.read_bytes()
    result = inspect_cli("--lang", "zh-CN", "records", "list", "--db", f"sqlite:///{damaged}")
    assert result.exit_code == 3
    assert result.output.startswith(f"inspect: error: 数据库 {damaged} 不是有效的 SQLite 数据库")
    assert "未做任何改动" in result.output
    assert damaged.read_bytes() == before


def test_a_refused_connection_reads_in_chinese(tmp_path):
    with socket.socket() as probe:  # a port nothing listens on: bound, then released
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    [target] = _targets(tmp_path, {"web1": {"address": "127.0.0.1", "port": port}})
    with pytest.raises(CollectError) as caught:
        ssh_wire.tcp_connect(target, "127.0.0.1", port, timeout=10)
    assert caught.value.reason == "refused"
    assert str(caught.value) == f"127.0.0.1:{port} refused the connection"
    assert ZH.text(caught.value.detail) == f"127.0.0.1:{port} 拒绝了连接"


def test_a_rejected_password_reads_in_chinese_and_names_only_its_reference(
    tmp_path, sshd_server, monkeypatch
):
    monkeypatch.setenv("OPSINSPECT_WRONG_PASSWORD", "not-the-password-42")
    ssh = sshd_server.inventory_ssh(password="env:OPSINSPECT_WRONG_PASSWORD")
    del ssh["key_file"]
    [target] = _targets(tmp_path, {"db1": {"address": "127.0.0.1", "ssh": ssh}})
    with pytest.raises(CollectError) as caught:
        SshCollector().collect(target, Session())
    english, shown = str(caught.value), ZH.text(caught.value.detail)
    where = f"[127.0.0.1]:{sshd_server.port}"
    assert caught.value.reason == "auth failed"
    assert english.endswith(f"{where} rejected the password env:OPSINSPECT_WRONG_PASSWORD")
    assert shown.endswith(f"{where} 拒绝了密码 env:OPSINSPECT_WRONG_PASSWORD")
    assert "not-the-password-42" not in shown + str(caught.value)


def _targets(tmp_path, hosts: dict) -> list:
    path = tmp_path / "inventory.yaml"
    path.write_text(yaml.safe_dump({"hosts": hosts}))
    return list(inventory_loader.load(path).targets)


def test_a_run_against_a_closed_port_says_why_in_chinese(tmp_path):
    """The whole way: `inspect --lang zh-CN run` stores the reachability finding as a phrase
    and shows why the target could not be inspected in Chinese."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(yaml.safe_dump({"hosts": {"web1": {
        "address": "127.0.0.1", "ssh": {"username": "ops", "port": port,
                                        "password": "env:NOT_NEEDED_HERE"}}}}))
    result = CliRunner(env={"NOT_NEEDED_HERE": "x"}).invoke(cli, [
        "--lang", "zh-CN", "run", "-i", str(inventory),
        "--db", f"sqlite:///{tmp_path / 'records.db'}", "-f", "json"])
    assert result.exit_code == 3, result.output
    assert f"127.0.0.1:{port} 拒绝了连接" in result.output
