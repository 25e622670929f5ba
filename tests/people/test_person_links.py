"""Names link to the person page: People, the roster, the review queue, the waitlist,
pods (the staff team page and the captain's home), coverage and referrals."""

from coop.enrollment.models import Stage
from coop.extensions import db


def test_names_link_to_the_person_page(client, login_as, world, factory):
    applicant = factory.user("participant", name="Ana Applicant")
    factory.enrollment(cohort=world.cohort, user=applicant, stage=Stage.APPLIED)
    waiting = factory.user("participant", name="Wes Waiting")
    factory.enrollment(cohort=world.cohort, user=waiting, stage=Stage.WAITLISTED)
    db.session.commit()
    pat = f'href="/people/{world.pat.id}"'
    login_as("staff")
    cohort = world.cohort.id
    pages = {
        "/people": pat,
        f"/cohorts/{cohort}/roster": pat,
        f"/cohorts/{cohort}/applications": f'href="/people/{applicant.id}"',
        f"/cohorts/{cohort}/waitlist": f'href="/people/{waiting.id}"',
        f"/coaching/cohorts/{cohort}/team": pat,
        "/referrals": pat,
    }
    for url, link in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert link in response.get_data(as_text=True), url
    login_as(world.captain)
    assert pat in client.get("/coaching/").get_data(as_text=True)
    assert client.get(f"/people/{world.pat.id}").status_code == 200  # the link works


def test_overdue_people_on_coverage_link_to_their_page(client, login_as, factory):
    from tests.sessions.builders import Builder

    build = Builder(factory)
    cohort = build.cohort()
    person = build.participants(cohort, 1, name="Olive Overdue")[0]
    build.captain(cohort, pod=[person])
    db.session.commit()
    login_as("staff")
    html = client.get(f"/coaching/cohorts/{cohort.id}/coverage").get_data(as_text=True)
    assert "Olive Overdue" in html
    assert f'href="/people/{person.id}"' in html
