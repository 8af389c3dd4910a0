"""SNMPv3 users in the process's one SnmpEngine, each scoped by its agent's engine ID.

pysnmp keeps v3 users in the engine's USM table. A user added without an engine ID is one row
per user *name*, from which pysnmp clones a row for each agent it talks to; adding the same name
with other keys replaces that row and drops every clone, so two devices with one user name and
per-device keys, polled side by side, sign with each other's keys (WrongDigest), and a key
pysnmp refuses half-writes the row the good device needs. A row indexed by (engine ID, user)
belongs to one agent: so each poll first learns the agent's authoritative engine ID (the report
an agent sends to an unknown user carries it) and registers its user under that ID.

Two agents that wrongly share an engine ID (RFC 3411 wants it unique) would share the row
again: polls that need one row with different keys take turns instead of overwriting it.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Callable, Hashable
from contextlib import asynccontextmanager
from typing import Any

from collectors.snmp_agent import Agent
from core.errors import CollectError
from core.phrases import phrase

Row = tuple[bytes, str]  # (engine ID, user name)


class UsmScope:
    """Engine IDs seen per agent address, and which keys each v3 row holds for how many polls."""

    def __init__(self) -> None:
        self.engine_ids: dict[Hashable, bytes] = {}
        self._rows: dict[Row, tuple[bytes, int]] = {}  # row -> (keys fingerprint, polls using)
        self._changed = asyncio.Condition()

    def watch(self, engine: Any) -> None:
        """Note the engine ID of every report/response the engine receives, by address."""

        def seen(_engine: Any, _point: str, variables: dict, _ctx: Any) -> None:
            if variables.get("securityEngineId"):
                address = tuple(variables["transportAddress"])
                self.engine_ids[address] = bytes(variables["securityEngineId"])

        engine.observer.register_observer(seen, "rfc3412.prepareDataElements:internal")

    @asynccontextmanager
    async def scoped(self, agent: Agent) -> AsyncIterator[Agent]:
        """The agent with its v3 user bound to the agent's own engine ID (community: as is)."""
        from pysnmp.hlapi.v3arch.asyncio import UsmUserData

        if not isinstance(agent.auth, UsmUserData):
            yield agent
            return
        engine_id = await self._discover(agent)
        row: Row = (engine_id, str(agent.auth.userName))
        keys = _fingerprint(agent.auth)
        async with self._changed:
            await self._changed.wait_for(self._free(row, keys))
            _, using = self._rows.get(row, (keys, 0))
            self._rows[row] = (keys, using + 1)
        try:
            yield agent.with_auth(agent.auth.clone(securityEngineId=engine_id))
        finally:
            async with self._changed:
                held, using = self._rows[row]
                self._rows[row] = (held, using - 1)
                self._changed.notify_all()

    def _free(self, row: Row, keys: bytes) -> Callable[[], bool]:
        def free() -> bool:
            held, using = self._rows.get(row, (keys, 0))
            return held == keys or using == 0

        return free

    async def _discover(self, agent: Agent) -> bytes:
        address = tuple(agent.transport.transport_address)
        await agent.probe(agent.transport)
        engine_id = self.engine_ids.get(address)
        if not engine_id:
            raise CollectError("timeout", phrase("no SNMP answer from {where}", where=agent.where))
        return engine_id


def _fingerprint(auth: Any) -> bytes:
    """What pysnmp compares to decide a row's keys changed; hashed, never kept in clear."""
    parts = (
        auth.authentication_protocol,
        auth.authentication_key,
        auth.privacy_protocol,
        auth.privacy_key,
    )
    return hashlib.sha256(repr(parts).encode()).digest()
