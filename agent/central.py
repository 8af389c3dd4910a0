"""Central mode: the agent's outbox for `inspect serve` (docs/agent.md).

One outbox, one sender, three kinds of item: a run, a backup job's records, a change set of
the plan (KINDS; each kind's JSON in flows/wire.py and flows/wire_records.py, its path on the
server in flows/wire.py). Every item is written to the outbox (agent/spool.py: fsynced, 0600
in a 0700 directory) before anything is sent, a run before it is stored locally; it leaves the
outbox only when the server acknowledged it (2xx: a run's id, a backup's id and a plan slot's
state make a resend harmless). So an outage, an agent restart or a kill -9 loses nothing, and
each item is delivered at least once, oldest first whatever its kind. Network errors,
timeouts, 5xx, 401 (a token being replaced), 404 (a server not yet upgraded), 408 and 429 keep
the item and retry with backoff. Any other 4xx is permanent (403 a target outside the token's
scope, 413 too big, 400 not such a document): resending could never succeed, so the item is
set aside in `rejected/`, counted and logged, and `inspect agent status` says so. The outbox
is bounded (`central.outbox_limit_mb`): past it the oldest items are dropped and counted, as
the export spool does; the newest say most about the estate now.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from threading import Event
from typing import TYPE_CHECKING

from agent.spool import Drainer, SendError, Spool
from core import paths
from core.errors import UserError
from core.redact import scrub
from core.redact import url as redacted
from flows.wire import BACKUPS_PATH, PLAN_PATH, RUNS_PATH, run_to_json
from flows.wire_records import BackupReport, backups_to_json, plan_to_json
from settings import secrets

if TYPE_CHECKING:
    from core.model import InspectionRun
    from records.plan import PlanEntry
    from settings.agent_spec import CentralSpec

log = logging.getLogger("opsinspect.central")
SUFFIX = ".json"  # an item is <time>-<pid>-<seq>-<count>.<kind>.json (agent/spool.py)
RUN, BACKUPS, PLAN = "run", "backups", "plan"
KINDS = {RUN: RUNS_PATH, BACKUPS: BACKUPS_PATH, PLAN: PLAN_PATH}  # an item's kind: its path
RETRY_STATUSES = frozenset({401, 404, 408, 429})
ACKED = "acked.json"  # the last acknowledged send
REFUSED = "refused.json"  # items the server refused for good, and the last refusal
BACKUPS_SENT = "backups.json"  # the backup records queued so far: those made before `through`


@dataclass(frozen=True)
class CentralSettings:
    """`central:` as validated by settings/ (CentralSpec), held without pydantic."""

    url: str
    token: str  # a secret reference (settings.secrets), never the secret
    timeout: timedelta
    outbox_dir: str | None
    outbox_limit_mb: float

    @classmethod
    def of(cls, spec: CentralSpec | CentralSettings) -> CentralSettings:
        if isinstance(spec, CentralSettings):
            return spec
        return cls(**{name: getattr(spec, name) for name in cls.__dataclass_fields__})

    def to_json(self) -> dict:
        return {**asdict(self), "timeout": self.timeout.total_seconds()}

    @classmethod
    def from_json(cls, data: dict) -> CentralSettings:
        return cls(**{**data, "timeout": timedelta(seconds=data["timeout"])})


@dataclass(frozen=True)
class OutboxStats:
    items: int
    backlog: dict[str, int]  # items waiting, by kind
    bytes: int
    dropped: int  # over the size bound
    refused: int  # set aside after a permanent refusal
    last_refusal: str
    last_ack_at: datetime | None
    last_ack_kind: str | None
    last_ack_run: str | None  # the last run acknowledged


@dataclass(frozen=True)
class SendResult:
    sent: int
    left: int
    error: str = ""


def reporting(spec: CentralSpec | None) -> CentralSettings | None:
    """The reporting part of `central:` (its url and token), None if this host reports to no
    server (no `central:`, or one for zone workers only)."""
    return CentralSettings.of(spec) if spec is not None and spec.url else None


def outbox_for(spec: CentralSpec | CentralSettings) -> Spool:
    where = Path(spec.outbox_dir).expanduser() if spec.outbox_dir else paths.data_dir() / "outbox"
    return Spool(where, int(spec.outbox_limit_mb * 1024 * 1024), SUFFIX)


def outbox_stats(spool: Spool) -> OutboxStats:
    items = spool.stats()
    backlog = dict.fromkeys(KINDS, 0)
    for item in spool.batches():
        kind = spool.kind_of(item)
        backlog[kind] = backlog.get(kind, 0) + 1
    acked, refused = spool.read_state(ACKED), spool.read_state(REFUSED)
    at = acked.get("at")
    return OutboxStats(
        items=items.batches,
        backlog=backlog,
        bytes=items.bytes,
        dropped=items.dropped_batches,
        refused=int(refused.get("items", 0)),
        last_refusal=str(refused.get("last", "")),
        last_ack_at=datetime.fromisoformat(at) if isinstance(at, str) else None,
        last_ack_kind=acked.get("kind"),
        last_ack_run=acked.get("run_id"),
    )


class Central:
    """Outbox first, send later: the `enqueue_*` methods never touch the network."""

    name = "central"

    def __init__(self, spec: CentralSpec | CentralSettings) -> None:
        self.spec = CentralSettings.of(spec)
        self.where = redacted(self.spec.url)
        self.outbox = outbox_for(self.spec)
        self._drainer = Drainer(self.outbox, self, log)

    def enqueue_run(self, run: InspectionRun) -> None:
        self._put(RUN, run_to_json(run), 1)

    def enqueue_backups(self, report: BackupReport) -> None:
        if len(report):
            self._put(BACKUPS, backups_to_json(report), len(report))

    def enqueue_plan(self, entries: list[PlanEntry]) -> None:
        """One change set of the plan, one item (however many slots it touched)."""
        if entries:
            self._put(PLAN, plan_to_json(entries), len(entries))

    def backups_queued_through(self) -> datetime | None:
        """Backup records made before this time are in the outbox (or delivered)."""
        at = self.outbox.read_state(BACKUPS_SENT).get("through")
        return datetime.fromisoformat(at) if isinstance(at, str) else None

    def backups_queued(self, through: datetime) -> None:
        self.outbox.write_state(BACKUPS_SENT, {"through": through.isoformat()})

    def _put(self, kind: str, document: dict, count: int) -> None:
        self.outbox.put(json.dumps(document).encode(), count, kind)

    def flush(self, stop: Event | None = None, patience: float = 0.0) -> SendResult:
        """Send oldest first, waiting out failures for up to `patience` s (agent/spool.py)."""
        drained = self._drainer.drain(stop, patience)
        return SendResult(len(drained.sent), drained.left, drained.error)

    def send(self, item: Path, body: bytes) -> None:
        kind = self.outbox.kind_of(item)
        if kind not in KINDS:  # written by a newer agent, or renamed by hand
            raise SendError(f"{item.name}: not an outbox item of this version", False)
        answer = self._send(KINDS[kind], body)
        acked = self.outbox.read_state(ACKED)
        run_id = str(answer.get("run_id", "")) if kind == RUN else acked.get("run_id")
        self.outbox.write_state(
            ACKED, {"at": datetime.now(UTC).isoformat(), "kind": kind, "run_id": run_id}
        )

    def set_aside(self, item: Path, error: SendError) -> None:
        self._refused(item, str(error))

    def _send(self, path: str, body: bytes) -> dict:
        """POST one item; the server's answer once it acknowledged it."""
        try:
            token = secrets.resolve(self.spec.token)
        except UserError as exc:  # e.g. the token file being replaced: keep the item
            raise SendError(str(exc), True) from None
        request = urllib.request.Request(
            self.spec.url + path,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {token}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.spec.timeout.total_seconds()) as r:
                answer = json.loads(r.read(64 * 1024) or b"{}")
        except urllib.error.HTTPError as exc:
            status = exc.code
            detail = _detail(exc)
            retryable = status >= 500 or status in RETRY_STATUSES
            raise SendError(f"{self.where} answered HTTP {status}{detail}", retryable) from None
        except (OSError, ValueError) as exc:  # refused, reset, timeout, a torn answer
            text = scrub(str(exc).splitlines()[0][:200]) if str(exc) else ""
            raise SendError(f"{self.where}: {type(exc).__name__}: {text}", True) from None
        return answer if isinstance(answer, dict) else {}

    def _refused(self, item: Path, why: str) -> None:
        rejected = self.outbox.directory / "rejected"
        rejected.mkdir(exist_ok=True, mode=0o700)
        try:
            item.rename(rejected / item.name)
        except FileNotFoundError:
            return
        counts = self.outbox.read_state(REFUSED)
        self.outbox.write_state(REFUSED, {"items": int(counts.get("items", 0)) + 1, "last": why})
        log.error("central: %s %s refused for good (%s); set aside in %s",
                  self.outbox.kind_of(item), item.name, why, rejected)


def _detail(error: urllib.error.HTTPError) -> str:
    """The server's one-line reason (our API answers {"error": ...}), bounded."""
    try:
        text = json.loads(error.read(4096)).get("error", "")
    except (OSError, ValueError, AttributeError):
        return ""
    return f": {scrub(str(text)[:200])}" if text else ""
