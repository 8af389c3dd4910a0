"""`inspect check` is a Nagios plugin: one status line with perfdata, exit 0-3, nothing stored
unless --save. The real command runs as a subprocess (as a monitoring core starts it) and its
answer goes through our own plugin parser and plugin runner, so what we write is what we read
from other plugins."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, seed, settings
from hypothesis import strategies as st

from cli.plugin_render import plugin_answer
from collectors import plugin_output
from collectors.local import PARTS, focused_samples
from collectors.plugins import plugin_samples, run
from collectors.session import Session
from core import names
from core.errors import UserError
from core.model import Finding, PreviousRun, Sample, Target
from core.phrases import phrase
from core.status import Status
from flows.check import LOCAL_CHECKS, CheckRequest, CheckResult, check_here
from flows.inspect import inspect_target
from settings.inventory import load
from settings.profiles import PluginRule, Profile, Thresholds
from settings.thresholds import Range
from tests.services import free_port
from tests.services.monitoring import inspect_wrapper
from tests.test_cli_startup import HEAVY, loaded_by, within

ROOT = Path(__file__).resolve().parents[1]


def inspect_check(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """The real command in a fresh process, with a private home, as a core runs a plugin."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"))
    env.pop("INSPECT_INVENTORY", None)
    env.pop("INSPECT_DB", None)
    return subprocess.run([sys.executable, "-m", "cli", "check", *args], env=env,
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)


def df_percent(mount: str) -> float:
    st_ = os.statvfs(mount)
    used = (st_.f_blocks - st_.f_bfree) * st_.f_frsize
    return 100.0 * used / (used + st_.f_bavail * st_.f_frsize)


# thresholds that force each status on any machine: `@0:100` alerts on every percentage
FORCED = [
    (Status.OK, ("-w", "100", "-c", "100")),
    (Status.WARNING, ("-w", "@0:100", "-c", "100")),
    (Status.CRITICAL, ("-w", "100", "-c", "@0:100")),
]


@pytest.mark.parametrize(("status", "ranges"), FORCED, ids=[s.name for s, _ in FORCED])
def test_each_status_is_the_exit_code_and_the_answer_parses_back(tmp_path, status, ranges):
    done = inspect_check(tmp_path, "disk", "--mount", "/", *ranges)
    assert done.returncode == int(status), done.stderr
    assert done.stderr == ""
    assert done.stdout.count("\n") == 1  # one filesystem: one status line, no long output
    answer = plugin_output.parse(done.stdout)
    assert answer.summary.startswith(f"OPSINSPECT DISK {status.name} - / ")
    (perf,) = answer.perfdata
    assert (perf.label, perf.metric, perf.unit) == ("/", names.PLUGIN_PERCENT, "%")
    assert perf.value == pytest.approx(df_percent("/"), abs=1.0)
    assert perf.limits == {"warn": ranges[1], "crit": ranges[3], "min": "0", "max": "100"}
    assert not (tmp_path / "data").exists()  # no records database without --save


def test_every_filesystem_without_mount_others_in_the_long_output(tmp_path):
    done = inspect_check(tmp_path, "disk", "-w", "@0:100", "-c", "100")
    answer = plugin_output.parse(done.stdout)
    assert done.returncode == 1
    mounts = [p.label for p in answer.perfdata]
    assert "/" in mounts and len(mounts) == len(set(mounts))
    assert answer.long_output == ""  # all WARNING: all on the status line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--no-such-option",), "check: No such option '--no-such-option'"),
        (("nosuch",), "unknown check 'nosuch' (known: "),
        (("disk", "-w", "eighty"), "check: Invalid value for '-w' / '--warning': threshold"),
        (("disk", "-c", "90:10"), "start 90 is above end 10"),
        (("process",), "check 'process' needs --target NAME"),
        (("disk", "--save", "-w", "80"), "--save stores the run as the target's profile"),
        (("disk", "--timeout", "nan"), "'nan' is not a finite number"),
        (("disk", "-t", "nosuch"), "unknown target 'nosuch'"),
    ],
)
def test_usage_errors_are_unknown_with_one_line(tmp_path, args, message):
    done = inspect_check(tmp_path, *args)
    assert done.returncode == 3
    assert done.stdout == ""
    assert done.stderr.startswith("inspect: error: ") and done.stderr.count("\n") == 1
    assert message in done.stderr


