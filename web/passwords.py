"""Password hashes: Argon2id with the library's current parameters (RFC 9106 defaults).

A hash made with older parameters is upgraded at the next successful login."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.errors import UserError
from core.phrases import phrase

_HASHER = PasswordHasher()
MIN_LENGTH = 10


def hash_password(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise UserError(phrase("password too short: at least {count} characters", count=MIN_LENGTH))
    return _HASHER.hash(password)


def verify(stored_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)


# Checked against when the user does not exist, so a wrong name costs the same time as a
# wrong password and the answer does not tell which one it was.
DUMMY_HASH = _HASHER.hash("not a password of anyone")
