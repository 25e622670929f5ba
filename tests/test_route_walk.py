"""Walk every route in ``app.url_map``: anything not marked ``@public`` sends anonymous
visitors to /login and lets an anonymous POST change nothing; public routes answer
without that redirect. Routes are discovered, never listed here, so new ones are
covered as they are added."""

import re
import uuid
from urllib.parse import urlsplit

import pytest
from flask import Flask, url_for
from werkzeug.routing.converters import (
    AnyConverter,
    FloatConverter,
    IntegerConverter,
    UUIDConverter,
)

from coop import create_app
from coop.demo import seed
from coop.extensions import db, mail

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def is_public(app: Flask, endpoint: str) -> bool:
    if endpoint == "static" or endpoint.endswith(".static"):
        return True  # Flask's static files
    return bool(getattr(app.view_functions[endpoint], "is_public", False))


def _stem(name: str) -> str:
    return re.sub(r"_id$", "", name).replace("_", "").lower()


def real_ids() -> dict[str, int]:
    """The smallest id of every mapped model with rows, keyed by normalised class name
    and by singular table name (``cohort``, ``virtualsession``, …)."""
    ids: dict[str, int] = {}
    for mapper in db.Model.registry.mappers:
        cls, pk = mapper.class_, mapper.primary_key
        if len(pk) != 1 or _python_type(pk[0]) is not int:
            continue
        first = db.session.scalar(db.select(db.func.min(pk[0])))
        if first is not None:
            ids[cls.__name__.lower()] = first
            ids.setdefault(re.sub(r"s$", "", cls.__tablename__.replace("_", "")), first)
    return ids


def _python_type(column):
    try:
        return column.type.python_type
    except NotImplementedError:
        return None


def fill(rule, ids: dict[str, int]) -> dict:
    """URL values for ``rule``: ids of real rows where the parameter names a model
    (``cohort_id`` -> Cohort, ``session_id`` -> VirtualSession), else 1."""
    values = {}
    for name, converter in rule._converters.items():
        stem = _stem(name)
        real = ids.get(stem) or next(
            (v for k, v in sorted(ids.items()) if k.endswith(stem) and stem), None
        )
        if isinstance(converter, IntegerConverter):
            values[name] = real or 1
        elif isinstance(converter, FloatConverter):
            values[name] = 1.0
        elif isinstance(converter, UUIDConverter):
            values[name] = uuid.UUID(int=1)
        elif isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        else:
            values[name] = str(real or 1)
    return values


def build(app: Flask, rule, ids) -> str:
    with app.test_request_context():
        return url_for(rule.endpoint, **fill(rule, ids))


def goes_to_login(response) -> bool:
    if response.status_code not in (301, 302, 303, 307, 308):
        return False
    target = urlsplit(response.location)
    return target.path == "/login" and "next=" in target.query


def routes(app: Flask):
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))


def snapshot() -> dict[str, int]:
    return {
        t.name: db.session.scalar(db.select(db.func.count()).select_from(t))
        for t in db.metadata.sorted_tables
    }


def walk(app: Flask, ids: dict[str, int], only: str = "") -> list[str]:
    """Problems found walking every route (or those whose path starts with ``only``)
    as an anonymous visitor."""
    problems = []
    client = app.test_client()
    for rule in routes(app):
        if not rule.rule.startswith(only):
            continue
        url = build(app, rule, ids)
        methods = rule.methods - {"HEAD", "OPTIONS"}
        if is_public(app, rule.endpoint):
            if rule.endpoint.endswith("static"):
                continue
            method = "GET" if "GET" in methods else sorted(methods)[0]
            response = client.open(url, method=method)
            if goes_to_login(response) or response.status_code >= 500:
                problems.append(f"public {method} {url} answered {response.status_code}")
            continue
        if "GET" in methods:
            response = client.get(url)
            if not goes_to_login(response):
                problems.append(
                    f"GET {url} ({rule.endpoint}) answered {response.status_code} "
                    f"{response.location or ''} instead of sending to /login"
                )
        for method in sorted(methods & set(WRITE_METHODS)):
            before, sent = snapshot(), len(mail.outbox)
            response = client.open(url, method=method, data={"name": "x", "id": "1"})
            if 200 <= response.status_code < 300 or not goes_to_login(response):
                problems.append(
                    f"{method} {url} ({rule.endpoint}) answered {response.status_code} "
                    "instead of sending to /login"
                )
            if snapshot() != before or len(mail.outbox) != sent:
                problems.append(f"anonymous {method} {url} ({rule.endpoint}) changed data")
    return problems


@pytest.fixture
def rows():
    """Real rows in every domain's tables: the demo data, small."""
    seed(participants=5)
    db.session.commit()
    return real_ids()


def test_every_route_needs_sign_in_unless_public(app, rows):
    problems = walk(app, rows)
    assert problems == []


def test_the_walk_sees_the_foundation_routes(app, rows):
    endpoints = {r.endpoint for r in routes(app)}
    assert {"programs.cohorts", "programs.cohort", "auth.users", "auth.account"} <= endpoints
    assert {"auth.login", "core.healthz"} <= {e for e in endpoints if is_public(app, e)}
    # A cohort route is filled with a real cohort's id.
    rule = next(r for r in routes(app) if r.endpoint == "programs.cohort")
    assert build(app, rule, rows) == f"/cohorts/{rows['cohort']}"


def test_the_walk_catches_an_unprotected_route():
    app = create_app("testing", WTF_CSRF_ENABLED=False, SQLALCHEMY_DATABASE_URI="sqlite://")

    @app.get("/oops/<int:cohort_id>")
    def oops(cohort_id):
        return "open to anyone"

    @app.post("/oops/<int:cohort_id>/do")
    def oops_do(cohort_id):
        return "done", 201

    with app.app_context():
        db.create_all()
        problems = walk(app, {}, only="/oops")
    assert any(p.startswith("GET /oops/1 (oops) answered 200") for p in problems)
    assert any(p.startswith("POST /oops/1/do (oops_do) answered 201") for p in problems)
