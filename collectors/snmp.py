"""SNMP collector (pysnmp 7, asyncio): one GET of the system group, then one GETBULK loop
over only the columns the samples need. Decoding lives in collectors.snmp_decode.

pysnmp binds its engine to one event loop, and the runner calls collectors from many threads,
so the process keeps one engine on one loop in a daemon thread and every collect() submits its
poll there: polls of many devices then overlap on one socket instead of one engine each.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import UTC, datetime
from typing import Any, ClassVar

from collectors import snmp_decode as decode
from collectors import snmp_oids as oids
from core import secrets
from core.errors import CollectError, UserError
from core.model import Sample, Target
from core.session import Session

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
# error indications that mean "the agent answered and refused us" (v3 report PDUs)
AUTH_ERRORS = frozenset(
    {
        "WrongDigest",
        "UnknownUserName",
        "UnknownSecurityName",
        "AuthenticationError",
        "AuthenticationFailure",
        "DecryptionError",
        "UnsupportedSecurityLevel",
        "UnsupportedAuthProtocol",
        "UnsupportedPrivProtocol",
        "NotInTimeWindow",
    }
)
AUTHORIZATION_ERROR = 16  # errorStatus authorizationError
MAX_REPETITIONS = 40


class SnmpCollector:
    name: ClassVar[str] = "snmp"

    def collect(self, target: Target, session: Session) -> Iterable[Sample]:
        spec = dict(target.snmp or {})
        budget = session.remaining()
        if budget <= 0:
            raise CollectError("timeout", "no time left for SNMP before the target's deadline")
        auth = credentials(target, spec)
        poll = _poll(target, spec, auth)
        return _runtime().run(poll, budget, f"{target.address}:{spec.get('port', 161)}")

    def poll_interfaces(self, target: Target, session: Session) -> list[Sample]:
        """Only the interface table (for bench/snmp_ifpoll.py): same loop, same engine."""
        spec = dict(target.snmp or {})
        auth = credentials(target, spec)
        poll = _poll(target, spec, auth, device=False)
        return _runtime().run(poll, session.remaining(), target.address)


class _Runtime:
    """The process's one SnmpEngine, living on one event loop in a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="snmp-loop", daemon=True).start()
        self.engine = asyncio.run_coroutine_threadsafe(self._engine(), self.loop).result()

    @staticmethod
    async def _engine() -> Any:
        from pysnmp.hlapi.v3arch.asyncio import SnmpEngine

        return SnmpEngine()

    def run(self, poll: Any, budget: float, where: str) -> Any:
        future = asyncio.run_coroutine_threadsafe(
            asyncio.wait_for(poll(self.engine), budget), self.loop
        )
        try:
            return future.result(budget + 1.0)
        except (TimeoutError, FutureTimeout):
            future.cancel()
            raise CollectError(
                "timeout", f"SNMP poll of {where} did not finish within {budget:g} s"
            ) from None


_RUNTIME: _Runtime | None = None
_RUNTIME_LOCK = threading.Lock()


def _runtime() -> _Runtime:
    global _RUNTIME
    with _RUNTIME_LOCK:
        if _RUNTIME is None:
            _RUNTIME = _Runtime()
        return _RUNTIME


def credentials(target: Target, spec: Mapping[str, Any]) -> Any:
    """pysnmp auth data from the inventory; secrets resolved now, at use, and never logged."""
    from pysnmp.hlapi.v3arch import asyncio as hlapi

    version = str(spec.get("version", "2c"))
    if version in ("1", "2c"):
        if not spec.get("community"):
            raise UserError(f"target {target.name}: snmp.community is not set (e.g. env:NAME)")
        return hlapi.CommunityData(secrets.resolve(spec["community"]), mpModel=int(version != "1"))
    user = spec.get("username")
    if not user:
        raise UserError(f"target {target.name}: snmp.username is required for SNMP v3")
    auth_key = secrets.resolve(spec["auth_key"]) if spec.get("auth_key") else None
    priv_key = secrets.resolve(spec["priv_key"]) if spec.get("priv_key") else None
    if priv_key and not auth_key:
        raise UserError(f"target {target.name}: snmp.priv_key needs snmp.auth_key (authPriv)")
    auth_proto = AUTH_PROTOCOLS[spec.get("auth_protocol") or "SHA"] if auth_key else None
    priv_proto = PRIV_PROTOCOLS[spec.get("priv_protocol") or "AES"] if priv_key else None
    return hlapi.UsmUserData(
        user,
        authKey=auth_key,
        privKey=priv_key,
        authProtocol=getattr(hlapi, auth_proto) if auth_proto else hlapi.USM_AUTH_NONE,
        privProtocol=getattr(hlapi, priv_proto) if priv_proto else hlapi.USM_PRIV_NONE,
    )


