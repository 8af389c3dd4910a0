"""Requests to one SNMP agent: GET and a side-by-side GETBULK column walk.

It drives pysnmp's RFC 3413 command generators with raw numeric var-binds. The hlapi
get_cmd/bulk_cmd resolve every request OID against the MIB, which with pysmi installed builds a
MIB parser on first use (1.5 s here) and costs time on every request; numeric OIDs need none.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from typing import Any

from core.errors import CollectError
from core.model import SnmpSettings
from core.phrases import phrase

Oid = tuple[int, ...]
Table = dict[str, dict[str, Any]]
Stamps = dict[str, dict[str, float]]

_WRONG_AUTH = (
    "auth failed",
    phrase("SNMP agent {where} rejected our signature: wrong auth_key or auth_protocol"),
)
_WRONG_PRIV = (
    "auth failed",
    phrase("SNMP agent {where} could not decrypt our request: wrong priv_key or priv_protocol"),
)
_PROTOCOLS = (
    "v3 mismatch",
    phrase("SNMP agent {where} does not support the configured auth_protocol or priv_protocol"),
)
_ENGINE = (
    "v3 mismatch",
    phrase(
        "SNMP agent {where} changed its engine ID or engine time since it last answered "
        "(restarted, or an engine ID another agent shares)"
    ),
)
_NO_USER = ("v3 mismatch", phrase("SNMP agent {where} has no v3 user of that name"))
# pysnmp's error indications (v3 report PDUs from the agent) in plain words; `where` comes later
REFUSALS = {
    "WrongDigest": _WRONG_AUTH,
    "AuthenticationError": _WRONG_AUTH,
    "AuthenticationFailure": _WRONG_AUTH,
    "DecryptionError": _WRONG_PRIV,
    "UnknownUserName": _NO_USER,
    "UnknownSecurityName": _NO_USER,
    "UnsupportedSecurityLevel": (
        "v3 mismatch",
        phrase(
            "SNMP agent {where} does not allow this security level for the user (both keys: "
            "authPriv; auth_key only: authNoPriv)"
        ),
    ),
    "UnsupportedAuthProtocol": _PROTOCOLS,
    "UnsupportedPrivProtocol": _PROTOCOLS,
    "NotInTimeWindow": _ENGINE,
    "UnknownEngineID": _ENGINE,
}
AUTHORIZATION_ERROR = 16  # errorStatus authorizationError
PROBE_USER = "opsinspect-probe"


def oid(text: str) -> Oid:
    return tuple(int(part) for part in text.split("."))


class Agent:
    """One device's request helpers: errors become CollectError with a reason.

    A walk stops with "answer too large" once its rows (values and OIDs) pass `limit_mb`:
    an agent whose tables never end would otherwise fill memory until the deadline."""

    def __init__(
        self, engine: Any, auth: Any, transport: Any, where: str, bulk: bool, limit_mb: float
    ) -> None:
        self.engine, self.auth, self.transport, self.where = engine, auth, transport, where
        self.bulk = bulk  # SNMP v1 has no GETBULK: the walk falls back to GETNEXT
        self.limit_mb = limit_mb

    @classmethod
    async def open(
        cls, engine: Any, auth: Any, address: str, spec: SnmpSettings, limit_mb: float
    ) -> Agent:
        from pysnmp.error import PySnmpError
        from pysnmp.hlapi.v3arch.asyncio import UdpTransportTarget

        port = spec.port
        try:
            transport = await UdpTransportTarget.create(
                (address, port),
                timeout=spec.timeout,
                retries=spec.retries,
            )
        except PySnmpError as exc:  # the name did not resolve (socket.gaierror inside)
            cause = exc.__context__
            why = cause.strerror if isinstance(cause, OSError) and cause.strerror else "invalid"
            raise CollectError(
                "unreachable",
                phrase("cannot resolve {address}: {error}", address=address, error=why),
            ) from None
        bulk = spec.version != "1"
        return cls(engine, auth, transport, f"{address}:{port}", bulk, limit_mb)

    async def get(self, wanted: Sequence[str]) -> dict[str, Any]:
        """{dotted OID: plain value}; absent objects (noSuch*) are left out."""
        reply = await self._request("get", [oid(o) for o in wanted])
        return {".".join(map(str, key)): value for key, value in reply if value is not None}

    async def walk(self, columns: Mapping[str, str], reps: int) -> tuple[Table, Stamps]:
        """{column name: {row index: value}}: the columns walked side by side in one loop
        until each leaves its subtree; a column that ends early drops out of later requests.
        Also when each value arrived (epoch seconds), in the same shape."""
        found: Table = {name: {} for name in columns}
        stamps: Stamps = {name: {} for name in columns}
        roots = {name: oid(text) for name, text in columns.items()}
        cursor = dict(roots)
        received, limit = 0, self.limit_mb * (1 << 20)
        while cursor:
            names = list(cursor)
            reply = await self._request(
                "bulk" if self.bulk else "next", [cursor[n] for n in names], reps
            )
            arrived = time.time()
            received += sum(len(key) + _size(value) for key, value in reply)
            if received > limit:
                raise CollectError.too_large(f"SNMP {self.where}", self.limit_mb)
            finished, moved = set(), False
            for position, (key, value) in enumerate(reply):
                name = names[position % len(names)]
                root = roots[name]
                # past the column's end, or an agent going backwards (stop rather than loop)
                if (
                    name in finished
                    or value is None
                    or key[: len(root)] != root
                    or key <= cursor[name]
                ):
                    finished.add(name)
                else:
                    index = ".".join(map(str, key[len(root) :]))
                    found[name][index], stamps[name][index] = value, arrived
                    cursor[name], moved = key, True
            if not moved:
                break
            for name in finished:
                cursor.pop(name, None)
        return found, stamps

    def with_auth(self, auth: Any) -> Agent:
        return Agent(self.engine, auth, self.transport, self.where, self.bulk, self.limit_mb)

    async def answers_anyone(self) -> bool:
        """After a timeout: does the agent answer an unknown v3 user with a report PDU?
        Then it is up and ignored our community (or could not decrypt our v3 request)."""
        from pysnmp.hlapi.v3arch.asyncio import UdpTransportTarget

        quick = await UdpTransportTarget.create(
            self.transport.transport_address, timeout=1.0, retries=0
        )
        return await self.probe(quick)

    async def probe(self, transport: Any) -> bool:
        """A GET as a user no agent has: an agent that is up answers with a report PDU, which
        also carries its engine ID. True when anything came back."""
        from pysnmp.hlapi.v3arch.asyncio import UsmUserData

        probe = Agent(
            self.engine, UsmUserData(PROBE_USER), transport, self.where, True, self.limit_mb
        )
        try:
            await probe._request("get", [oid("1.3.6.1.2.1.1.3.0")])
        except CollectError as exc:
            return exc.reason != "timeout"
        return True

    async def _request(self, kind: str, oids: list[Oid], reps: int = 0) -> list[tuple[Oid, Any]]:
        from pyasn1.type.univ import Null
        from pysnmp.entity.rfc3413 import cmdgen
        from pysnmp.error import PySnmpError
        from pysnmp.hlapi.v3arch.asyncio.cmdgen import LCD
        from pysnmp.proto.rfc1902 import ObjectName

        future: asyncio.Future = asyncio.get_running_loop().create_future()

        def done(_engine, _handle, indication, status, index, var_binds, _ctx) -> None:
            if not future.cancelled():
                future.set_result((indication, status, index, var_binds))

        try:
            address, _params = LCD.configure(self.engine, self.auth, self.transport, b"")
        except PySnmpError:
            raise CollectError(
                "configuration",
                phrase(
                    "the SNMP library refused the snmp: settings (user name, keys or protocols)"
                ),
            ) from None
        var_binds = [(ObjectName(o), Null("")) for o in oids]
        if kind == "bulk":
            cmdgen.BulkCommandGenerator().send_varbinds(
                self.engine, address, None, b"", 0, reps, var_binds, done
            )
        else:
            generator = cmdgen.GetCommandGenerator if kind == "get" else cmdgen.NextCommandGenerator
            generator().send_varbinds(self.engine, address, None, b"", var_binds, done)
        return self._checked(await future)

    def _checked(self, reply: tuple) -> list[tuple[Oid, Any]]:
        indication, status, index, var_binds = reply
        if indication:
            kind = type(indication).__name__
            if kind == "RequestTimedOut":
                raise CollectError(
                    "timeout", phrase("no SNMP answer from {where}", where=self.where)
                )
            if kind in REFUSALS:
                reason, why = REFUSALS[kind]
                raise CollectError(reason, why.fill(where=self.where))
            raise CollectError("protocol error", f"SNMP {self.where}: {indication}")
        if int(status) == AUTHORIZATION_ERROR:
            raise CollectError(
                "auth failed",
                phrase("SNMP agent {where} denied this user or community access", where=self.where),
            )
        if int(status):
            raise CollectError(
                "protocol error",
                phrase(
                    "SNMP {where} answered with error {error} at varbind {index}",
                    where=self.where,
                    error=status.prettyPrint(),
                    index=int(index),
                ),
            )
        return [(tuple(key), python_value(value)) for key, value in var_binds]


def _size(value: int | str | bytes | None) -> int:
    return len(value) if isinstance(value, str | bytes) else 8


def python_value(value: Any) -> int | str | bytes | None:
    """Plain Python for the pure decoders; the 'no such' and end-of-view markers become None."""
    from pyasn1.type import univ

    if isinstance(value, univ.Null):  # noSuchObject/noSuchInstance/endOfMibView; an OctetString
        return None
    if isinstance(value, univ.Integer):
        return int(value)
    if isinstance(value, univ.OctetString):
        return bytes(value)
    if isinstance(value, univ.ObjectIdentifier):
        return ".".join(map(str, value))
    return None
