"""Semantic diff with hier-config: which sections changed and the commands that redo it.

hier-config parses the indentation tree of each platform's syntax, so a reordered or
re-indented line is no change and the answer reads as the device's own commands.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from backup.config.models import model_for
from core.errors import UserError
from core.phrases import phrase

if TYPE_CHECKING:  # hier-config is imported only when a diff is asked for
    from hier_config import HConfig, Platform

# Comware and VRP: `#` separates sections and `return` ends the config; neither is config.
_HASH_COMMENTS = frozenset({"hp_comware", "huawei"})


@dataclass(frozen=True)
class SemanticDiff:
    """Top-level sections by their first line; `remediation` turns before into after."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]
    remediation: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def supports(platform: str) -> bool:
    return model_for(platform).hier_platform is not None


def semantic_diff(platform: str, before: str, after: str) -> SemanticDiff:
    from hier_config import Platform, WorkflowRemediation

    model = model_for(platform)
    if model.hier_platform is None:
        raise UserError(
            phrase(
                "no semantic diff for platform {platform}: hier-config lacks it",
                platform=repr(platform),
            )
        )
    hier_platform = Platform[model.hier_platform]
    old = _parse(hier_platform, model.name, before)
    new = _parse(hier_platform, model.name, after)
    old_sections, new_sections = _sections(model.name, old), _sections(model.name, new)
    changed = tuple(
        key
        for key, lines in new_sections.items()
        if key in old_sections and lines != old_sections[key]
    )
    remediation = WorkflowRemediation(old, new).remediation_config
    return SemanticDiff(
        added=tuple(t for t in new_sections if t not in old_sections),
        removed=tuple(t for t in old_sections if t not in new_sections),
        changed=changed,
        remediation=tuple(line.cisco_style_text() for line in remediation.all_children_sorted()),
    )


def _parse(hier_platform: Platform, model_name: str, text: str) -> HConfig:
    from hier_config import get_hconfig

    if model_name not in _HASH_COMMENTS:
        return get_hconfig(hier_platform, text)
    body, headers = _split_headers(text)
    config = get_hconfig(hier_platform, body)
    for header in headers:
        config.add_child(header)
    return config


def _split_headers(text: str) -> tuple[str, list[str]]:
    """Drop `#` separators; keep each multi-line `header motd %...%` banner as one line."""
    body: list[str] = []
    headers: list[str] = []
    block: list[str] = []
    delimiter = ""
    for line in text.splitlines():
        stripped = line.strip()
        if block:
            block.append(line.rstrip())
            if delimiter in stripped:
                headers.append("\n".join(block))
                block = []
            continue
        words = stripped.split()
        if words[:1] == ["header"] and len(words) >= 3:
            delimiter = words[2][:1]
            block = [stripped]
            if stripped.count(delimiter) >= 2:
                headers.append(stripped)
                block = []
            continue
        if stripped.startswith("#") or stripped == "return":
            continue
        body.append(line)
    if block:
        headers.append("\n".join(block))
    return "\n".join(body), headers


def _sections(model_name: str, config: HConfig) -> dict[str, tuple[str, ...]]:
    """Section name -> its lines. Junos `set` lines are flat, so a section is the
    statement path's first two levels (`system archival`, `interfaces ge-0/0/1`)."""
    sections: dict[str, list[str]] = {}
    for child in config.children:
        if model_name == "juniper_junos":
            words = child.text.split()
            sections.setdefault(" ".join(words[1:3]), []).append(child.text)
        else:  # a multi-line banner is named by its first line and compared whole
            lines = [child.text, *(c.cisco_style_text() for c in child.all_children_sorted())]
            sections.setdefault(child.text.split("\n")[0], []).extend(lines)
    return {name: tuple(sorted(lines)) for name, lines in sections.items()}
