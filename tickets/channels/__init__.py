"""Notification channels: one small module per format, chosen by the channel's `type`."""

from __future__ import annotations

from collections.abc import Callable

from tickets.channels import dingtalk, email, feishu, webhook, wecom
from tickets.channels.http import DeliveryError
from tickets.messages import Message

SENDERS: dict[str, Callable[..., None]] = {
    "webhook": webhook.send,
    "dingtalk": dingtalk.send,
    "wecom": wecom.send,
    "feishu": feishu.send,
    "email": email.send,
}


def secret_values(channel) -> list[str]:
    """The resolved secrets of a channel, so error text can be scrubbed of them."""
    from settings import secrets

    values = []
    refs = [getattr(channel, key, None) for key in ("url", "secret", "password")]
    refs.extend(getattr(channel, "headers", {}).values())
    for ref in refs:
        if ref and secrets.is_reference(ref) and not secrets.problem(ref):
            try:
                values.append(secrets.resolve(ref))
            except Exception:  # noqa: BLE001 - a missing secret is reported by the sender
                continue
    return values


def send(channel, message: Message) -> None:
    SENDERS[channel.type](channel, message)


__all__ = ["SENDERS", "DeliveryError", "send", "secret_values"]
