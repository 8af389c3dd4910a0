"""Backups in the console: every database and device with its last attempt and verdict, a
source's history, and a device's config change side by side (engineer and up)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from backup.config import ConfigRepository, compare
from core.errors import UserError
from core.phrases import phrase
from flows import backup_overview
from reports.model import as_json
from web.context import Config, api_principal, login_required, need
from web.diffview import side_by_side
from web.render import page

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1")


def _config(request: Request) -> Config:
    return request.app.state.config


@router.get("/backups")
def backups_page(request: Request) -> Response:
    who = login_required(request)
    need(who, "backups")
    config = _config(request)
    lines = backup_overview.overview(config.engine, config.inventory, config.clock())
    return page(request, "backups.html.j2", who, lines=lines)


@router.get("/backups/{kind}/{name}")
def backup_history(request: Request, kind: str, name: str) -> Response:
    who = login_required(request)
    need(who, "backups")
    config = _config(request)
    records = backup_overview.history(config.engine, kind, name)
    if not records:
        raise HTTPException(
            404, phrase("no {kind} backups of {name}", kind=kind, name=repr(name))
        )
    return page(request, "backup.html.j2", who, kind=kind, name=name, records=records)


@router.get("/backups/config/{device}/diff")
def config_diff(request: Request, device: str, old: str = "", new: str = "") -> Response:
    who = login_required(request)
    need(who, "backups")
    config = _config(request)
    inventory = config.inventory
    platform = next((t.platform for t in inventory.targets if t.name == device), None)
    try:
        change = compare(ConfigRepository(inventory.config_backups.repository), device,
                         platform, old or None, new or None)
    except UserError as exc:
        raise HTTPException(404, exc.message) from None
    return page(request, "config_diff.html.j2", who, change=change,
                rows=side_by_side(change.unified))


@api.get("/backups")
def backups_json(request: Request):
    need(api_principal(request), "backups")
    config = _config(request)
    return as_json(backup_overview.overview(config.engine, config.inventory, config.clock()))
