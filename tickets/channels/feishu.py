"""Feishu/Lark custom bot: text message, optional signature in the body."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from settings import secrets
from settings.tickets_spec import RobotChannel
from tickets.channels.http import check_robot_reply, post_json, resolved_url
from tickets.messages import Message


def signature(secret: str, now_s: int) -> str:
    key = f"{now_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def send(channel: RobotChannel, message: Message) -> None:
    url = resolved_url(channel.url)
    body: dict = {"msg_type": "text", "content": {"text": message.text}}
    if channel.secret:
        now_s = int(time.time())  # the bot checks the real wall clock
        body = {"timestamp": str(now_s), "sign": signature(secrets.resolve(channel.secret), now_s)}
        body.update({"msg_type": "text", "content": {"text": message.text}})
    check_robot_reply(post_json(url, body, channel.timeout), url, ("code", "StatusCode"))
