"""Turn a fetched config into the text we version: no noise, optionally no secrets.

Two fetches of an unchanged device must give byte-identical text, or every backup would
be a commit. Masked secrets keep a keyed digest so a changed secret is still a changed line
while the secret itself (even a guessable SNMP community) never reaches the repository.
"""

from __future__ import annotations

import hashlib
import hmac

from backup.config.models import PlatformModel, model_for

MASK_PREFIX = "<secret"


def normalise(platform: str, text: str, mask_secrets: bool, mask_key: bytes | None = None) -> str:
    """Drop volatile lines; with `mask_secrets` replace each secret by `<secret:DIGEST>`.

    Without a `mask_key` the digest is left out (`<secret>`): safe, but a changed secret
    then looks unchanged. ConfigRepository.mask_key() gives a per-repository key.
    """
    model = model_for(platform)
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "").split("\n")]
    kept = [_rewrite(model, line) for line in lines if not _volatile(model, line)]
    if mask_secrets:
        kept = [_mask_line(model, line, mask_key) for line in kept]
    while kept and not kept[0]:
        kept.pop(0)
    while kept and not kept[-1]:
        kept.pop()
    return "\n".join(kept) + "\n" if kept else ""


def _volatile(model: PlatformModel, line: str) -> bool:
    return any(pattern.search(line) for pattern in model.volatile)


def _rewrite(model: PlatformModel, line: str) -> str:
    for pattern, replacement in model.rewrites:
        line = pattern.sub(replacement, line)
    return line


def _mask_line(model: PlatformModel, line: str, key: bytes | None) -> str:
    spans: list[tuple[int, int]] = []
    for pattern in model.secrets:
        for match in pattern.finditer(line):
            start, end = match.span("secret")
            if start >= 0 and not line.startswith(MASK_PREFIX, start):
                spans.append((start, end))
    for start, end in sorted(_merge(spans), reverse=True):
        line = line[:start] + _token(line[start:end], key) + line[end:]
    return line


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping matches of different rules mask one region once."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _token(secret: str, key: bytes | None) -> str:
    if key is None:
        return f"{MASK_PREFIX}>"
    digest = hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()[:10]
    return f"{MASK_PREFIX}:{digest}>"
