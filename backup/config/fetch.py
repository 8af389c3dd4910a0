"""Fetch a running config through any transport that can run one command.

The transport is injected (a netmiko ConnectHandler fits as is: it is a context manager
with `send_command`), so fetching stays testable against recorded sessions and a raw SSH
channel works too: an echoed command line and a trailing prompt are removed here.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from backup.config.models import PlatformModel, model_for
from core.errors import CollectError
from core.model import Target
from vendors.parsing import REFUSED

DEFAULT_READ_TIMEOUT = 60.0


class ConfigSession(Protocol):
    def send_command(self, command_string: str, *, read_timeout: float) -> str: ...


SessionFactory = Callable[[Target], AbstractContextManager[ConfigSession]]


@dataclass(frozen=True)
class FetchedConfig:
    device: str
    platform: str
    text: str
    fetched_at: datetime


def fetch_config(
    target: Target,
    session_factory: SessionFactory,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> FetchedConfig:
    """Run the platform's pager-off commands and its config command; raw text back.

    A refusal ("% Invalid input") or empty answer raises CollectError, so an error
    message can never be stored (and committed) as the device's configuration.
    """
    model = model_for(target.platform)
    # The inventory's cli.timeout is sized for logins; a long config may need longer.
    read_timeout = max(DEFAULT_READ_TIMEOUT, float((target.cli or {}).get("timeout") or 0))
    with session_factory(target) as session:
        for command in model.pager_off:
            session.send_command(command, read_timeout=read_timeout)
        output = session.send_command(model.command, read_timeout=read_timeout)
    text = strip_session_frame(model, model.command, output)
    first = next((line for line in text.splitlines() if line.strip()), "")
    if not first:
        raise CollectError("protocol error", f"{target.name}: `{model.command}` returned nothing")
    if REFUSED.match(first):
        raise CollectError(
            "protocol error", f"{target.name}: `{model.command}` was refused: {first.strip()[:80]}"
        )
    return FetchedConfig(target.name, target.platform, text, clock())


def strip_session_frame(model: PlatformModel, command: str, output: str) -> str:
    """Remove the echoed command (first line) and the prompt (last line) if present."""
    lines = output.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    if lines and lines[0].strip().endswith(command):
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    if lines and model.prompt.match(lines[-1].strip()):
        lines.pop()
    return "\n".join(lines) + "\n"
