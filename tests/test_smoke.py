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
