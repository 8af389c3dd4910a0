"""Collectors gather Samples from a target; they judge nothing. Registry: name -> factory."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ClassVar, Protocol

from collectors.session import Session
from core.errors import UserError
from core.model import DB_ENGINES, Sample, Target
from core.phrases import phrase


class Collector(Protocol):
    """`family`: what it measures (core.model.HOST, DEVICE or DATABASE), so the checks of that
    family are owed a finding. `collect` yields Samples and notes in the session each input it could
    not read and why (the checks that need it then say so instead of staying silent)."""

    name: ClassVar[str]
    family: ClassVar[str]

    def collect(self, target: Target, session: Session) -> Iterable[Sample]: ...


def _local() -> Collector:
    from collectors.local import LocalCollector

    return LocalCollector()


def _netcli() -> Collector:
    from collectors.netcli import NetCliCollector

    return NetCliCollector()


def _ssh() -> Collector:
    from collectors.ssh import SshCollector

    return SshCollector()


def _snmp() -> Collector:
    from collectors.snmp import SnmpCollector

    return SnmpCollector()


def _postgres() -> Collector:
    from collectors.postgres import PostgresCollector

    return PostgresCollector()


def _mysql() -> Collector:
    from collectors.mysql import MysqlCollector

    return MysqlCollector()


REGISTRY: dict[str, Callable[[], Collector]] = {
    "local": _local,
    "netcli": _netcli,
    "ssh": _ssh,
    "snmp": _snmp,
    "postgres": _postgres,
    "mysql": _mysql,
}

# The collector for each protocol of the engines a `database:` section may name.
DATABASE_COLLECTORS = {"postgresql": "postgres", "mysql": "mysql"}

# Network collectors a non-server target gets from its connection sections, cheapest first.
_NETWORK_SECTIONS = (("snmp", "snmp"), ("netcli", "cli"))


def default_names(target: Target) -> tuple[str, ...]:
    """The collectors a target gets when the inventory names none: its host's or device's,
    then its database's (a server may also run the database it names)."""
    if target.collectors:
        return target.collectors
    database = (
        (DATABASE_COLLECTORS[DB_ENGINES[target.database.engine].protocol],)
        if target.database
        else ()
    )
    if target.kind == "server" and target.is_local:
        return ("local", *database)
    if target.kind == "server" and target.ssh is not None:
        return ("ssh", *database)
    if target.kind not in ("server", "database"):
        return tuple(n for n, section in _NETWORK_SECTIONS if getattr(target, section) is not None)
    return database


def for_target(target: Target) -> list[Collector]:
    names = default_names(target)
    if not names:
        raise UserError(
            phrase(
                "target {target}: no collector applies (kind {kind}, address {address}); set "
                "`collectors:` or the connection settings",
                target=target.name,
                kind=target.kind,
                address=target.address,
            )
        )
    unknown = [n for n in names if n not in REGISTRY]
    if unknown:
        raise UserError(
            phrase(
                "target {target}: collector {name} is not available",
                target=target.name,
                name=repr(unknown[0]),
            )
        )
    return [REGISTRY[n]() for n in names]
