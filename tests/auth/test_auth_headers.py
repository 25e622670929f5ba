"""Security headers on every response, and the friendly error pages."""

import re
from pathlib import Path

import pytest
from flask import abort

from coop.extensions import limiter

ROOT = Path(__file__).resolve().parents[2]


def assert_security_headers(response):
    csp = response.headers["Content-Security-Policy"]
    directives = dict(
        (part.split(" ", 1) + [""])[:2] for part in (d.strip() for d in csp.split(";")) if part
    )
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] in {"same-origin", "strict-origin", "no-referrer"}


def test_anonymous_page_has_security_headers_and_may_be_cached(client):
    response = client.get("/login")
    assert_security_headers(response)
    assert "no-store" not in response.headers.get("Cache-Control", "")


@pytest.mark.parametrize("path", ["/account", "/people", "/people/invite", "/nowhere"])
def test_signed_in_pages_are_not_stored(client, login_as, path):
    login_as("staff")
    response = client.get(path)
    assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_static_files_keep_their_caching_when_signed_in(client, login_as, count_queries):
    login_as("staff")
    with count_queries() as q:
        response = client.get("/static/app.js")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert q.count == 0  # no user lookup for a static file
    response.close()


def test_pages_with_a_sign_in_link_are_not_stored(client, member, outbox):
    member("staff", email="ada@example.org")
    client.post("/reset", data={"email": "ada@example.org"})
    path = re.search(r"https?://[^/]+(/\S+)", outbox[-1].body).group(1)
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/reset/garbage").headers["Cache-Control"] == "no-store"


def test_my_templates_have_no_inline_scripts_or_styles():
    files = [
        *ROOT.joinpath("templates", "auth").glob("*.html"),
        *ROOT.joinpath("templates", "errors").glob("*.html"),
    ]
    assert len(files) >= 8
    for path in files:
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), path
        assert not re.search(r"\sstyle=|<style", text), path
        assert not re.search(r"\son[a-z]+=", text), path


# -- error pages -----------------------------------------------------------------------


def test_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page not found" in html and "Go to the start page" in html
    assert_security_headers(response)


def test_403_page(app, client, monkeypatch):
    monkeypatch.setitem(app.view_functions, "core.healthz", lambda: abort(403))
    response = client.get("/healthz")
    assert response.status_code == 403
    assert "You do not have access to this page." in response.get_data(as_text=True)


def test_500_page_rolls_back_and_explains(app, client, login_as, monkeypatch):
    login_as("staff", name="Ada Staff")

    def boom():
        raise RuntimeError("kaboom")

    monkeypatch.setitem(app.view_functions, "core.healthz", boom)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get("/healthz")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong" in html and "Nothing was saved" in html
    assert "kaboom" not in html
    assert "Ada Staff" in html  # the layout still knows who is signed in
    assert response.headers["Cache-Control"] == "no-store"


def test_405_page(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert "That action is not available here." in response.get_data(as_text=True)


def test_csrf_failure_page(client, login_as, csrf_enabled):
    login_as("staff")
    response = client.post("/account", data={"name": "x"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Form expired" in html and "reload the page" in html


def test_429_page_for_a_limit_without_its_own_message(app, client, monkeypatch):
    limited = limiter.limit("1 per day")(lambda: "ok")
    monkeypatch.setitem(app.view_functions, "core.healthz", limited)
    assert client.get("/healthz").status_code == 200
    response = client.get("/healthz")
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "Too many attempts" in html and "Too many requests" in html
    assert "sign-in" not in html
