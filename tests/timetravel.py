"""``COOP_TEST_NOW``: run the whole suite at another instant.

``COOP_TEST_NOW=2027-03-14T10:30:00Z make test`` moves every clock the tests and the app
read (``coop.core.clock``, ``date.today()``, ``time.time()``...) to that instant when the
session starts, with time-machine; the clock then ticks on from there. Under pytest-xdist
each worker process travels when it configures itself. The instant is printed in the
pytest header. See docs/testing.md.
"""

import os
from datetime import UTC, datetime

import pytest
import time_machine

ENV = "COOP_TEST_NOW"
_traveller = None


def instant() -> datetime | None:
    """The instant ``COOP_TEST_NOW`` asks for (aware, UTC), or None when it is unset."""
    raw = os.environ.get(ENV, "").strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise pytest.UsageError(
            f"{ENV}={raw!r} is not an ISO 8601 instant, e.g. 2027-03-14T10:30:00Z"
        ) from exc
    if value.tzinfo is None:
        raise pytest.UsageError(f"{ENV}={raw!r} needs a zone: end it with Z or +HH:MM")
    return value.astimezone(UTC)


def pytest_configure(config):
    global _traveller
    at = instant()
    if at is not None and _traveller is None:
        _traveller = time_machine.travel(at, tick=True)
        _traveller.start()


def pytest_unconfigure(config):
    global _traveller
    if _traveller is not None:
        _traveller.stop()
        _traveller = None


def pytest_report_header(config):
    at = instant()
    if at is None:
        return f"{ENV}: unset (the real clock)"
    return f"{ENV}: {at.isoformat()} (every test runs from this instant; the clock ticks)"
