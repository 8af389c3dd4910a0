"""Keep secrets out of logs, records and error text: webhook tokens live in URLs."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

_URL = re.compile(r"https?://[^\s'\"<>]+")
_TOKEN_LIKE = re.compile(r"^(?=.*\d)[\w-]{16,}$")  # Feishu/Slack put the token in the path
_KEY_VALUE = re.compile(r"(?i)\b(access_token|token|key|secret|sign|password|passwd)=([^&\s'\"]+)")


def url(text: str) -> str:
    """scheme://host/path only: query strings and user:password@ often carry the token."""
    try:
        parts = urlsplit(text)
    except ValueError:
        return "(unparsable URL)"
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    query = "…" if parts.query else ""
    path = "/".join("…" if _TOKEN_LIKE.match(p) else p for p in parts.path.split("/"))
    return urlunsplit((parts.scheme, host, path, query, ""))


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, url(secret) if _URL.fullmatch(secret) else "***")
    text = _URL.sub(lambda m: url(m.group(0)), text)
    return _KEY_VALUE.sub(lambda m: f"{m.group(1)}=***", text)
