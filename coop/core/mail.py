"""Outgoing mail through a configurable backend.

``console`` prints messages (development), ``smtp`` sends them (production) and
``memory`` appends them to ``mail.outbox`` (tests).  Services call ``mail.send`` and
never care which.
"""

import smtplib
import sys
from dataclasses import dataclass, field
from email.message import EmailMessage

from flask import current_app


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
            email = message.as_email(config["MAIL_DEFAULT_SENDER"])
            with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
                if config["MAIL_USE_TLS"]:
                    smtp.starttls()
                if config["MAIL_USERNAME"]:
                    smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
                smtp.send_message(email)
        else:
            raise RuntimeError(f"unknown MAIL_BACKEND {backend!r}")
        return message
