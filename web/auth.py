"""Logins, sessions, CSRF tokens and API tokens: the console's one owner of who is asking.

- A session id is 256 random bits in an HttpOnly, SameSite=Strict cookie (Secure under TLS);
  only its SHA-256 is stored, so a copy of the database logs nobody in. A session ends after
  IDLE_TIMEOUT without a request, and at logout or when the user is disabled.
- Every state-changing request carries the session's CSRF token (form field or header), checked
  in constant time; API calls with a bearer token carry no cookie and need none.
- LOCK_AFTER wrong passwords in a row lock the account for LOCK_FOR; an address that fails
  more than ADDRESS_LIMIT times in ADDRESS_WINDOW is refused before any password is checked.
  A wrong user name and a wrong password get the same answer, after the same Argon2 work.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from records import console
from web import passwords

COOKIE = "opsinspect_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
IDLE_TIMEOUT = timedelta(minutes=30)
TOUCH_EVERY = timedelta(minutes=1)  # last activity is written at most this often (one write
# per page view would serialise every reader behind SQLite's write lock)
LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
ADDRESS_LIMIT = 20
ADDRESS_WINDOW = 300.0  # seconds


@dataclass(frozen=True)
class Principal:
    """Who is asking: a logged-in user (with the session's CSRF token) or an API token."""

    name: str
    role: str
    lang: str | None = None
    session: str | None = None  # the session id's hash
    csrf: str | None = None

    @property
    def via_token(self) -> bool:
        return self.session is None


class LoginRefused(Exception):
    """`reason`: wrong (name or password), locked, disabled or throttled."""

    def __init__(self, reason: str, until: datetime | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.until = until


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Throttle:
    """Failed logins per client address in a sliding window (in this process's memory)."""

    def __init__(self) -> None:
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def blocked(self, address: str) -> bool:
        with self._lock:
            return len(self._recent(address)) >= ADDRESS_LIMIT

    def failed(self, address: str) -> None:
        with self._lock:
            self._recent(address).append(time.monotonic())

    def _recent(self, address: str) -> deque[float]:
        seen = self._failures[address]
        while seen and seen[0] < time.monotonic() - ADDRESS_WINDOW:
            seen.popleft()
        return seen


def login(
    engine: Engine, name: str, password: str, address: str, now: datetime, throttle: Throttle
) -> tuple[str, Principal]:
    """The new session's cookie value and its principal, or LoginRefused."""
    if throttle.blocked(address):
        raise LoginRefused("throttled")
    found = console.user_by_name(engine, name)
    if found is None:
        passwords.verify(passwords.DUMMY_HASH, password)
        throttle.failed(address)
        raise LoginRefused("wrong")
    user, stored = found
    if user.locked_until is not None and user.locked_until > now:
        raise LoginRefused("locked", user.locked_until)
    if not passwords.verify(stored, password):
        throttle.failed(address)
        failures = console.record_failed_login(engine, name, LOCK_AFTER, now + LOCK_FOR)
        if failures >= LOCK_AFTER:
            raise LoginRefused("locked", now + LOCK_FOR)
        raise LoginRefused("wrong")
    if user.disabled:
        raise LoginRefused("disabled")
    changes: dict = {"failed_logins": 0, "locked_until": None}
    if passwords.needs_rehash(stored):
        changes["password_hash"] = passwords.hash_password(password)
    console.update_user(engine, name, **changes)
    session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    console.add_session(engine, digest(session_id), user.id, csrf, now, address)
    return session_id, Principal(user.name, user.role, user.lang, digest(session_id), csrf)


def from_cookie(engine: Engine, cookie: str | None, now: datetime) -> Principal | None:
    if not cookie:
        return None
    id_hash = digest(cookie)
    found = console.session_of(engine, id_hash)
    if found is None:
        return None
    user, csrf, seen_at = found
    if user.disabled or now - seen_at > IDLE_TIMEOUT:
        console.end_session(engine, id_hash)
        return None
    if now - seen_at > TOUCH_EVERY:
        console.touch_session(engine, id_hash, now)
    return Principal(user.name, user.role, user.lang, id_hash, csrf)


def from_bearer(engine: Engine, header: str | None, now: datetime) -> Principal | None:
    if not header or not header.lower().startswith("bearer "):
        return None
    token = console.token_by_hash(engine, digest(header[7:].strip()), now)
    return Principal(f"token:{token.name}", token.role) if token else None


def csrf_ok(principal: Principal, submitted: str | None) -> bool:
    if principal.via_token:
        return True  # no cookie, so no cross-site request can ride on it
    return bool(submitted and principal.csrf) and hmac.compare_digest(submitted, principal.csrf)


def new_token() -> tuple[str, str]:
    """A bearer token (shown once) and the hash that is stored."""
    token = "oi_" + secrets.token_urlsafe(32)
    return token, digest(token)
