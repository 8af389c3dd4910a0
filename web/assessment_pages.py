"""The assessment in the console: scores per team, engineer and group for a period, each with
its KPIs and deductions as the drill-down (`inspect score --explain`), and publishing
(manager). The numbers come from flows.assessment, the one place the CLI also asks."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from core.errors import UserError
from flows.assessment import assess_period
from records import console
from reports.clock import today
from scoring import scheme as schemes
from scoring.period import Period, parse
from web.context import (
    Config,
    api_changing,
    api_principal,
    checked_form,
    client_address,
    login_required,
    need,
)
from web.render import page

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1")


def _config(request: Request) -> Config:
    return request.app.state.config


def _period(config: Config, text: str) -> Period:
    zone = ZoneInfo(config.inventory.tickets.calendar.timezone)
    try:
        return parse(text or today(zone).strftime("%Y-%m"), zone)
    except UserError as exc:
        raise HTTPException(400, exc.message) from None


def _outcome(config: Config, period: Period, publish: bool = False):
    return assess_period(config.engine, config.inventory, period, schemes.load(None),
                         datetime.now(UTC), recompute=publish, publish=publish)


@router.get("/assessment")
def assessment_page(request: Request, period: str = "") -> Response:
    who = login_required(request)
    config = _config(request)
    chosen = _period(config, period)
    outcome = _outcome(config, chosen)
    return page(request, "assessment.html.j2", who, period=chosen.label, outcome=outcome)


@router.post("/assessment/publish")
async def publish_page(request: Request) -> Response:
    who = login_required(request)
    values = await checked_form(request, who)
    need(who, "publish_assessment")
    config = _config(request)
    chosen = _period(config, values.get("period", ""))
    _outcome(config, chosen, publish=True)
    console.audit(config.engine, config.clock(), who.name, "publish_assessment", chosen.label,
                  client_address(request))
    return RedirectResponse(f"/assessment?period={chosen.label}", status_code=303)


@api.get("/assessment/{period}")
def assessment_json(request: Request, period: str):
    api_principal(request)
    config = _config(request)
    outcome = _outcome(config, _period(config, period))
    return {"period": period, "published": outcome.published, "results": outcome.results}


@api.post("/assessment/{period}/publish")
def publish_json(request: Request, period: str):
    who = api_changing(request)
    need(who, "publish_assessment")
    config = _config(request)
    chosen = _period(config, period)
    outcome = _outcome(config, chosen, publish=True)
    console.audit(config.engine, config.clock(), who.name, "publish_assessment", chosen.label,
                  client_address(request), via="api")
    return {"period": chosen.label, "published": outcome.published, "results": outcome.results}
