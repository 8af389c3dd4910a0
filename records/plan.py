"""The inspection plan: what the agent was due to run and what became of each slot.

Scoring computes the completion rate as done / (planned slots that are not cancelled), so
every slot is written before it runs and no slot is left open when the agent comes back.

An agent reporting to a server (central mode) hands each change set to `on_change`, which
puts it in its outbox; the server keeps it with `merge`, under the reporting agent's name
(`agent`), apart from its own agent's slots (agent "", the only ones the scheduling methods
here read or write) and from any other agent's.

Written through the DB-API (sqlite3 or psycopg) on the table records/agent_schema.py defines
and migrates: the long-lived agent keeps neither SQLAlchemy nor its ORM resident for a few
small statements. Times are stored as SQLAlchemy stores them (records/types.py): UTC text
`YYYY-MM-DD HH:MM:SS.ffffff` on SQLite, timestamptz on PostgreSQL. A slot's reason is a
Phrase, translated where it is shown, stored as its JSON (core.phrases); a reason written as
plain text (by an older agent) is read back as that text.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from core.clock import utc_now
from core.phrases import Phrase

if TYPE_CHECKING:
    from sqlalchemy import Engine

PLANNED, RUNNING, DONE, MISSED, CANCELLED = "planned", "running", "done", "missed", "cancelled"
FINAL = (DONE, MISSED)  # a slot that ran or was given up never goes back
TABLE = "inspection_plan"
COLUMNS = "job, kind, slot_at, due_at, state, run_id, reason, updated_at, agent"
LOCAL = ""  # the `agent` of the slots the agent on this database schedules


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
    reason: str | Phrase  # why a slot was missed or cancelled; "" otherwise
    updated_at: datetime
    agent: str = LOCAL  # on a server: the reporting agent's token name


PlanChanges = Callable[[list[PlanEntry]], None]


class Plan:
    """`source`: the records database's SQLAlchemy URL (sqlite or postgresql) or an engine
    on it, the schema migrated. `on_change` hears the rows each write left, once committed."""

    def __init__(self, source: str | Engine, on_change: PlanChanges | None = None) -> None:
        self.on_change = on_change
        url = source if isinstance(source, str) else source.url.render_as_string(False)
        parts = urlsplit(url)
        self.sqlite = parts.scheme.startswith("sqlite")
        if self.sqlite:
            self.target = unquote(url.split("///", 1)[1].split("?", 1)[0]) if "///" in url else ""
        else:
            self.target = parts._replace(scheme="postgresql").geturl()

    @contextmanager
    def _writing(self) -> Iterator[tuple[_Cursor, list[PlanEntry]]]:
        """A write's cursor and the list of rows it changed (`_changed`), handed to
        `on_change` once committed."""
        changed: list[PlanEntry] = []
        with self._cursor() as cur:
            yield cur, changed
        if changed and self.on_change:
            self.on_change(changed)

    def _changed(self, cur: _Cursor, into: list[PlanEntry], where: str, params: Sequence) -> None:
        if self.on_change:
            rows = cur.run(f"SELECT {COLUMNS} FROM {TABLE} WHERE agent = ? AND {where}",
                           (LOCAL, *params))
            into.extend(_entry(cur, row) for row in rows)

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
                f"SELECT slot_at FROM {TABLE} WHERE agent = ? AND job = ? AND state != ? "
                "ORDER BY slot_at DESC LIMIT 1",
                (LOCAL, job, CANCELLED),
            )
            return cur.time(rows[0][0]) if rows else None

    def add_planned(self, job: str, kind: str, slots: Iterable[tuple[datetime, datetime]]) -> int:
        """Record (slot, due) pairs as planned; a slot cancelled earlier is planned again, other
        slots already recorded are left as they are."""
        slots = list(slots)
        if not slots:
            return 0
        now = utc_now()
        with self._writing() as (cur, changed):
            marks = ", ".join("?" for _ in slots)
            stored = [cur.stored(s) for s, _ in slots]
            existing = {
                cur.time(slot): state
                for slot, state in cur.run(
                    f"SELECT slot_at, state FROM {TABLE} "
                    f"WHERE agent = ? AND job = ? AND slot_at IN ({marks})",
                    (LOCAL, job, *stored),
                )
            }
            again = [(s, d) for s, d in slots if existing.get(s) == CANCELLED]
            cur.many(
                f"UPDATE {TABLE} SET state = ?, due_at = ?, reason = '', updated_at = ? "
                "WHERE agent = ? AND job = ? AND slot_at = ?",
                [(PLANNED, cur.stored(d), cur.stored(now), LOCAL, job, cur.stored(s))
                 for s, d in again],
            )
            new = [(s, d) for s, d in slots if s not in existing]
            cur.many(
                f"INSERT INTO {TABLE} ({COLUMNS}) VALUES (?, ?, ?, ?, ?, NULL, '', ?, ?)",
                [
                    (job, kind, cur.stored(s), cur.stored(d), PLANNED, cur.stored(now), LOCAL)
                    for s, d in new
                ],
            )
            if new or again:
                self._changed(cur, changed, f"job = ? AND slot_at IN ({marks})", (job, *stored))
            return len(new)

    def pending(self, job: str) -> list[datetime]:
        """Planned slots of the job that have neither run nor been given up."""
        with self._cursor() as cur:
            rows = cur.run(
                f"SELECT slot_at FROM {TABLE} WHERE agent = ? AND job = ? AND state = ? "
                "ORDER BY slot_at",
                (LOCAL, job, PLANNED),
            )
            return [cur.time(slot) for (slot,) in rows]

    def mark(
        self,
        job: str,
        slots: Sequence[datetime],
        state: str,
        reason: str | Phrase = "",
        run_id: str | None = None,
    ) -> None:
        if not slots:
            return
        with self._writing() as (cur, changed):
            now = cur.stored(utc_now())
            stored = [cur.stored(s) for s in slots]
            cur.many(
                f"UPDATE {TABLE} SET state = ?, reason = ?, run_id = ?, updated_at = ? "
                "WHERE agent = ? AND job = ? AND slot_at = ?",
                [(state, _stored(reason), run_id, now, LOCAL, job, s) for s in stored],
            )
            marks = ", ".join("?" for _ in stored)
            self._changed(cur, changed, f"job = ? AND slot_at IN ({marks})", (job, *stored))

    def settle(
        self, reason: str | Phrase, job: str | None = None, slot: datetime | None = None
    ) -> Settled:
        """Close `running` slots (all, or one) whose job was cut off: done when the run the
        slot expects was stored (its job got that far before the agent died or killed it),
        else missed with `reason`."""
        with self._writing() as (cur, changed):
            query = f"SELECT id, run_id FROM {TABLE} WHERE agent = ? AND state = ?"
            params: tuple = (LOCAL, RUNNING)
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
            missed = [
                (MISSED, _stored(reason), now, row) for row, run_id in rows if run_id not in stored
            ]
            cur.many(f"UPDATE {TABLE} SET state = ?, reason = ?, updated_at = ? WHERE id = ?", done)
            cur.many(
                f"UPDATE {TABLE} SET state = ?, reason = ?, run_id = NULL, updated_at = ? "
                "WHERE id = ?",
                missed,
            )
            self._changed_ids(cur, changed, [row for row, _ in rows])
            return Settled(len(done), len(missed))

    def cancel_planned(self, keep: dict[str, set[datetime]], reason: str | Phrase) -> int:
        """Planned slots no schedule produces any more (job removed or changed on reload)."""
        with self._writing() as (cur, changed):
            rows = cur.run(
                f"SELECT id, job, slot_at FROM {TABLE} WHERE agent = ? AND state = ?",
                (LOCAL, PLANNED),
            )
            dropped = [row for row, job, s in rows if cur.time(s) not in keep.get(job, set())]
            now = cur.stored(utc_now())
            cur.many(
                f"UPDATE {TABLE} SET state = ?, reason = ?, updated_at = ? WHERE id = ?",
                [(CANCELLED, _stored(reason), now, row) for row in dropped],
            )
            self._changed_ids(cur, changed, dropped)
            return len(dropped)

    def _changed_ids(self, cur: _Cursor, into: list[PlanEntry], ids: list[int]) -> None:
        if ids:
            self._changed(cur, into, f"id IN ({', '.join('?' for _ in ids)})", ids)

    def between(self, start: datetime, end: datetime) -> list[PlanEntry]:
        """Every agent's slots: this database's own and, on a server, each reporting one's."""
        with self._cursor() as cur:
            rows = cur.run(
                f"SELECT {COLUMNS} FROM {TABLE} WHERE slot_at >= ? AND slot_at < ? "
                "ORDER BY slot_at, agent, job",
                (cur.stored(start), cur.stored(end)),
            )
            return [_entry(cur, row) for row in rows]

    def merge(self, agent: str, entries: Sequence[PlanEntry]) -> int:
        """Keep a reporting agent's slots (a server's side of `on_change`): a new slot is
        added, a known one replaced by a later state of it; an older one (a replay, a reorder)
        and anything after a slot's final state change nothing. How many rows changed."""
        if agent == LOCAL:
            raise ValueError("a reporting agent needs a name")
        changed = 0
        with self._cursor() as cur:
            for e in entries:
                rows = cur.run(
                    f"SELECT id, state, updated_at FROM {TABLE} "
                    "WHERE agent = ? AND job = ? AND slot_at = ?",
                    (agent, e.job, cur.stored(e.slot_at)),
                )
                values = (e.kind, cur.stored(e.due_at), e.state, e.run_id, _stored(e.reason),
                          cur.stored(e.updated_at))
                if not rows:
                    cur.run(
                        f"INSERT INTO {TABLE} ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (e.job, e.kind, cur.stored(e.slot_at), *values[1:], agent),
                    )
                    changed += 1
                    continue
                row, state, updated_at = rows[0]
                if state in FINAL or cur.time(updated_at) >= e.updated_at:
                    continue
                cur.run(
                    f"UPDATE {TABLE} SET kind = ?, due_at = ?, state = ?, run_id = ?, "
                    "reason = ?, updated_at = ? WHERE id = ?",
                    (*values, row),
                )
                changed += 1
        return changed

    def last_closed(self, job: str) -> PlanEntry | None:
        """The job's latest slot that ran or was missed."""
        with self._cursor() as cur:
            rows = cur.run(
                f"SELECT {COLUMNS} FROM {TABLE} WHERE agent = ? AND job = ? "
                "AND state IN (?, ?, ?) ORDER BY slot_at DESC LIMIT 1",
                (LOCAL, job, DONE, MISSED, RUNNING),
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
    job, kind, slot_at, due_at, state, run_id, reason, updated_at, agent = row
    return PlanEntry(
        job,
        kind,
        cur.time(slot_at),
        cur.time(due_at),
        state,
        run_id,
        _reason(reason),
        cur.time(updated_at),
        agent,
    )


def _stored(reason: str | Phrase) -> str:
    """A phrase as its JSON: a value JSON cannot hold (a path, a date) as its text."""
    return json.dumps(reason.to_json(), default=str) if isinstance(reason, Phrase) else reason


def _reason(stored: str | None) -> str | Phrase:
    if stored and stored.startswith('{"template"'):
        with contextlib.suppress(ValueError):
            return Phrase.from_json(json.loads(stored))
    return stored or ""
