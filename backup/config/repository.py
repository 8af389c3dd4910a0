"""A git repository of device configs: one file per device, one commit per real change.

We drive the `git` CLI with an isolated environment (no system or global config, identity
given per call), so a user's hooks, signing or aliases can neither break nor alter backups.
A file lock in .git serialises writers (threads of one backup run or two processes).

The history is the point of the repository, so it is never rebuilt behind anyone's back: a
missing `.git` is created only when the caller allows it (`create_missing`; the backup job
allows it on first use, never once records say the repository existed), and a damaged one
(`verify`: HEAD names no commit, or `git fsck` finds a bad object) is refused before any
file is written.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from core.errors import UserError
from core.phrases import phrase

DEVICE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
SUFFIX = ".cfg"
AUTHOR = ("opsinspect", "opsinspect@localhost")
_ISOLATED = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_TERMINAL_PROMPT": "0",
    "LC_ALL": "C",
}


@dataclass(frozen=True)
class Commit:
    rev: str
    device: str
    when: datetime
    message: str


class RepositoryMissing(UserError):
    """The repository's `.git` is gone and the caller did not allow creating it."""


class ConfigRepository:
    def __init__(self, path: Path, create_missing: bool = True) -> None:
        self.path = Path(path)
        self.create_missing = create_missing
        self._init_lock = threading.Lock()

    # -- writing -----------------------------------------------------------------------
    def save(self, device: str, text: str, when: datetime) -> Commit | None:
        """Store `text` as the device's config; a commit only when it differs.

        Every save, changed or not, is remembered as the device's last backup time.
        """
        name = _file_name(device)
        self._ensure()
        stamp = when.astimezone(UTC)
        with self._locked():
            target = self.path / name
            temporary = target.with_name(f".{name}.tmp")
            temporary.write_text(text, encoding="utf-8")
            os.replace(temporary, target)
            self._git("add", "--", name)
            changed = self._git("diff", "--cached", "--quiet", "--", name, check=False)
            if changed.returncode not in (0, 1):  # 1: differs; anything else: git failed
                raise UserError(
                    phrase(
                        "git {command} failed in {path}: {error}",
                        command="diff",
                        path=str(self.path),
                        error=_one_line(changed.stderr),
                    )
                )
            commit = None
            if changed.returncode == 1:
                message = f"{device}: config changed at {stamp:%Y-%m-%d %H:%M:%S} UTC"
                self._git("commit", "--quiet", "--no-verify", "-m", message, "--", name, when=stamp)
                rev = self._git("rev-parse", "HEAD").stdout.strip()
                commit = Commit(rev=rev, device=device, when=stamp, message=message)
            self._seen_file(device).write_text(stamp.isoformat())
        return commit

    def last_backup(self, device: str) -> datetime | None:
        """When the device's config was last fetched and saved (not committed: saved)."""
        try:
            return datetime.fromisoformat(self._seen_file(device).read_text())
        except FileNotFoundError:
            return None

    def mask_key(self) -> bytes:
        """Key for secret digests; lives in .git, so it is never committed or copied.

        Published with link(2), so parallel first backups agree on one complete key.
        """
        self._ensure()
        path = self.path / ".git" / "opsinspect-mask-key"
        if not path.exists():
            fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".mask-key-")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(secrets.token_bytes(32))
                with contextlib.suppress(FileExistsError):
                    os.link(temporary, path)
            finally:
                os.unlink(temporary)
        return path.read_bytes()

    def exists(self) -> bool:
        return self._exists()

    def verify(self) -> None:
        """Refuse a damaged repository: HEAD must name a commit and every object must read.

        A repository with objects but no readable HEAD is damaged, not new: committing there
        would start a second history and leave the first one to `git gc`.
        """
        if not self._exists():
            return
        head = self._git("rev-parse", "--verify", "HEAD^{commit}", check=False)
        if head.returncode != 0 and self._has_objects():
            raise UserError(
                phrase(
                    "config repository {path} is damaged: HEAD names no commit ({error}); "
                    "nothing was written. Repair it (git fsck) or restore .git from a copy",
                    path=str(self.path),
                    error=_one_line(head.stderr) or phrase("missing or truncated branch ref"),
                )
            )
        fsck = self._git("fsck", "--no-progress", "--no-dangling", check=False)
        if fsck.returncode != 0:
            raise UserError(
                phrase(
                    "config repository {path} is damaged: git fsck: {error}; nothing was "
                    "written. Repair it or restore .git from a copy",
                    path=str(self.path),
                    error=_one_line(fsck.stderr + fsck.stdout),
                )
            )

    # -- reading -----------------------------------------------------------------------
    def history(self, device: str) -> list[Commit]:
        """Commits that changed the device's file, newest first."""
        name = _file_name(device)
        self._require()
        if not self._has_commits():
            return []
        out = self._git("log", "--format=%H%x1f%cI%x1f%s", "--", name).stdout
        commits = []
        for line in out.splitlines():
            rev, when, subject = line.split("\x1f", 2)
            commits.append(Commit(rev, device, datetime.fromisoformat(when), subject))
        return commits

    def show(self, device: str, rev: str = "HEAD") -> str:
        name = _file_name(device)
        self._require()
        commit = self._resolve(device, rev)
        return self._git("show", f"{commit}:{name}").stdout

    def diff(self, device: str, rev1: str | None = None, rev2: str | None = None) -> str:
        """Unified diff of the device's file; default: its last change (previous -> latest)."""
        name = _file_name(device)
        self._require()
        if rev1 is None and rev2 is None:
            history = self.history(device)
            if not history:
                raise UserError(
                    phrase(
                        "no config backup of {device} in {path}", device=device, path=str(self.path)
                    )
                )
            if len(history) == 1:
                return self._git("show", "--format=", history[0].rev, "--", name).stdout
            rev1, rev2 = history[1].rev, history[0].rev
        elif rev1 is None or rev2 is None:
            raise UserError(
                phrase("give two revisions to compare, or none for the latest change")
            )
        old, new = self._resolve(device, rev1), self._resolve(device, rev2)
        return self._git("diff", old, new, "--", name).stdout

    # -- plumbing ----------------------------------------------------------------------
    def _resolve(self, device: str, rev: str) -> str:
        if not self._exists() or rev.startswith("-"):
            raise UserError(
                phrase("unknown revision {rev} for {device}", rev=repr(rev), device=device)
            )
        done = self._git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False)
        if done.returncode != 0:
            raise UserError(
                phrase(
                    "unknown revision {rev} for {device} in {path}",
                    rev=repr(rev),
                    device=device,
                    path=str(self.path),
                )
            )
        return done.stdout.strip()

    def _seen_file(self, device: str) -> Path:
        seen = self.path / ".git" / "opsinspect-last-backup"
        seen.mkdir(exist_ok=True)
        return seen / _file_name(device)

    def _exists(self) -> bool:
        return (self.path / ".git").is_dir()

    def _require(self) -> None:
        if not self._exists():
            raise RepositoryMissing(f"no config repository at {self.path} (.git is missing)")

    def _has_commits(self) -> bool:
        if not self._exists():
            return False
        return self._git("rev-parse", "--verify", "--quiet", "HEAD", check=False).returncode == 0

    def _has_objects(self) -> bool:
        counts = self._git("count-objects", "-v").stdout
        found = dict(line.split(": ", 1) for line in counts.splitlines() if ": " in line)
        return int(found.get("count", 0)) + int(found.get("in-pack", 0)) > 0

    def _ensure(self) -> None:
        """Create the repository once, even when parallel backups all start here.

        Only a missing `.git` is created, and only when allowed: a `.git` without HEAD is
        damaged, and `git init` there would paper over it.
        """
        with self._init_lock:
            if self._exists():
                return
            if not self.create_missing:
                self._require()
            self.path.mkdir(parents=True, exist_ok=True, mode=0o700)
            self._git("init", "--quiet", "--initial-branch=main")

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with open(self.path / ".git" / "opsinspect.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _git(
        self, *args: str, check: bool = True, when: datetime | None = None
    ) -> subprocess.CompletedProcess[str]:
        # GIT_DIR pinned: with a damaged .git, git must fail, not find a repository above us.
        env = {**os.environ, **_ISOLATED, "GIT_DIR": str(self.path / ".git"),
               "GIT_WORK_TREE": str(self.path)}
        if when is not None:
            env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = when.isoformat()
        name, email = AUTHOR
        command = [
            "git",
            "-c",
            f"user.name={name}",
            "-c",
            f"user.email={email}",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "core.hooksPath=/dev/null",
            *args,
        ]
        try:
            done = subprocess.run(
                command, cwd=self.path, env=env, capture_output=True, text=True, check=False
            )
        except FileNotFoundError:
            raise UserError(
                phrase("git is not installed: config backups need the `git` program")
            ) from None
        if check and done.returncode != 0:
            raise UserError(
                phrase(
                    "git {command} failed in {path}: {error}",
                    command=args[0],
                    path=str(self.path),
                    error=_one_line(done.stderr),
                )
            )
        return done


def _one_line(text: str) -> str:
    """git's messages, often several lines, as one line of a finding or error."""
    return "; ".join(line.strip() for line in text.splitlines() if line.strip())[:240]


def _file_name(device: str) -> str:
    if not DEVICE_NAME.match(device):
        raise UserError(
            phrase(
                "device name {device} cannot be a file name (letters, digits, . _ -)",
                device=repr(device),
            )
        )
    return device + SUFFIX
