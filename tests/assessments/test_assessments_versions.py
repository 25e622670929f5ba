"""A template with answers is never rewritten: editing makes a new version, the old
answers keep theirs, and unchanged questions keep their key (so they still pair)."""

import sqlalchemy as sa

from coop.assessments import queries
from coop.assessments.models import (
    AssessmentResponse,
    AssessmentTemplate,
    TemplateItem,
    TemplateVersion,
)
from coop.extensions import db


def edit(client, template, items, title=None, description="New words"):
    return client.post(
        f"/assessments/templates/{template.id}/edit",
        data={"title": title or template.title, "description": description, "items": items},
    )


def test_editing_before_any_answer_changes_the_version_in_place(client, login_as, factory, assess):
    template = assess.template(factory.track(), items="scale: One\nscale: Two")
    login_as("staff")
    form = client.get(f"/assessments/templates/{template.id}/edit").get_data(as_text=True)
    assert "scale: One\nscale: Two" in form
    assert edit(client, template, "scale: One\nscale: Three").status_code == 302
    versions = db.session.scalars(sa.select(TemplateVersion)).all()
    assert [v.number for v in versions] == [1]
    items = db.session.scalars(sa.select(TemplateItem).order_by(TemplateItem.position)).all()
    assert [(i.prompt, i.key) for i in items] == [("One", 1), ("Three", 3)]


def test_editing_after_answers_makes_a_new_version(client, login_as, factory, assess):
    cohort = assess.active_cohort(weeks_in=15)
    template = assess.template(cohort.track, items="scale: One\nscale: Two\ntext: Notes")
    intake = assess.schedule(cohort, template, "intake", 1)
    leaving = assess.schedule(cohort, template, "exit", 16)
    pat = factory.user("participant")
    factory.enrollment(cohort=cohort, user=pat)
    first = assess.answer(intake, cohort, pat, {1: 2, 2: 2})
    v1 = first.version_id
    login_as("staff")
    page = client.get(f"/assessments/templates/{template.id}/edit").get_data(as_text=True)
    assert "saving makes version 2" in page
    response = edit(client, template, "scale: Two\nscale: One\nnumber: Hours", title="Renamed")
    assert response.status_code == 302
    db.session.expire_all()
    template = db.session.get(AssessmentTemplate, template.id)
    assert template.current_version == 2 and template.title == "Renamed"
    old = queries.versions(template.id)[-1]
    assert old.id == v1 and [i.prompt for i in old.items] == ["One", "Two", "Notes"]
    assert old.description == "How sure you feel"
    new = queries.current_version(template.id)
    # Moved questions keep their key; the new one gets a key never used before
    assert [(i.prompt, i.key) for i in new.items] == [("Two", 2), ("One", 1), ("Hours", 4)]
    assert db.session.get(AssessmentResponse, first.id).version_id == v1
    # The exit answers the new version, and still pairs with intake by key
    second = assess.answer(leaving, cohort, pat, {1: 5, 2: 4, 3: 6})
    assert second.version_id == new.id
    changes = {c.prompt: c for c in queries.person_results(cohort.id, pat.id)[0].items}
    assert changes["One"].change == 2 and changes["Two"].change == 3
    assert changes["Hours"].change is None
    # Another edit of version 2 (answered now) makes version 3; version 1 is untouched
    assert edit(client, template, "scale: One").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TemplateVersion)) == 3
    assert [i.prompt for i in queries.versions(template.id)[-1].items] == ["One", "Two", "Notes"]
    html = client.get(f"/assessments/templates/{template.id}").get_data(as_text=True)
    assert "Version 3" in html and "Version 2" in html and "Version 1" in html
    assert "1 response " in html


def test_a_refused_edit_writes_nothing(client, login_as, factory, assess):
    track = factory.track()
    template = assess.template(track, items="scale: One")
    assess.template(track, title="Taken", items="scale: One")
    login_as("staff")
    for items, title in [("nonsense", None), ("scale: Fine", "Taken")]:
        assert edit(client, template, items, title=title).status_code == 200
    db.session.expire_all()
    assert db.session.get(AssessmentTemplate, template.id).title == "Skills check"
    assert [i.prompt for i in queries.current_version(template.id).items] == ["One"]
