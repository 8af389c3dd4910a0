"""Credentials that cannot work, refused at load with file:line instead of failing each run.

Checked here: SNMPv3 settings the agent would reject (no user, privacy without
authentication, a key shorter than 8 bytes) and SSH key files that are encrypted while no
passphrase is configured, or are no private key at all. Secrets behind `env:` and `file:`
references are read to measure them, never shown; `keyring:` ones are left to the connection
(reading the keyring may prompt), as is a configured passphrase: whether it opens the key
shows at first use."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from core.model import CliSettings, SnmpSettings, SshSettings, Target
from core.phrases import Phrase, phrase
from settings import layers, secrets
from settings.inventory_spec import InventorySpec
from settings.yamlsource import KeyPath, YamlDocument

# RFC 3414 11.2: a pass phrase of at least 8 octets; net-snmp and pysnmp refuse shorter ones
MIN_V3_KEY = 8


def check_credentials(spec: InventorySpec, targets: Sequence[Target], doc: YamlDocument) -> None:
    states: dict[str, str] = {}  # one key file is often shared by a whole group: read it once
    for target in targets:
        problems = [
            *_snmp_problems(_section(target.snmp)),
            *_key_problems("ssh", _section(target.ssh), "passphrase", states),
            *_key_problems("cli", _section(target.cli), None, states),
        ]
        for keys, message in problems:
            raise doc.error(layers.origin(spec, target.name, keys), message)
    for name, database in spec.databases.items():
        if database.offsite:
            offsite = database.offsite.model_dump()
            for keys, message in _key_problems("offsite", offsite, "passphrase", states):
                raise doc.error(("databases", name, *keys), message)


def _section(settings: SshSettings | SnmpSettings | CliSettings | None) -> Mapping[str, Any]:
    """A target's typed section as the mapping an offsite section also gives."""
    return asdict(settings) if settings is not None else {}


def _snmp_problems(snmp: Mapping[str, Any]) -> Iterator[tuple[KeyPath, Phrase]]:
    if str(snmp.get("version", "2c")) != "3":
        return
    if not snmp.get("username"):
        yield ("snmp", "version"), phrase("SNMP v3 needs snmp.username")
    if snmp.get("priv_key") and not snmp.get("auth_key"):
        yield ("snmp", "priv_key"), phrase("a privacy key needs snmp.auth_key too (authPriv)")
    for key in ("auth_key", "priv_key"):
        ref = snmp.get(key)
        if ref and _readable_now(ref) and len(secrets.resolve(ref).encode()) < MIN_V3_KEY:
            yield ("snmp", key), phrase(
                "the key behind {ref} is shorter than {bytes} bytes "
                "(SNMPv3 agents and pysnmp refuse it)",
                ref=ref,
                bytes=MIN_V3_KEY,
            )


def _readable_now(ref: str) -> bool:
    return ref.startswith(("env:", "file:")) and secrets.problem(ref) is None


def _key_problems(
    section: str, settings: Mapping[str, Any], passphrase_key: str | None, states: dict[str, str]
) -> Iterator[tuple[KeyPath, Phrase]]:
    path = settings.get("key_file")
    if not path or (passphrase_key and settings.get(passphrase_key)):
        return
    if path not in states:
        states[path] = key_file_state(path)
    state = states[path]
    if state == "encrypted":
        fix = (
            phrase("set {key} (e.g. env:NAME)", key=f"{section}.{passphrase_key}")
            if passphrase_key
            else phrase(
                "use an unencrypted key or ssh-agent (the CLI transport takes no passphrase)"
            )
        )
        encrypted = phrase("key file {path} is encrypted: {fix}", path=path, fix=fix)
        yield (section, "key_file"), encrypted
    elif state == "invalid":
        yield (section, "key_file"), phrase(
            "key file {path} is not a private key (OpenSSH or PEM)", path=path
        )


def key_file_state(path: str) -> str:
    """"ok", "encrypted", "invalid", or "unread" when the file cannot be read from here (it
    may exist only where the agent runs: the connection reports it then). Never decrypts.

    Read from the key's own header rather than by paramiko: the agent's resident process loads
    the inventory, and must not carry paramiko (~15 MiB, ~120 ms) for a check this small."""
    file = Path(path).expanduser()
    try:
        if not file.is_file() or file.stat().st_size > 1 << 20:  # keys are a few KiB
            return "invalid" if file.exists() else "unread"
        text = file.read_bytes().decode("ascii", "replace")
    except OSError:
        return "unread"
    block = _PEM.search(text)
    if not block:
        return "invalid"
    kind, body = block["kind"], block["body"]
    if kind == "ENCRYPTED PRIVATE KEY" or "Proc-Type: 4,ENCRYPTED" in body:  # PKCS#8, PEM
        return "encrypted"
    if kind != "OPENSSH PRIVATE KEY":
        return "ok"
    try:
        blob = base64.b64decode("".join(body.split()), validate=True)
    except ValueError:
        return "invalid"
    magic = b"openssh-key-v1\0"
    if not blob.startswith(magic) or len(blob) < len(magic) + 4:
        return "invalid"
    size = int.from_bytes(blob[len(magic) : len(magic) + 4], "big")
    cipher = blob[len(magic) + 4 : len(magic) + 4 + size]
    return "ok" if cipher == b"none" else "encrypted"


_PEM = re.compile(
    r"-----BEGIN (?P<kind>(?:[A-Z0-9]+ )*PRIVATE KEY)-----(?P<body>.*?)-----END (?P=kind)-----",
    re.DOTALL,
)
