"""`POST /api/v1/backups` and `POST /api/v1/plan`: an agent's other reports (docs/agent.md,
Central mode), in flows/wire_records.py's JSON forms, beside its runs (web/api_runs.py) and
under the same rules: the `report_runs` permission, and a token limited to some targets may
report only what is theirs (403 otherwise).

Backups: each source must be one of the token's targets or a database backup of one (the
server's inventory's `database.backups`). Kept by id: a resend adds nothing, so the server's
backup overview and its checks of backup age see each record once. The backup's file stays on
the agent.

Plan: kept under the token's name, so agents with jobs of the same name stay apart, and merged
slot by slot (records.plan.Plan.merge: a later state replaces an earlier one, never the other
way round). A slot done by a run the server holds must be a run of the token's targets (or,
a backup job's, of their databases): a token cannot count another agent's run as its own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from flows.wire import BACKUPS_PATH, PLAN_PATH, WireError
from flows.wire_records import backups_from_json, plan_from_json
from records.backups import BackupStore
from records.plan import Plan
from records.store import Store
from web.api_runs import refuse_outside_scope
from web.auth import Principal
from web.context import Config, api_principal

BODY_LIMIT = 16 * 1024 * 1024  # bytes: a day's catch-up of a plan is ~250 KiB

router = APIRouter()


@router.post(BACKUPS_PATH)
async def report_backups(request: Request) -> JSONResponse:
    return await _answer(request, _backups)


@router.post(PLAN_PATH)
async def report_plan(request: Request) -> JSONResponse:
    return await _answer(request, _plan)


async def _answer(
    request: Request, handle: Callable[[Config, Principal, Any], tuple[int, dict]]
) -> JSONResponse:
    who = api_principal(request, "report_runs")
    body = await request.body()
    config: Config = request.app.state.config
    status, answer = await run_in_threadpool(handle, config, who, _json(body))
    return JSONResponse(answer, status_code=status)


def _backups(config: Config, who: Principal, data: Any) -> tuple[int, dict]:
    try:
        report = backups_from_json(data)
    except WireError as exc:
        raise HTTPException(400, f"not backup records: {exc}") from None
    refuse_outside_scope(report.names, who.targets, config.inventory, backups=True)
    added, left_out = BackupStore(config.engine).merge(report)
    return 200, {"status": "stored", "added": added, "left_out": left_out}


def _plan(config: Config, who: Principal, data: Any) -> tuple[int, dict]:
    try:
        entries = plan_from_json(data)
    except WireError as exc:
        raise HTTPException(400, f"not plan entries: {exc}") from None
    if who.targets is not None:
        store = Store(config.engine)
        for run_id in sorted({e.run_id for e in entries if e.run_id}):
            targets = store.targets_of(run_id)
            if targets is not None:  # a backup job's run names its databases
                refuse_outside_scope(targets, who.targets, config.inventory, backups=True)
    changed = Plan(config.engine).merge(who.name, entries)
    return 200, {"status": "stored", "changed": changed}


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        raise HTTPException(400, "the body is not JSON") from None
