"""Runs the profile's monitoring plugins (here, or on an SSH target) and turns each answer into
Samples.

Every configured plugin that was started gives one `plugin.status` sample (its exit code, 3 when
it could not run, timed out or exited outside 0-3) and its perfdata; its first line and long
output go to the session's texts for the plugin check's finding.

An argv is run without a shell; the output read is capped (OUTPUT_LIMIT), the rest drained
and dropped, and the plugin's whole process group is killed at its timeout.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from collectors import plugin_output
from collectors.session import Session
from core import names
from core.model import Sample
from core.phrases import Phrase, phrase, verbatim
from core.status import Status
from settings.profiles import PluginRule

OUTPUT_LIMIT = 64 * 1024  # bytes kept of one plugin's answer
READ_SIZE = 1 << 16


@dataclass(frozen=True)
class Ran:
    exit_code: int | None  # None: it did not run to its end
    output: str
    failure: str | Phrase = ""  # why it did not (plain words), when exit_code is None


def run(argv: tuple[str, ...], timeout: float, limit: int = OUTPUT_LIMIT) -> Ran:
    """stdout and stderr together, as a monitoring core shows them; never more than `limit`
    bytes kept, never longer than `timeout` seconds."""
    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as exc:
        return Ran(
            None,
            "",
            phrase(
                "cannot run {command}: {error}", command=argv[0], error=exc.strerror or str(exc)
            ),
        )
    deadline = time.monotonic() + timeout
    try:
        kept, ended = _read(proc, deadline, limit)
        if ended:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        ended = False
    finally:
        if proc.poll() is None:
            _kill(proc)
        assert proc.stdout is not None
        proc.stdout.close()
    output = kept.decode("utf-8", "replace")
    if not ended or proc.returncode is None:
        return Ran(None, output, timed_out(timeout))
    return Ran(proc.returncode, output)


def timed_out(timeout: float) -> Phrase:
    return phrase("timed out after {seconds}s", seconds=f"{round(timeout, 2):g}")


def _read(proc: subprocess.Popen, deadline: float, limit: int) -> tuple[bytes, bool]:
    """(the first `limit` bytes, whether the output ended before the deadline)."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    chunks: list[bytes] = []
    size = 0
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return b"".join(chunks), False
            if not selector.select(left):
                continue
            data = os.read(fd, READ_SIZE)
            if not data:
                return b"".join(chunks), True
            if size < limit:
                chunks.append(data[: limit - size])
                size += len(chunks[-1])


def _kill(proc: subprocess.Popen) -> None:
    """The plugin and whatever it started (it leads its own session)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def plugin_samples(
    sample: Callable[..., Sample],
    rules: tuple[PluginRule, ...],
    session: Session,
    runner: Callable[[tuple[str, ...], float], Ran] = run,
) -> Iterator[Sample]:
    """Each plugin in turn, each within its own timeout and the session's remaining time;
    `runner` runs one here (run) or on the target (collectors.ssh_plugins)."""
    for rule in rules:
        timeout = min(rule.timeout, session.remaining())
        if timeout <= 0:
            session.note_missing(names.PLUGIN_STATUS, phrase("the inspection ran out of time"))
            return
        ran = runner(rule.command, timeout)
        answer = plugin_output.parse(ran.output)
        if ran.exit_code is None:
            status = Status.UNKNOWN
            summary = phrase("{plugin}: {failure}", plugin=rule.name, failure=ran.failure)
        else:
            status = plugin_output.status_of(ran.exit_code)
            summary = (
                verbatim(answer.summary)
                if answer.summary
                else phrase("{plugin}: no output", plugin=rule.name)
            )
            if ran.exit_code != status:
                summary = phrase("exit code {code}: {summary}", code=ran.exit_code, summary=summary)
        session.texts[(names.CHECK_PLUGIN, rule.name)] = {
            "summary": summary,
            "output": answer.long_output,
        }
        yield sample(names.PLUGIN_STATUS, int(status), "count", plugin=rule.name)
        for perf in answer.perfdata:
            labels = {"plugin": rule.name, "label": perf.label, **perf.limits}
            yield sample(perf.metric, perf.value, perf.unit, **labels)
