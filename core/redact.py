"""Keep secrets out of logs, records and error text: passwords and tokens live in URLs
(database and export URLs, webhook paths and queries). Every URL that reaches a message
passes through `url` or `scrub`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s'\"<>]*[^\s'\"<>:.,;)]", re.I)
_TOKEN_LIKE = re.compile(r"^(?=.*\d)[\w-]{16,}$")  # Feishu/Slack put the token in the path
_KEY_VALUE = re.compile(r"(?i)\b(access_token|token|key|secret|sign|password|passwd)=([^&\s'\"]+)")


def url(text: str) -> str:
    """scheme://host:port/path only: user:password@ and the query often carry the secret, and
    a token-like path segment of a network URL is elided. A local path (sqlite:///file) stays
    whole."""
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return "(unparsable URL)"
    if not parts.netloc:
        return f"{parts.scheme}://{parts.path}" if parts.scheme else text
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if port:
        host = f"{host}:{port}"
    query = "…" if parts.query else ""
    path = "/".join("…" if _TOKEN_LIKE.match(p) else p for p in parts.path.split("/"))
    return urlunsplit((parts.scheme, host, path, query, ""))


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, url(secret) if _URL.fullmatch(secret) else "***")
    text = _URL.sub(lambda m: url(m.group(0)), text)
    return _KEY_VALUE.sub(lambda m: f"{m.group(1)}=***", text)
