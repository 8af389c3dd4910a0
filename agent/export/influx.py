"""Send spooled batches through influxdb-client's synchronous WriteApi (gzip, line protocol).

Batches are gzipped once, at level 1, when they enter the spool: the spool holds ~8x more
during an outage, and the client sends the stored bytes as they are (its own enable_gzip
would compress every attempt again at level 9, ten times the CPU for ~10 % fewer bytes).

Works with InfluxDB 2.x/3.x and anything that speaks the v2 write API (VictoriaMetrics).
A batch leaves the spool only after the server acknowledged it; a batch the server refuses
as malformed (4xx other than 401/403/404/413/429) is moved aside to `rejected/`, counted and
logged, so one bad batch cannot block the rest forever. A batch damaged on disk (not a whole
gzip stream) is set aside the same way before it is sent. The URL in every message is redacted
(core.redact): a user:password@ in it never reaches a log.
"""

from __future__ import annotations

import gzip
import logging
import zlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from threading import Event
from typing import TYPE_CHECKING

from agent.export.lineprotocol import batches
from agent.spool import Drainer, SendError, Spool, points_in
from core import paths
from core.model import InspectionRun, Sample
from core.redact import scrub
from core.redact import url as redacted
from settings import secrets

if TYPE_CHECKING:
    from settings.agent_spec import ExportSpec

log = logging.getLogger("opsinspect.export")
RETRY_STATUSES = frozenset({401, 403, 404, 408, 413, 429})


class Damaged(SendError):
    """A batch torn or overwritten on disk: never sent, set aside."""


@dataclass(frozen=True)
class FlushResult:
    sent_batches: int
    sent_points: int
    left_batches: int
    error: str = ""


@dataclass(frozen=True)
class ExportSettings:
    """`export:` as validated by settings/ (ExportSpec), in a form the agent process holds
    without pydantic and a child hands it as JSON (agent/config.py)."""

    url: str
    org: str
    bucket: str
    token: str | None  # a secret reference (settings.secrets), never the secret
    batch_size: int
    timeout: timedelta
    spool_dir: str | None
    spool_limit_mb: float
    metrics_every: timedelta | None

    @classmethod
    def of(cls, spec: ExportSpec | ExportSettings) -> ExportSettings:
        if isinstance(spec, ExportSettings):
            return spec
        return cls(**{name: getattr(spec, name) for name in cls.__dataclass_fields__})

    def to_json(self) -> dict:
        every = self.metrics_every
        return {
            **asdict(self),
            "timeout": self.timeout.total_seconds(),
            "metrics_every": every.total_seconds() if every is not None else None,
        }

    @classmethod
    def from_json(cls, data: dict) -> ExportSettings:
        every = data["metrics_every"]
        return cls(
            **{
                **data,
                "timeout": timedelta(seconds=data["timeout"]),
                "metrics_every": timedelta(seconds=every) if every is not None else None,
            }
        )


def spool_for(spec: ExportSpec | ExportSettings) -> Spool:
    directory = Path(spec.spool_dir).expanduser() if spec.spool_dir else paths.data_dir() / "spool"
    return Spool(directory, int(spec.spool_limit_mb * 1024 * 1024))


class Exporter:
    """Spool first, send later: `enqueue` never touches the network."""

    name = "export"

    def __init__(self, spec: ExportSpec | ExportSettings) -> None:
        self.spec = ExportSettings.of(spec)
        self.where = redacted(spec.url)  # the URL as messages show it
        self.spool = spool_for(spec)
        self._client = None
        self._write_api = None
        self._drainer = Drainer(self.spool, self, log)

    def enqueue(self, samples: Iterable[Sample]) -> int:
        points = 0
        for body, count in batches(samples, self.spec.batch_size):
            self.spool.put(gzip.compress(body, compresslevel=1), count)
            points += count
        return points

    def enqueue_run(self, run: InspectionRun) -> int:
        return self.enqueue(run.samples)

    def flush(self, stop: Event | None = None, patience: float = 0.0) -> FlushResult:
        """Send oldest first, waiting out failures for up to `patience` s (agent/spool.py)."""
        drained = self._drainer.drain(stop, patience)
        return FlushResult(
            len(drained.sent), sum(points_in(b) for b in drained.sent), drained.left,
            drained.error,
        )

    def send(self, item: Path, body: bytes) -> None:
        if not _whole_gzip(body):
            raise Damaged("is damaged (not a complete gzip stream)", retryable=False)
        self._send(body)

    def set_aside(self, item: Path, error: SendError) -> None:
        self._reject(item, str(error) if isinstance(error, Damaged) else f"was refused: {error}")

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = self._write_api = None

    def _send(self, body: bytes) -> None:
        from influxdb_client.rest import ApiException

        write_api = self._api()
        try:
            write_api.write(
                bucket=self.spec.bucket,
                org=self.spec.org or "-",
                record=body,
                write_precision="ms",
            )
        except ApiException as exc:
            status = exc.status or 0
            retryable = status >= 500 or status in RETRY_STATUSES or status == 0
            raise SendError(f"{self.where} answered HTTP {status}", retryable) from None
        except Exception as exc:  # noqa: BLE001 - urllib3 raises many kinds; all mean "not sent"
            raise SendError(f"{self.where}: {type(exc).__name__}: {_short(exc)}", True) from None

    def _api(self):
        if self._write_api is None:
            from influxdb_client import InfluxDBClient
            from influxdb_client.client.write_api import SYNCHRONOUS

            token = secrets.resolve(self.spec.token) if self.spec.token else ""
            self._client = InfluxDBClient(
                url=self.spec.url,
                token=token,
                org=self.spec.org or "-",
                timeout=int(self.spec.timeout.total_seconds() * 1000),
                retries=False,
            )
            self._client.api_client.set_default_header("Content-Encoding", "gzip")
            self._write_api = self._client.write_api(write_options=SYNCHRONOUS)
        return self._write_api

    def _reject(self, batch: Path, why: str) -> None:
        rejected = self.spool.directory / "rejected"
        rejected.mkdir(exist_ok=True, mode=0o700)
        try:
            batch.rename(rejected / batch.name)
        except FileNotFoundError:
            return
        log.warning(
            "export: spool batch %s (%d point(s)) %s; set aside in %s",
            batch.name,
            points_in(batch),
            why,
            rejected,
        )


def _whole_gzip(body: bytes) -> bool:
    """Decompressing checks the stream's end and CRC: a torn or overwritten file fails."""
    try:
        return bool(gzip.decompress(body))
    except (OSError, EOFError, zlib.error):
        return False


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return scrub(text[:200])
