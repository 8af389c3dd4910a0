"""One host's target: its layers (defaults, its groups, itself) merged, then typed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from core.backups import Database
from core.model import (
    ANSWER_LIMIT_MB,
    DB_ENGINES,
    CliSettings,
    DatabaseSettings,
    SnmpSettings,
    SshSettings,
    Target,
)
from core.phrases import phrase
from settings.change_windows import ChangeWindow
from settings.inventory_spec import InventorySpec
from settings.yamlsource import YamlDocument


def build_target(
    name: str,
    spec: InventorySpec,
    doc: YamlDocument,
    profiles: Mapping,
    databases: Mapping[str, Database],
) -> Target:
    """Host > its groups > defaults; a group or profile it names must exist."""
    host = spec.hosts[name]
    layers: list[dict[str, Any]] = [spec.defaults.model_dump(exclude_unset=True, exclude_none=True)]
    for i, group in enumerate(host.groups):
        if group not in spec.groups:
            raise doc.error(
                ("hosts", name, "groups", i), phrase("unknown group {name}", name=repr(group))
            )
        layers.append(spec.groups[group].model_dump(exclude_unset=True, exclude_none=True))
    layers.append(host.model_dump(exclude_unset=True, exclude_none=True, exclude={"groups"}))
    merged = _merge(layers)
    profile = merged.get("profile", "standard")
    if profile not in profiles:
        raise doc.error(
            ("hosts", name, "profile"),
            phrase(
                "unknown profile {name} (known: {known})",
                name=repr(profile),
                known=", ".join(sorted(profiles)),
            ),
        )
    kind = merged.get("kind", "server")
    address = merged.get("address", name)
    return Target(
        name=name,
        kind=kind,
        address=address,
        port=merged.get("port"),
        platform=merged.get("platform", "linux" if kind == "server" else "unknown"),
        groups=tuple(host.groups),
        labels=merged.get("labels", {}),
        profile=profile,
        collectors=tuple(merged.get("collectors", ())),
        ssh=_ssh(merged),
        snmp=SnmpSettings(**merged["snmp"]) if "snmp" in merged else None,
        cli=CliSettings(**merged["cli"]) if "cli" in merged else None,
        database=_database_settings(name, merged, address, databases, doc),
        interfaces=merged.get("interfaces"),
        parents=tuple(merged.get("parents", ())),
        change_windows=tuple(_change_window(w) for w in merged.get("change_windows", ())),
        answer_limit_mb=merged.get("answer_limit_mb", ANSWER_LIMIT_MB),
        zone=_zone(name, merged.get("zone"), spec, doc),
    )


def _zone(name: str, zone: str | None, spec: InventorySpec, doc: YamlDocument) -> str:
    """"" for the server's own zone (none named, or `central.zone`); another zone needs the
    broker its workers listen on."""
    if zone is None or (spec.central and zone == spec.central.zone):
        return ""
    if spec.central is None or spec.central.broker is None:
        raise doc.error(
            ("hosts", name),
            phrase(
                "zone {zone} needs a `central:` section with the broker its workers use",
                zone=repr(zone),
            ),
        )
    return zone


def _ssh(merged: Mapping[str, Any]) -> SshSettings | None:
    """The target's own `port` is its SSH port unless `ssh.port` says otherwise."""
    if "ssh" not in merged:
        return None
    port = {"port": merged["port"]} if merged.get("port") else {}
    return SshSettings(**{**port, **merged["ssh"]})


def _database_settings(
    name: str,
    merged: Mapping[str, Any],
    address: str,
    databases: Mapping[str, Database],
    doc: YamlDocument,
) -> DatabaseSettings | None:
    """The target's own `port` is its database port unless `database.port` says otherwise.
    Its backups are those named, or by default those on its address and port whose engine
    speaks its protocol (a mysql target's backups may say mariadb)."""
    if "database" not in merged:
        return None
    section = dict(merged["database"])
    named = section.pop("backups", None)
    if merged.get("port") and "port" not in section:
        section["port"] = merged["port"]
    settings = DatabaseSettings(**section)
    if named is None:
        chosen = [
            db.name
            for db in databases.values()
            if db.engine in DB_ENGINES
            and DB_ENGINES[db.engine].protocol == DB_ENGINES[settings.engine].protocol
            and (db.host or "localhost") == address
            and (db.port or DB_ENGINES[db.engine].port) == settings.port_or_default
        ]
    else:
        for i, backup in enumerate(named):
            if backup not in databases:
                known = ", ".join(sorted(databases)) or phrase("none under `databases:`")
                raise doc.error(
                    ("hosts", name, "database", "backups", i),
                    phrase(
                        "unknown database backup {name} (known: {known})",
                        name=repr(backup),
                        known=known,
                    ),
                )
        chosen = named
    return replace(settings, backups={n: databases[n].max_age for n in chosen})


def _change_window(spec: Mapping[str, Any]) -> ChangeWindow:
    """A host's list replaces its groups' (like parents): windows are not summed up."""
    return ChangeWindow(
        cron=spec.get("cron"),
        duration=spec.get("duration"),
        start=spec.get("start"),
        end=spec.get("end"),
        timezone=spec.get("timezone", "UTC"),
    )


def _merge(layers: list[dict[str, Any]]) -> dict[str, Any]:
    """Later layers win; nested mappings (ssh, snmp, labels) merge key by key."""
    merged: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = _merge([merged[key], value])
            else:
                merged[key] = value
    return merged
