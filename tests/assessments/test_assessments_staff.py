"""Staff housekeeping: archiving a template, taking an unanswered schedule off a cohort
(an answered one stays), and the coverage page's short list of requests for help."""

import sqlalchemy as sa

from coop.assessments.models import AssessmentSchedule, AssessmentTemplate
from coop.assessments.views import PANEL_LIMIT
from coop.extensions import db


def test_archiving_keeps_a_template_out_of_new_schedules(client, login_as, factory, assess):
    cohort = assess.active_cohort()
    template = assess.template(cohort.track)
    login_as("staff")
    assert client.post(f"/assessments/templates/{template.id}/archive").status_code == 302
    db.session.expire_all()
    assert db.session.get(AssessmentTemplate, template.id).archived
    url = f"/assessments/cohorts/{cohort.id}/schedules"
    refused = client.post(url, data={"template_id": template.id, "point": "intake", "week": 1})
    assert refused.status_code == 422
    assert db.session.scalars(sa.select(AssessmentSchedule)).all() == []
    client.post(f"/assessments/templates/{template.id}/archive")
    db.session.expire_all()
    assert not db.session.get(AssessmentTemplate, template.id).archived


def test_only_an_unanswered_schedule_comes_off(client, login_as, factory, assess):
    cohort = assess.active_cohort(weeks_in=0)
    template = assess.template(cohort.track)
    answered = assess.schedule(cohort, template, "intake", 1)
    unanswered = assess.schedule(cohort, template, "exit", 16)
    [pat] = assess.participants(cohort, 1)
    assess.answer(answered, cohort, pat, {})
    answered_id, unanswered_id = answered.id, unanswered.id
    login_as("staff")
    page = client.post(f"/assessments/schedules/{answered_id}/remove", follow_redirects=True)
    assert "People have answered it: it stays." in page.get_data(as_text=True)
    client.post(f"/assessments/schedules/{unanswered_id}/remove")
    ids = set(db.session.scalars(sa.select(AssessmentSchedule.id)))
    assert ids == {answered_id}


def test_coverage_lists_the_oldest_and_links_to_all(client, login_as, factory, assess):
    cohort = assess.active_cohort(weeks_in=3)
    people = assess.participants(cohort, PANEL_LIMIT + 2)
    for n, person in enumerate(people):
        assess.pulse(cohort, person, help_with=f"Request number {n:02d}")
    login_as("staff")
    html = client.get("/coaching/coverage").get_data(as_text=True)
    assert html.count("Request number") == PANEL_LIMIT
    assert f"All {PANEL_LIMIT + 2} requests for help" in html
    assert "Request number 00" in html
    listing = client.get("/assessments/help").get_data(as_text=True)
    assert listing.count("Request number") == PANEL_LIMIT + 2
