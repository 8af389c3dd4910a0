"""SNMP collector (pysnmp 7, asyncio): one GET of the system group, then one GETBULK loop
over only the columns the samples need. Decoding lives in collectors.snmp_decode.

pysnmp binds its engine to one event loop, and the runner calls collectors from many threads,
so the process keeps one engine on one loop in a daemon thread and every collect() submits its
poll there: polls of many devices then overlap on one socket instead of one engine each. v3
users in that engine are scoped by each agent's engine ID (collectors.snmp_usm), so devices
with one user name and different keys never use each other's.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import Iterable
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import UTC, datetime
from typing import Any, ClassVar

from collectors import snmp_decode as decode
from collectors import snmp_oids as oids
from collectors import snmp_patrol as patrol
from collectors import snmp_window
from collectors.notes import noted
from collectors.session import Session
from collectors.snmp_agent import Agent
from collectors.snmp_hardware import hardware_samples
from collectors.snmp_usm import UsmScope
from core import names
from core.errors import CollectError, UserError
from core.model import DEVICE, Missing, Sample, SnmpSettings, Target
from core.phrases import phrase
from settings import secrets
from settings.profiles import Profile

AUTH_PROTOCOLS = {
    "MD5": "USM_AUTH_HMAC96_MD5",
    "SHA": "USM_AUTH_HMAC96_SHA",
    "SHA224": "USM_AUTH_HMAC128_SHA224",
    "SHA256": "USM_AUTH_HMAC192_SHA256",
    "SHA384": "USM_AUTH_HMAC256_SHA384",
    "SHA512": "USM_AUTH_HMAC384_SHA512",
}
PRIV_PROTOCOLS = {
    "DES": "USM_PRIV_CBC56_DES",
    "AES": "USM_PRIV_CFB128_AES",
    "AES192": "USM_PRIV_CFB192_AES",
    "AES256": "USM_PRIV_CFB256_AES",
}
MAX_REPETITIONS = 40
MIN_KEY_LENGTH = 8  # RFC 3414 11.2: agents and pysnmp refuse shorter v3 pass phrases
# what each device metric measures, for the note when no OID answers for it
DEVICE_METRICS = {
    names.DEVICE_CPU_PERCENT: phrase("CPU"),
    names.DEVICE_MEMORY_USED_PERCENT: phrase("memory"),
}


def repetitions(if_number: object) -> int:
    """Rows per GETBULK so the table ends in the last response, not 40 rows before it: every
    row past a column's end is still encoded by the agent and decoded by pyasn1 (~0.3 ms)."""
    if not isinstance(if_number, int) or if_number <= 0:
        return 10
    rows = if_number + 1  # +1 row to see the end of each column
    rounds = math.ceil(rows / MAX_REPETITIONS)
    return max(5, math.ceil(rows / rounds))


class SnmpCollector:
    name: ClassVar[str] = "snmp"
    family: ClassVar[str] = DEVICE

    def collect(self, target: Target, session: Session) -> Iterable[Sample]:
        spec = target.snmp or SnmpSettings()
        budget = session.remaining()
        if budget <= 0:
            raise CollectError(
                "timeout", phrase("no time left for SNMP before the target's deadline")
            )
        auth = credentials(target, spec)
        # the in-run rate window only when it leaves at least half the budget for the polls
        window = session.profile.rate_window if session.profile.rate_window < budget / 2 else 0
        poll = _poll(target, spec, auth, patrol.wanted(session.profile), window, session.profile)
        where = f"{target.address}:{spec.port}"
        found = [*_runtime().run(poll, budget, where), *patrol.cli_only(session.profile)]
        return list(noted(found, session))

    def poll_interfaces(self, target: Target, session: Session) -> list[Sample]:
        """Only the interface table (for bench/snmp_ifpoll.py): same loop, same engine."""
        spec = target.snmp or SnmpSettings()
        auth = credentials(target, spec)
        poll = _poll(target, spec, auth, (), 0, device=False)
        return _runtime().run(poll, session.remaining(), target.address)


