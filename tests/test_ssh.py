"""The SSH collector and the runner against a real OpenSSH sshd and a tarpit on 127.0.0.1."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import psutil
import pytest
import yaml
from click.testing import CliRunner

from cli.main import cli
from collectors.local import LocalCollector
from collectors.session import Session
from collectors.ssh import SshCollector
from collectors.ssh_hostkeys import own_known_hosts
from core.errors import UserError
from core.model import SshSettings, Target
from core.status import Status
from flows.inspect import RunOptions, inspect
from settings import inventory as inventory_loader
from tests.services.sshd import keygen, new_workdir, start_sshd


def write_inventory(path: Path, hosts: dict, profiles: dict | None = None) -> Path:
    path.write_text(yaml.safe_dump({"hosts": hosts, "profiles": profiles or {}}))
    return path


def run_cli(inventory: Path, *extra: str) -> tuple[int, dict]:
    result = CliRunner().invoke(
        cli,
        ["run", "-i", str(inventory), "--no-store", "-f", "json", "--timeout", "15", *extra],
        catch_exceptions=False,
    )
    return result.exit_code, json.loads(result.output)


def reachability(report: dict, target: str) -> list[dict]:
    return [f for f in report["findings"] if f["target"] == target and f["check"] == "reachability"]


def run_api(tmp_path: Path, hosts: dict, profiles: dict | None = None, **options):
    inv = inventory_loader.load(write_inventory(tmp_path / "inventory.yaml", hosts, profiles))
    return inspect(inv, inv.targets, RunOptions(**options))


def test_key_auth_inspects_the_host(tmp_path, sshd_server):
    inv = write_inventory(
        tmp_path / "inv.yaml",
        {"web1": {"address": "127.0.0.1", "ssh": sshd_server.inventory_ssh()}},
    )
    code, report = run_cli(inv)
    assert reachability(report, "web1") == []
    checks = {f["check"] for f in report["findings"] if f["target"] == "web1"}
    assert {"cpu", "load", "memory", "disk", "inodes", "zombies"} <= checks
    assert code == max((Status[f["status"]] for f in report["findings"]), key=int)


def test_password_auth_from_an_env_reference(tmp_path, sshd_server):
    ssh = sshd_server.inventory_ssh(password=f"env:{sshd_server.password_env}")
    del ssh["key_file"]
    inv = write_inventory(tmp_path / "inv.yaml", {"db1": {"address": "127.0.0.1", "ssh": ssh}})
    _, report = run_cli(inv)
    assert reachability(report, "db1") == []
    assert any(f["check"] == "memory" for f in report["findings"])


def test_wrong_password_is_one_unknown_auth_failed_without_retry(
    tmp_path, sshd_server, monkeypatch
):
    monkeypatch.setenv("OPSINSPECT_WRONG_PASSWORD", "not-the-password-42")
    ssh = sshd_server.inventory_ssh(password="env:OPSINSPECT_WRONG_PASSWORD")
    del ssh["key_file"]
    inv = write_inventory(tmp_path / "inv.yaml", {"db1": {"address": "127.0.0.1", "ssh": ssh}})
    code, report = run_cli(inv)
    assert code == Status.UNKNOWN
    [finding] = report["findings"]
    assert finding["status"] == "UNKNOWN"
    assert finding["summary"].startswith("auth failed:")
    assert "attempts" not in finding["summary"]  # never retried: retries lock accounts
    assert "not-the-password-42" not in json.dumps(report)


def test_encrypted_key_with_a_passphrase_reference(tmp_path, sshd_server, monkeypatch):
    key = tmp_path / "id_locked"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "s3cret-phrase", "-f", str(key)], check=True
    )
    authorized = sshd_server.workdir / "authorized_keys"
    original = authorized.read_text()
    authorized.write_text(original + Path(f"{key}.pub").read_text())
    monkeypatch.setenv("OPSINSPECT_KEY_PHRASE", "s3cret-phrase")
    try:
        ssh = sshd_server.inventory_ssh(key_file=str(key), passphrase="env:OPSINSPECT_KEY_PHRASE")
        run = run_api(tmp_path, {"app1": {"address": "127.0.0.1", "ssh": ssh}})
    finally:
        authorized.write_text(original)
    assert [f for f in run.findings if f.check == "reachability"] == []
    assert any(s.metric == "memory.total" for s in run.samples)


def test_values_match_this_machine(tmp_path, sshd_server):
    marker = subprocess.Popen(["sleep", "3599.25"])
    try:
        profiles = {
            "marked": {"processes": [{"subject": "marker", "cmdline": r"^sleep 3599\.25$"}]}
        }
        host = {"address": "127.0.0.1", "ssh": sshd_server.inventory_ssh(), "profile": "marked"}
        run = run_api(tmp_path, {"self": host}, profiles)
    finally:
        marker.kill()
        marker.wait()
    got = {
        (s.metric, s.labels.get("mount", s.labels.get("process", ""))): s.value for s in run.samples
    }
    root = os.statvfs("/")
    assert got[("memory.total", "")] == psutil.virtual_memory().total
    assert got[("disk.total", "/")] == root.f_blocks * root.f_frsize
    assert got[("disk.inodes_total", "/")] == root.f_files
    assert got[("cpu.count", "")] == psutil.cpu_count()
    assert got[("system.boot_time", "")] == psutil.boot_time()
    assert got[("process.count", "marker")] == 1
    ports = {
        (s.labels["address"], s.labels["port"]) for s in run.samples if s.metric == "port.listening"
    }
    assert ("127.0.0.1", str(sshd_server.port)) in ports


def test_same_metrics_and_labels_as_the_local_collector(sshd_server):
    target = Target("self", address="127.0.0.1", ssh=SshSettings(**sshd_server.inventory_ssh()))
    remote = SshCollector().collect(target, Session())
    local = list(LocalCollector().collect(target, Session()))

    def shape(samples):
        return {
            (s.metric, s.unit, tuple(sorted(s.labels)))
            for s in samples
            if s.metric != "port.listening"
        }

    def subjects(samples, key):
        return {s.labels[key] for s in samples if key in s.labels}

    assert shape(remote) == shape(local)
    for key in ("mount", "device", "fstype", "interface", "cpu"):
        assert subjects(remote, key) == subjects(local, key), key


def test_jump_host_reaches_the_target_through_a_channel(tmp_path, sshd_server):
    ssh = sshd_server.inventory_ssh(
        jump_host=f"{sshd_server.username}@127.0.0.1:{sshd_server.port}"
    )
    run = run_api(tmp_path, {"behind": {"address": "127.0.0.1", "ssh": ssh}})
    assert [f for f in run.findings if f.check == "reachability"] == []
    assert any(s.metric == "memory.total" for s in run.samples)


def test_unknown_host_key_is_refused_in_strict_mode(tmp_path, sshd_server):
    ssh = sshd_server.inventory_ssh()
    del ssh["known_hosts"]
    run = run_api(tmp_path, {"new": {"address": "127.0.0.1", "ssh": ssh}})
    [finding] = run.findings
    assert finding.status == Status.UNKNOWN
    assert str(finding.summary).startswith("host key unknown:")
    assert not own_known_hosts().exists()  # strict never records


def test_tofu_records_then_a_changed_key_is_critical(tmp_path, sshd_server):
    workdir = new_workdir()
    first = start_sshd(workdir, user_key=sshd_server.key_path)
    ssh = sshd_server.inventory_ssh(port=first.port, host_key_policy="tofu")
    del ssh["known_hosts"]
    hosts = {"reinstalled": {"address": "127.0.0.1", "ssh": ssh}}
    try:
        run = run_api(tmp_path, hosts)
        assert [f for f in run.findings if f.check == "reachability"] == []
        recorded = own_known_hosts().read_text()
        assert recorded == f"[127.0.0.1]:{first.port} {first.host_public_key}\n"
        again = run_api(tmp_path, hosts)  # the recorded key is trusted from now on
        assert [f for f in again.findings if f.check == "reachability"] == []
    finally:
        first.stop()
    new_key = tmp_path / "new_host_key"
    keygen(new_key)
    second = start_sshd(workdir, host_key=new_key, port=first.port, user_key=sshd_server.key_path)
    try:
        run = run_api(tmp_path, hosts)
    finally:
        second.stop()
        shutil.rmtree(workdir)
    [finding] = run.findings
    assert finding.status == Status.CRITICAL
    assert str(finding.summary).startswith("host key changed:")
    assert "connection refused" in str(finding.summary)
    assert run.samples == ()
    assert own_known_hosts().read_text() == recorded  # never silently replaced


def test_tarpit_costs_only_its_own_deadline(tmp_path, sshd_server, tarpit):
    hosts = {
        "hung": {"address": tarpit.host, "ssh": sshd_server.inventory_ssh(port=tarpit.port)},
        "live": {"address": "127.0.0.1", "ssh": sshd_server.inventory_ssh()},
    }
    started = time.monotonic()
    run = run_api(tmp_path, hosts, timeout=3.0)
    elapsed = time.monotonic() - started
    assert elapsed < 3.0 + 1.0
    [hung] = [f for f in run.findings if f.target == "hung"]
    assert hung.status == Status.UNKNOWN
    assert str(hung.summary).startswith("timeout:")
    assert "no SSH banner" in str(hung.summary)
    assert any(s.target == "live" and s.metric == "memory.total" for s in run.samples)
    assert not [f for f in run.findings if f.target == "live" and f.check == "reachability"]


def test_closed_port_is_refused_after_quick_retries(tmp_path, sshd_server):
    from tests.services import free_port

    port = free_port()
    run = run_api(
        tmp_path, {"down": {"address": "127.0.0.1", "ssh": sshd_server.inventory_ssh(port=port)}}
    )
    [finding] = run.findings
    assert finding.status == Status.UNKNOWN
    assert str(finding.summary).startswith("refused:")
    assert finding.evidence["attempts"] == 3  # refused is transient: 1 try + 2 retries


def test_bad_jump_host_is_a_config_error_with_line(tmp_path):
    inv = write_inventory(tmp_path / "inv.yaml", {"x": {"ssh": {"jump_host": "a b:c"}}})
    with pytest.raises(
        UserError, match=r"inv\.yaml:\d+: hosts\.x\.ssh\.jump_host: expected a jump"
    ):
        inventory_loader.load(inv)


def test_a_broken_known_hosts_file_is_named(tmp_path, sshd_server):
    broken = tmp_path / "known_hosts"
    broken.write_text(f"[127.0.0.1]:{sshd_server.port} ssh-ed25519 !!!notbase64\n")
    ssh = sshd_server.inventory_ssh(known_hosts=str(broken))
    run = run_api(tmp_path, {"web1": {"address": "127.0.0.1", "ssh": ssh}})
    [finding] = run.findings
    assert finding.status == Status.UNKNOWN
    assert str(finding.summary).startswith(f"host key unknown: cannot read {broken}:")


def test_servers_with_an_ssh_section_get_the_ssh_collector(tmp_path):
    import collectors

    inv = write_inventory(
        tmp_path / "inv.yaml",
        {"web1": {"address": "10.0.0.5", "ssh": {}}, "here": {"address": "localhost"}},
    )
    by_name = {t.name: collectors.default_names(t) for t in inventory_loader.load(inv).targets}
    assert by_name == {"web1": ("ssh",), "here": ("local",)}


@pytest.fixture
def two_key_sshd(sshd_server):
    """An sshd with an RSA and an ed25519 host key, like most installed servers."""
    workdir = new_workdir()
    keygen(workdir / "ssh_host_rsa_key", "rsa")
    server = start_sshd(
        workdir,
        user_key=sshd_server.key_path,
        extra_config=(f"HostKey {workdir / 'ssh_host_rsa_key'}",),
    )
    yield server, Path(f"{workdir / 'ssh_host_rsa_key'}.pub").read_text().split()[:2]
    server.stop()
    shutil.rmtree(workdir)


@pytest.mark.parametrize("recorded", [("rsa", "ed25519"), ("rsa",)])
def test_the_cheapest_recorded_host_key_type_is_asked_for(tmp_path, two_key_sshd, recorded):
    """ed25519 costs the server far less to sign with than RSA: ask for it whenever
    known_hosts has it, whatever its line order; with only RSA recorded, RSA still works."""
    from collectors.ssh import connect, endpoint
    from collectors.ssh_wire import tcp_connect

    server, rsa = two_key_sshd
    lines = {"rsa": " ".join(rsa), "ed25519": server.host_public_key}
    known = tmp_path / "known_hosts"
    known.write_text("".join(f"[127.0.0.1]:{server.port} {lines[k]}\n" for k in recorded))
    spec = SshSettings(**server.inventory_ssh(known_hosts=str(known)))
    target = Target(name="two-keys", address="127.0.0.1")
    where = endpoint(target, spec)
    client = connect(where, spec, Session(), tcp_connect(target, where.address, where.port, 5))
    try:
        offered = client.get_transport().get_remote_server_key().get_name()
    finally:
        client.close()
    assert offered == ("ssh-ed25519" if "ed25519" in recorded else "ssh-rsa")


def test_known_hosts_edited_between_runs_is_honoured(tmp_path, sshd_server):
    """Parsed known_hosts files are reused within a process (an agent runs for months):
    an edited file must still take effect at the next run."""
    known = tmp_path / "known_hosts"
    known.write_text(sshd_server.known_hosts.read_text())
    ssh = sshd_server.inventory_ssh(known_hosts=str(known))
    hosts = {"web1": {"address": "127.0.0.1", "ssh": ssh}}
    assert reachability_findings(run_api(tmp_path, hosts)) == []
    other = tmp_path / "other_key"
    keygen(other)
    public = Path(f"{other}.pub").read_text().split()
    known.write_text(f"[127.0.0.1]:{sshd_server.port} {public[0]} {public[1]}\n")
    [finding] = reachability_findings(run_api(tmp_path, hosts))
    assert finding.status == Status.CRITICAL
    assert str(finding.summary).startswith("host key changed:")


def reachability_findings(run) -> list:
    return [f for f in run.findings if f.check == "reachability"]
