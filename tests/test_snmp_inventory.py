"""Inventory keys of network devices: snmp v2c/v3 and important interfaces."""

import textwrap

import pytest

import collectors
from core.errors import UserError
from core.inventory import load

EXAMPLE = """\
groups:
  access:
    kind: switch
    snmp: {version: 2c, community: env:SNMP_RO}
    interfaces: {description_pattern: "(?i)uplink|core"}
hosts:
  sw-access-1:
    address: 10.0.1.2
    groups: [access]
    interfaces: {important: [Gi0/49, Gi0/50]}
  rt-edge-1:
    kind: router
    address: 10.0.0.1
    snmp:
      version: "3"
      username: inspect
      auth_protocol: SHA256
      auth_key: env:SNMP_AUTH
      priv_protocol: AES
      priv_key: env:SNMP_PRIV
"""


def load_text(tmp_path, text):
    path = tmp_path / "inventory.yaml"
    path.write_text(textwrap.dedent(text))
    return load(path)


def test_snmp_and_important_interfaces_merge(tmp_path, monkeypatch):
    for name in ("SNMP_RO", "SNMP_AUTH", "SNMP_PRIV"):
        monkeypatch.setenv(name, "x" * 8)  # a v3 key has at least 8 characters
    inventory = load_text(tmp_path, EXAMPLE)
    switch, router = inventory.targets
    assert switch.interfaces == {
        "description_pattern": "(?i)uplink|core",
        "important": ["Gi0/49", "Gi0/50"],
    }
    assert switch.snmp["community"] == "env:SNMP_RO"
    assert router.snmp["auth_protocol"] == "SHA256" and router.interfaces is None
    assert collectors.default_names(switch) == collectors.default_names(router) == ("snmp",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "hosts:\n  sw:\n    interfaces: {description_pattern: 'uplink(('}\n",
            "inventory.yaml:3: hosts.sw.interfaces.description_pattern: not a valid regular "
            "expression",
        ),
        (
            "hosts:\n  sw:\n    interfaces: {importent: [Gi0/1]}\n",
            "inventory.yaml:3: hosts.sw.interfaces.importent: unknown key",
        ),
        (
            "hosts:\n  sw:\n    snmp: {version: '3', auth_protocol: SHA1}\n",
            "inventory.yaml:3: hosts.sw.snmp.auth_protocol: expected",
        ),
    ],
)
def test_bad_network_keys_name_file_and_line(tmp_path, text, message):
    with pytest.raises(UserError) as caught:
        load_text(tmp_path, text)
    assert str(caught.value).startswith(message)
