"""A vendor's config-backup model (the Oxidized pattern): command, pager, noise and secrets.

A model is data, not code: each vendor module holds its own. Secrets are listed as the
vendors document their commands (vendors/secret_forms.py); each form names the secret alone,
so only it is replaced: the line keeps its shape and a changed secret still shows up as a
changed line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vendors.secret_forms import compile_forms

Pattern = re.Pattern[str]


def rx(*patterns: str) -> tuple[Pattern, ...]:
    return tuple(re.compile(p) for p in patterns)


@dataclass(frozen=True)
class PlatformModel:
    name: str
    command: str
    pager_off: tuple[str, ...]
    prompt: Pattern
    volatile: tuple[Pattern, ...]
    secrets: tuple[Pattern, ...]
    hier_platform: str | None = None  # hier_config.Platform member name
    # Lines kept but with a value that changes by itself replaced (pattern, replacement).
    rewrites: tuple[tuple[Pattern, str], ...] = ()


# Every platform: credentials inside URLs (archive sites, copy targets): scheme://user:PASS@
URL_PASSWORD = r"://[^\s:/@\"']+:(?P<secret>[^\s@\"']+)@"


def secret_patterns(*forms: str, raw: tuple[str, ...] = ()) -> tuple[Pattern, ...]:
    """The documented secret forms, any raw regexes, and passwords inside URLs."""
    return (*compile_forms(*forms), *rx(*raw, URL_PASSWORD))
