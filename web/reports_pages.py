"""Reports in the console: the daily, fault, monthly and assessment reports rendered by reports/
(the same bytes `inspect report` writes), shown in the browser or downloaded as PDF, Markdown or
JSON. A report document is a page of its own: it carries its styles inline, so its response
has its own Content-Security-Policy (inline styles, no scripts at all)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from core.errors import UserError
from core.phrases import phrase
from flows import reporting
from reports.clock import today
from reports.render import FORMATS, render
from web.context import Config, login_required
from web.render import language, page

router = APIRouter(include_in_schema=False)
MEDIA = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
}
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'"
)
KINDS = ("daily", "monthly", "fault", "assessment")


def _config(request: Request) -> Config:
    return request.app.state.config


def _zone(config: Config):
    from zoneinfo import ZoneInfo

    return ZoneInfo(config.inventory.tickets.calendar.timezone)


@router.get("/reports")
def reports_page(request: Request) -> Response:
    who = login_required(request)
    config = _config(request)
    return page(request, "reports.html.j2", who, today=today(_zone(config)).isoformat(),
                month=today(_zone(config)).strftime("%Y-%m"), formats=FORMATS)


@router.get("/reports/{kind}")
def report_document(
    request: Request, kind: str, day: str = "", month: str = "", period: str = "",
    ticket: int = 0, format: str = "html",
) -> Response:
    who = login_required(request)
    if kind not in KINDS:
        raise HTTPException(404, phrase("no report {kind}", kind=repr(kind)))
    if format not in FORMATS:
        raise HTTPException(
            400, phrase("format must be one of {formats}", formats=", ".join(FORMATS))
        )
    config = _config(request)
    zone = _zone(config)
    try:
        data = _build(config, kind, zone, day, month, period, ticket)
        body = render(data, format, language(request, who))
    except UserError as exc:
        raise HTTPException(400, exc.message) from None
    name = f"{kind}-{day or month or period or ticket}.{format}"
    headers = {"content-security-policy": REPORT_CSP}
    if format != "html":
        headers["content-disposition"] = f'attachment; filename="{name}"'
    return Response(body, media_type=MEDIA[format], headers=headers)


def _build(config: Config, kind: str, zone, day: str, month: str, period: str, ticket: int):
    engine, inventory = config.engine, config.inventory
    if kind == "daily":
        try:
            chosen = date.fromisoformat(day) if day else today(zone)
        except ValueError:
            raise UserError(phrase("day {day} is not YYYY-MM-DD", day=repr(day))) from None
        return reporting.daily(engine, inventory, chosen, zone)
    if kind == "monthly":
        return reporting.monthly(engine, inventory, month or today(zone).strftime("%Y-%m"), zone)
    if kind == "fault":
        return reporting.fault(engine, ticket, zone)
    return reporting.assessment(engine, period or today(zone).strftime("%Y-%m"), zone)
