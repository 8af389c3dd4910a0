"""POST JSON with the standard library; errors come back without the URL's token."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

from core import secrets
from core.redact import url as redacted_url


class DeliveryError(Exception):
    """A channel did not accept the message; the text is safe to log and store."""


def resolved_url(value: str) -> str:
    return secrets.resolve(value) if secrets.is_reference(value) else value


def post_json(
    url: str, body: Any, timeout: float, headers: Mapping[str, str] | None = None
) -> bytes:
    request = urllib.request.Request(
        url,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
        method="POST",
    )
    where = redacted_url(url)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.read()
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"{where}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise DeliveryError(f"{where}: {exc.reason}") from None
    except (TimeoutError, OSError) as exc:
        raise DeliveryError(f"{where}: {exc}") from None


def check_robot_reply(raw: bytes, where: str, code_keys: tuple[str, ...]) -> None:
    """Robots answer HTTP 200 even when they refuse; the refusal is in the JSON body."""
    try:
        reply = json.loads(raw or b"{}")
    except ValueError:
        raise DeliveryError(f"{redacted_url(where)}: reply is not JSON") from None
    for key in code_keys:
        if key in reply and reply[key] not in (0, "0"):
            message = reply.get("errmsg") or reply.get("msg") or ""
            raise DeliveryError(f"{redacted_url(where)}: refused ({key}={reply[key]}: {message})")
