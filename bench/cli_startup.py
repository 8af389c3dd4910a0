"""Command start-up: `inspect --help` and `inspect records list` as whole processes, side by side
with a bare `python3 -c pass`, in one run.

    python3 bench/cli_startup.py [--repeat 15] [--before DIR]

Every command is a fresh `python3 -m cli ...` process of this checkout (what the `inspect`
entry point runs, without the pyenv shim in front), stdout discarded. `records list` reads an
empty SQLite database twice over: one already at the newest schema (what every call after the
first sees), and a fresh file per call (the first call ever: Alembic creates the schema). The
floor rows import only what `records list` cannot do without (click; SQLAlchemy; its ORM; our
store with the run tables), to show where the time goes.

The rows run interleaved, round after round, so a change in machine load hits all alike. For
each row: median and best wall time, median CPU time (user + system of the child: less
sensitive to other load than wall time), ratios to the bare interpreter; and the load average
before and after. `--before DIR` adds the two `inspect` rows run from another checkout (e.g.
`git archive` of the commit before a change, unpacked into DIR): before and after in one run.

Targets (issue 13): `inspect --help` <= 100 ms, `inspect records list` <= 200 ms, set next to
a 26 ms bare interpreter (ratios of about 3.8 and 7.7).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

TARGETS_MS = {"inspect --help": 100, "inspect records list": 200}
BARE = "python3 -c pass"
FRESH = "inspect records list, first call (creates the schema)"


def rows(before: Path | None) -> dict[str, tuple[list[str], Path]]:
    """Label -> (argv, checkout whose code it runs)."""
    python = sys.executable
    table = {
        BARE: ([python, "-c", "pass"], ROOT),
        "inspect --help": ([python, "-m", "cli", "--help"], ROOT),
        "inspect records list": ([python, "-m", "cli", "records", "list"], ROOT),
        FRESH: ([python, "-m", "cli", "records", "list"], ROOT),
    }
    if before is not None:
        table["before: inspect --help"] = (table["inspect --help"][0], before)
        table["before: inspect records list"] = (table["inspect records list"][0], before)
    floor = {
        "floor: python3 -c 'import click'": "import click",
        "floor: + import sqlalchemy": "import click, sqlalchemy",
        "floor: + sqlalchemy.orm": "import click, sqlalchemy.orm",
        "floor: + our store and run tables": "import click, records.store",
    }
    table.update({label: ([python, "-c", code], ROOT) for label, code in floor.items()})
    return table


def timed(
    argv: list[str], checkout: Path, env: dict[str, str], codes: tuple[int, ...] = (0,)
) -> tuple[float, float]:
    """Wall and CPU seconds of one whole process (its CPU from the children's rusage). It runs
    in the checkout: `-m` and `-c` put the working directory first on the import path.
    `codes`: the exit codes that mean it worked (a plugin's 1-3 are verdicts)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=checkout, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    if done.returncode not in codes:
        raise subprocess.CalledProcessError(done.returncode, argv)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def environment(workdir: Path, checkout: Path, database: str) -> dict[str, str]:
    """The checkout's code, a private home (no inventory), a database in `workdir`."""
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(checkout),
        HOME=str(workdir),
        XDG_CONFIG_HOME=str(workdir / "config"),
        XDG_DATA_HOME=str(workdir / "data"),
        INSPECT_DB=f"sqlite:///{workdir / database}",
    )
    env.pop("INSPECT_INVENTORY", None)
    return env


def database_of(checkout: Path) -> str:
    return "at-head.db" if checkout == ROOT else "before-at-head.db"


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min, {os.cpu_count()} CPUs)"


def measure(repeat: int, before: Path | None) -> None:
    commands = rows(before)
    walls: dict[str, list[float]] = {label: [] for label in commands}
    cpus: dict[str, list[float]] = {label: [] for label in commands}
    with tempfile.TemporaryDirectory(prefix="cli-startup-") as tmp:
        workdir = Path(tmp)
        for argv, checkout in commands.values():  # the at-head databases, warm .pyc files
            timed(argv, checkout, environment(workdir, checkout, database_of(checkout)))
        print(f"load average before: {load()}")
        for round_no in range(repeat):  # interleaved: load changes hit every row alike
            for label, (argv, checkout) in commands.items():
                database = f"fresh-{round_no}.db" if label == FRESH else database_of(checkout)
                wall, cpu = timed(argv, checkout, environment(workdir, checkout, database))
                walls[label].append(wall)
                cpus[label].append(cpu)
        print(f"load average after:  {load()}")
    report(walls, cpus, repeat)


def report(walls: dict[str, list[float]], cpus: dict[str, list[float]], repeat: int) -> None:
    bare = statistics.median(walls[BARE])
    bare_cpu = statistics.median(cpus[BARE])
    print(f"\nmedian of {repeat} runs, python {sys.version.split()[0]}, {sys.executable}")
    print(f"{'':58} {'median':>8} {'best':>8} {'CPU':>8} {'x bare':>7} {'CPU x':>6}")
    for label, values in walls.items():
        median = statistics.median(values)
        cpu = statistics.median(cpus[label])
        line = (
            f"{label:58} {median * 1000:6.0f}ms {min(values) * 1000:6.0f}ms "
            f"{cpu * 1000:6.0f}ms {median / bare:7.1f} {cpu / bare_cpu:6.1f}"
        )
        if label in TARGETS_MS:
            target = TARGETS_MS[label]
            verdict = "met" if median * 1000 <= target else "NOT met"
            line += f"   target <= {target} ms: {verdict}"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="rounds (median of these)")
    parser.add_argument("--before", type=Path, help="another checkout to run side by side")
    args = parser.parse_args()
    if args.repeat < 5:
        parser.error("--repeat must be at least 5 (a median of fewer says little)")
    measure(args.repeat, args.before.resolve() if args.before else None)


if __name__ == "__main__":
    main()
