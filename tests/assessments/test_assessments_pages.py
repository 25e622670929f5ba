"""Staff write templates and schedule them; participants answer from their cohort page;
refused input writes nothing."""

import sqlalchemy as sa

from coop.assessments.models import (
    AssessmentAnswer,
    AssessmentResponse,
    AssessmentSchedule,
    AssessmentTemplate,
    TemplateItem,
)
from coop.extensions import db


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_staff_write_a_template(client, login_as, factory):
    track = factory.track(name="Data Analytics")
    login_as("staff")
    page = client.get("/assessments/templates/new")
    assert page.status_code == 200
    response = client.post(
        "/assessments/templates/new",
        data={
            "track_id": track.id,
            "title": "SQL skills",
            "description": "Where you stand with SQL",
            "items": "scale: Writing a JOIN\nchoice: Tool | Excel | SQL\ntext: Notes",
        },
    )
    assert response.status_code == 302
    template = db.session.scalar(sa.select(AssessmentTemplate))
    assert template.title == "SQL skills" and template.track_id == track.id
    html = client.get(response.location).get_data(as_text=True)
    assert "Writing a JOIN" in html and "Excel · SQL" in html and "Version 1" in html
    listing = client.get("/assessments/templates").get_data(as_text=True)
    assert "SQL skills" in listing and "Data Analytics" in listing


def test_bad_items_are_refused_and_nothing_is_written(client, login_as, factory):
    track = factory.track()
    login_as("staff")
    for items, message in [
        ("scale: ok\nbogus: what", "Line 2: start with scale:"),
        ("choice: Only one | A", "a choice needs 2 to 10"),
        ("scale: a | b", "only a choice has options"),
        ("scale: same\nscale: same", "Each question once"),
    ]:
        response = client.post(
            "/assessments/templates/new",
            data={"track_id": track.id, "title": "T", "items": items},
        )
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    assert count(AssessmentTemplate) == 0 and count(TemplateItem) == 0


def test_city_staff_read_templates_but_do_not_write_them(client, login_as, factory, assess):
    template = assess.template(factory.track())
    login_as("city_staff")
    assert client.get(f"/assessments/templates/{template.id}").status_code == 200
    assert client.get("/assessments/templates/new").status_code == 404
    assert client.get(f"/assessments/templates/{template.id}/edit").status_code == 404
    assert client.post(f"/assessments/templates/{template.id}/archive").status_code == 404


def test_schedule_on_the_cohort_tab(client, login_as, factory, assess):
    cohort = assess.active_cohort()
    template = assess.template(cohort.track)
    other_track = assess.template(factory.track(), title="Elsewhere")
    login_as("staff")
    html = client.get(f"/assessments/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Skills check" in html and "Elsewhere" not in html
    url = f"/assessments/cohorts/{cohort.id}/schedules"
    ok = client.post(url, data={"template_id": template.id, "point": "intake", "week": 1})
    assert ok.status_code == 302
    # The same point twice, a week outside the cohort, exit before intake, another track
    for data in [
        {"template_id": template.id, "point": "intake", "week": 2},
        {"template_id": template.id, "point": "exit", "week": 40},
        {"template_id": other_track.id, "point": "exit", "week": 16},
    ]:
        assert client.post(url, data=data).status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AssessmentSchedule)) == 1
    client.post(url, data={"template_id": template.id, "point": "exit", "week": 16})
    refused = client.post(url, data={"template_id": template.id, "point": "midpoint", "week": 17})
    assert "must come after intake and before exit" in refused.get_data(as_text=True)
    html = client.get(f"/assessments/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Intake" in html and "Exit" in html and "0 of 0" in html


def test_participant_answers_from_the_cohort_page(client, login_as, factory, assess):
    cohort = assess.active_cohort(weeks_in=0)
    template = assess.template(cohort.track)
    row = assess.schedule(cohort, template, "intake", 1)
    pat = factory.user("participant", name="Pat")
    factory.enrollment(cohort=cohort, user=pat)
    login_as(pat)
    home = client.get("/my-cohort").get_data(as_text=True)
    assert "Skills check" in home and "Answer the pulse check" in home
    url = f"/assessments/my/{cohort.id}/{row.id}"
    assert f'href="{url}"' in home
    page = client.get(url).get_data(as_text=True)
    assert "<legend" in page and "How confident are you writing SQL?" in page
    items = {i.position: i for i in db.session.scalars(sa.select(TemplateItem))}
    data = {
        f"item_{items[1].id}": "4",
        f"item_{items[2].id}": "2",
        f"item_{items[3].id}": "0",
        f"item_{items[4].id}": "7.5",
        f"item_{items[5].id}": "SQL",
        f"item_{items[6].id}": "Looking forward",
    }
    # A scale outside 1-5, a number that is no number: refused, nothing written
    for field, bad in [(1, "9"), (4, "nan"), (5, "Python")]:
        refused = client.post(url, data={**data, f"item_{items[field].id}": bad})
        assert refused.status_code == 200
        assert count(AssessmentResponse) == 0 and count(AssessmentAnswer) == 0
    assert client.post(url, data=data).status_code == 302
    response = db.session.scalar(sa.select(AssessmentResponse))
    assert response.participant_id == pat.id and response.point == "intake"
    answers = {a.item_id: a for a in db.session.scalars(sa.select(AssessmentAnswer))}
    assert answers[items[1].id].number == 4 and answers[items[4].id].number == 7.5
    assert answers[items[5].id].text == "SQL" and answers[items[3].id].number == 0
    # Answering again is refused; the page says it was answered
    again = client.post(url, data=data, follow_redirects=True).get_data(as_text=True)
    assert "answered it already" in again
    assert count(AssessmentResponse) == 1
    assert "Answered" in client.get("/my-cohort").get_data(as_text=True)


def test_an_upcoming_assessment_is_not_listed_nor_open(client, login_as, factory, assess):
    cohort = assess.active_cohort(weeks_in=0)
    template = assess.template(cohort.track)
    row = assess.schedule(cohort, template, "exit", 16)
    pat = factory.user("participant")
    factory.enrollment(cohort=cohort, user=pat)
    login_as(pat)
    assert "Skills check" not in client.get("/my-cohort").get_data(as_text=True)
    assert client.get(f"/assessments/my/{cohort.id}/{row.id}").status_code == 404


def test_person_results_show_the_change(client, login_as, factory, assess):
    cohort = assess.active_cohort(weeks_in=15)
    template = assess.template(cohort.track)
    intake = assess.schedule(cohort, template, "intake", 1)
    leaving = assess.schedule(cohort, template, "exit", 16)
    pat = factory.user("participant", name="Pat Person")
    factory.enrollment(cohort=cohort, user=pat)
    assess.answer(intake, cohort, pat, {1: 2, 2: 4, 4: 3})
    assess.answer(leaving, cohort, pat, {1: 5, 2: 3, 4: 10})
    login_as("staff")
    html = client.get(f"/assessments/cohorts/{cohort.id}/people/{pat.id}").get_data(as_text=True)
    assert "Pat Person" in html and "+3" in html and "-1" in html and "+7" in html
