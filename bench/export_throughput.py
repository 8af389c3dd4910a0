"""Export throughput: our path (line protocol once, durable spool, influxdb-client with gzip)
against a raw line-protocol POST of the same points to the same VictoriaMetrics.

    python3 bench/export_throughput.py [--points 200000]

Both start from the same Sample objects. "raw" formats one line per sample with an f-string
and POSTs 10k-line bodies with http.client (no spool, no gzip); "raw bytes" POSTs bodies
serialized beforehand (transport only). Prints points/s and our ratio; target >= 70 %.
"""

from __future__ import annotations

import argparse
import http.client
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent.export.influx import Exporter  # noqa: E402
from agent.export.lineprotocol import timestamp_ms  # noqa: E402
from core.model import Sample  # noqa: E402
from settings.agent_spec import ExportSpec  # noqa: E402
from tests.services import free_port  # noqa: E402
from tests.services.victoriametrics import VictoriaMetrics  # noqa: E402

METRICS = (
    ("cpu.used_percent", {}),
    ("load.1", {}),
    ("memory.used_percent", {}),
    ("disk.used_percent", {"mount": "/"}),
    ("disk.free_bytes", {"mount": "/"}),
    ("net.rx_bytes", {"interface": "eth0"}),
    ("net.tx_bytes", {"interface": "eth0"}),
    ("system.uptime", {}),
)


def make_samples(count: int, tag: str) -> list[Sample]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    out = []
    for i in range(count):
        metric, labels = METRICS[i % len(METRICS)]
        host, step = divmod(i // len(METRICS), 500)
        at = start + timedelta(seconds=step * 10)
        out.append(Sample(f"{tag}-{host}", metric, float(i % 1000), "", at, labels))
    return out


def ours(samples: list[Sample], url: str, spool: Path) -> float:
    exporter = Exporter(ExportSpec(url=url, spool_dir=str(spool)))
    began = time.perf_counter()
    exporter.enqueue(samples)
    result = exporter.flush(patience=30)
    elapsed = time.perf_counter() - began
    assert result.left_batches == 0, result
    exporter.close()
    return elapsed


def raw_lines(samples: list[Sample], prefix: str) -> list[str]:
    lines = []
    for s in samples:
        measurement, _, field = s.metric.partition(".")
        tags = "".join(f",{k}={v}" for k, v in sorted(s.labels.items()))
        lines.append(
            f"{prefix}{measurement},target={s.target}{tags} {field}={s.value} {timestamp_ms(s.at)}"
        )
    return lines


def post(port: int, bodies: list[bytes]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for body in bodies:
        connection.request("POST", "/api/v2/write?bucket=b&precision=ms", body)
        response = connection.getresponse()
        response.read()
        assert response.status == 204, response.status
    connection.close()


def chunks(lines: list[str], size: int = 10_000) -> list[bytes]:
    return [("\n".join(lines[i : i + size]) + "\n").encode() for i in range(0, len(lines), size)]


def raw(samples: list[Sample], port: int) -> float:
    began = time.perf_counter()
    post(port, chunks(raw_lines(samples, "raw_")))
    return time.perf_counter() - began


def raw_bytes(samples: list[Sample], port: int) -> float:
    bodies = chunks(raw_lines(samples, "pre_"))
    began = time.perf_counter()
    post(port, bodies)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench-export-"))
    vm = VictoriaMetrics(shutil.which("victoria-metrics") or "", base / "vm", free_port())
    vm.start()
    try:
        best = {"ours": 1e9, "raw": 1e9, "raw bytes": 1e9}
        for r in range(args.rounds):
            samples = make_samples(args.points, f"r{r}")
            best["ours"] = min(best["ours"], ours(samples, vm.url, base / f"spool{r}"))
            best["raw"] = min(best["raw"], raw(samples, vm.port))
            best["raw bytes"] = min(best["raw bytes"], raw_bytes(samples, vm.port))
        rates = {k: args.points / v for k, v in best.items()}
        for name, rate in rates.items():
            print(f"{name:10s} {rate:12,.0f} points/s  (best of {args.rounds})")
        print(f"ratio ours/raw       {rates['ours'] / rates['raw']:.0%}  (target >= 70 %)")
        print(f"ratio ours/raw bytes {rates['ours'] / rates['raw bytes']:.0%}")
    finally:
        vm.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
