"""The console's users, sessions, API tokens and audit log in the records store.

Only hashes of secrets reach these functions; the rules (lockout, idle timeout, roles) belong to
web/auth.py, which calls them. Every change made through the console is one audit row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import UserError
from core.phrases import phrase
from records.console_schema import ApiTokenRow, AuditRow, UserRow, WebSessionRow


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    disabled: bool
    lang: str | None
    failed_logins: int
    locked_until: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    subject: str
    address: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class ApiToken:
    id: int
    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None
    used_at: datetime | None
    targets: tuple[str, ...] | None = None  # names or groups it may report; None: all


def _token(row: ApiTokenRow) -> ApiToken:
    scope = tuple(row.targets) if row.targets is not None else None
    return ApiToken(row.id, row.name, row.role, row.created_at, row.revoked_at, row.used_at,
                    scope)


def _user(row: UserRow) -> User:
    return User(row.id, row.name, row.role, row.disabled, row.lang, row.failed_logins,
                row.locked_until, row.created_at)


def add_user(engine: Engine, name: str, role: str, password_hash: str, at: datetime) -> User:
    try:
        with Session(engine) as session, session.begin():
            row = UserRow(name=name, role=role, password_hash=password_hash, disabled=False,
                          failed_logins=0, created_at=at)
            session.add(row)
            session.flush()
            return _user(row)
    except IntegrityError:
        raise UserError(phrase("user {name} already exists", name=repr(name))) from None


def users(engine: Engine) -> list[User]:
    with Session(engine) as session:
        return [_user(r) for r in session.scalars(select(UserRow).order_by(UserRow.name))]


def user_by_name(engine: Engine, name: str) -> tuple[User, str] | None:
    """The user and their password hash."""
    with Session(engine) as session:
        row = session.scalar(select(UserRow).where(UserRow.name == name))
        return (_user(row), row.password_hash) if row else None


def user_by_id(engine: Engine, user_id: int) -> User | None:
    with Session(engine) as session:
        row = session.get(UserRow, user_id)
        return _user(row) if row else None


def update_user(engine: Engine, name: str, **values: Any) -> None:
    with Session(engine) as session, session.begin():
        done = session.execute(update(UserRow).where(UserRow.name == name).values(**values))
        if done.rowcount == 0:
            raise UserError(phrase("no user {name}", name=repr(name)))


def record_failed_login(engine: Engine, name: str, lock_after: int, lock_until: datetime) -> int:
    """One more failed login; at `lock_after` failures the account is locked until
    `lock_until`. The count, read and written in one transaction so parallel tries all count."""
    with Session(engine) as session, session.begin():
        row = session.scalar(select(UserRow).where(UserRow.name == name).with_for_update())
        if row is None:
            return 0
        row.failed_logins += 1
        if row.failed_logins >= lock_after:
            row.locked_until = lock_until
        return row.failed_logins


def add_session(
    engine: Engine, id_hash: str, user_id: int, csrf: str, at: datetime, address: str
) -> None:
    with Session(engine) as session, session.begin():
        session.add(WebSessionRow(id_hash=id_hash, user_id=user_id, csrf=csrf, created_at=at,
                                  seen_at=at, address=address))


def session_of(engine: Engine, id_hash: str) -> tuple[User, str, datetime] | None:
    """The session's user, CSRF token and last activity."""
    with Session(engine) as session:
        found = session.execute(
            select(WebSessionRow, UserRow)
            .join(UserRow, UserRow.id == WebSessionRow.user_id)
            .where(WebSessionRow.id_hash == id_hash)
        ).first()
        if found is None:
            return None
        web_session, user = found
        return _user(user), web_session.csrf, web_session.seen_at


def touch_session(engine: Engine, id_hash: str, at: datetime) -> None:
    with Session(engine) as session, session.begin():
        session.execute(
            update(WebSessionRow).where(WebSessionRow.id_hash == id_hash).values(seen_at=at)
        )


def end_session(engine: Engine, id_hash: str) -> None:
    with Session(engine) as session, session.begin():
        session.execute(delete(WebSessionRow).where(WebSessionRow.id_hash == id_hash))


def end_sessions_of(engine: Engine, user_id: int) -> None:
    with Session(engine) as session, session.begin():
        session.execute(delete(WebSessionRow).where(WebSessionRow.user_id == user_id))


def add_token(
    engine: Engine, name: str, role: str, token_hash: str, at: datetime,
    targets: tuple[str, ...] | None = None,
) -> None:
    try:
        with Session(engine) as session, session.begin():
            session.add(ApiTokenRow(name=name, role=role, token_hash=token_hash, created_at=at,
                                    targets=list(targets) if targets is not None else None))
    except IntegrityError:
        raise UserError(phrase("token {name} already exists", name=repr(name))) from None


def token_by_hash(engine: Engine, token_hash: str, at: datetime) -> ApiToken | None:
    """A live token (not revoked), its last use noted."""
    with Session(engine) as session, session.begin():
        row = session.scalar(
            select(ApiTokenRow).where(
                ApiTokenRow.token_hash == token_hash, ApiTokenRow.revoked_at.is_(None)
            )
        )
        if row is None:
            return None
        row.used_at = at
        return _token(row)


def tokens(engine: Engine) -> list[ApiToken]:
    with Session(engine) as session:
        return [_token(r) for r in session.scalars(select(ApiTokenRow).order_by(ApiTokenRow.name))]


def revoke_token(engine: Engine, name: str, at: datetime) -> None:
    with Session(engine) as session, session.begin():
        done = session.execute(
            update(ApiTokenRow)
            .where(ApiTokenRow.name == name, ApiTokenRow.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        if done.rowcount == 0:
            raise UserError(phrase("no live token {name}", name=repr(name)))


def audit(
    engine: Engine, at: datetime, actor: str, action: str, subject: str = "", address: str = "",
    **detail: Any,
) -> None:
    with Session(engine) as session, session.begin():
        session.add(AuditRow(at=at, actor=actor, action=action, subject=subject,
                             address=address, detail=detail))


def audit_log(engine: Engine, limit: int = 200) -> list[AuditEntry]:
    with Session(engine) as session:
        rows = session.scalars(select(AuditRow).order_by(AuditRow.id.desc()).limit(limit))
        return [AuditEntry(r.at, r.actor, r.action, r.subject, r.address, r.detail) for r in rows]
