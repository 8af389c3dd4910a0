"""Inspection records in the console: the list with filters, one run's findings and patrol
sheets, and starting an inspection (engineer), which runs the engine's one flow
(flows.recording.run_and_record) in the server's thread pool, as the CLI runs it."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from core.errors import UserError
from core.model import InspectionRun
from core.phrases import phrase
from core.status import Status
from flows.inspect import RunOptions
from flows.recording import run_and_record
from records import console
from records.store import RunHeader, RunSummary, Store
from reports.model import as_json
from reports.patrol import patrol_sheets
from web.context import Config, api_principal, checked_form, client_address, login_required, need
from web.render import page

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1")
LISTED = 200  # runs fetched for one page of the list, before the filters


def _config(request: Request) -> Config:
    return request.app.state.config


def listed_runs(config: Config, target: str, status: str, day: str) -> list[RunSummary]:
    runs = Store(config.engine).list_runs(limit=LISTED, target=target or None)
    if status in Status.__members__:
        runs = [r for r in runs if r.status == Status[status]]
    if day:
        try:
            wanted = date.fromisoformat(day)
        except ValueError:
            raise HTTPException(400, phrase("day {day} is not YYYY-MM-DD", day=repr(day))) from None
        runs = [r for r in runs if r.started_at.date() == wanted]
    return runs


def one_run(config: Config, run_id: str) -> InspectionRun:
    try:
        return Store(config.engine).get_run(run_id)
    except UserError as exc:
        raise HTTPException(404, exc.message) from None


def sheets_of(run: InspectionRun):
    header = RunHeader(run.id, run.trigger, run.operator, run.started_at, run.finished_at,
                       run.targets, run.status)
    return patrol_sheets(run.findings, {target: header for target in run.targets})


@router.get("/records")
def records_page(request: Request, target: str = "", status: str = "", day: str = ""):
    who = login_required(request)
    config = _config(request)
    runs = listed_runs(config, target, status, day)
    targets = sorted(t.name for t in config.inventory.targets)
    groups = sorted({g for t in config.inventory.targets for g in t.groups})
    return page(request, "records.html.j2", who, runs=runs, target=target, status=status,
                day=day, targets=targets, groups=groups, statuses=list(Status.__members__),
                started=request.query_params.get("started"))


@router.get("/records/{run_id}")
def record_page(request: Request, run_id: str) -> Response:
    who = login_required(request)
    run = one_run(_config(request), run_id)
    return page(request, "record.html.j2", who, run=run, sheets=sheets_of(run))


@router.post("/records/run")
async def start_run(request: Request) -> Response:
    who = login_required(request)
    values = await checked_form(request, who)
    need(who, "run_inspection")
    config = _config(request)
    targets = _chosen(config, values.get("target", ""), values.get("group", ""))
    _start(config, targets, who.name)
    console.audit(config.engine, config.clock(), who.name, "run_inspection",
                  values.get("target") or values.get("group") or "", client_address(request))
    return RedirectResponse("/records?started=1", status_code=303)


def _chosen(config: Config, target: str, group: str):
    try:
        chosen = config.inventory.select([target] if target else [], [group] if group else [])
    except UserError as exc:
        raise HTTPException(400, exc.message) from None
    if not chosen:
        raise HTTPException(400, phrase("no targets to inspect"))
    return chosen


def _start(config: Config, targets, operator: str) -> None:
    """In a thread of its own: an inspection takes as long as its slowest target's deadline."""
    options = RunOptions(trigger="manual", operator=operator)

    def work() -> None:
        run_and_record(config.inventory, targets, options, Store(config.engine))

    threading.Thread(target=work, name="console-inspection", daemon=True).start()


@api.get("/records")
def records_json(request: Request, target: str = "", status: str = "", day: str = ""):
    api_principal(request)
    return as_json(listed_runs(_config(request), target, status, day))


@api.get("/records/{run_id}")
def record_json(request: Request, run_id: str) -> dict[str, Any]:
    api_principal(request)
    run = one_run(_config(request), run_id)
    return {**as_json(run), "status": run.status.name, "sheets": as_json(sheets_of(run))}
