from coop.programs.models import City


def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b"Sign in" in response.data


def test_rollback_isolates_tests_part1(factory, db):
    factory.city(name="Isolation Town")
    db.session.commit()
    assert db.session.scalar(db.select(City).where(City.name == "Isolation Town"))


def test_rollback_isolates_tests_part2(db):
    assert db.session.scalar(db.select(City).where(City.name == "Isolation Town")) is None


def test_login_as_staff_sees_people(login_as, client):
    login_as("staff")
    response = client.get("/people")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_oversized_upload_gets_a_clear_413(client, login_as):
    login_as("staff")
    response = client.post("/account", data={"name": "x" * (6 * 1024 * 1024)})
    assert response.status_code == 413
    assert b"larger than 5 MB" in response.data


def test_anonymous_visitors_see_an_apply_link(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/apply"' in page


def test_trusted_proxy_headers_give_the_visitor_address(monkeypatch):
    from flask import request

    from coop import create_app

    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    proxied = create_app("testing")

    @proxied.get("/_addr")
    def addr():
        return request.remote_addr

    answer = proxied.test_client().get("/_addr", headers={"X-Forwarded-For": "203.0.113.9"})
    assert answer.get_data(as_text=True) == "203.0.113.9"
