"""The one rule for links people follow from coop (video rooms, postings, websites).

A link is accepted when it is a full ``https://`` address:

- the scheme is https, in any case (``HTTPS://`` is still https) and is stored in lower
  case, so every saved link starts with ``https://``;
- it names a host with at least one dot (``meet.example.org``), and optionally a port;
- it carries no spaces or control characters and no ``user:password@``.

Forms use ``HttpsUrl`` (with ``normalise_https_url`` as a filter), services call
``https_url`` before saving, and database columns that hold links use ``https_check``.
"""

import re
from urllib.parse import urlsplit

from wtforms.validators import ValidationError

SCHEME = "https://"

#: The message for a link that breaks the rule; ``{example}`` shows a good one.
MESSAGE = "Use a full https:// link (one that starts with https://), e.g. {example}."
EXAMPLE = "https://example.org/page"

_HOST = re.compile(r"^[^\s.]+(\.[^\s.]+)+$")
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")


def normalise_https_url(value):
    """Trim a link and lower-case an https scheme; an empty link becomes None. Anything
    else is returned as given (``is_https_url`` decides whether it is acceptable)."""
    if not isinstance(value, str):
        return value
    value = value.strip()
    if not value:
        return None
    if value[: len(SCHEME)].lower() == SCHEME:
        value = SCHEME + value[len(SCHEME) :]
    return value


def is_https_url(value) -> bool:
    """Whether ``value`` (as given, not trimmed) is a full https:// link."""
    if not isinstance(value, str) or value[: len(SCHEME)].lower() != SCHEME:
        return False
    if _SPACE_OR_CONTROL.search(value):
        return False
    try:
        parts = urlsplit(value)
        host, _port = parts.hostname, parts.port  # a port that is not a number raises
    except ValueError:
        return False
    if "@" in parts.netloc or not host:
        return False
    return bool(_HOST.match(host))


def https_url(value, example: str = EXAMPLE) -> str | None:
    """The link to save (normalised; None when empty), or ``ValueError`` with the
    message people see when it breaks the rule. For services."""
    value = normalise_https_url(value)
    if value is not None and not is_https_url(value):
        raise ValueError(MESSAGE.format(example=example))
    return value


class HttpsUrl:
    """WTForms validator for the rule; pair it with ``filters=[normalise_https_url]``.
    An empty field passes (add ``Optional()`` or ``DataRequired()`` as needed)."""

    def __init__(self, example: str = EXAMPLE, message: str | None = None):
        self.message = message or MESSAGE.format(example=example)

    def __call__(self, form, field):
        value = normalise_https_url(field.data)
        if value is not None and not is_https_url(value):
            raise ValidationError(self.message)


def https_check(column: str) -> str:
    """The database's CHECK for a link column: empty, or starting with ``https://`` (the
    stored form ``normalise_https_url`` produces). The full rule is checked in Python."""
    return f"{column} IS NULL OR {column} LIKE '{SCHEME}%'"
