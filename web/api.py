"""`/api/v1`: the console's views and actions as JSON, for scripts holding a bearer token
(`inspect token create`) or the logged-in browser (which then sends its CSRF token in the
X-CSRF-Token header on changes). The same roles and rules as the pages."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request

from core.errors import UserError
from records import console
from records import tickets as ticket_store
from reports.model import as_json
from tickets import handover as handovers
from web import views
from web.actions import TICKET_ACTIONS
from web.actions import report_fault as report_fault_action
from web.context import Config, api_changing, api_principal, client_address, need
from web.pages import TICKET_STATES

router = APIRouter(prefix="/api/v1")


def _config(request: Request) -> Config:
    return request.app.state.config


async def _body(request: Request) -> dict[str, str]:
    if not await request.body():
        return {}
    try:
        data = await request.json()
    except ValueError:
        raise HTTPException(400, "the body is not JSON") from None
    if not isinstance(data, dict):
        raise HTTPException(400, "the body must be a JSON object")
    return {str(k): str(v) for k, v in data.items() if v is not None}


def _ticket_json(line: views.TicketLine) -> dict[str, Any]:
    return {**as_json(line.ticket), "sla": line.sla, "response": line.response,
            "resolution": line.resolution}


@router.get("/dashboard")
def dashboard(request: Request) -> dict[str, Any]:
    api_principal(request)
    config = _config(request)
    board = views.dashboard(config.engine, config.inventory, config.clock())
    return {**as_json(board), "attention": [_ticket_json(x) for x in board.attention]}


@router.get("/tickets")
def tickets(
    request: Request, state: str | None = None, target: str | None = None, limit: int = 200
):
    api_principal(request)
    config = _config(request)
    if not 1 <= limit <= 10_000:
        raise HTTPException(400, "limit must be 1 to 10000")
    if state is not None and state not in TICKET_STATES:
        raise HTTPException(400, f"state must be one of {', '.join(TICKET_STATES)}")
    now = config.clock()
    found = ticket_store.list_tickets(config.engine, (state,) if state else (), target=target,
                                      newest=limit)
    return [_ticket_json(views.ticket_line(t, now, config.inventory)) for t in found]


@router.get("/tickets/{ticket_id}")
def ticket(request: Request, ticket_id: int) -> dict[str, Any]:
    api_principal(request)
    config = _config(request)
    try:
        line, log = views.ticket_with_log(config.engine, config.inventory, ticket_id,
                                          config.clock())
    except UserError as exc:
        raise HTTPException(404, exc.message) from None
    return {**_ticket_json(line), "events": as_json(log)}


@router.post("/tickets/{ticket_id}/{action}")
async def ticket_action(request: Request, ticket_id: int, action: str) -> dict[str, Any]:
    who = api_changing(request)
    chosen = TICKET_ACTIONS.get(action)
    if chosen is None:
        raise HTTPException(404, f"no ticket action {action!r}")
    need(who, chosen.permission)
    values = await _body(request)
    config = _config(request)
    try:
        chosen.run(config.engine, ticket_id, who.name, values, config.inventory.tickets,
                   config.clock)
    except UserError as exc:
        raise HTTPException(409, exc.message) from None
    console.audit(config.engine, config.clock(), who.name, f"ticket_{action}", f"#{ticket_id}",
                  client_address(request), via="api")
    return ticket(request, ticket_id)


@router.get("/audit")
def audit(request: Request) -> list[dict[str, Any]]:
    who = api_principal(request)
    need(who, "audit")
    return as_json(console.audit_log(_config(request).engine))


@router.post("/tickets")
async def report_fault(request: Request) -> dict[str, Any]:
    """A manual fault report: target, title, grade, category, note, occurred (ISO 8601 with
    an offset), scope, support; the same rules as the page's form."""
    who = api_changing(request)
    need(who, "fault_report")
    values = await _body(request)
    config = _config(request)
    try:
        ticket_row = report_fault_action(config, who.name, values)
    except UserError as exc:
        raise HTTPException(400, exc.message) from None
    console.audit(config.engine, config.clock(), who.name, "fault_report", f"#{ticket_row.id}",
                  client_address(request), via="api")
    return ticket(request, ticket_row.id)


@router.get("/handover")
def handover(request: Request) -> dict[str, Any]:
    api_principal(request)
    config = _config(request)
    return handovers.build(config.engine, config.inventory.tickets, config.clock).summary()


@router.post("/handover")
async def hand_over(request: Request) -> dict[str, Any]:
    who = api_changing(request)
    need(who, "handover")
    values = await _body(request)
    config = _config(request)
    built = handovers.build(config.engine, config.inventory.tickets, config.clock)
    handovers.record(config.engine, built, who.name, (values.get("note") or "")[:4000])
    console.audit(config.engine, config.clock(), who.name, "handover",
                  address=client_address(request), via="api")
    return built.summary()
