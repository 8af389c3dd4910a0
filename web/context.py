"""What every request handler needs: the server's configuration, who is asking, what they
may do, and in which language to answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from fastapi import HTTPException, Request
from sqlalchemy import Engine

from settings.inventory import Inventory
from web import auth
from web.roles import allowed


@dataclass
class Config:
    engine: Engine
    inventory: Inventory
    secure_cookies: bool = False  # set under TLS (--certfile) or behind an HTTPS proxy
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    throttle: auth.Throttle = field(default_factory=auth.Throttle)


def principal(request: Request) -> auth.Principal | None:
    config: Config = request.app.state.config
    now = config.clock()
    return auth.from_bearer(
        config.engine, request.headers.get("authorization"), now
    ) or auth.from_cookie(config.engine, request.cookies.get(auth.COOKIE), now)


def need(who: auth.Principal, action: str) -> None:
    if not allowed(who.role, action):
        raise HTTPException(403, f"your role ({who.role}) may not do this: {action}")


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


