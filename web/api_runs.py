"""`POST /api/v1/runs`: an agent reports an inspection run (docs/agent.md, Central mode).

The body is one run in flows/wire.py's JSON form. The server stores it and reconciles its
tickets against its own inventory, exactly as a local `inspect run` does. Delivery is at
least once (the agent's outbox resends until acknowledged), so the run id makes it
idempotent: a run already stored answers 200 "already stored" and changes nothing, no run and
no ticket. The run is stored marked "tickets pending" and the mark cleared once its tickets
are reconciled: if the server stops or reconciling fails in between, the agent (having no
acknowledgement) resends, and the resend reconciles the run it finds still marked.

A token limited to some targets (`inspect token create --targets`) may report only runs all
of whose targets, findings and samples are among them (names, or groups in the server's
inventory), and a backup job's run (trigger "backup", reconciled on its findings only, as
flows/backup_runs.py does locally) only of those targets or their databases' backups;
anything else is 403.

A big host's run may exceed the console's 256 KiB body limit, so this path has its own:
BODY_LIMIT, checked on the stream by web/app.py (413 above it).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from core.model import InspectionRun
from flows.backup_runs import TRIGGER as BACKUP_TRIGGER
from flows.backup_runs import ticket_view
from flows.wire import RUNS_PATH, WireError, run_from_json
from records import console
from records.store import Store
from settings.inventory import Inventory
from tickets import reconcile
from web.auth import Principal
from web.context import Config, api_principal, client_address

PATH = RUNS_PATH
BODY_LIMIT = 16 * 1024 * 1024  # bytes: ~60,000 samples; a switch with 500 ports sends ~2 MiB
ALREADY_STORED = "already stored"

router = APIRouter()


@router.post(PATH)
async def report_run(request: Request) -> JSONResponse:
    who = api_principal(request, "report_runs")
    body = await request.body()
    config: Config = request.app.state.config
    status, answer = await run_in_threadpool(_report, config, who, body,
                                             client_address(request))
    return JSONResponse(answer, status_code=status)


def _report(config: Config, who: Principal, body: bytes, address: str) -> tuple[int, dict]:
    data = _json(body)
    replayed = _settled_replay(config, who, data)
    if replayed:
        return 200, replayed
    run = _parse(data)
    backup = run.trigger == BACKUP_TRIGGER  # its targets are databases and devices
    refuse_outside_scope(run.targets, who.targets, config.inventory, backups=backup)
    store = Store(config.engine)
    stored = store.save_new_run(run, tickets_pending=True)
    if not stored and not store.tickets_pending(run.id):
        return 200, {"run_id": run.id, "status": ALREADY_STORED}
    changes = reconcile(config.engine, ticket_view(run), config.inventory, config.clock)
    store.tickets_reconciled(run.id)
    console.audit(config.engine, config.clock(), who.name, "run_report", run.id, address,
                  via="api", targets=list(run.targets), status=run.status.name)
    return 201 if stored else 200, {
        "run_id": run.id,
        "status": "stored" if stored else ALREADY_STORED,
        "tickets": {"opened": len(changes.opened), "reopened": len(changes.reopened),
                    "resolved": len(changes.resolved)},
    }


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        raise HTTPException(400, "the body is not JSON") from None


def _settled_replay(config: Config, who: Principal, data: Any) -> dict | None:
    """The answer to a resend of a run already stored and reconciled, found from its id and
    targets alone: an outbox replaying a big switch's run after an outage then costs the
    server a lookup, not the building of its ~10,000 samples. The scope is checked first, so
    a token learns nothing of runs it may not report."""
    if not isinstance(data, dict):
        return None
    run_id, targets = data.get("id"), data.get("targets")
    if not isinstance(run_id, str) or not isinstance(targets, list):
        return None
    if not all(isinstance(t, str) for t in targets):
        return None
    refuse_outside_scope(targets, who.targets, config.inventory,
                         backups=data.get("trigger") == BACKUP_TRIGGER)
    if not Store(config.engine).settled(run_id):
        return None
    return {"run_id": run_id, "status": ALREADY_STORED}


def _parse(data: Any) -> InspectionRun:
    try:
        run = run_from_json(data)
    except WireError as exc:
        raise HTTPException(400, f"not a run: {exc}") from None
    strays = sorted({x.target for x in (*run.findings, *run.samples)} - set(run.targets))
    if strays:
        raise HTTPException(400, f"findings or samples of targets the run does not name: "
                                 f"{', '.join(strays[:5])}")
    return run


def refuse_outside_scope(
    names: Iterable[str], scope: tuple[str, ...] | None, inventory: Inventory,
    backups: bool = False,
) -> None:
    """403 naming what the token may not report: a target neither named in its scope nor in
    one of its groups (as the server's inventory has them); with `backups`, a source that is
    neither such a target nor one of such a target's database backups."""
    if scope is None:
        return
    allowed = set(scope)
    mine = [t for t in inventory.targets if t.name in allowed or set(t.groups) & allowed]
    allowed |= {t.name for t in mine}
    if backups:
        allowed |= {b for t in mine if t.database for b in t.database.backups}
    outside = sorted(set(names) - allowed)
    if outside:
        raise HTTPException(403, f"this token may not report targets: {', '.join(outside)}")