def _poll(target: Target, spec: Mapping[str, Any], auth: Any, device: bool = True):
    async def poll(engine: Any) -> list[Sample]:
        agent = await _Agent.open(engine, auth, target.address, spec)
        scalars = await agent.get(oids.SCALARS)
        named = {
            "descr": scalars.get(oids.SYS_DESCR),
            "sys_object_id": scalars.get(oids.SYS_OBJECT_ID),
            "uptime": scalars.get(oids.SYS_UPTIME),
            "sys_name": scalars.get(oids.SYS_NAME),
        }
        vendor = decode.text(named["sys_object_id"] or "") if device else ""
        vendor = oids.vendor_of(vendor) if vendor else None
        wanted = dict(oids.IF_COLUMNS)
        if device:
            wanted.update(oids.VENDOR_COLUMNS[vendor] if vendor else oids.HR_COLUMNS)
        if_number = scalars.get(oids.IF_NUMBER)
        reps = min(MAX_REPETITIONS, if_number + 1) if isinstance(if_number, int) else 10
        columns = await agent.walk(wanted, max(reps, 5))
        make = decode.SampleMaker(target.name, datetime.now(UTC))
        samples = [
            *decode.system_samples(make, {k: v for k, v in named.items() if v is not None}),
            *decode.interface_samples(make, columns),
        ]
        if not device:
            return samples
        names: dict[str, str] = {}
        if vendor in ("huawei", "h3c"):
            names = await agent.entity_names(decode.entity_indexes(columns))
        vendor_samples = decode.vendor_samples(make, vendor, columns, names)
        if vendor and not vendor_samples:
            columns = await agent.walk(oids.HR_COLUMNS, 10)
        samples.extend(vendor_samples or decode.host_resources_samples(make, columns))
        return samples

    return poll


class _Agent:
    """One device's request helpers: errors become CollectError with a reason."""

    def __init__(self, engine: Any, auth: Any, transport: Any, where: str) -> None:
        self.engine, self.auth, self.transport, self.where = engine, auth, transport, where

    @classmethod
    async def open(cls, engine: Any, auth: Any, address: str, spec: Mapping[str, Any]) -> _Agent:
        from pysnmp.error import PySnmpError
        from pysnmp.hlapi.v3arch.asyncio import UdpTransportTarget

        port = int(spec.get("port", 161))
        try:
            transport = await UdpTransportTarget.create(
                (address, port),
                timeout=float(spec.get("timeout", 2.0)),
                retries=int(spec.get("retries", 1)),
            )
        except PySnmpError as exc:
            raise CollectError("unreachable", f"{address}:{port}: {exc}") from None
        return cls(engine, auth, transport, f"{address}:{port}")

    async def get(self, wanted: Sequence[str]) -> dict[str, Any]:
        from pysnmp.hlapi.v3arch.asyncio import ContextData, ObjectIdentity, ObjectType, get_cmd

        reply = await get_cmd(
            self.engine,
            self.auth,
            self.transport,
            ContextData(),
            *(ObjectType(ObjectIdentity(oid)) for oid in wanted),
            lookupMib=False,
        )
        return {str(oid): value for oid, value in self._checked(reply) if value is not None}

    async def walk(self, columns: Mapping[str, str], reps: int) -> dict[str, dict[str, Any]]:
        """GETBULK the given columns side by side until each leaves its subtree."""
        from pysnmp.hlapi.v3arch.asyncio import ContextData, ObjectIdentity, ObjectType, bulk_cmd

        found: dict[str, dict[str, Any]] = {name: {} for name in columns}
        roots = {name: tuple(int(p) for p in oid.split(".")) for name, oid in columns.items()}
        cursor = dict(roots)
        while cursor:
            names = list(cursor)
            reply = await bulk_cmd(
                self.engine,
                self.auth,
                self.transport,
                ContextData(),
                0,
                reps,
                *(ObjectType(ObjectIdentity(cursor[n])) for n in names),
                lookupMib=False,
            )
            finished, moved = set(), False
            for position, (oid, value) in enumerate(self._checked(reply)):
                name = names[position % len(names)]
                key = tuple(oid)
                root = roots[name]
                if name in finished or value is None or key[: len(root)] != root:
                    finished.add(name)
                    continue
                if key <= cursor[name]:  # a broken agent going backwards: stop, don't loop
                    finished.add(name)
                    continue
                found[name][".".join(map(str, key[len(root) :]))] = value
                cursor[name], moved = key, True
            if not moved:
                break
            for name in finished:
                cursor.pop(name, None)
        return found

    async def entity_names(self, indexes: Sequence[str]) -> dict[str, str]:
        if not indexes:
            return {}
        oid_of = {f"{oids.ENT_PHYSICAL_NAME}.{i}": i for i in indexes}
        values = await self.get(list(oid_of))
        return {oid_of[oid]: decode.text(v) for oid, v in values.items() if decode.text(v)}

    def _checked(self, reply: tuple) -> list[tuple[Any, Any]]:
        indication, status, index, var_binds = reply
        if indication:
            kind = type(indication).__name__
            if kind == "RequestTimedOut":
                raise CollectError(
                    "timeout",
                    f"no SNMP answer from {self.where} (host down, port filtered, wrong "
                    "community, or wrong v3 privacy key)",
                )
            if kind in AUTH_ERRORS:
                raise CollectError("auth failed", f"SNMP agent {self.where} refused us: {kind}")
            raise CollectError("protocol error", f"SNMP {self.where}: {indication}")
        if int(status):
            reason = "auth failed" if int(status) == AUTHORIZATION_ERROR else "protocol error"
            raise CollectError(
                reason, f"SNMP {self.where}: {status.prettyPrint()} at varbind {int(index)}"
            )
        return [(oid, python_value(value)) for oid, value in var_binds]


def python_value(value: Any) -> int | str | bytes | None:
    """Plain Python for the pure decoders; the 'no such' and end-of-view markers become None."""
    from pyasn1.type import univ

    if isinstance(value, univ.Integer):
        return int(value)
    if isinstance(value, univ.OctetString):
        return bytes(value)
    if isinstance(value, univ.ObjectIdentifier):
        return str(value)
    return None
