"""Host key trust for SSH targets: known_hosts checking (`strict`) or trust on first use (`tofu`).

A key that differs from the recorded one is never accepted (paramiko raises
BadHostKeyException before any credential is sent); these policies only decide about hosts
that no known_hosts file mentions yet.
"""

from __future__ import annotations

import threading
from pathlib import Path

from collectors.ssh_paramiko import paramiko
from core import paths
from core.errors import CollectError

SYSTEM_KNOWN_HOSTS = (Path("/etc/ssh/ssh_known_hosts"), Path("~/.ssh/known_hosts"))
_RECORD_LOCK = threading.Lock()  # one writer at a time: many targets may share an address


def own_known_hosts() -> Path:
    """The tool's own file: tofu records here, so ~/.ssh/known_hosts is never rewritten."""
    return paths.data_dir() / "known_hosts"


def trusted_files(extra: str | None) -> list[Path]:
    candidates = [*SYSTEM_KNOWN_HOSTS, own_known_hosts()]
    if extra:
        candidates.append(Path(extra))
    return [p for p in (c.expanduser() for c in candidates) if p.is_file()]


def host_name(address: str, port: int) -> str:
    """How OpenSSH names a host in known_hosts."""
    return address if port == 22 else f"[{address}]:{port}"


def describe(key: paramiko.PKey) -> str:
    return f"{key.get_name()} {key.fingerprint}"


class StrictPolicy(paramiko.MissingHostKeyPolicy):
    def missing_host_key(self, client, hostname, key) -> None:
        raise CollectError(
            "host key unknown",
            f"{hostname} offered {describe(key)}, which no known_hosts file lists; verify it "
            "and add it to known_hosts, or set ssh.host_key_policy: tofu",
        )


class TofuPolicy(paramiko.MissingHostKeyPolicy):
    """Record a first-seen key in the tool's own known_hosts (or ssh.known_hosts if set)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def missing_host_key(self, client, hostname, key) -> None:
        with _RECORD_LOCK:
            recorded = self._recorded(hostname)
            if recorded is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="ascii") as out:
                    out.write(f"{hostname} {key.get_name()} {key.get_base64()}\n")
                return
        if recorded.get(key.get_name()) != key:  # recorded by a parallel connection meanwhile
            raise paramiko.BadHostKeyException(hostname, key, next(iter(recorded.values())))

    def _recorded(self, hostname: str):
        if not self.path.is_file():
            return None
        return paramiko.HostKeys(str(self.path)).lookup(hostname)


def policy(name: str, known_hosts: str | None) -> paramiko.MissingHostKeyPolicy:
    if name == "tofu":
        return TofuPolicy(Path(known_hosts).expanduser() if known_hosts else own_known_hosts())
    return StrictPolicy()


def changed_message(exc: paramiko.BadHostKeyException) -> str:
    return (
        f"{exc.hostname} offered {describe(exc.key)} but known_hosts has "
        f"{describe(exc.expected_key)}; connection refused"
    )
