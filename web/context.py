"""What every request handler needs: the server's configuration, who is asking, what they
may do, and in which language to answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote

from fastapi import HTTPException, Request
from sqlalchemy import Engine

from core.phrases import phrase
from settings.inventory import Inventory
from web import auth
from web.roles import allowed
from web.snapshots import Snapshots


@dataclass
class Config:
    engine: Engine
    inventory: Inventory
    secure_cookies: bool = False  # set under TLS (--certfile) or behind an HTTPS proxy
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    throttle: auth.Throttle = field(default_factory=auth.Throttle)
    snapshots: Snapshots = field(default_factory=Snapshots)  # pages every reader shares


def principal(request: Request) -> auth.Principal | None:
    config: Config = request.app.state.config
    now = config.clock()
    return auth.from_bearer(
        config.engine, request.headers.get("authorization"), now
    ) or auth.from_cookie(config.engine, request.cookies.get(auth.COOKIE), now)


def need(who: auth.Principal, action: str) -> None:
    if not allowed(who.role, action):
        said = phrase("your role ({role}) may not do this: {action}", role=who.role, action=action)
        raise HTTPException(403, said)


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def login_required(request: Request) -> auth.Principal:
    who = principal(request)
    if who is None:
        target = quote(request.url.path)
        raise HTTPException(303, "login required", headers={"location": f"/login?next={target}"})
    need(who, "view")  # every page shows records; an agent's token may not read them
    return who


async def checked_form(request: Request, who: auth.Principal) -> dict[str, str]:
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    if not auth.csrf_ok(who, values.get(auth.CSRF_FIELD)):
        raise HTTPException(
            403, phrase("the form's security token is missing or stale: reload the page")
        )
    return values


def api_principal(request: Request, action: str = "view") -> auth.Principal:
    """Who asks, allowed at least `action` (every read is "view", which an agent's token is
    not allowed: it only reports runs)."""
    who = principal(request)
    if who is None:
        raise HTTPException(401, "log in or send a bearer token",
                            headers={"www-authenticate": "Bearer"})
    need(who, action)
    return who


def api_changing(request: Request) -> auth.Principal:
    who = api_principal(request)
    if not auth.csrf_ok(who, request.headers.get(auth.CSRF_HEADER)):
        raise HTTPException(403, "missing or stale X-CSRF-Token header")
    return who
