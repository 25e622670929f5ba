"""A request id on every response and every log line of the request, and the security log.

Each request gets an id: the incoming ``X-Request-ID`` when a proxy sent a short, safe
token (letters, digits, ``.``, ``_``, ``-``; at most 64), else a fresh random one. It is
kept on ``g``, returned in the ``X-Request-ID`` header, shown on the 500 page, and set as
``record.request_id`` on every log record made while the request runs (a filter applied
by the log record factory, so records from any logger carry it, whoever handles them).

Log lines are written with UTC times, and a message's CR and LF are escaped: nothing a
visitor types can forge a second log line.

``security_event`` writes sign-ins, sign-outs and access denials to the ``coop.security``
logger with the user id; never a password, and never the email address typed.
"""

import logging
import re
import secrets
import time

from flask import Flask, g, has_request_context, request
from flask.logging import default_handler

HEADER = "X-Request-ID"
SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
NO_REQUEST = "-"
FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"

security_log = logging.getLogger("coop.security")


def request_id() -> str:
    """The current request's id (made on first use), or ``-`` outside a request."""
    if not has_request_context():
        return NO_REQUEST
    rid = g.get("request_id")
    if rid is None:
        incoming = request.headers.get(HEADER, "")
        rid = incoming if SAFE_ID.fullmatch(incoming) else secrets.token_hex(16)
        g.request_id = rid
    return rid


class RequestIdFilter(logging.Filter):
    """Sets ``record.request_id``: the request's id, or ``-`` outside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id()
        return True


_FILTER = RequestIdFilter()


def _install_record_factory() -> None:
    """Run the filter on every record as it is made (once per process).

    A filter on one handler or logger would miss records that other handlers see
    (pytest's, gunicorn's); the record factory sees them all.
    """
    factory = logging.getLogRecordFactory()
    if getattr(factory, "adds_request_id", False):
        return

    def make_record(*args, **kwargs):
        record = factory(*args, **kwargs)
        _FILTER.filter(record)
        return record

    make_record.adds_request_id = True
    logging.setLogRecordFactory(make_record)


def clean(value) -> str:
    """A value fit for one log line: control characters (CR, LF, …) escaped."""
    return "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in str(value)
    )


class LogFormatter(logging.Formatter):
    """``2026-12-03T18:59:49Z INFO [request id] logger: message``, in UTC, one line per
    message (CR and LF in the message escaped; a traceback still follows on its lines)."""

    converter = time.gmtime

    def __init__(self):
        super().__init__(FORMAT, datefmt="%Y-%m-%dT%H:%M:%SZ")

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = clean(record.message)
        if not hasattr(record, "request_id"):
            record.request_id = NO_REQUEST
        return super().formatMessage(record)


def _user_id(user) -> str:
    return str(getattr(user, "id", None) or NO_REQUEST)


def security_event(event: str, user=None, **details) -> None:
    """Log a sign-in, sign-out or access denial: ``event user=<id> key=value …``.

    The request id and the UTC time come with every record; values are cleaned, so a
    typed value cannot split the line.
    """
    if user is None and has_request_context():
        from flask_login import current_user

        user = current_user if current_user and current_user.is_authenticated else None
    parts = [event, f"user={_user_id(user)}"]
    parts += [f"{key}={clean(value)}" for key, value in details.items()]
    if has_request_context():
        parts.append(f"ip={clean(request.remote_addr or NO_REQUEST)}")
    security_log.info(" ".join(parts))


def init_app(app: Flask) -> None:
    _install_record_factory()
    # Flask's own handler (used when nothing else configured logging, e.g. under
    # gunicorn): UTC times and the request id on every line.
    default_handler.setFormatter(LogFormatter())
    # Flask attaches that handler to the "coop" logger on first use of ``app.logger``,
    # unless a handler is configured already; use it now, so the security log's INFO
    # lines are written from the first request on.
    app.logger  # noqa: B018

    @app.after_request
    def send_request_id(response):
        response.headers[HEADER] = request_id()
        return response


def log_denial(status: int) -> None:
    """Log an access denial (a permission check refused the signed-in user)."""
    path = request.path if has_request_context() else NO_REQUEST
    security_event("access.denied", status=status, path=path)
