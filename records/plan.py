"""The inspection plan: what the agent was due to run and what became of each slot.

Scoring computes the completion rate as done / (planned slots that are not cancelled), so
every slot is written before it runs and no slot is left open when the agent comes back.

Written through the DB-API (sqlite3 or psycopg) on the table records/agent_schema.py defines
and migrates: the long-lived agent keeps neither SQLAlchemy nor its ORM resident for a few
small statements. Times are stored as SQLAlchemy stores them (records/types.py): UTC text
`YYYY-MM-DD HH:MM:SS.ffffff` on SQLite, timestamptz on PostgreSQL.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from core.clock import utc_now

if TYPE_CHECKING:
    from sqlalchemy import Engine

PLANNED, RUNNING, DONE, MISSED, CANCELLED = "planned", "running", "done", "missed", "cancelled"
TABLE = "inspection_plan"
COLUMNS = "job, kind, slot_at, due_at, state, run_id, reason, updated_at"


@dataclass(frozen=True)
class Settled:
    done: int
    missed: int


@dataclass(frozen=True)
class PlanEntry:
    job: str
    kind: str
    slot_at: datetime
    due_at: datetime
    state: str
    run_id: str | None
    reason: str
    updated_at: datetime


class Plan:
    """`source`: the records database's SQLAlchemy URL (sqlite or postgresql) or an engine
    on it, the schema migrated."""

    def __init__(self, source: str | Engine) -> None:
        url = source if isinstance(source, str) else source.url.render_as_string(False)
        parts = urlsplit(url)
        self.sqlite = parts.scheme.startswith("sqlite")
        if self.sqlite:
            self.target = unquote(url.split("///", 1)[1].split("?", 1)[0]) if "///" in url else ""
        else:
            self.target = parts._replace(scheme="postgresql").geturl()

    @contextmanager
    def _cursor(self) -> Iterator[_Cursor]:
        """One connection per call, committed on success (calls come from several threads)."""
        if self.sqlite:
            connection = sqlite3.connect(self.target or ":memory:", timeout=10)
            connection.execute("PRAGMA synchronous=NORMAL")
        else:
            import psycopg

            connection = psycopg.connect(self.target)
        try:
            with connection:
                yield _Cursor(connection.cursor(), self.sqlite)
        finally:
            connection.close()

    def latest_slot(self, job: str) -> datetime | None:
        with self._cursor() as cur:
            rows = cur.run(
                f"SELECT slot_at FROM {TABLE} WHERE job = ? AND state != ? "
                "ORDER BY slot_at DESC LIMIT 1",
                (job, CANCELLED),
            )
            return cur.time(rows[0][0]) if rows else None

    def add_planned(self, job: str, kind: str, slots: Iterable[tuple[datetime, datetime]]) -> int:
        """Record (slot, due) pairs as planned; a slot cancelled earlier is planned again, other
        slots already recorded are left as they are."""
        slots = list(slots)
        if not slots:
            return 0
        now = utc_now()
        with self._cursor() as cur:
            marks = ", ".join("?" for _ in slots)
            existing = {
                cur.time(slot): state
                for slot, state in cur.run(
                    f"SELECT slot_at, state FROM {TABLE} WHERE job = ? AND slot_at IN ({marks})",
                    (job, *(cur.stored(s) for s, _ in slots)),
                )
            }
            again = [(s, d) for s, d in slots if existing.get(s) == CANCELLED]
            cur.many(
                f"UPDATE {TABLE} SET state = ?, due_at = ?, reason = '', updated_at = ? "
                "WHERE job = ? AND slot_at = ?",
                [(PLANNED, cur.stored(d), cur.stored(now), job, cur.stored(s)) for s, d in again],
            )
            new = [(s, d) for s, d in slots if s not in existing]
            cur.many(
                f"INSERT INTO {TABLE} ({COLUMNS}) VALUES (?, ?, ?, ?, ?, NULL, '', ?)",
                [
                    (job, kind, cur.stored(s), cur.stored(d), PLANNED, cur.stored(now))
                    for s, d in new
                ],
            )
            return len(new)

    def pending(self, job: str) -> list[datetime]:
        """Planned slots of the job that have neither run nor been given up."""
        with self._cursor() as cur:
            rows = cur.run(
                f"SELECT slot_at FROM {TABLE} WHERE job = ? AND state = ? ORDER BY slot_at",
                (job, PLANNED),
            )
            return [cur.time(slot) for (slot,) in rows]

    def mark(
        self,
        job: str,
        slots: Sequence[datetime],
        state: str,
        reason: str = "",
        run_id: str | None = None,
    ) -> None:
        if not slots:
            return
        with self._cursor() as cur:
            now = cur.stored(utc_now())
            cur.many(
                f"UPDATE {TABLE} SET state = ?, reason = ?, run_id = ?, updated_at = ? "
                "WHERE job = ? AND slot_at = ?",
                [(state, reason, run_id, now, job, cur.stored(s)) for s in slots],
            )

    def settle(self, reason: str, job: str | None = None, slot: datetime | None = None) -> Settled:
        """Close `running` slots (all, or one) whose job was cut off: done when the run the
        slot expects was stored (its job got that far before the agent died or killed it),
        else missed with `reason`."""
        with self._cursor() as cur:
            query = f"SELECT id, run_id FROM {TABLE} WHERE state = ?"
            params: tuple = (RUNNING,)
            if job is not None:
                query += " AND job = ? AND slot_at = ?"
                params += (job, cur.stored(slot))
            rows = cur.run(query, params)
            expected = [run_id for _, run_id in rows if run_id]
            stored = set()
            if expected:
                marks = ", ".join("?" for _ in expected)
                stored = {
                    r for (r,) in cur.run(f"SELECT id FROM runs WHERE id IN ({marks})", expected)
                }
            now = cur.stored(utc_now())
            done = [(DONE, "", now, row) for row, run_id in rows if run_id in stored]
            missed = [(MISSED, reason, now, row) for row, run_id in rows if run_id not in stored]
            cur.many(f"UPDATE {TABLE} SET state = ?, reason = ?, updated_at = ? WHERE id = ?", done)
            cur.many(
                f"UPDATE {TABLE} SET state = ?, reason = ?, run_id = NULL, updated_at = ? "
                "WHERE id = ?",
                missed,
            )
            return Settled(len(done), len(missed))

    def cancel_planned(self, keep: dict[str, set[datetime]], reason: str) -> int:
        """Planned slots no schedule produces any more (job removed or changed on reload)."""
        with self._cursor() as cur:
            rows = cur.run(f"SELECT id, job, slot_at FROM {TABLE} WHERE state = ?", (PLANNED,))
            dropped = [row for row, job, s in rows if cur.time(s) not in keep.get(job, set())]
            now = cur.stored(utc_now())
            cur.many(
                f"UPDATE {TABLE} SET state = ?, reason = ?, updated_at = ? WHERE id = ?",
                [(CANCELLED, reason, now, row) for row in dropped],
            )
            return len(dropped)

    def between(self, start: datetime, end: datetime) -> list[PlanEntry]:
        with self._cursor() as cur:
            rows = cur.run(
                f"SELECT {COLUMNS} FROM {TABLE} WHERE slot_at >= ? AND slot_at < ? "
                "ORDER BY slot_at, job",
                (cur.stored(start), cur.stored(end)),
            )
            return [_entry(cur, row) for row in rows]

    def last_closed(self, job: str) -> PlanEntry | None:
        """The job's latest slot that ran or was missed."""
        with self._cursor() as cur:
            rows = cur.run(
                f"SELECT {COLUMNS} FROM {TABLE} WHERE job = ? AND state IN (?, ?, ?) "
                "ORDER BY slot_at DESC LIMIT 1",
                (job, DONE, MISSED, RUNNING),
            )
            return _entry(cur, rows[0]) if rows else None


