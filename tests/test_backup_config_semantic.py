"""Semantic diffs with hier-config on the recorded before/after pairs."""

from __future__ import annotations

from pathlib import Path

import pytest

from backup.config import MODELS, normalise, semantic_diff, supports

FIXTURES = Path(__file__).parent / "fixtures" / "configs"
KEY = b"test-mask-key"


def pair(platform: str, before: str, after: str, mask: bool = True) -> tuple[str, str]:
    return tuple(
        normalise(platform, (FIXTURES / name).read_text(), mask, KEY) for name in (before, after)
    )


def test_noise_only_ios_pair_has_no_semantic_change():
    before, after = pair(
        "cisco_ios",
        "cisco_ios/csr1000v_before-startup-config.txt",
        "cisco_ios/csr1000v_after-running-config.txt",
    )
    assert before == after
    assert semantic_diff("cisco_ios", before, after).empty


def test_comware_pair_names_changed_sections_and_undo_commands():
    before, after = pair(
        "hp_comware",
        "hp_comware/comware7.1.045_irf_NTC123456_before.txt",
        "hp_comware/comware7.1.045_irf_NTC123456_after.txt",
        mask=False,
    )
    diff = semantic_diff("hp_comware", before, after)
    assert diff.added == () and diff.removed == ()
    assert "vlan 101" in diff.changed
    assert "hwtacacs scheme NTC-HWTACACS-Scheme" in diff.changed
    remediation = [line.strip() for line in diff.remediation]
    vlan = diff.remediation.index("vlan 101")
    assert diff.remediation[vlan + 1 : vlan + 3] == (
        "  undo name Test-Vlan-101",
        "  undo description Test Vlan 101",
    )
    assert "undo ntp-service unicast-server ntp.example.com vpn-instance internal" in remediation
    assert "key authentication cipher <REDACTED>" in remediation


def test_masked_secret_rotation_shows_in_remediation_without_the_secret():
    before, after = pair(
        "hp_comware",
        "hp_comware/comware7.1.045_irf_NTC123456_before.txt",
        "hp_comware/comware7.1.045_irf_NTC123456_after.txt",
    )
    diff = semantic_diff("hp_comware", before, after)
    text = "\n".join(diff.remediation)
    assert "$c$3$" not in text and "<REDACTED>" not in text
    assert "undo key authentication cipher <secret:" in text
    assert "local-user NTC-Admin class manage" in diff.changed


def test_junos_pair_reports_the_added_archival_section_as_set_commands():
    before, after = pair(
        "juniper_junos",
        "juniper_junos/srx300_22.4_before.conf",
        "juniper_junos/srx300_22.4_after.conf",
    )
    diff = semantic_diff("juniper_junos", before, after)
    assert diff.added == ("system archival",)
    assert diff.removed == () and diff.changed == ()
    assert diff.remediation[0] == "set system archival configuration transfer-on-commit"
    assert len(diff.remediation) == 3
    assert all(line.startswith("set system archival configuration") for line in diff.remediation)
    assert "CorrectHorseBattery" not in "\n".join(diff.remediation)


def test_ios_sections_added_removed_and_changed():
    before = (
        "hostname r1\n!\ninterface Gi1\n description a\n!\n"
        "router ospf 1\n network 10.0.0.0 0.0.0.255 area 0\n!\n"
    )
    after = (
        "hostname r1\n!\ninterface Gi1\n description b\n!\nip route 0.0.0.0 0.0.0.0 10.0.0.1\n!\n"
    )
    diff = semantic_diff("cisco_ios", before, after)
    assert diff.added == ("ip route 0.0.0.0 0.0.0.0 10.0.0.1",)
    assert diff.removed == ("router ospf 1",)
    assert diff.changed == ("interface Gi1",)
    assert "no router ospf 1" in diff.remediation
    assert diff.remediation[diff.remediation.index("interface Gi1") + 1] == "  description b"


def test_comware_banner_counts_as_one_changed_section():
    before, _ = pair(
        "hp_comware",
        "hp_comware/comware7.1.045_irf_NTC123456_before.txt",
        "hp_comware/comware7.1.045_irf_NTC123456_after.txt",
    )
    after = before.replace("STRICTLY PROHIBITED", "PROHIBITED")
    diff = semantic_diff("hp_comware", before, after)
    assert diff.changed == ("header motd %",)


@pytest.mark.parametrize("platform", sorted(MODELS))
def test_every_platform_model_is_backed_by_hier_config(platform):
    assert supports(platform)
    assert semantic_diff(platform, "", "").empty


def test_netmiko_aliases_share_their_platform_model():
    before = "#\nsysname a\n#\nvlan batch 10\n#\nreturn\n"
    after = "#\nsysname a\n#\nvlan batch 10 20\n#\nreturn\n"
    assert semantic_diff("huawei_vrpv8", before, after) == semantic_diff("huawei", before, after)
    assert semantic_diff("huawei_vrpv8", before, after).added == ("vlan batch 10 20",)


def test_junos_display_set_output_diffs_as_delete_and_set_commands():
    raw = (FIXTURES / "juniper_junos/vmx_18.2R1.9_nyc-rtr-01.set").read_text()
    before = normalise("juniper_junos", raw, True, KEY)
    after = before.replace(
        "set interfaces ge-0/0/1 unit 0 family inet address 10.10.0.25/30",
        "set interfaces ge-0/0/1 unit 0 family inet address 10.10.0.29/30",
    )
    diff = semantic_diff("juniper_junos", before, after)
    assert diff.changed == ("interfaces ge-0/0/1",)
    assert diff.added == () and diff.removed == ()
    assert set(diff.remediation) == {
        "delete interfaces ge-0/0/1 unit 0 family inet address 10.10.0.25/30",
        "set interfaces ge-0/0/1 unit 0 family inet address 10.10.0.29/30",
    }
