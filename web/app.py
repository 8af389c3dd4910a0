"""The ASGI application: middleware, who is asking, and the two faces (pages, API).

Why our own small middleware instead of add-ons: the rules are few and must hold for every
response, including errors (security headers, a request body limit checked on the stream, not
only on Content-Length).
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.phrases import phrase, render
from flows.wire import BACKUPS_PATH, PLAN_PATH
from web import (
    api,
    api_reports,
    api_runs,
    assessment_pages,
    backups_pages,
    pages,
    records_pages,
    reports_pages,
)
from web.context import Config

STATIC = Path(__file__).with_name("static")
BODY_LIMIT = 256 * 1024  # bytes: a ticket note or a login form, never more
PATH_LIMITS = {  # an agent's reports (web/api_runs.py, web/api_reports.py)
    api_runs.PATH: api_runs.BODY_LIMIT,
    BACKUPS_PATH: api_reports.BODY_LIMIT,
    PLAN_PATH: api_reports.BODY_LIMIT,
}
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
}


def create_app(config: Config) -> FastAPI:
    app = FastAPI(
        title="opsinspect console API",
        docs_url=None,  # the interactive docs load scripts from a CDN; the document stays
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.config = config
    app.add_middleware(_BodyLimit)
    app.add_middleware(_ForgetSnapshotsOnChange)
    app.add_middleware(_SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(api_runs.router)
    app.include_router(api_reports.router)
    app.include_router(records_pages.router)
    app.include_router(records_pages.api)
    app.include_router(reports_pages.router)
    app.include_router(assessment_pages.router)
    app.include_router(assessment_pages.api)
    app.include_router(backups_pages.router)
    app.include_router(backups_pages.api)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException):
        if 300 <= exc.status_code < 400:  # a page that needs a login sends the browser there
            return RedirectResponse((exc.headers or {})["location"], exc.status_code)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": render(exc.detail)}, status_code=exc.status_code,
                                headers=exc.headers)
        return pages.error_page(request, exc.status_code, exc.detail)

    return app


def from_environment() -> FastAPI:
    """Each worker of `inspect serve --workers N` (uvicorn starts them from an import string):
    the command passes what it resolved in INSPECT_INVENTORY, INSPECT_DB and
    INSPECT_SECURE_COOKIES. Each worker keeps its own snapshots and login throttle."""
    from records import open_store
    from settings.inventory import load

    return create_app(Config(
        engine=open_store(os.environ["INSPECT_DB"]).engine,
        inventory=load(Path(os.environ["INSPECT_INVENTORY"]) if os.environ.get(
            "INSPECT_INVENTORY") else None),
        secure_cookies=os.environ.get("INSPECT_SECURE_COOKIES") == "1",
    ))


class _SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


class _ForgetSnapshotsOnChange:
    """Any request that may change something (not GET or HEAD) forgets the shared page
    snapshots when it is done, so whoever made the change sees it at once."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            if scope["type"] == "http" and scope["method"] not in ("GET", "HEAD"):
                scope["app"].state.config.snapshots.forget()


class _BodyLimit:
    """Refuses a body over BODY_LIMIT (or its path's own, PATH_LIMITS), announced or
    streamed, with 413 before it is read."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = PATH_LIMITS.get(scope["path"], BODY_LIMIT)
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await PlainTextResponse("request body too large", 413)(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise HTTPException(413, phrase("request body too large"))
            return message

        await self.app(scope, counted, send)
