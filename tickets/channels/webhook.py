"""Generic webhook: the ticket snapshot as JSON, for any receiver that speaks HTTP."""

from __future__ import annotations

from settings import secrets
from settings.tickets_spec import WebhookChannel
from tickets.channels.http import post_json, resolved_url
from tickets.messages import Message


def send(channel: WebhookChannel, message: Message) -> None:
    headers = {
        name: secrets.resolve(value) if secrets.is_reference(value) else value
        for name, value in channel.headers.items()
    }
    body = {**message.data, "subject": message.subject, "text": message.text}
    post_json(resolved_url(channel.url), body, channel.timeout, headers)
