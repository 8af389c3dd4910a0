"""WeCom (企业微信) group robot: markdown message; the key is in the URL."""

from __future__ import annotations

from settings.tickets_spec import RobotChannel
from tickets.channels.http import check_robot_reply, post_json, resolved_url
from tickets.messages import Message


def send(channel: RobotChannel, message: Message) -> None:
    url = resolved_url(channel.url)
    body = {"msgtype": "markdown", "markdown": {"content": message.markdown}}
    check_robot_reply(post_json(url, body, channel.timeout), url, ("errcode",))