class _Runtime:
    """The process's one SnmpEngine, living on one event loop in a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="snmp-loop", daemon=True).start()
        self.engine, self.users = asyncio.run_coroutine_threadsafe(
            self._engine(), self.loop
        ).result()

    @staticmethod
    async def _engine() -> tuple[Any, UsmScope]:
        from pysnmp.hlapi.v3arch.asyncio import SnmpEngine

        from collectors import snmp_schema  # pysnmp is imported only once SNMP is polled

        engine, users = SnmpEngine(), UsmScope()
        snmp_schema.install(engine)
        users.watch(engine)
        return engine, users

    def run(self, poll: Any, budget: float, where: str) -> Any:
        future = asyncio.run_coroutine_threadsafe(
            asyncio.wait_for(poll(self.engine, self.users), budget), self.loop
        )
        try:
            return future.result(budget + 1.0)
        except (TimeoutError, FutureTimeout):
            future.cancel()
            raise CollectError(
                "timeout",
                phrase("SNMP poll of {where} did not finish within {seconds} s", where=where,
                       seconds=f"{budget:g}"),
            ) from None


_RUNTIME: _Runtime | None = None
_RUNTIME_LOCK = threading.Lock()


def _runtime() -> _Runtime:
    global _RUNTIME
    with _RUNTIME_LOCK:
        if _RUNTIME is None:
            _RUNTIME = _Runtime()
        return _RUNTIME


def credentials(target: Target, spec: SnmpSettings) -> Any:
    """pysnmp auth data from the inventory; secrets resolved now, at use, and never logged."""
    from pysnmp.hlapi.v3arch import asyncio as hlapi

    version = spec.version
    if version in ("1", "2c"):
        if not spec.community:
            raise UserError(
                phrase(
                    "target {target}: snmp.community is not set (e.g. env:NAME)", target=target.name
                )
            )
        return hlapi.CommunityData(secrets.resolve(spec.community), mpModel=int(version != "1"))
    user = spec.username
    if not user:
        raise UserError(
            phrase("target {target}: snmp.username is required for SNMP v3", target=target.name)
        )
    auth_key = secrets.resolve(spec.auth_key) if spec.auth_key else None
    priv_key = secrets.resolve(spec.priv_key) if spec.priv_key else None
    if priv_key and not auth_key:
        raise UserError(
            phrase(
                "target {target}: snmp.priv_key needs snmp.auth_key (authPriv)", target=target.name
            )
        )
    for name, key in (("auth_key", auth_key), ("priv_key", priv_key)):
        if key is not None and len(key) < MIN_KEY_LENGTH:
            raise UserError(
                phrase(
                    "target {target}: snmp.{key} is shorter than {count} characters, the SNMPv3 "
                    "minimum",
                    target=target.name,
                    key=name,
                    count=MIN_KEY_LENGTH,
                )
            )
    auth_proto = AUTH_PROTOCOLS[spec.auth_protocol or "SHA"] if auth_key else None
    priv_proto = PRIV_PROTOCOLS[spec.priv_protocol or "AES"] if priv_key else None
    return hlapi.UsmUserData(
        user,
        authKey=auth_key,
        privKey=priv_key,
        authProtocol=getattr(hlapi, auth_proto) if auth_proto else hlapi.USM_AUTH_NONE,
        privProtocol=getattr(hlapi, priv_proto) if priv_proto else hlapi.USM_PRIV_NONE,
    )


def _poll(
    target: Target, spec: SnmpSettings, auth: Any, groups: tuple[patrol.Group, ...],
    window: float, profile: Profile | None = None, device: bool = True,
):
    async def poll(engine: Any, users: UsmScope) -> list[Sample | Missing]:
        opened = await Agent.open(engine, auth, target.address, spec, target.answer_limit_mb)
        async with users.scoped(opened) as agent:
            return await _samples(target, agent, device, groups, window, profile)

    return poll


async def _samples(
    target: Target,
    agent: Agent,
    device: bool,
    groups: tuple[patrol.Group, ...],
    window: float,
    profile: Profile | None = None,
) -> list[Sample | Missing]:
    try:
        scalars = await agent.get((*oids.SCALARS, *patrol.scalars(groups)))
        scalars_at = time.time()
    except CollectError as exc:
        if exc.reason == "timeout" and await agent.answers_anyone():
            raise CollectError(
                "auth failed",
                phrase(
                    "SNMP agent {where} is up but ignored our request: wrong community or v3 "
                    "privacy key, or this address is not allowed",
                    where=agent.where,
                ),
            ) from None
        raise
    named = {
        "sys_descr": scalars.get(oids.SYS_DESCR),
        "sys_object_id": scalars.get(oids.SYS_OBJECT_ID),
        "uptime": scalars.get(oids.HR_SYSTEM_UPTIME, scalars.get(oids.SYS_UPTIME)),
        "sys_name": scalars.get(oids.SYS_NAME),
    }
    vendor = oids.vendor_of(decode.text(named["sys_object_id"] or "")) if device else None
    wanted = dict(oids.IF_COLUMNS)
    if device:
        wanted.update(oids.VENDOR_COLUMNS[vendor] if vendor else oids.HR_COLUMNS)
        wanted.update(patrol.columns(groups))  # the profile's patrol tables, in the same walk
    if_number = scalars.get(oids.IF_NUMBER)
    columns, stamps = await agent.walk(wanted, repetitions(if_number))
    make = decode.SampleMaker(target.name, datetime.now(UTC))
    present = {k: v for k, v in named.items() if v is not None}
    interfaces = list(decode.interface_samples(make, columns, stamps))
    ports = patrol.interface_names(interfaces)
    start: list[Sample] = []
    if device and window > 0:
        start = snmp_window.window_start(
            [*interfaces, *patrol.samples(make, groups, columns, scalars, ports, stamps)]
        )
        await asyncio.sleep(window)
        counters = snmp_window.counter_columns(wanted)
        again, again_stamps = await agent.walk(counters, repetitions(if_number))
        columns, stamps = {**columns, **again}, {**stamps, **again_stamps}
        interfaces = list(decode.interface_samples(make, columns, stamps))
    samples = [*decode.system_samples(make.read_at(scalars_at), present), *interfaces, *start]
    if not device:
        return samples
    samples.extend(patrol.samples(make, groups, columns, scalars, ports, stamps))
    names: dict[str, str] = {}
    if vendor in ("huawei", "h3c"):
        names = await _entity_names(agent, decode.entity_indexes(columns))
    device_samples = decode.vendor_samples(make, vendor, columns, names)
    have = {s.metric for s in device_samples}
    # e.g. Nexus: CPU in cpm, memory only in hrStorage
    if vendor and have != DEVICE_METRICS.keys():
        columns, _ = await agent.walk(oids.HR_COLUMNS, 10)
    fallback = decode.host_resources_samples(make, columns)
    samples.extend([*device_samples, *(s for s in fallback if s.metric not in have)])
    # power supplies, fans, boards, temperatures, optics: only what the profile asks for
    hardware = await hardware_samples(agent, make, vendor, profile, interfaces) if profile else []
    return [*samples, *unanswered(vendor, {s.metric for s in samples}), *hardware]


def unanswered(vendor: str | None, got: set[str]) -> list[Missing]:
    """A note per device metric no OID answered for (the checks then say "not measured")."""
    read = (
        phrase("{vendor} tables, HOST-RESOURCES-MIB", vendor=vendor)
        if vendor
        else "HOST-RESOURCES-MIB"
    )
    return [
        Missing(
            metric,
            phrase("the device answers no {what} OID we read ({read})", what=what, read=read),
        )
        for metric, what in DEVICE_METRICS.items()
        if metric not in got
    ]


async def _entity_names(agent: Agent, indexes: list[str]) -> dict[str, str]:
    """entPhysicalName of the boards that report usage, in one GET."""
    if not indexes:
        return {}
    oid_of = {f"{oids.ENT_PHYSICAL_NAME}.{i}": i for i in indexes}
    values = await agent.get(list(oid_of))
    return {oid_of[o]: decode.text(v) for o, v in values.items() if decode.text(v)}
