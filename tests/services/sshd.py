"""OpenSSH sshd on 127.0.0.1 with its own config, host key and authorized_keys.

Key auth and password auth for a real local user (`opsinspect-test`, created once, password
set per session). Reusable: `sshd_server` (session) for tests, `start_sshd()` for anything
that needs another instance (a changed host key, the fleet benchmark).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.services import free_port, missing, port_open, wait_until

SSHD = "/usr/sbin/sshd"
TEST_USER = "opsinspect-test"
PASSWORD_ENV = "OPSINSPECT_TEST_SSH_PASSWORD"


@dataclass(frozen=True)
class SshServer:
    """What a test needs to reach the server. The password itself lives in `password_env`."""

    host: str
    port: int
    username: str
    key_path: Path
    password_env: str
    known_hosts: Path
    host_public_key: str
    workdir: Path
    pid: int

    def inventory_ssh(self, **overrides: object) -> dict:
        """An inventory `ssh:` section for key auth, trusting this server's host key."""
        section = {
            "port": self.port,
            "username": self.username,
            "key_file": str(self.key_path),
            "known_hosts": str(self.known_hosts),
            "use_agent": False,
        }
        section.update(overrides)
        return section

    def stop(self) -> None:
        try:
            os.kill(self.pid, 15)
        except ProcessLookupError:
            return
        wait_until(lambda: not _alive(self.pid), 10, "sshd to stop")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # reap our own child so it does not linger as a zombie
        return os.waitpid(pid, os.WNOHANG) == (0, 0)
    except ChildProcessError:
        return True


PASSWORD_FILE = Path("/var/lib/opsinspect-test/password")


def machine_password() -> str:
    """One random password per machine (root-only file), so test sessions that run at the
    same time do not change the shared local user's password under each other."""
    PASSWORD_FILE.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        with open(PASSWORD_FILE, "x", encoding="ascii") as file:
            os.fchmod(file.fileno(), 0o600)
            file.write(secrets.token_urlsafe(18))
    except FileExistsError:
        pass
    return PASSWORD_FILE.read_text(encoding="ascii").strip()


def ensure_test_user(password: str) -> None:
    """Create the local user once (idempotent) and give it this session's password."""
    if os.geteuid() != 0:
        missing("root (the sshd fixture creates the local user opsinspect-test)")
    if subprocess.run(["id", TEST_USER], capture_output=True).returncode != 0:
        subprocess.run(
            ["useradd", "--create-home", "--shell", "/bin/sh", TEST_USER],
            check=True,
            capture_output=True,
        )
    subprocess.run(
        ["chpasswd"], input=f"{TEST_USER}:{password}\n", text=True, check=True, capture_output=True
    )


def new_workdir() -> Path:
    """A directory the test user may traverse: sshd reads authorized_keys as that user."""
    workdir = Path(tempfile.mkdtemp(prefix="opsinspect-sshd-"))
    workdir.chmod(0o755)
    return workdir


def keygen(path: Path, kind: str = "ed25519") -> None:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", "opsinspect-test", "-f", str(path)],
        check=True,
    )


def start_sshd(
    workdir: Path,
    *,
    host_key: Path | None = None,
    port: int | None = None,
    user_key: Path | None = None,
    password_env: str = PASSWORD_ENV,
    extra_config: Sequence[str] = (),
) -> SshServer:
    """Start one sshd in `workdir` (from new_workdir(); host and user keys made there unless
    given). The caller stops it with .stop()."""
    if not os.access(SSHD, os.X_OK) or not shutil.which("ssh-keygen"):
        missing("OpenSSH server (/usr/sbin/sshd, apt openssh-server)")
    workdir.mkdir(parents=True, exist_ok=True)
    os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
    if host_key is None:
        host_key = workdir / "ssh_host_ed25519_key"
        if not host_key.exists():
            keygen(host_key)
    if user_key is None:
        user_key = workdir / "id_ed25519"
        if not user_key.exists():
            keygen(user_key)
    authorized = workdir / "authorized_keys"
    authorized.write_text(Path(f"{user_key}.pub").read_text())
    authorized.chmod(0o644)
    port = port or free_port()
    config = workdir / "sshd_config"
    config.write_text(
        "\n".join(
            [
                "ListenAddress 127.0.0.1",
                f"Port {port}",
                f"HostKey {host_key}",
                f"PidFile {workdir / 'sshd.pid'}",
                f"AuthorizedKeysFile {authorized}",
                "StrictModes no",
                "PubkeyAuthentication yes",
                "PasswordAuthentication yes",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                "UseDNS no",
                "PermitRootLogin prohibit-password",
                "MaxStartups 200:30:400",
                "MaxSessions 64",
                "LogLevel ERROR",
                "Subsystem sftp internal-sftp",
                *extra_config,
            ]
        )
        + "\n"
    )
    log = (workdir / "sshd.log").open("ab")
    proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stdout=log, stderr=log)
    try:
        wait_until(lambda: port_open(port) or proc.poll() is not None, 10, "sshd")
    finally:
        log.close()
    if proc.poll() is not None:
        raise RuntimeError(f"sshd exited: {(workdir / 'sshd.log').read_text()[-500:]}")
    public = Path(f"{host_key}.pub").read_text().split()
    known_hosts = workdir / "known_hosts"
    known_hosts.write_text(f"[127.0.0.1]:{port} {public[0]} {public[1]}\n")
    return SshServer(
        host="127.0.0.1",
        port=port,
        username=TEST_USER,
        key_path=user_key,
        password_env=password_env,
        known_hosts=known_hosts,
        host_public_key=f"{public[0]} {public[1]}",
        workdir=workdir,
        pid=proc.pid,
    )


@pytest.fixture(scope="session")
def sshd_server() -> Iterator[SshServer]:
    """One sshd for the session; the test user's password is in $OPSINSPECT_TEST_SSH_PASSWORD."""
    if not os.access(SSHD, os.X_OK):
        missing("OpenSSH server (/usr/sbin/sshd, apt openssh-server)")
    password = machine_password()
    ensure_test_user(password)
    os.environ[PASSWORD_ENV] = password
    workdir = new_workdir()
    server = start_sshd(workdir)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