def test_a_subject_that_was_not_measured_is_unknown(tmp_path):
    done = inspect_check(tmp_path, "disk", "--mount", "/", "--mount", "/no/such/mount")
    assert done.returncode == 3
    answer = plugin_output.parse(done.stdout)
    assert answer.summary == (
        "OPSINSPECT DISK UNKNOWN - not measured: no disk finding on /no/such/mount"
    )
    assert answer.long_output.startswith("OK: / ")  # the mount that was measured
    assert [p.label for p in answer.perfdata] == ["/"]


def test_the_texts_follow_lang_the_protocol_stays_as_it_is(tmp_path):
    """A Chinese duty team reads the status line in Chinese; the monitoring core still finds
    its keyword, check name and perfdata where the plugin format puts them."""
    done = inspect_check(tmp_path, "--lang", "zh-CN", "disk", "--mount", "/",
                         "--mount", "/no/such/mount", "-w", "@0:100", "-c", "100")
    assert done.returncode == 1, done.stderr  # WARNING outranks UNKNOWN
    answer = plugin_output.parse(done.stdout)
    assert answer.summary.startswith("OPSINSPECT DISK WARNING - / 已用 ")
    assert answer.long_output == "UNKNOWN: 未测量：/no/such/mount 没有 disk 巡检结果"
    assert [(p.label, p.limits["warn"]) for p in answer.perfdata] == [("/", "@0:100")]
    refused = inspect_check(tmp_path, "--lang", "zh-CN", "process")
    assert refused.returncode == 3 and refused.stdout == ""
    assert refused.stderr.startswith("inspect: error: 检查项 'process' 需要 --target NAME")
    save = inspect_check(tmp_path, "--lang", "zh-CN", "disk", "--save", "-w", "80")
    assert save.stderr.splitlines() == [
        "inspect: error: check: --save 按巡检对象配置模板的判定保存本次巡检：请去掉 -w/-c"
    ]


def test_our_own_plugin_runner_runs_inspect_check(tmp_path):
    """opsinspect inspecting this machine through `inspect check` as a configured plugin:
    the runner, the parser and the plugin check agree with the command's exit and text."""
    wrapper = inspect_wrapper(tmp_path)
    rule = PluginRule("self_disk", (str(wrapper), "check", "disk", "-s", "/", "-c", "@0:100"),
                      timeout=60)
    ran = run(rule.command, 60)
    assert ran.exit_code == 2, ran.output
    session = Session(deadline=float("inf"))

    def sample(metric, value, unit, **labels):
        return Sample("here", metric, value, unit, datetime.now(UTC), labels)

    samples = list(plugin_samples(sample, (rule,), session))
    by_metric = {s.metric: s for s in samples}
    assert by_metric[names.PLUGIN_STATUS].value == 2
    assert by_metric[names.PLUGIN_PERCENT].labels["label"] == "/"
    assert by_metric[names.PLUGIN_PERCENT].labels["crit"] == "@0:100"
    summary = session.texts[(names.CHECK_PLUGIN, "self_disk")]["summary"]
    assert str(summary).startswith("OPSINSPECT DISK CRITICAL - / ")


def test_an_inventory_plugin_rule_may_be_inspect_check(tmp_path):
    wrapper = inspect_wrapper(tmp_path)
    path = tmp_path / "inventory.yaml"
    path.write_text(textwrap.dedent(f"""\
        hosts:
          localhost: {{address: 127.0.0.1, kind: server}}
        profiles:
          standard:
            plugins:
              - {{name: self_memory, command: [{wrapper}, check, memory, -w, '@0:100'],
                 timeout: 60s}}
        """))
    inventory = load(path)
    result = inspect_target(inventory, inventory.targets[0], lambda _name: PreviousRun(), 90)
    (finding,) = [f for f in result.findings if f.check == names.CHECK_PLUGIN]
    assert finding.status == Status.WARNING
    assert str(finding.summary).startswith("OPSINSPECT MEMORY WARNING - memory ")


