"""Mail backends: an outbox in tests, the console in development, SMTP in production."""

import smtplib
import ssl

import pytest

from coop.core.mail import MailError
from coop.extensions import mail


class FakeSMTP:
    """Records what coop asks of the SMTP server."""

    instances: list["FakeSMTP"] = []
    fail_with: Exception | None = None

    def __init__(self, host, port, timeout=None, context=None):
        self.host, self.port, self.timeout, self.context = host, port, timeout, context
        self.calls: list[tuple] = []
        self.sent = []
        FakeSMTP.instances.append(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.calls.append(("quit",))
        return False

    def starttls(self, context=None):
        self.calls.append(("starttls", context))

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def send_message(self, message):
        if FakeSMTP.fail_with:
            raise FakeSMTP.fail_with
        self.calls.append(("send",))
        self.sent.append(message)


@pytest.fixture
def smtp(app, monkeypatch):
    FakeSMTP.instances = []
    FakeSMTP.fail_with = None
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setattr(smtplib, "SMTP_SSL", FakeSMTP)
    for key, value in {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "smtp.example.org",
        "MAIL_PORT": 587,
        "MAIL_USE_TLS": True,
        "MAIL_USE_SSL": False,
        "MAIL_USERNAME": "coop",
        "MAIL_PASSWORD": "s3cret",
        "MAIL_DEFAULT_SENDER": "coop <no-reply@coop.example>",
    }.items():
        monkeypatch.setitem(app.config, key, value)
    return FakeSMTP


def test_memory_backend_keeps_an_outbox(outbox):
    message = mail.send("ada@example.org", "Hello", "Body text")
    assert outbox == [message]
    assert (message.to, message.subject, message.body) == (
        ["ada@example.org"],
        "Hello",
        "Body text",
    )


def test_console_backend_prints_the_message(app, monkeypatch, capsys, outbox):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "console")
    monkeypatch.setitem(app.config, "MAIL_DEFAULT_SENDER", "coop <no-reply@coop.local>")
    mail.send(["ada@example.org", "bo@example.org"], "Hello there", "The body.")
    printed = capsys.readouterr().err
    assert "To: ada@example.org, bo@example.org" in printed
    assert "Subject: Hello there" in printed
    assert "From: coop <no-reply@coop.local>" in printed
    assert "The body." in printed
    assert outbox == []


def test_console_backend_keeps_long_links_on_one_line(app, monkeypatch, capsys):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "console")
    link = "http://127.0.0.1:5000/reset/" + "x" * 150
    mail.send("ada@example.org", "Reset", f"Choose a new password:\n\n{link}\n")
    assert link in capsys.readouterr().err.splitlines()


def test_smtp_backend_sends_with_starttls_and_login(smtp, outbox):
    mail.send("ada@example.org", "Hello", "Body text")
    (server,) = smtp.instances
    assert (server.host, server.port, server.timeout) == ("smtp.example.org", 587, 30)
    assert [c[0] for c in server.calls] == ["starttls", "login", "send", "quit"]
    tls_context = server.calls[0][1]
    assert isinstance(tls_context, ssl.SSLContext)
    assert tls_context.verify_mode == ssl.CERT_REQUIRED and tls_context.check_hostname
    assert server.calls[1] == ("login", "coop", "s3cret")
    (sent,) = server.sent
    assert sent["To"] == "ada@example.org"
    assert sent["From"] == "coop <no-reply@coop.example>"
    assert sent["Subject"] == "Hello"
    assert sent.get_content().strip() == "Body text"
    assert outbox == []


def test_smtp_over_ssl_without_login(app, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_USE_SSL", True)
    monkeypatch.setitem(app.config, "MAIL_PORT", 465)
    monkeypatch.setitem(app.config, "MAIL_USERNAME", None)
    mail.send("ada@example.org", "Hello", "Body")
    (server,) = smtp.instances
    assert server.port == 465
    assert isinstance(server.context, ssl.SSLContext)
    assert [c[0] for c in server.calls] == ["send", "quit"]


def test_smtp_failure_raises_a_clear_error_and_logs_no_body(smtp, caplog):
    smtp.fail_with = smtplib.SMTPRecipientsRefused({"ada@example.org": (550, b"no")})
    with pytest.raises(MailError, match="could not be sent"):
        mail.send("ada@example.org", "Reset", "secret link https://x/reset/abc")
    assert "smtp.example.org" in caplog.text
    assert "reset/abc" not in caplog.text


def test_unknown_backend_is_an_error(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "pigeon")
    with pytest.raises(RuntimeError, match="pigeon"):
        mail.send("ada@example.org", "Hello", "Body")


def test_reset_request_hides_a_mail_failure(client, member, smtp):
    member("staff", email="ada@example.org")
    smtp.fail_with = OSError("connection refused")
    failing = client.post("/reset", data={"email": "ada@example.org"})
    unknown = client.post("/reset", data={"email": "nobody@example.org"})
    assert (failing.status_code, failing.location) == (unknown.status_code, unknown.location)
    assert failing.status_code == 302


def test_invitation_goes_through_smtp(client, login_as, smtp):
    login_as("staff")
    client.post(
        "/people/invite", data={"name": "Ada", "email": "ada@example.org", "role": "participant"}
    )
    (server,) = smtp.instances
    (sent,) = server.sent
    assert sent["To"] == "ada@example.org"
    assert "/invite/" in sent.get_content()
