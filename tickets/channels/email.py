"""E-mail over SMTP with STARTTLS (certificate verified) and optional login."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from settings import secrets
from settings.tickets_spec import EmailChannel
from tickets.channels.http import DeliveryError
from tickets.messages import Message


def send(channel: EmailChannel, message: Message) -> None:
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = channel.sender
    mail["To"] = ", ".join(channel.to)
    mail.set_content(message.text)
    where = f"smtp://{channel.host}:{channel.port}"
    password = secrets.resolve(channel.password) if channel.password else None
    try:
        with smtplib.SMTP(channel.host, channel.port, timeout=channel.timeout) as smtp:
            if channel.starttls:
                smtp.starttls(context=ssl.create_default_context(cafile=channel.ca_file))
            if channel.username:
                smtp.login(channel.username, password or "")
            smtp.send_message(mail)
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(
            f"{where}: login as {channel.username} refused ({exc.smtp_code})"
        ) from None
    except smtplib.SMTPException as exc:
        raise DeliveryError(f"{where}: {type(exc).__name__}: {exc}") from None
    except (OSError, ssl.SSLError) as exc:
        raise DeliveryError(f"{where}: {exc}") from None