def test_a_target_is_judged_by_its_profile_unless_w_or_c_says_otherwise(tmp_path):
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(
        "hosts:\n  here: {address: localhost, kind: server, profile: tight}\n"
        "profiles:\n  tight:\n    checks:\n      disk.used_percent: {warning: '@0:100'}\n"
    )
    by_profile = inspect_check(tmp_path, "disk", "-i", str(inventory), "-t", "here", "-s", "/")
    assert by_profile.returncode == 1, by_profile.stdout + by_profile.stderr
    assert plugin_output.parse(by_profile.stdout).perfdata[0].limits["warn"] == "@0:100"
    overridden = inspect_check(tmp_path, "disk", "-i", str(inventory), "-t", "here", "-s", "/",
                               "-w", "100", "-c", "@0:100")
    assert overridden.returncode == 2, overridden.stdout + overridden.stderr
    assert not (tmp_path / "data").exists()


def test_a_target_that_cannot_be_reached_is_an_unknown_status_line(tmp_path):
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(
        f"hosts:\n  dead: {{address: 127.0.0.1, ssh: {{port: {free_port()}, username: x}}}}\n"
    )
    done = inspect_check(tmp_path, "cpu", "-i", str(inventory), "-t", "dead", "--timeout", "5")
    assert done.returncode == 3, done.stderr
    answer = plugin_output.parse(done.stdout)
    assert answer.summary.startswith("OPSINSPECT CPU UNKNOWN - refused: 127.0.0.1:")
    assert answer.perfdata == ()


def test_save_stores_the_whole_run_of_the_target(tmp_path):
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text("hosts:\n  here: {address: localhost, kind: server}\n")
    db = f"sqlite:///{tmp_path / 'records.db'}"
    done = inspect_check(tmp_path, "memory", "-i", str(inventory), "--db", db, "--save")
    assert done.returncode in (0, 1, 2), done.stdout + done.stderr
    assert plugin_output.parse(done.stdout).summary.startswith("OPSINSPECT MEMORY ")
    from records import open_store

    stored = open_store(db).previous_run("here")
    checked = {f.check for f in stored.findings}
    assert {names.CHECK_MEMORY, names.CHECK_DISK, names.CHECK_LOAD} <= checked  # the whole run


def test_a_check_here_imports_no_inventory_records_or_network_library(tmp_path):
    output, modules = loaded_by(tmp_path, "check", "disk", "-s", "/")
    assert output.startswith("OPSINSPECT DISK ")
    allowed = ("psutil", "collectors", "checks", "flows")  # what a local check is made of
    assert within(modules, tuple(h for h in HEAVY if h not in allowed)) == []
    assert within(modules, ("flows.inspect", "collectors.ssh", "collectors.snmp")) == []


def test_the_help_names_every_check_that_runs_without_an_inventory(tmp_path):
    done = subprocess.run([sys.executable, "-m", "cli", "check", "--help"], capture_output=True,
                          text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=60)
    text = " ".join(done.stdout.split())
    assert ", ".join(LOCAL_CHECKS[:-1]) + " or " + LOCAL_CHECKS[-1] in text


# --- pure parts, table-driven -----------------------------------------------------------


@pytest.mark.parametrize("check", LOCAL_CHECKS)
def test_each_local_check_collects_only_what_it_reads(check):
    import checks

    reads = set(checks.REGISTRY[check].reads)
    session = Session(deadline=float("inf"))
    samples = focused_samples(Target("here"), reads, session)
    produced = set().union(*(metrics for metrics, _ in PARTS if not metrics.isdisjoint(reads)))
    assert {s.metric for s in samples} <= produced
    if check != names.CHECK_CPU:  # only the CPU check waits for two CPU readings
        assert names.CPU_USED_PERCENT not in {s.metric for s in samples}


def test_each_part_yields_only_the_metrics_it_declares():
    session = Session(deadline=float("inf"))
    at = datetime.now(UTC)
    for metrics, part in PARTS:
        made = part(lambda m, v, u, **lb: Sample("h", m, v, u, at, lb), session, frozenset())
        assert {s.metric for s in made} <= metrics


