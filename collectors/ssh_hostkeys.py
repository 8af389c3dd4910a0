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
from core.model import CliSettings, SshSettings
from core.phrases import Phrase, phrase

HostKeySettings = SshSettings | CliSettings  # both say how a server's key is trusted
SYSTEM_KNOWN_HOSTS = (Path("/etc/ssh/ssh_known_hosts"), Path("~/.ssh/known_hosts"))
InvalidHostKey = paramiko.hostkeys.InvalidHostKey
_RECORD_LOCK = threading.Lock()  # one writer at a time: many targets may share an address


def own_known_hosts() -> Path:
    """The tool's own file: tofu records here, so ~/.ssh/known_hosts is never rewritten."""
    return paths.data_dir() / "known_hosts"


def trusted_files(extra: str | None) -> list[Path]:
    candidates = [*SYSTEM_KNOWN_HOSTS, own_known_hosts()]
    if extra:
        candidates.append(Path(extra))
    return [p for p in (c.expanduser() for c in candidates) if p.is_file()]


# Cheapest for the server to sign first: an ed25519 signature costs it ~0.05 ms of CPU, an
# RSA-3072 one ~2.7 ms (`openssl speed`, 2-core VM), at every connection. paramiko asks for
# the type of whichever recorded key comes first.
KEY_TYPE_ORDER = (
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "ssh-rsa",
)


class KnownHosts:
    """The trusted files parsed once, with each host's lookup remembered: paramiko would
    re-read them at every connection, and its load checks each line against all before it
    (76 ms for a 500-line hashed known_hosts, 13 ms more per lookup)."""

    def __init__(self, files: list[Path]) -> None:
        self._keys = paramiko.HostKeys()
        for path in files:
            try:
                self._keys.load(str(path))
            except (OSError, paramiko.SSHException, InvalidHostKey) as exc:
                line = exc.line.strip() if isinstance(exc, InvalidHostKey) else exc
                raise CollectError(
                    "host key unknown",
                    phrase("cannot read {path}: {error}", path=str(path), error=str(line)),
                ) from None
        self._found: dict[str, list[paramiko.PKey]] = {}
        self._lock = threading.Lock()

    def recorded(self, hostname: str) -> list[paramiko.PKey]:
        """This host's keys, one per type (the first recorded), cheapest to verify first."""
        with self._lock:
            if hostname not in self._found:
                found = self._keys.lookup(hostname) or {}
                by_type = {name: found[name] for name in found}  # found[name]: the first one
                self._found[hostname] = sorted(by_type.values(), key=_key_type_rank)
            return self._found[hostname]


def _key_type_rank(key: paramiko.PKey) -> int:
    name = key.get_name()
    return KEY_TYPE_ORDER.index(name) if name in KEY_TYPE_ORDER else len(KEY_TYPE_ORDER)


FilesState = tuple[tuple[str, int, int], ...]
_KNOWN: dict[str | None, tuple[FilesState, KnownHosts]] = {}  # the latest per ssh.known_hosts
_KNOWN_LOCK = threading.Lock()


def known_hosts(extra: str | None) -> KnownHosts:
    """Parsed again only when a file appears, changes (a tofu record) or goes."""
    files = trusted_files(extra)
    state = []
    for path in files:
        try:
            info = path.stat()
        except OSError as exc:
            raise CollectError(
                "host key unknown",
                phrase("cannot read {path}: {error}", path=str(path), error=exc.strerror),
            ) from None
        state.append((str(path), info.st_mtime_ns, info.st_size))
    with _KNOWN_LOCK:
        cached = _KNOWN.get(extra)
        if cached is None or cached[0] != tuple(state):
            cached = _KNOWN[extra] = (tuple(state), KnownHosts(files))
        return cached[1]


def trust_recorded(client: paramiko.SSHClient, address: str, port: int, extra: str | None) -> None:
    """Hand the client only this host's recorded keys, in our order, before it connects."""
    hostname = host_name(address, port)
    for key in known_hosts(extra).recorded(hostname):
        client.get_host_keys().add(hostname, key.get_name(), key)


def host_name(address: str, port: int) -> str:
    """How OpenSSH names a host in known_hosts."""
    return address if port == 22 else f"[{address}]:{port}"


def describe(key: paramiko.PKey) -> str:
    return f"{key.get_name()} {key.fingerprint}"


class StrictPolicy(paramiko.MissingHostKeyPolicy):
    def __init__(self, section: str) -> None:
        self.section = section  # the inventory section to name: ssh or cli

    def missing_host_key(self, client, hostname, key) -> None:
        raise CollectError(
            "host key unknown",
            phrase(
                "{host} offered {key}, which no known_hosts file lists; verify it and add it to "
                "known_hosts, or set {section}.host_key_policy: tofu",
                host=hostname,
                key=describe(key),
                section=self.section,
            ),
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


def policy(spec: HostKeySettings) -> paramiko.MissingHostKeyPolicy:
    if spec.host_key_policy == "tofu":
        path = Path(spec.known_hosts).expanduser() if spec.known_hosts else own_known_hosts()
        return TofuPolicy(path)
    return StrictPolicy("cli" if isinstance(spec, CliSettings) else "ssh")


def changed_message(exc: paramiko.BadHostKeyException) -> Phrase:
    return phrase(
        "{host} offered {key} but known_hosts has {expected}; connection refused",
        host=exc.hostname,
        key=describe(exc.key),
        expected=describe(exc.expected_key),
    )


def trusting_client(
    spec: HostKeySettings, address: str, port: int, client: paramiko.SSHClient | None = None
) -> paramiko.SSHClient:
    """`client` (a new one by default: netmiko drivers may bring their own subclass) made to
    know the host's recorded keys and to apply the target's policy to a host that no
    known_hosts lists: SSH targets, and network CLI sessions through netmiko."""
    client = client or paramiko.SSHClient()
    trust_recorded(client, address, port, spec.known_hosts)
    client.set_missing_host_key_policy(policy(spec))
    return client
