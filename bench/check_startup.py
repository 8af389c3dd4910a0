"""`inspect check` as a plugin a monitoring core starts every minute, side by side in one run
with the C plugin `check_disk` (monitoring-plugins) and a bare `python3 -c pass`.

    python3 bench/check_startup.py [--repeat 21] [--realtime]

Every row is a whole process, stdout discarded, run in this checkout with a private home (no
inventory, no records). `inspect check ...` is `python3 -m cli check ...`, what the `inspect`
entry point runs; the entry-point rows run the installed console script itself (and the pyenv
shim in front of it, where there is one), as a core would call it. The floor rows import only
what a local disk check cannot do without, to show where the time goes.

Rows run interleaved, round after round, so a change in machine load hits all alike. For each
row: median, best and worst wall time, median CPU time (the child's user + system), ratios to
the bare interpreter and to check_disk; the load average before and after. `--realtime` runs
every row under `chrt -f 10` (SCHED_FIFO, root): other work on a shared machine cannot take
the CPU from it, which is what a quiet machine gives (the `chrt` exec, ~1 ms, is in every row).

Target (issue 14): `inspect check disk` <= 150 ms median on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import sysconfig
import tempfile
from pathlib import Path

from cli_startup import load, timed

ROOT = Path(__file__).resolve().parents[1]
PLUGINS = Path("/usr/lib/nagios/plugins")
TARGET_MS = 150
VERDICTS = (0, 1, 2)  # a plugin's OK, WARNING, CRITICAL; UNKNOWN (3) means it failed here
BARE = "python3 -c pass"
CHECK_DISK = "check_disk -w 20% -c 10% -p / (C)"
OURS = "inspect check disk --mount / -w 80 -c 90"


def rows() -> dict[str, list[str]]:
    python = sys.executable
    disk = ["check", "disk", "--mount", "/", "-w", "80", "-c", "90"]
    table = {
        BARE: [python, "-c", "pass"],
        "python3 -S -c pass (no .pth hooks)": [python, "-S", "-c", "pass"],
        CHECK_DISK: [str(PLUGINS / "check_disk"), "-w", "20%", "-c", "10%", "-p", "/"],
        OURS: [python, "-m", "cli", *disk],
        "inspect check memory": [python, "-m", "cli", "check", "memory"],
        "inspect check load": [python, "-m", "cli", "check", "load"],
        "inspect check zombies": [python, "-m", "cli", "check", "zombies"],
        "inspect check cpu (two CPU readings 0.5 s apart)": [python, "-m", "cli", "check", "cpu"],
    }
    # this machine's site-packages .pth hooks (an editable install's import finder, a CA
    # bundle injected at every start) cost every Python row alike; without them (-S, the
    # site-packages directory put on the path by hand) is what a plain `pip install` pays
    table["no .pth hooks: inspect check disk ..."] = [
        python, "-S", "-c",
        f"import sys; sys.path.append({sysconfig.get_paths()['purelib']!r}); "
        "sys.argv[0] = 'inspect'; from cli.main import main; main()",
        *disk,
    ]
    script = Path(python).parent / "inspect"  # the console script pip installed
    if script.exists():
        table["entry point: inspect check disk ..."] = [str(script), *disk]
    shim = Path.home() / ".pyenv" / "shims" / "inspect"  # what PATH finds under pyenv
    if shim.exists():
        table["entry point via the pyenv shim"] = [str(shim), *disk]
    floor = {
        "floor: import click": "import click",
        "floor: + psutil": "import click, psutil",
        "floor: + checks (every check, core.model)": "import click, psutil, checks",
        "floor: + flows.check (local collector parts)": "import click, psutil, flows.check",
    }
    table.update({label: [python, "-c", code] for label, code in floor.items()})
    return table


def environment(workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(PYTHONPATH=str(ROOT), HOME=str(workdir), XDG_CONFIG_HOME=str(workdir / "c"),
               XDG_DATA_HOME=str(workdir / "d"))
    env.pop("INSPECT_INVENTORY", None)
    env.pop("INSPECT_DB", None)
    return env


def measure(repeat: int, realtime: bool) -> None:
    prefix = ["chrt", "-f", "10"] if realtime else []
    commands = {label: prefix + argv for label, argv in rows().items()}
    walls: dict[str, list[float]] = {label: [] for label in commands}
    cpus: dict[str, list[float]] = {label: [] for label in commands}
    with tempfile.TemporaryDirectory(prefix="check-startup-") as tmp:
        env = environment(Path(tmp))
        for argv in commands.values():  # warm .pyc files and the page cache
            timed(argv, ROOT, env, VERDICTS)
        print(f"load average before: {load()}")
        for _ in range(repeat):
            for label, argv in commands.items():
                wall, cpu = timed(argv, ROOT, env, VERDICTS)
                walls[label].append(wall)
                cpus[label].append(cpu)
        print(f"load average after:  {load()}")
    if realtime:
        print("every row under chrt -f 10 (SCHED_FIFO)")
    report(walls, cpus, repeat)


def report(walls: dict[str, list[float]], cpus: dict[str, list[float]], repeat: int) -> None:
    bare = statistics.median(walls[BARE])
    plugin = statistics.median(walls[CHECK_DISK])
    print(f"\nmedian of {repeat} runs, python {sys.version.split()[0]}, {sys.executable}")
    print(f"{'':52} {'median':>8} {'best':>8} {'worst':>8} {'CPU':>8} {'x bare':>7} "
          f"{'x C':>6}")
    for label, values in walls.items():
        median = statistics.median(values)
        line = (
            f"{label:52} {median * 1000:6.0f}ms {min(values) * 1000:6.0f}ms "
            f"{max(values) * 1000:6.0f}ms {statistics.median(cpus[label]) * 1000:6.0f}ms "
            f"{median / bare:7.1f} {median / plugin:6.0f}"
        )
        if label == OURS:
            verdict = "met" if median * 1000 <= TARGET_MS else "NOT met"
            line += f"   target <= {TARGET_MS} ms: {verdict}"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21, help="rounds (median of these)")
    parser.add_argument("--realtime", action="store_true",
                        help="run each row at SCHED_FIFO priority (chrt -f 10, needs root)")
    args = parser.parse_args()
    if args.repeat < 5:
        parser.error("--repeat must be at least 5 (a median of fewer says little)")
    if not (PLUGINS / "check_disk").exists():
        parser.error(f"{PLUGINS}/check_disk not found: apt-get install monitoring-plugins-basic")
    measure(args.repeat, args.realtime)


if __name__ == "__main__":
    main()