def test_a_rule_check_takes_no_w_or_c():
    with pytest.raises(UserError, match="'process' needs --target"):
        check_here(CheckRequest(names.CHECK_PROCESS, warning=Range.parse(1)))
    import checks
    from flows.check import with_thresholds

    with pytest.raises(UserError, match="takes no -w/-c"):
        with_thresholds(Profile(), checks.REGISTRY[names.CHECK_PORT],
                        CheckRequest(names.CHECK_PORT, critical=Range.parse(1)))


def finding(subject: str, status: Status, summary, value=None, unit="%") -> Finding:
    return Finding("here", names.CHECK_DISK, subject, status, summary, value=value, unit=unit)


def test_the_worst_findings_lead_others_follow_text_cannot_break_the_format():
    result = CheckResult(
        names.CHECK_DISK,
        (
            finding("/", Status.OK, phrase("{m} ok", m="/"), 41.25),
            finding("/a|b", Status.CRITICAL, "/a|b 93.1% used\nsecond line", 93.1),
            finding("it's = odd", Status.CRITICAL, "odd \x1b[2J full", 99.0),
            finding("/c", Status.WARNING, "/c 85% used", 85.0),
        ),
        Thresholds(Range.parse(80), Range.parse("@90:100")),
    )
    text = plugin_answer(result)
    first, *rest = text.split("\n")
    assert first.startswith(
        "OPSINSPECT DISK CRITICAL - /a¦b 93.1% used second line, odd \\x1b[2J full | "
    )
    assert rest == ["OK: / ok", "WARNING: /c 85% used"]
    answer = plugin_output.parse(text)
    assert [(p.label, p.value) for p in answer.perfdata] == [
        ("/", 41.25), ("/a|b", 93.1), ("it's _ odd", 99.0), ("/c", 85.0)
    ]
    assert answer.perfdata[0].limits == {"warn": "80", "crit": "@90:100", "min": "0", "max": "100"}


@pytest.mark.parametrize(
    ("value", "unit", "limits", "written"),
    [
        (93.1, "%", {"warn": "80", "crit": "90", "min": "0", "max": "100"},
         "'/var'=93.1%;80;90;0;100"),
        (0.58, "count", {"warn": "1.5"}, "'/var'=0.58;1.5"),
        (3, "s", {}, "'/var'=3s"),
        (1_099_511_627_776.0, "B", {}, "'/var'=1099511627776B"),
        (1e-7, "bit/s", {}, "'/var'=0"),
        (2 / 3, "%", {"crit": "@0:1"}, "'/var'=0.667%;;@0:1"),
    ],
)
def test_perf_items(value, unit, limits, written):
    assert plugin_output.perf_item("/var", value, unit, limits) == written


@seed(20261207)
@settings(derandomize=True, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    label=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40),
    value=st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
)
@example(label="it's", value=1.0)
@example(label="a = b", value=-0.0005)
@example(label="big", value=34359738368.1875)
@example(label="  ", value=0.0)
@example(label="''", value=1e12)
def test_any_label_and_value_round_trip(label, value):
    item = plugin_output.perf_item(label, value, "%", {"warn": "80", "crit": "@1:2"})
    parsed = plugin_output.perfdata(f"'x'=1 {item} 'y'=2")
    assert [p.label for p in parsed][0] == "x" and parsed[-1].label == "y"
    (perf,) = parsed[1:-1]
    assert perf.label == " ".join(label.replace("=", "_").split())
    assert perf.value == pytest.approx(value, abs=1e-3)  # 3 decimals, rounded
    assert perf.limits == {"warn": "80", "crit": "@1:2"}


def test_every_phrase_of_inspect_check_has_a_chinese_translation():
    import ast
    import re

    source = (ROOT / "flows" / "check.py").read_text()
    templates = {
        node.args[0].value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "phrase"
    }
    catalog = (ROOT / "core/locale/zh_CN/LC_MESSAGES/check_cmd.po").read_text()
    entries = {}
    for block in catalog.split("\n\n"):
        msgid, _, msgstr = block.partition("msgstr ")
        key = "".join(re.findall(r'"(.*)"', msgid.split("msgid ", 1)[-1]))
        entries[key] = "".join(re.findall(r'"(.*)"', msgstr))
    assert templates and templates <= set(entries)
    for template in templates:
        assert entries[template], template
        assert set(re.findall(r"{(\w+)}", entries[template])) == set(
            re.findall(r"{(\w+)}", template)
        ), template
