"""The web console under load (issue #16): dashboard and ticket list of a 5,000-host estate
with ~1,000,000 findings and 100,000 tickets, served by a real `inspect serve`, driven by wrk
with 1 and 50 connections; each page is compared with a static file of the same bytes served
by the same server (the peer: what the server costs without our code).

    python3 bench/console_load.py [--duration 15] [--cache DIR] [--serve-arg=--workers=2]

The history is written once into --cache (bench/console_history.py) and reused; the active
tickets are renewed from now on every run. Needs wrk (scripts/install-services).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from console_history import Size, inventory_yaml, refresh_active, write_history  # noqa: E402

from tests.services import free_port, port_open, wait_until  # noqa: E402

USER, PASSWORD = "bench", "bench password 16"
PAGES = ("/", "/tickets")
# wrk's report as one JSON line; non-2xx counted by a response hook (wrk itself counts only
# status >= 400, and a lost session would answer 303 to the login page).
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) non2xx = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("non2xx") end
  local e = summary.errors
  io.write(string.format(
    '{"p50":%d,"p95":%d,"p99":%d,"requests":%d,"duration":%d,"errors":%d,"non2xx":%d}\\n',
    latency:percentile(50), latency:percentile(95), latency:percentile(99), summary.requests,
    summary.duration, e.connect + e.read + e.write + e.timeout, bad))
end
"""


def history(cache: Path, size: Size) -> tuple[str, Path]:
    """The cached estate (database URL, inventory), written on first use."""
    home = cache / size.key()
    db, inventory, done = home / "records.db", home / "inventory.yaml", home / "complete"
    url = f"sqlite:///{db}"
    if not done.exists():
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        inventory.write_text(inventory_yaml(size))
        from records import open_store

        started = time.monotonic()
        write_history(open_store(url).engine, size)
        print(f"history written in {time.monotonic() - started:.0f} s", file=sys.stderr)
        done.touch()
    from records import open_store

    refresh_active(open_store(url).engine, size, datetime.now(UTC))
    return url, inventory


def cli(root: Path, env: dict, url: str, inventory: Path, *args: str, stdin: str | None = None):
    return subprocess.run(
        [sys.executable, "-m", "cli", *args, "-i", str(inventory), "--db", url],
        input=stdin, capture_output=True, text=True, env=env, timeout=300, cwd=root,
    )


def login(port: int) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    body = f"name={USER}&password={PASSWORD.replace(' ', '+')}&next=/"
    connection.request("POST", "/login", body,
                       {"content-type": "application/x-www-form-urlencoded"})
    answer = connection.getresponse()
    cookie = answer.getheader("set-cookie") or ""
    if answer.status != 303 or not cookie:
        raise SystemExit(f"login refused: HTTP {answer.status}")
    return cookie.split(";")[0]


def fetch(port: int, path: str, cookie: str) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET", path, headers={"cookie": cookie})
    answer = connection.getresponse()
    body = answer.read()
    if answer.status != 200:
        raise SystemExit(f"GET {path}: HTTP {answer.status}")
    return body


def wrk(port: int, path: str, cookie: str, connections: int, seconds: int, script: Path) -> dict:
    done = subprocess.run(
        ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s",
         "--timeout", "10s", "-s", str(script), "-H", f"Cookie: {cookie}",
         f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, timeout=seconds + 60, check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds per measurement")
    parser.add_argument("--cache", type=Path,
                        default=Path(tempfile.gettempdir()) / "opsinspect-console-bench")
    parser.add_argument("--serve-arg", action="append", default=[],
                        help="extra `inspect serve` argument, e.g. --serve-arg=--workers=2")
    parser.add_argument("--users", type=int, nargs="+", default=[1, 50])
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="checkout whose `inspect serve` is measured (e.g. main, for before)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk (scripts/install-services)")

    size = Size()
    url, inventory = history(args.cache, size)
    work = Path(tempfile.mkdtemp(prefix="opsinspect-console-load-"))
    env = {**os.environ, "PYTHONPATH": str(args.root), "HOME": str(work), "INSPECT_USER": USER}
    added = cli(args.root, env, url, inventory, "user", "add", USER, "--role", "duty",
                "--password-stdin", stdin=PASSWORD + "\n")
    if added.returncode != 0 and "already exists" not in added.stderr:
        raise SystemExit(added.stderr)
    script = work / "report.lua"
    script.write_text(WRK_SCRIPT)
    port = free_port()
    log = (work / "serve.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--bind", f"127.0.0.1:{port}", "-i",
         str(inventory), "--db", url, *args.serve_arg],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=args.root,
    )
    statics: list[Path] = []
    try:
        wait_until(lambda: port_open(port) or server.poll() is not None, 120, "inspect serve")
        if server.poll() is not None:
            raise SystemExit((work / "serve.log").read_text()[-2000:])
        cookie = login(port)
        peers = {}
        for page in PAGES:
            body = fetch(port, page, cookie)  # the page's own bytes, as a file
            static = args.root / "web" / "static" / f"bench-{os.getpid()}-{len(statics)}.html"
            static.write_bytes(body)
            statics.append(static)
            peers[page] = f"/static/{static.name}"
        for page in (*PAGES, *peers.values()):  # warm-up: imports, caches, SQLite pages
            wrk(port, page, cookie, 10, 3, script)
        load_before = os.getloadavg()
        rows = []
        for users in args.users:
            for page in PAGES:
                mine = wrk(port, page, cookie, users, args.duration, script)
                peer = wrk(port, peers[page], cookie, users, args.duration, script)
                rows.append((page, users, len(fetch(port, page, cookie)), mine, peer))
        load_after = os.getloadavg()
    finally:
        for static in statics:
            static.unlink(missing_ok=True)
        server.terminate()
        server.wait(timeout=30)
        log.close()
    _report(size, args, rows, load_before, load_after)


def _report(size, args, rows, load_before, load_after) -> None:
    ms = 1000.0

    def per(a: float, b: float) -> str:
        return f"{a / b:.1f}x" if a and b else "–"

    print(f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, nproc {os.cpu_count()}, load average "
          f"{load_before[0]:.2f} before / {load_after[0]:.2f} after; {size.hosts} hosts in "
          f"{size.groups} groups, {size.findings} findings, {size.tickets} tickets "
          f"({size.active} active); wrk {args.duration} s each; serve {args.serve_arg or '-'}")
    print("| page | users | bytes | p50 ms | p95 ms | p99 ms | req/s | errors page / static "
          "| static p50 / p95 ms | static req/s | ratio p95 | ratio req/s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for page, users, length, mine, peer in rows:
        rate = mine["requests"] / mine["duration"] * 1e6
        peer_rate = peer["requests"] / peer["duration"] * 1e6
        errors = f"{mine['errors']}+{mine['non2xx']} / {peer['errors']}+{peer['non2xx']}"
        print(f"| {page} | {users} | {length} | {mine['p50'] / ms:.1f} | {mine['p95'] / ms:.1f} "
              f"| {mine['p99'] / ms:.1f} | {rate:.1f} | {errors} | {peer['p50'] / ms:.1f} / "
              f"{peer['p95'] / ms:.1f} | {peer_rate:.1f} | {per(mine['p95'], peer['p95'])} "
              f"| {per(peer_rate, rate)} |")


if __name__ == "__main__":
    main()