# pg_try_advisory_lock's key for "this process writes the plan": the bytes of "opsiplan"
PLAN_LOCK_KEY = int.from_bytes(b"opsiplan", "big")


class PlanLock:
    """The one writer of the plan among agents sharing a PostgreSQL database (several
    servers, docs/central.md): a session advisory lock on a connection of its own, held for
    the life of the agent and released by PostgreSQL when that connection ends, SIGKILL
    included. On SQLite the agent's flock on its data directory already is the one lock."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self._connection = None

    def try_acquire(self) -> bool:
        if self.plan.sqlite:
            return True
        import psycopg

        if self._connection is None:
            self._connection = psycopg.connect(self.plan.target, autocommit=True)
        row = self._connection.execute("SELECT pg_try_advisory_lock(%s)", (PLAN_LOCK_KEY,))
        held = bool(row.fetchone()[0])
        if not held:
            self.release()
        return held

    def held(self) -> bool:
        """Still ours: the connection that holds it answers (a lost one lost the lock)."""
        if self.plan.sqlite:
            return True
        if self._connection is None:
            return False
        try:
            self._connection.execute("SELECT 1").fetchone()
        except Exception:  # noqa: BLE001 - whatever broke the connection, the lock is gone
            self.release()
            return False
        return True

    def release(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                self._connection.close()
            self._connection = None


class _Cursor:
    """The two drivers' differences: placeholders, and how a time is stored."""

    def __init__(self, cursor, sqlite: bool) -> None:
        self.cursor, self.sqlite = cursor, sqlite

    def _sql(self, sql: str) -> str:
        return sql if self.sqlite else sql.replace("?", "%s")

    def run(self, sql: str, params: Sequence = ()) -> list[tuple]:
        self.cursor.execute(self._sql(sql), tuple(params))
        return list(self.cursor.fetchall()) if self.cursor.description else []

    def many(self, sql: str, rows: list[tuple]) -> None:
        if rows:
            self.cursor.executemany(self._sql(sql), rows)

    def stored(self, moment: datetime) -> str | datetime:
        if moment.tzinfo is None:
            raise ValueError("naive datetime given to the records store")
        moment = moment.astimezone(UTC)
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else moment

    def time(self, value: str | datetime) -> datetime:
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _entry(cur: _Cursor, row: tuple) -> PlanEntry:
    job, kind, slot_at, due_at, state, run_id, reason, updated_at = row
    return PlanEntry(
        job,
        kind,
        cur.time(slot_at),
        cur.time(due_at),
        state,
        run_id,
        reason,
        cur.time(updated_at),
    )
