"""Outgoing mail through a configurable backend.

``console`` prints messages (development), ``smtp`` sends them (production) and
``memory`` appends them to ``mail.outbox`` (tests).  Services call ``mail.send`` and
never care which; a message that cannot be sent raises ``MailError``.
"""

import logging
import smtplib
import ssl
import sys
from dataclasses import dataclass, field
from email.message import EmailMessage

from flask import current_app

logger = logging.getLogger("coop.mail")


class MailError(RuntimeError):
    """The message could not be handed to the mail server."""


@dataclass
class Message:
    to: list[str]
    subject: str
    body: str
    sender: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def as_email(self, default_sender: str) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.sender or default_sender
        msg["To"] = ", ".join(self.to)
        msg["Subject"] = self.subject
        for key, value in self.headers.items():
            msg[key] = value
        msg.set_content(self.body)
        return msg


class Mail:
    def __init__(self, app=None):
        self.outbox: list[Message] = []
        if app is not None:
            self.init_app(app)

    def init_app(self, app):
        app.extensions["coop_mail"] = self

    def send(self, to: str | list[str], subject: str, body: str) -> Message:
        message = Message(to=[to] if isinstance(to, str) else list(to), subject=subject, body=body)
        config = current_app.config
        backend = config["MAIL_BACKEND"]
        if backend == "memory":
            self.outbox.append(message)
        elif backend == "console":
            email = message.as_email(config["MAIL_DEFAULT_SENDER"])
            print(f"----- mail -----\n{email}----- end of mail -----", file=sys.stderr, flush=True)
        elif backend == "smtp":
            self._send_smtp(message.as_email(config["MAIL_DEFAULT_SENDER"]), config)
        else:
            raise RuntimeError(f"unknown MAIL_BACKEND {backend!r}")
        return message

    @staticmethod
    def _send_smtp(email: EmailMessage, config) -> None:
        # A verifying context: smtplib's own default for STARTTLS checks no certificate.
        context = ssl.create_default_context()
        host, port = config["MAIL_SERVER"], config["MAIL_PORT"]
        try:
            if config.get("MAIL_USE_SSL"):
                smtp = smtplib.SMTP_SSL(host, port, timeout=30, context=context)
            else:
                smtp = smtplib.SMTP(host, port, timeout=30)
            with smtp:
                if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
                    smtp.starttls(context=context)
                if config.get("MAIL_USERNAME"):
                    smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
                smtp.send_message(email)
        except (smtplib.SMTPException, OSError) as exc:
            # Log the failure, never the message (it may carry a sign-in link).
            logger.error("mail to the SMTP server %s:%s failed: %r", host, port, exc)
            raise MailError("The email could not be sent. Please try again later.") from exc
