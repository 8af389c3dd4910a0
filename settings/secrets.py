"""Credential references (`env:NAME`, `file:PATH`, `keyring:service/user`), resolved late."""

from __future__ import annotations

import os
import re
from pathlib import Path

from core.errors import UserError
from core.paths import path_problem
from core.phrases import Phrase, phrase

REFERENCE = re.compile(r"^(env|file|keyring):(.+)$")
REFERENCE_HELP = phrase("a credential reference (env:NAME, file:PATH or keyring:service/user)")
NOT_A_REFERENCE = phrase("expected {what}, not an inline secret", what=REFERENCE_HELP)


def is_reference(value: str) -> bool:
    return bool(REFERENCE.match(value))


def problem(ref: str) -> str | Phrase | None:
    """Why the reference cannot be resolved now, or None; never touches the keyring."""
    match = REFERENCE.match(ref)
    if not match:
        return NOT_A_REFERENCE
    scheme, rest = match.groups()
    if scheme == "env" and rest not in os.environ:
        return phrase("environment variable {name} is not set", name=rest)
    if scheme == "file":
        unusable = path_problem(rest)
        if unusable:
            return unusable
        if not Path(rest).expanduser().is_file():
            return phrase("credential file {path} does not exist", path=rest)
    if scheme == "keyring" and "/" not in rest:
        return phrase("keyring reference must be keyring:service/user")
    return None


def resolve(ref: str) -> str:
    """The secret behind a reference. Error texts name the reference, never the secret."""
    reason = problem(ref)
    if reason:
        raise UserError(phrase("credential {ref}: {reason}", ref=ref, reason=reason))
    scheme, rest = REFERENCE.match(ref).groups()  # type: ignore[union-attr]
    if scheme == "env":
        return os.environ[rest]
    if scheme == "file":
        return Path(rest).expanduser().read_text(encoding="utf-8").strip()
    service, user = rest.split("/", 1)
    try:
        import keyring
    except ImportError:
        raise UserError(
            phrase("credential {ref}: the keyring package is not installed", ref=ref)
        ) from None
    secret = keyring.get_password(service, user)
    if secret is None:
        raise UserError(phrase("credential {ref}: no entry in the keyring", ref=ref))
    return secret
