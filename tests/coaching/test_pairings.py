"""Pod pairings by CSV: preview, all or nothing, every bad row named, the per-captain
maximum, idempotence, export, permissions."""

import io

import pytest
import sqlalchemy as sa

from coop.coaching.models import PodMembership
from coop.core.models import AuditEvent
from coop.extensions import db


@pytest.fixture
def pods(coach, factory):
    cohort = factory.cohort()
    a = coach.assign(cohort, is_lead=True, max_participants=2)
    b = coach.assign(cohort, max_participants=3)
    people = coach.enrolled(cohort, 4)
    return dict(cohort=cohort, a=a, b=b, people=people)


def _emails(pods):
    from coop.auth.models import User

    a = db.session.get(User, pods["a"].captain_id).email
    b = db.session.get(User, pods["b"].captain_id).email
    return a, b, [p.email for p in pods["people"]]


def _csv(rows) -> bytes:
    lines = ["participant_email,captain_email", *(f"{p},{c}" for p, c in rows)]
    return ("\n".join(lines) + "\n").encode()


def _upload(client, cohort, data: bytes):
    return client.post(
        f"/cohorts/{cohort.id}/pairings/import",
        data={"file": (io.BytesIO(data), "pairings.csv")},
        content_type="multipart/form-data",
    )


def _memberships():
    return sorted(
        db.session.execute(
            sa.select(PodMembership.participant_id, PodMembership.assignment_id)
        ).all()
    )


def test_preview_then_import_then_again_changes_nothing(client, login_as, pods):
    a, b, people = _emails(pods)
    cohort = pods["cohort"]
    data = _csv([(people[0], a), (people[1], a), (people[2], b), (people[3].upper(), b)])
    login_as("staff")
    page = _upload(client, cohort, data)
    assert page.status_code == 200 and "Import 4 pairings" in page.text
    assert _memberships() == []  # nothing until confirmed
    reply = client.post(
        f"/cohorts/{cohort.id}/pairings/import/confirm", data={"content": data.decode()}
    )
    assert reply.status_code == 302
    got = _memberships()
    assert len(got) == 4
    assert sum(1 for _, key in got if key == pods["a"].id) == 2
    assert db.session.scalar(sa.select(AuditEvent.id).where(AuditEvent.action == "pods.import"))
    # The same file again: nothing to import, nothing changes.
    again = _upload(client, cohort, data)
    assert "Nothing to import" in again.text
    client.post(f"/cohorts/{cohort.id}/pairings/import/confirm", data={"content": data.decode()})
    assert _memberships() == got


def test_every_bad_row_is_named_and_nothing_written(client, login_as, factory, pods):
    a, b, people = _emails(pods)
    stranger = factory.user().email
    data = _csv(
        [
            (people[0], a),
            ("not-an-email", a),
            (stranger, b),
            (people[1], stranger),
            (people[0], b),
            ("", b),
        ]
    )
    login_as("staff")
    page = _upload(client, pods["cohort"], data)
    assert "5 rows need fixing" in page.text
    for text in (
        "is not a valid email address",
        f"{stranger} is not enrolled in this cohort",
        f"{stranger} is not on this cohort&#39;s captain team",
        "The same participant is on row 2",
        "Participant email is missing",
    ):
        assert text in page.text, text
    assert "Import " not in page.text.split("Preview")[1]
    reply = client.post(
        f"/cohorts/{pods['cohort'].id}/pairings/import/confirm", data={"content": data.decode()}
    )
    assert reply.status_code == 200 and "nothing was imported" in reply.text
    assert _memberships() == []


def test_the_per_captain_maximum_holds(client, login_as, pods):
    a, _, people = _emails(pods)
    data = _csv([(p, a) for p in people[:3]])  # a takes at most 2
    login_as("staff")
    page = _upload(client, pods["cohort"], data)
    assert "would have 3 participants; their maximum is 2" in page.text
    client.post(
        f"/cohorts/{pods['cohort'].id}/pairings/import/confirm", data={"content": data.decode()}
    )
    assert _memberships() == []


def test_a_move_frees_a_seat_in_the_same_file(client, login_as, coach, pods):
    a, b, people = _emails(pods)
    coach.pod(pods["a"], pods["people"][:2])  # a is full
    data = _csv([(people[0], b), (people[2], a)])  # one leaves a, another joins
    login_as("staff")
    page = _upload(client, pods["cohort"], data)
    assert "Moves to" in page.text and "Import 2 pairings" in page.text
    client.post(
        f"/cohorts/{pods['cohort'].id}/pairings/import/confirm", data={"content": data.decode()}
    )
    got = dict(_memberships())
    assert got[pods["people"][0].id] == pods["b"].id and got[pods["people"][2].id] == pods["a"].id


def test_bad_files(client, login_as, pods):
    login_as("staff")
    assert (
        "missing: captain_email"
        in _upload(client, pods["cohort"], b"participant_email\nx@y.org\n").text
    )
    assert "not UTF-8" in _upload(client, pods["cohort"], b"\xff\xfe\x00bad").text
    assert (
        "header but no rows"
        in _upload(client, pods["cohort"], b"participant_email,captain_email\n").text
    )


def test_export_has_the_same_columns(client, login_as, coach, factory, pods):
    coach.pod(pods["a"], pods["people"][:1])
    a, _, people = _emails(pods)
    login_as("staff")
    reply = client.get(f"/cohorts/{pods['cohort'].id}/pairings.csv")
    assert reply.status_code == 200
    lines = reply.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0] == "participant_email,captain_email"
    assert lines[1:] == [f"{people[0]},{a}"]


def test_other_cities_and_roles_get_404_and_nothing_changes(client, login_as, factory, pods):
    a, _, people = _emails(pods)
    data = _csv([(people[0], a)])
    cohort = pods["cohort"]
    login_as("city_staff", cities=[factory.city()])
    assert client.get(f"/cohorts/{cohort.id}/pairings/import").status_code == 404
    assert client.get(f"/cohorts/{cohort.id}/pairings.csv").status_code == 404
    reply = client.post(
        f"/cohorts/{cohort.id}/pairings/import/confirm", data={"content": data.decode()}
    )
    assert reply.status_code == 404
    for role in ("captain", "participant"):
        login_as(role)
        assert client.get(f"/cohorts/{cohort.id}/pairings/import").status_code == 404
        assert (
            client.post(
                f"/cohorts/{cohort.id}/pairings/import/confirm", data={"content": data.decode()}
            ).status_code
            == 404
        )
    assert _memberships() == []
