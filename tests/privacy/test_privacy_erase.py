"""Erasure: the person's details and the notes about them go, the figures stay."""

import logging

import sqlalchemy as sa

from coop.auth.models import Role, User
from coop.core.models import AuditEvent
from coop.enrollment.models import Enrollment
from coop.extensions import db
from coop.privacy import services
from coop.referrals.models import Placement
from coop.reports.dashboard import build
from coop.reports.filters import Filters


def figures(viewer) -> dict:
    """Every dashboard figure, totals and per cohort: (value, base)."""
    data = build(Filters(), viewer)
    out = {("total", f.key): (f.value, f.base) for s in data.sections for f in s.figures}
    for row in data.cohorts:
        out |= {(row.id, key): (f.value, f.base) for key, f in row.figures.items()}
    return out


def leftovers(needles: list[str]) -> list[str]:
    """``table.column`` holding any needle, over every text column of every table."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, sa.String | sa.Text):
                continue
            for needle in needles:
                hit = db.session.scalar(
                    sa.select(sa.func.count())
                    .select_from(table)
                    .where(sa.func.lower(column).contains(needle.lower(), autoescape=True))
                )
                if hit:
                    found.append(f"{table.name}.{column.name} holds {needle!r}")
    return found


def test_erasing_leaves_no_trace_of_the_person_and_every_figure_unchanged(
    client, login_as, canaries, caplog
):
    a, b, staff, *_ = canaries
    assert leftovers(a.needles)  # planted everywhere to begin with
    before = figures(staff)
    login_as(staff)
    with caplog.at_level(logging.DEBUG):
        response = client.post(f"/people/{a.user.id}/erase", data={"confirm": a.email})
    assert response.status_code == 302
    assert leftovers(a.needles) == []
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "erased person" in logged
    for needle in a.needles:
        assert needle.lower() not in logged.lower()
    db.session.expire_all()
    assert figures(staff) == before
    # B is untouched.
    assert len(leftovers(b.needles)) > 10
    person = db.session.get(User, a.user.id)
    assert person.name == f"Erased person #{person.id}"
    assert person.email == f"erased-{person.id}@invalid"
    assert person.active is False and person.password_hash is None
    assert person.erased_at is not None
    # Stages and outcomes stay.
    assert db.session.get(Enrollment, a.enrollment.id).stage == "enrolled"
    job = db.session.scalar(sa.select(Placement).where(Placement.participant_id == person.id))
    assert (job.salary, job.career_track) == (52000, True)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "privacy.erase"))
    assert event.actor_id == staff.id and "email" in event.changed


def test_the_erased_person_is_signed_out_and_cannot_sign_in(app, client, login_as, canaries):
    a, _, staff, *_ = canaries
    a.user.password_hash = "x"
    login_as(a.user)
    assert client.get("/account").status_code == 200
    services.erase(a.user.id, actor=staff)
    db.session.commit()
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.location


def test_a_wrong_confirmation_erases_nothing(client, login_as, canaries):
    a, _, staff, *_ = canaries
    login_as(staff)
    response = client.post(f"/people/{a.user.id}/erase", data={"confirm": "someone@else.org"})
    assert response.status_code == 200
    assert "neither the person" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, a.user.id).erased_at is None
    # ERASE confirms too.
    response = client.post(f"/people/{a.user.id}/erase", data={"confirm": "ERASE"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, a.user.id).erased_at is not None


def test_erasing_twice_erases_once(canaries):
    a, _, staff, *_ = canaries
    assert services.erase(a.user.id, actor=staff) is True
    assert services.erase(a.user.id, actor=staff) is False
    count = db.session.scalar(
        sa.select(sa.func.count()).where(AuditEvent.action == "privacy.erase")
    )
    assert count == 1


def test_the_people_page_offers_erasure_for_participants_not_staff(client, login_as, factory):
    person = factory.user(Role.PARTICIPANT, name="Erin Able")
    other_staff = factory.user(Role.STAFF, name="Stan Dard")
    login_as("staff")
    page = client.get("/people").get_data(as_text=True)
    assert f"/people/{person.id}/erase" in page
    assert f"/people/{other_staff.id}/erase" not in page
    assert client.get(f"/people/{other_staff.id}/erase").status_code == 404
