"""What `inspect backup diff DEVICE [REV1 REV2]` shows: the unified and the semantic diff."""

from __future__ import annotations

from dataclasses import dataclass

from backup.config.repository import ConfigRepository
from backup.config.semantic import SemanticDiff, semantic_diff, supports
from core.errors import UserError
from core.phrases import phrase


@dataclass(frozen=True)
class ConfigChange:
    device: str
    old_rev: str | None  # None: the device's first backup
    new_rev: str
    unified: str
    semantic: SemanticDiff | None  # None: hier-config has no driver for the platform


def compare(
    repository: ConfigRepository,
    device: str,
    platform: str | None,
    rev1: str | None = None,
    rev2: str | None = None,
) -> ConfigChange:
    """Between two revisions, or the device's latest change when none are given.

    `platform` None (a device no longer in the inventory): the unified diff only.
    """
    if (rev1 is None) != (rev2 is None):
        raise UserError(phrase("give two revisions to compare, or none for the latest change"))
    if rev1 is None or rev2 is None:
        history = repository.history(device)
        if not history:
            raise UserError(
                phrase(
                    "no config backup of {device} in {path}",
                    device=device,
                    path=str(repository.path),
                )
            )
        new_rev = history[0].rev
        old_rev = history[1].rev if len(history) > 1 else None
    else:
        old_rev, new_rev = rev1, rev2
    unified = repository.diff(device, old_rev, new_rev) if old_rev else repository.diff(device)
    semantic = None
    if platform is not None and supports(platform):
        before = repository.show(device, old_rev) if old_rev else ""
        semantic = semantic_diff(platform, before, repository.show(device, new_rev))
    return ConfigChange(device, old_rev, new_rev, unified, semantic)


def render(change: ConfigChange) -> str:
    """Plain text for a terminal or a ticket: the semantic summary first, then the diff."""
    out: list[str] = []
    span = f"{change.old_rev[:12]}..{change.new_rev[:12]}" if change.old_rev else "first backup"
    out.append(f"{change.device}: {span}")
    if change.semantic is not None:
        for label, sections in (
            ("added", change.semantic.added),
            ("removed", change.semantic.removed),
            ("changed", change.semantic.changed),
        ):
            for section in sections:
                out.append(f"  {label:8} {section}")
        if change.semantic.empty:
            out.append("  no configuration change")
        elif change.semantic.remediation:
            out.append("remediation (commands that turn the old config into the new):")
            out.extend(f"  {line}" for line in change.semantic.remediation)
    out.append("")
    out.append(change.unified.rstrip("\n") or "(no textual difference)")
    return "\n".join(out) + "\n"
