"""A damaged or lost config repository, with real git and a real switch over SSH (fake-switches).

Whatever happened to the repository, `inspect backup run` says so in one CRITICAL line per
device, writes nothing into it, and never starts a new history on its own: only `--init` does,
and only where `.git` is missing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.services import require_program
from tests.test_backup_db import inspect
from tests.test_backup_wiring import commits, switch_host, tickets, write_inventory


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under the directory, by relative path, with its bytes."""
    if not directory.exists():
        return {}
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def git(repository: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repository, capture_output=True, text=True, check=True
    ).stdout.strip()


def corrupt_object(repository: Path, rev: str) -> None:
    """Overwrite one loose object (read-only in git) with garbage."""
    sha = git(repository, "rev-parse", rev)
    path = repository / ".git" / "objects" / sha[:2] / sha[2:]
    path.chmod(0o600)
    path.write_bytes(b"not a zlib stream\n")


def truncate(path: Path) -> None:
    path.write_bytes(b"")


DAMAGE = {
    "a garbage blob": lambda repo: corrupt_object(repo, "HEAD:sw.cfg"),
    "a garbage commit": lambda repo: corrupt_object(repo, "HEAD"),
    "a truncated branch ref": lambda repo: truncate(repo / ".git" / "refs" / "heads" / "main"),
    "a deleted branch ref": lambda repo: (repo / ".git" / "refs" / "heads" / "main").unlink(),
    "a deleted HEAD": lambda repo: (repo / ".git" / "HEAD").unlink(),
    "a garbage index": lambda repo: (repo / ".git" / "index").write_bytes(b"DIRC garbage"),
}


@pytest.fixture
def backed_up(fake_cisco_switch, tmp_path):
    """An inventory whose switch `sw` has one config backup in tmp_path/configs."""
    require_program("git")
    inv, db = write_inventory(tmp_path, {"sw": switch_host(fake_cisco_switch)})
    code, out = inspect("backup", "run", "--kind", "config", "-i", inv, "--db", db)
    assert code == 0, out
    return inv, db, tmp_path / "configs"


def failed_backups(inv: str, db: str) -> list[str]:
    code, out = inspect("backup", "list", "--kind", "config", "--db", db, "-f", "json")
    assert code == 0, out
    return [row["error"] for row in json.loads(out) if row["status"] == "FAILED"]


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_repository_is_critical_and_left_as_it_is(backed_up, damage):
    inv, db, repository = backed_up
    DAMAGE[damage](repository)
    before = snapshot(repository)

    code, out = inspect("backup", "run", "--kind", "config", "-i", inv, "--db", db)
    assert code == 2, out
    assert snapshot(repository) == before  # nothing written, nothing repaired or re-created
    (error,) = failed_backups(inv, db)
    assert "\n" not in error and str(repository) in error
    assert "damaged" in error or "not a git repository" in error

    code, again = inspect("backup", "run", "--kind", "config", "--init", "-i", inv, "--db", db)
    assert code == 2, again  # --init starts a history only where there is none
    code, diff = inspect("backup", "diff", "sw", "-i", inv)
    assert code in (0, 3) and (code == 0 or diff.count("\n") == 1), diff
    assert snapshot(repository) == before


@pytest.mark.parametrize("lost", [".git", "the whole directory"])
def test_a_lost_repository_is_critical_until_init_starts_a_new_history(backed_up, lost):
    inv, db, repository = backed_up
    device_file = (repository / "sw.cfg").read_bytes()
    shutil.rmtree(repository / ".git" if lost == ".git" else repository)
    before = snapshot(repository)

    code, out = inspect("backup", "run", "--kind", "config", "-i", inv, "--db", db)
    assert code == 2, out
    assert snapshot(repository) == before  # no .git, no directory, no file re-created
    (error,) = failed_backups(inv, db)
    assert error.startswith(f"config repository {repository} is missing its .git although 1 ")
    assert "--init" in error and "\n" not in error
    assert "restore its .git" in out and "credentials" not in out  # the hint fits the fault
    (ticket,) = tickets(inv, db)
    assert ticket["fingerprint"] == "sw|backup|config" and ticket["status"] == "CRITICAL"
    code, diff = inspect("backup", "diff", "sw", "-i", inv)
    assert code == 3 and diff.count("\n") == 1 and ".git is missing" in diff

    code, out = inspect("backup", "run", "--kind", "config", "-i", inv, "--db", db)
    assert code == 2, out  # still critical on the next run: the failed attempts change nothing

    code, out = inspect("backup", "run", "--kind", "config", "--init", "-i", inv, "--db", db)
    assert code == 0, out
    assert len(commits(repository)) == 1
    assert (repository / "sw.cfg").read_bytes() == device_file
