"""Browser: a term at scale. Staff clone a term of one city; place ten program
applicants; a graduate accepts a captain request; staff import pod pairings by CSV."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from coop.auth.models import User
from coop.auth.passwords import hash_password
from coop.coaching.models import CaptainAssignment
from coop.coaching.request_models import CaptainRequest, RequestStatus
from coop.enrollment.models import Enrollment, Stage
from coop.enrollment.program_models import ProgramApplication, ProgramStatus
from coop.extensions import db
from coop.programs import cloning
from coop.programs.models import City, Cohort, CohortStatus

pytestmark = pytest.mark.e2e

PASSWORD = "a long and unguessable phrase"


def _term_to_clone(live_app):
    """A city and a term whose cohorts clone cleanly."""
    with live_app.app_context():
        city = db.session.scalar(sa.select(City).where(City.name == "Chicago"))
        term = next(t for t in cloning.city_terms(city) if cloning.plan_term(city, t).ok)
        result = city.id, term, len(cloning.term_cohorts(city, term))
        db.session.remove()
        return result


def _graduate_with_request(live_app):
    """The demo graduate asked to captain, given a password so they can sign in."""
    with live_app.app_context():
        req = db.session.scalar(
            sa.select(CaptainRequest).where(CaptainRequest.status == RequestStatus.OPEN)
        )
        user = db.session.get(User, req.user_id)
        user.password_hash = hash_password(PASSWORD)
        db.session.commit()
        result = user.email, req.cohort_id, db.session.get(Cohort, req.cohort_id).name
        db.session.remove()
        return result


def _pairings_csv(live_app, tmp_path):
    """An active cohort with a team: its participants spread over its captains."""
    with live_app.app_context():
        cohort = db.session.scalar(
            sa.select(Cohort)
            .where(
                Cohort.status == CohortStatus.ACTIVE,
                Cohort.id.in_(sa.select(CaptainAssignment.cohort_id)),
            )
            .order_by(Cohort.id)
        )
        captains = db.session.execute(
            sa.select(User.email, CaptainAssignment.max_participants)
            .join(CaptainAssignment, CaptainAssignment.captain_id == User.id)
            .where(CaptainAssignment.cohort_id == cohort.id, CaptainAssignment.ended_at.is_(None))
            .order_by(CaptainAssignment.id)
        ).all()
        people = db.session.scalars(
            sa.select(User.email)
            .join(Enrollment, Enrollment.user_id == User.id)
            .where(Enrollment.cohort_id == cohort.id, Enrollment.stage == Stage.ENROLLED)
            .order_by(User.id)
        ).all()
        room = min(len(people), sum(m for _, m in captains))
        lines = ["participant_email,captain_email"]
        for i, email in enumerate(people[:room]):
            lines.append(f"{email},{captains[i % len(captains)][0]}")
        result = cohort.id, room
        db.session.remove()
    path = tmp_path / "pairings.csv"
    path.write_text("\n".join(lines) + "\n")
    return (*result, path)


def test_a_term_at_scale(page, live_app, sign_in, outbox, screenshot, tmp_path):
    # 1. Staff clone a term of one city in one step, after a preview.
    city_id, term, count = _term_to_clone(live_app)
    sign_in(page, "staff@coop.example")
    page.get_by_role("button", name="Program").click()  # the staff menu
    page.get_by_role("link", name="Clone a term").click()
    expect(page.get_by_role("heading", name="Clone a term")).to_be_visible()
    page.goto(f"/terms/clone?city={city_id}&term={term.replace(' ', '+')}")
    expect(page.get_by_role("heading", name=re.compile(f"Preview: {term}"))).to_be_visible()
    screenshot(page, "terms-clone-preview")
    page.get_by_role("button", name=f"Clone {count} cohorts").click()
    expect(
        page.get_by_text(f"{count} cohorts created for {cloning.next_term(term)}")
    ).to_be_visible()

    # 2. Place ten program applicants.
    page.goto("/program-applications?status=accepted")
    page.get_by_role("link", name=re.compile("Place applicants")).click()
    expect(page.get_by_role("heading", name="Place applicants")).to_be_visible()
    expect(page.get_by_text("Their city and track").first).to_be_visible()
    boxes = page.locator('input[name="choices"]')
    assert boxes.count() >= 10
    for i in range(10):
        boxes.nth(i).check()
    screenshot(page, "terms-place")
    page.get_by_role("button", name="Place selected").click()
    expect(page.get_by_text("Placed and emailed: 10 applicants.")).to_be_visible()
    with live_app.app_context():
        placed = db.session.scalar(
            sa.select(sa.func.count(ProgramApplication.id)).where(
                ProgramApplication.status == ProgramStatus.PLACED
            )
        )
        over = db.session.scalar(
            sa.select(sa.func.count(Cohort.id)).where(Cohort.seats_taken > Cohort.capacity)
        )
        db.session.remove()
    assert placed == 10 and over == 0

    # 3. A graduate accepts a captain request from their home page.
    email, cohort_id, cohort_name = _graduate_with_request(live_app)
    page.context.clear_cookies()
    sign_in(page, email, PASSWORD)
    expect(page.get_by_role("heading", name="You are asked to captain")).to_be_visible()
    page.get_by_role("link", name="Accept or decline").click()
    screenshot(page, "terms-captain-request")
    page.get_by_role("button", name="Accept: join the team").click()
    expect(page.get_by_text(f"Welcome to the captain team of {cohort_name}.")).to_be_visible()
    with live_app.app_context():
        on_team = db.session.scalar(
            sa.select(CaptainAssignment.id)
            .join(User, User.id == CaptainAssignment.captain_id)
            .where(CaptainAssignment.cohort_id == cohort_id, User.email == email)
        )
        db.session.remove()
    assert on_team is not None

    # 4. Staff import pod pairings by CSV: preview, then all at once.
    team_cohort, rows, path = _pairings_csv(live_app, tmp_path)
    page.context.clear_cookies()
    sign_in(page, "staff@coop.example")
    page.goto(f"/cohorts/{team_cohort}/pairings/import")
    page.get_by_label("Pairings file (CSV)").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    screenshot(page, "terms-pairings-preview")
    import_button = page.get_by_role("button", name=re.compile(r"Import \d+ pairings"))
    if import_button.count():
        import_button.click()
        expect(page.get_by_text(re.compile("Imported: "))).to_be_visible()
    else:  # the demo pods already match the file
        expect(page.get_by_text("Nothing to import")).to_be_visible()
    assert rows > 0
    assert outbox
