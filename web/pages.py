"""The console's HTML pages. Every POST checks the session's CSRF token and the user's role
before it changes anything, and every change is one audit row."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from core.errors import UserError
from core.phrases import Phrase, phrase
from records import console
from records import tickets as ticket_store
from tickets import handover as handovers
from tickets.grading import CATEGORIES
from web import auth, views
from web.actions import TICKET_ACTIONS, report_fault
from web.context import Config, checked_form, client_address, login_required, need, principal
from web.render import fragment, language, page

router = APIRouter(include_in_schema=False)
TICKETS_SHOWN = 200  # the newest tickets matching the filters; narrow them to see older ones
TICKET_STATES = ("open", "acknowledged", "in_progress", "reopened", "resolved", "closed")


def error_page(request: Request, status: int, message: str | Phrase) -> HTMLResponse:
    """`message` in the reader's language when it is a phrase (the template's `say`)."""
    return page(request, "error.html.j2", principal(request), status, status=status,
                message=message)


def _config(request: Request) -> Config:
    return request.app.state.config


def _safe_next(value: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if value and value.startswith("/") and not value.startswith("//"):
        return value
    return "/"


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return page(request, "login.html.j2", None, next=_safe_next(next), error=None)


@router.post("/login")
async def login(request: Request) -> Response:
    config = _config(request)
    form = await request.form()
    name, password = str(form.get("name", ""))[:64], str(form.get("password", ""))[:1024]
    target = _safe_next(str(form.get("next", "/")))
    now = config.clock()
    try:
        session_id, who = auth.login(
            config.engine, name, password, client_address(request), now, config.throttle
        )
    except auth.LoginRefused as refused:
        console.audit(config.engine, now, name or "-", f"login_{refused.reason}",
                      address=client_address(request))
        return page(request, "login.html.j2", None, 401 if refused.reason != "throttled" else 429,
                    next=target, error=refused.reason, until=refused.until)
    console.audit(config.engine, now, who.name, "login", address=client_address(request))
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        auth.COOKIE, session_id, httponly=True, samesite="strict", secure=config.secure_cookies,
        path="/",
    )
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    who = login_required(request)
    await checked_form(request, who)
    config = _config(request)
    if who.session:
        console.end_session(config.engine, who.session)
    console.audit(config.engine, config.clock(), who.name, "logout",
                  address=client_address(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(auth.COOKIE, path="/")
    return response


@router.get("/")
def dashboard(request: Request) -> Response:
    who = login_required(request)
    return page(request, "dashboard.html.j2", who, panel=_dashboard_panel(request, who))


@router.get("/dashboard/panel")
def dashboard_panel(request: Request) -> Response:
    """The dashboard's changing part, fetched by static/console.js to refresh in place."""
    return HTMLResponse(_dashboard_panel(request, login_required(request)))


def _dashboard_panel(request: Request, who: auth.Principal) -> Markup:
    """The same for every reader of one language: a shared snapshot (web/snapshots.py)."""
    config = _config(request)

    def render() -> str:
        board = views.dashboard(config.engine, config.inventory, config.clock())
        return fragment(request, "_dashboard_panel.html.j2", who, board=board)

    return Markup(config.snapshots.get(("dashboard", language(request, who)), render))


@router.get("/groups/{group}")
def group_page(request: Request, group: str) -> Response:
    """`-` is the targets in no group."""
    who = login_required(request)
    config = _config(request)
    name = "" if group == "-" else group
    members = views.group_members(config.engine, config.inventory, name, config.clock())
    return page(request, "group.html.j2", who, group=name, members=members)


@router.get("/tickets")
def ticket_list(request: Request, state: str | None = None, target: str | None = None):
    who = login_required(request)
    config = _config(request)
    states = (state,) if state in TICKET_STATES else ()

    def render() -> str:
        now = config.clock()
        found = ticket_store.list_tickets(config.engine, states=states, target=target or None,
                                          newest=TICKETS_SHOWN)
        lines = [views.ticket_line(t, now, config.inventory) for t in found]
        return fragment(request, "_tickets_body.html.j2", who, lines=lines, now=now,
                        state=state or "", target=target or "", states=TICKET_STATES)

    key = ("tickets", language(request, who), state or "", target or "")
    return page(request, "tickets.html.j2", who, body=Markup(config.snapshots.get(key, render)))


@router.get("/tickets/new")
def fault_form(request: Request) -> Response:
    who = login_required(request)
    need(who, "fault_report")
    config = _config(request)
    return page(request, "fault_form.html.j2", who, error=None, values={},
                targets=sorted(t.name for t in config.inventory.targets),
                categories=CATEGORIES)


@router.post("/tickets/new")
async def fault_report(request: Request) -> Response:
    """A fault reported by a person, with the fault report's elements it already knows."""
    who = login_required(request)
    values = await checked_form(request, who)
    need(who, "fault_report")
    config = _config(request)
    try:
        ticket = report_fault(config, who.name, values)
    except UserError as exc:
        return page(request, "fault_form.html.j2", who, 400, error=exc.message, values=values,
                    targets=sorted(t.name for t in config.inventory.targets),
                    categories=CATEGORIES)
    console.audit(config.engine, config.clock(), who.name, "fault_report", f"#{ticket.id}",
                  client_address(request))
    return RedirectResponse(f"/tickets/{ticket.id}", status_code=303)


@router.get("/tickets/{ticket_id}")
def ticket_page(request: Request, ticket_id: int) -> Response:
    who = login_required(request)
    config = _config(request)
    try:
        line, log = views.ticket_with_log(config.engine, config.inventory, ticket_id,
                                          config.clock())
    except UserError as exc:
        raise HTTPException(404, exc.message) from None
    return page(request, "ticket.html.j2", who, line=line, log=log)


@router.post("/tickets/{ticket_id}/{action}")
async def ticket_action(request: Request, ticket_id: int, action: str) -> Response:
    who = login_required(request)
    values = await checked_form(request, who)
    chosen = TICKET_ACTIONS.get(action)
    if chosen is None:
        raise HTTPException(404, phrase("no ticket action {action}", action=repr(action)))
    need(who, chosen.permission)
    config = _config(request)
    try:
        chosen.run(config.engine, ticket_id, who.name, values, config.inventory.tickets,
                   config.clock)
    except UserError as exc:
        raise HTTPException(409, exc.message) from None
    console.audit(config.engine, config.clock(), who.name, f"ticket_{action}", f"#{ticket_id}",
                  client_address(request))
    return RedirectResponse(f"/tickets/{ticket_id}", status_code=303)


@router.get("/handover")
def handover_page(request: Request) -> Response:
    who = login_required(request)
    config = _config(request)
    built = handovers.build(config.engine, config.inventory.tickets, config.clock)
    return page(request, "handover.html.j2", who, handover=built)


@router.post("/handover")
async def handover_record(request: Request) -> Response:
    who = login_required(request)
    values = await checked_form(request, who)
    need(who, "handover")
    config = _config(request)
    built = handovers.build(config.engine, config.inventory.tickets, config.clock)
    handovers.record(config.engine, built, who.name, (values.get("note") or "")[:4000])
    console.audit(config.engine, config.clock(), who.name, "handover",
                  address=client_address(request))
    return RedirectResponse("/handover", status_code=303)


@router.get("/audit")
def audit_page(request: Request) -> Response:
    who = login_required(request)
    need(who, "audit")
    return page(request, "audit.html.j2", who, entries=console.audit_log(_config(request).engine))
