"""Credentials that cannot work are refused at load with file:line, never showing a secret."""

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from cli.main import cli
from core.errors import UserError
from core.inventory import load

ROOT = Path(__file__).resolve().parents[1]
SHORT = "short7!"  # 7 characters: below the SNMPv3 minimum of 8


def write(tmp_path, text):
    path = tmp_path / "inventory.yaml"
    path.write_text(text)
    return path


def error_of(tmp_path, text):
    with pytest.raises(UserError) as caught:
        load(write(tmp_path, text))
    return str(caught.value)


FORMATS = {
    "openssh": serialization.PrivateFormat.OpenSSH,
    "pkcs8": serialization.PrivateFormat.PKCS8,
    "pem": serialization.PrivateFormat.TraditionalOpenSSL,
}


def key_file(tmp_path, name, password=None, form="openssh"):
    """A private key file as ssh-keygen writes them, encrypted when a password is given."""
    key = ec.generate_private_key(ec.SECP256R1())
    encryption = (
        serialization.BestAvailableEncryption(password.encode())
        if password
        else serialization.NoEncryption()
    )
    path = tmp_path / name
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, FORMATS[form], encryption))
    return path


@pytest.fixture
def v3_keys(monkeypatch, tmp_path):
    monkeypatch.setenv("V3_SHORT", SHORT)
    monkeypatch.setenv("V3_GOOD", "long-enough-key")
    (tmp_path / "short.key").write_text(SHORT + "\n")


V3 = "hosts:\n  sw1:\n    kind: switch\n    snmp:\n      version: '3'\n      username: ops\n"


@pytest.mark.parametrize(
    ("snmp", "message"),
    [
        pytest.param(
            "      auth_key: env:V3_SHORT\n",
            "inventory.yaml:7: hosts.sw1.snmp.auth_key: the key behind env:V3_SHORT is shorter "
            "than 8 bytes",
            id="short-auth-env",
        ),
        pytest.param(
            "      auth_key: env:V3_GOOD\n      priv_key: file:{tmp}/short.key\n",
            "inventory.yaml:8: hosts.sw1.snmp.priv_key: the key behind file:",
            id="short-priv-file",
        ),
        pytest.param(
            "      priv_key: env:V3_GOOD\n",
            "inventory.yaml:7: hosts.sw1.snmp.priv_key: a privacy key needs snmp.auth_key",
            id="priv-without-auth",
        ),
        pytest.param(
            "      auth_key: env:V3_GOOD\n      auth_protocol: SHA1\n",
            "inventory.yaml:8: hosts.sw1.snmp.auth_protocol: expected 'MD5', 'SHA'",
            id="unknown-protocol",
        ),
    ],
)
def test_snmp_v3_settings_an_agent_would_refuse(tmp_path, v3_keys, snmp, message):
    error = error_of(tmp_path, V3 + snmp.format(tmp=tmp_path))
    assert error.startswith(message)
    assert SHORT not in error and "long-enough-key" not in error


def test_a_short_key_set_by_a_group_points_at_the_group(tmp_path, v3_keys):
    text = (
        "groups:\n  core:\n    snmp: {version: '3', username: ops, auth_key: env:V3_SHORT}\n"
        "hosts:\n  sw1: {kind: switch, groups: [core]}\n"
    )
    assert error_of(tmp_path, text).startswith("inventory.yaml:3: groups.core.snmp.auth_key:")


def test_v3_without_a_user_is_refused(tmp_path):
    text = "hosts:\n  sw1:\n    snmp: {version: '3'}\n"
    assert error_of(tmp_path, text).startswith(
        "inventory.yaml:3: hosts.sw1.snmp.version: SNMP v3 needs snmp.username"
    )


def test_an_unquoted_version_gets_a_hint(tmp_path):
    assert error_of(tmp_path, "hosts:\n  sw1:\n    snmp: {version: 3}\n").endswith(
        "hosts.sw1.snmp.version: expected '1', '2c' or '3', got 3 (quote it: '3')"
    )


def test_good_v3_and_keyring_keys_load(tmp_path, v3_keys):
    path = write(tmp_path, V3 + "      auth_key: env:V3_GOOD\n      priv_key: keyring:snmp/ops\n")
    (target,) = load(path).targets
    assert target.snmp["auth_key"] == "env:V3_GOOD"


@pytest.mark.parametrize("form", FORMATS)
def test_an_encrypted_ssh_key_without_passphrase_is_refused(tmp_path, monkeypatch, form):
    key = key_file(tmp_path, "id_enc", password="correct horse", form=form)
    text = f"hosts:\n  web1:\n    ssh:\n      key_file: {key}\n"
    assert error_of(tmp_path, text) == (
        f"inventory.yaml:4: hosts.web1.ssh.key_file: key file {key} is encrypted: "
        "set ssh.passphrase (e.g. env:NAME)"
    )
    monkeypatch.setenv("KEY_PASS", "correct horse")
    load(write(tmp_path, text + "      passphrase: env:KEY_PASS\n"))


def test_an_encrypted_key_for_the_cli_transport_is_refused(tmp_path):
    key = key_file(tmp_path, "id_enc", password="x")
    text = f"hosts:\n  sw1:\n    kind: switch\n    cli: {{key_file: {key}}}\n"
    assert "is encrypted: use an unencrypted key or ssh-agent" in error_of(tmp_path, text)


def test_key_files_that_work_or_are_elsewhere_load(tmp_path):
    plain = [key_file(tmp_path, f"id_{form}", form=form) for form in ("openssh", "pem")]
    text = "hosts:\n" + "".join(
        f"  web{i}: {{ssh: {{key_file: {path}}}}}\n" for i, path in enumerate(plain)
    )
    text += "  far: {ssh: {key_file: /nonexistent/only-on-the-agent-host}}\n"
    assert len(load(write(tmp_path, text)).targets) == 3


def test_a_file_that_is_no_key_is_refused(tmp_path):
    (tmp_path / "id_pub").write_text("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 me@host\n")
    text = f"hosts:\n  web1: {{ssh: {{key_file: {tmp_path / 'id_pub'}}}}}\n"
    assert "is not a private key" in error_of(tmp_path, text)


def test_validate_shows_the_reference_never_the_secret(tmp_path, v3_keys):
    path = write(tmp_path, V3 + "      auth_key: env:V3_SHORT\n")
    result = CliRunner().invoke(cli, ["inventory", "validate", "-i", str(path)])
    assert result.exit_code == 3
    assert "env:V3_SHORT is shorter than 8 bytes" in result.stderr
    assert SHORT not in result.output + result.stderr


def test_checking_key_files_loads_no_ssh_library(tmp_path):
    """The agent's resident process loads the inventory; paramiko stays in its job children."""
    path = write(tmp_path, f"hosts:\n  web1: {{ssh: {{key_file: {key_file(tmp_path, 'id')}}}}}\n")
    probe = (
        "import sys\nfrom pathlib import Path\nfrom core.inventory import load\n"
        f"load(Path({str(path)!r}))\nprint('paramiko' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
