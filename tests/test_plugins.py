"""Real monitoring plugins (the monitoring-plugins package) run as checks on this machine."""

from __future__ import annotations

import json
import socket
import textwrap
import threading
import time
from datetime import UTC, datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import psutil
import pytest

import checks
from checks import CheckContext
from collectors.plugins import plugin_samples, run
from collectors.session import Session
from core import names
from core.errors import UserError
from core.model import HOST, PreviousRun, Sample, Target
from core.status import Status
from flows.inspect import inspect_target
from settings.inventory import load
from settings.profiles import PluginRule, Profile
from tests.services import free_port, require_program

PLUGINS = "/usr/lib/nagios/plugins"


@pytest.fixture(scope="module")
def plugin_dir() -> str:
    for name in ("check_disk", "check_procs", "check_tcp", "check_http"):
        require_program(f"{PLUGINS}/{name}")
    return PLUGINS


@pytest.fixture(scope="module")
def http_port(tmp_path_factory):
    root = tmp_path_factory.mktemp("www")
    (root / "index.html").write_text("<p>up</p>")
    handler = partial(SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def tcp_port():
    with socket.create_server(("127.0.0.1", 0)) as listener:
        yield listener.getsockname()[1]


def inspect_with(tmp_path, plugins: str):
    path = tmp_path / "inventory.yaml"
    path.write_text(
        "hosts:\n  localhost: {address: 127.0.0.1, kind: server}\n"
        "profiles:\n  standard:\n    plugins:\n" + textwrap.indent(plugins, "      ")
    )
    inventory = load(path)
    target = inventory.targets[0]
    result = inspect_target(inventory, target, lambda _name: PreviousRun(), 30)
    return {f.subject: f for f in result.findings if f.check == names.CHECK_PLUGIN}, result


def test_real_plugins_each_give_one_finding_and_their_perfdata(
    tmp_path, plugin_dir, http_port, tcp_port
):
    closed = free_port()
    findings, result = inspect_with(
        tmp_path,
        f"- {{name: disk_root, command: [{plugin_dir}/check_disk, -w, 1%, -c, 1%, -p, /]}}\n"
        f"- {{name: procs, command: [{plugin_dir}/check_procs, -c, '1:'], timeout: 10s}}\n"
        f"- {{name: tcp, command: [{plugin_dir}/check_tcp, -H, 127.0.0.1, -p, '{tcp_port}']}}\n"
        f"- {{name: shut, command: [{plugin_dir}/check_tcp, -H, 127.0.0.1, -p, '{closed}']}}\n"
        f"- {{name: web, command: [{plugin_dir}/check_http, -H, 127.0.0.1, -p, '{http_port}']}}\n"
        "- {name: gone, command: [/nonexistent/check_nothing]}\n"
        "- {name: crashed, command: [/bin/sh, -c, 'echo boom; exit 7']}\n",
    )
    assert set(findings) == {"disk_root", "procs", "tcp", "shut", "web", "gone", "crashed"}
    assert findings["disk_root"].status == Status.OK
    assert str(findings["disk_root"].summary).startswith("DISK OK")
    assert findings["procs"].status == Status.OK
    assert findings["tcp"].status == Status.OK
    assert str(findings["tcp"].summary).startswith("TCP OK")
    assert findings["shut"].status == Status.CRITICAL
    assert "Connection refused" in str(findings["shut"].summary)
    assert findings["web"].status == Status.OK
    assert str(findings["web"].summary).startswith("HTTP OK: HTTP/1.0 200 OK")
    assert findings["gone"].status == Status.UNKNOWN
    assert str(findings["gone"].summary) == (
        "gone: cannot run /nonexistent/check_nothing: No such file or directory"
    )
    assert findings["crashed"].status == Status.UNKNOWN
    assert str(findings["crashed"].summary) == "exit code 7: boom"
    perf = {(s.label("plugin"), s.label("label")): s for s in result.samples
            if s.metric.startswith("plugin.") and s.metric != names.PLUGIN_STATUS}
    assert perf[("disk_root", "/")].metric == names.PLUGIN_BYTES
    assert perf[("disk_root", "/")].value > 0
    assert perf[("procs", "procs")].value >= 1
    assert perf[("web", "size")].metric == names.PLUGIN_BYTES
    assert perf[("web", "size")].value > len("<p>up</p>")  # the whole answer, headers too
    assert perf[("tcp", "time")].metric == names.PLUGIN_SECONDS
    assert perf[("tcp", "time")].label("max") == "10.000000"
    status = [s for s in result.samples if s.metric == names.PLUGIN_STATUS]
    assert {s.label("plugin"): s.value for s in status}["shut"] == Status.CRITICAL
    assert all(set(s.labels) == {"plugin"} for s in status)  # no text in exported tags


def test_a_hanging_plugin_is_unknown_at_its_timeout_with_its_children_killed(tmp_path):
    began = time.monotonic()
    findings, _ = inspect_with(
        tmp_path, "- {name: hang, command: [/bin/sh, -c, 'sleep 59 & sleep 59'], timeout: 1s}\n"
    )
    assert time.monotonic() - began < 10  # the background sleep holds the pipe: killed too
    assert findings["hang"].status == Status.UNKNOWN
    assert str(findings["hang"].summary) == "hang: timed out after 1s"
    assert not _still_running(["sleep", "59"], within=1)


def test_the_output_read_is_bounded_whatever_the_plugin_writes():
    ran = run(("/bin/sh", "-c", "head -c 50000000 /dev/zero; exit 1"), 30, limit=4096)
    assert ran.exit_code == 1
    assert len(ran.output) == 4096


def test_plugins_run_on_an_ssh_target_over_its_one_connection(tmp_path, plugin_dir, sshd_server):
    path = tmp_path / "inventory.yaml"
    ssh = json.dumps(sshd_server.inventory_ssh())  # YAML reads JSON
    path.write_text(
        f"hosts:\n  web01: {{address: 127.0.0.1, ssh: {ssh}}}\n"
        "profiles:\n  standard:\n    plugins:\n"
        f"      - {{name: disk_root, command: [{plugin_dir}/check_disk, -w, 1%, -c, 1%, -p, /]}}\n"
        "      - {name: hang, command: [/bin/sleep, '61'], timeout: 1s}\n"
        "      - {name: gone, command: [/nonexistent/check it]}\n"
    )
    inventory = load(path)
    result = inspect_target(inventory, inventory.targets[0], lambda _name: PreviousRun(), 30)
    findings = {f.subject: f for f in result.findings if f.check == names.CHECK_PLUGIN}
    assert findings["disk_root"].status == Status.OK
    assert str(findings["disk_root"].summary).startswith("DISK OK")
    assert findings["hang"].status == Status.UNKNOWN
    assert str(findings["hang"].summary) == "hang: timed out after 1s"
    assert not _still_running(["/bin/sleep", "61"], within=5)  # killed on the target too
    assert findings["gone"].status == Status.UNKNOWN
    assert str(findings["gone"].summary).startswith("exit code 127: ")
    assert "/nonexistent/check it" in str(findings["gone"].summary)  # quoted: one argument
    assert any(
        s.metric == names.PLUGIN_BYTES and s.label("plugin") == "disk_root" for s in result.samples
    )


def _still_running(cmdline: list[str], within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not any(p.info["cmdline"] == cmdline for p in psutil.process_iter(["cmdline"])):
            return False
        time.sleep(0.2)
    return True


def test_a_plugin_the_target_gave_nothing_for_is_not_measured():
    profile = Profile(plugins=(PluginRule("disk_root", ("/usr/lib/nagios/plugins/check_disk",)),))
    context = CheckContext(
        profile=profile,
        families=frozenset({HOST}),
        missing={names.PLUGIN_STATUS: "the inspection ran out of time"},
    )
    findings = checks.evaluate_all(Target("web01"), [], context)
    plugin = [f for f in findings if f.check == names.CHECK_PLUGIN]
    assert [(f.status, str(f.summary)) for f in plugin] == [
        (Status.UNKNOWN, "not measured: the inspection ran out of time")
    ]


def test_a_configured_plugin_left_unrun_is_not_measured_beside_those_that_ran():
    profile = Profile(
        plugins=(PluginRule("slow", ("/bin/sleep", "60"), 30), PluginRule("after", ("/bin/true",)))
    )
    session = Session(profile=profile, deadline=time.monotonic() + 1)
    at = datetime.now(UTC)

    def sample(metric, value, unit, **labels):
        return Sample("web01", metric, value, unit, at, labels)

    samples = list(plugin_samples(sample, profile.plugins, session))
    context = CheckContext(
        profile=profile, families=frozenset({HOST}), missing=session.missing, texts=session.texts
    )
    findings = {
        f.subject: f
        for f in checks.evaluate_all(Target("web01"), samples, context)
        if f.check == names.CHECK_PLUGIN
    }
    assert str(findings["slow"].summary) == "slow: timed out after 1s"
    assert findings["after"].status == Status.UNKNOWN
    assert str(findings["after"].summary) == "not measured: the inspection ran out of time"


@pytest.mark.parametrize(
    ("entry", "error"),
    [
        ("- {name: d, command: check_disk -w 20%}",
         "inventory.yaml:6: profiles.standard.plugins.0.command: expected a list"),
        ("- {name: d, command: [check_disk, -w, 20%]}",
         "inventory.yaml:6: profiles.standard.plugins.0.command: the plugin 'check_disk' must be "
         "given by its absolute path"),
        ("- {name: d, command: []}",
         "inventory.yaml:6: profiles.standard.plugins.0.command: expected a command as a list"),
        ("- {name: d, command: [/bin/true], timeout: soon}",
         "inventory.yaml:6: profiles.standard.plugins.0.timeout: expected a duration"),
        ("- {name: d, command: [/bin/true]}\n- {name: d, command: [/bin/false]}",
         "inventory.yaml:4: profiles.standard: plugin name 'd' is given twice"),
    ],
)
def test_a_bad_plugin_entry_is_refused_at_load_with_file_and_line(tmp_path, entry, error):
    path = tmp_path / "inventory.yaml"
    path.write_text(
        "hosts:\n  localhost: {address: 127.0.0.1, kind: server}\n"
        "profiles:\n  standard:\n    plugins:\n" + textwrap.indent(entry, "      ")
    )
    with pytest.raises(UserError) as caught:
        load(path)
    assert str(caught.value).startswith(error)
