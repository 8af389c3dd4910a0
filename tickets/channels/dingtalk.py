"""DingTalk group robot: markdown message, optional HMAC signature ("加签")."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse

from settings import secrets
from settings.tickets_spec import RobotChannel
from tickets.channels.http import check_robot_reply, post_json, resolved_url
from tickets.messages import Message


def signed(url: str, secret: str, now_ms: int) -> str:
    """DingTalk's signature uses the real wall clock: the robot rejects stale timestamps."""
    digest = hmac.new(secret.encode(), f"{now_ms}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={now_ms}&sign={sign}"


def send(channel: RobotChannel, message: Message) -> None:
    url = resolved_url(channel.url)
    if channel.secret:
        url = signed(url, secrets.resolve(channel.secret), int(time.time() * 1000))
    body = {"msgtype": "markdown", "markdown": {"title": message.subject, "text": message.markdown}}
    check_robot_reply(post_json(url, body, channel.timeout), url, ("errcode",))
