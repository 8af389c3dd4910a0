"""Offsite copies over SFTP to a real OpenSSH sshd (the `sshd_server` session fixture)."""

from __future__ import annotations

import hashlib
import pwd
import shutil
import sqlite3
from pathlib import Path

import pytest
import yaml

from records import open_store
from records.backups import BackupStore
from tests.test_backup_db import inspect

# The fixture lives in tests/services/sshd.py (the SSH collector's); this module runs with it.


@pytest.fixture
def remote_dir(sshd_server, tmp_path):
    """A directory in the test user's home, where the SFTP login may write."""
    home = Path(pwd.getpwnam(sshd_server.username).pw_dir)
    directory = home / f"offsite-{tmp_path.name}"
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def setup(tmp_path: Path, offsite: dict) -> tuple[str, str]:
    conn = sqlite3.connect(tmp_path / "app.db")
    conn.execute("CREATE TABLE t (x)")
    conn.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(50)])
    conn.commit()
    conn.close()
    entry = {"engine": "sqlite", "path": "app.db", "destination": "backups", "offsite": offsite}
    inv = tmp_path / "inventory.yaml"
    inv.write_text(yaml.safe_dump({"databases": {"app": entry}}))
    return str(inv), f"sqlite:///{tmp_path / 'records.db'}"


def key_auth(server, directory: Path, **overrides) -> dict:
    return {
        "host": server.host,
        "port": server.port,
        "username": server.username,
        "key_file": str(server.key_path),
        "known_hosts": str(server.known_hosts),
        "directory": str(directory),
    } | overrides


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_backup_is_copied_offsite_and_checked(sshd_server, remote_dir, tmp_path):
    inv, db = setup(tmp_path, key_auth(sshd_server, remote_dir))
    code, out = inspect("backup", "run", "-i", inv, "--db", db)
    assert code == 0, out
    assert "copied offsite" in out
    (record,) = BackupStore(open_store(db).engine).backups()
    local = Path(record.path)
    remote = remote_dir / local.name
    assert sha256(remote) == record.sha256
    assert sha256(remote_dir / f"{local.name}.manifest.json") == sha256(
        Path(f"{local}.manifest.json")
    )
    assert remote.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in remote_dir.iterdir() if p.name.endswith(".partial")] == []
    code, out = inspect("backup", "show", "app", "--db", db)
    assert "offsite  " in out and "sha256 matches" in out


def test_password_auth_from_a_credential_reference(sshd_server, remote_dir, tmp_path):
    offsite = key_auth(sshd_server, remote_dir, password=f"env:{sshd_server.password_env}")
    del offsite["key_file"]
    inv, db = setup(tmp_path, offsite)
    code, out = inspect("backup", "run", "-i", inv, "--db", db)
    assert code == 0, out
    assert len(list(remote_dir.glob("app-*.sqlite.gz"))) == 1


def test_an_unknown_host_key_refuses_the_copy(sshd_server, remote_dir, tmp_path):
    from tests.services.sshd import keygen

    keygen(tmp_path / "other_host_key")
    other = (tmp_path / "other_host_key.pub").read_text().split()[:2]
    stranger = tmp_path / "known_hosts"
    stranger.write_text(f"[127.0.0.1]:{sshd_server.port} {' '.join(other)}\n")
    inv, db = setup(tmp_path, key_auth(sshd_server, remote_dir, known_hosts=str(stranger)))
    code, out = inspect("backup", "run", "-i", inv, "--db", db)
    assert code == 2
    assert "OFFSITE FAILED" in out and "host key" in out
    assert not remote_dir.exists()
    (record,) = BackupStore(open_store(db).engine).backups()
    assert record.ok  # the local backup stands; only the second copy is missing


def test_a_copy_whose_bytes_changed_is_not_given_the_final_name(sshd_server, remote_dir, tmp_path):
    inv, db = setup(tmp_path, key_auth(sshd_server, remote_dir))
    assert inspect("backup", "run", "-i", inv, "--db", db)[0] == 0
    (record,) = BackupStore(open_store(db).engine).backups()
    remote = remote_dir / Path(record.path).name
    remote.unlink()
    local = Path(record.path)
    data = bytearray(local.read_bytes())
    data[len(data) // 2] ^= 0xFF
    local.write_bytes(bytes(data))  # bit rot on the backup disk after the backup was made

    code, out = inspect("backup", "copy", record.id, "-i", inv, "--db", db)
    assert code == 2
    assert "sha256 after upload" in out
    assert not remote.exists()
    assert [p.name for p in remote_dir.iterdir() if p.name.endswith(".partial")] == []
