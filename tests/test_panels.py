"""Panels: sections that higher domains add to pages owned by lower ones (core.nav.panel).
The participant's cohort page and the captain's home show each panel whose loader has
something to say, and nothing for a loader that answers None."""

import pytest
from jinja2 import ChoiceLoader, DictLoader

from coop.core import nav
from tests.sessions.builders import Builder


@pytest.fixture
def panel_templates(app):
    original = app.jinja_env.loader
    app.jinja_env.loader = ChoiceLoader(
        [DictLoader({"_test_panel.html": "<p>Panel says {{ panel.word }}</p>"}), original]
    )
    app.jinja_env.cache.clear()
    before = list(nav.PANELS)
    yield
    nav.PANELS[:] = before
    app.jinja_env.loader = original
    app.jinja_env.cache.clear()


def test_unknown_page_is_refused():
    with pytest.raises(ValueError):
        nav.panel("nowhere.page", "_test_panel.html", lambda user, subject: {})


def test_cohort_page_shows_panels_with_something_to_say(client, login_as, factory, panel_templates):
    build = Builder(factory)
    cohort = build.cohort("America/New_York", name="Panel Cohort")
    pat = factory.user("participant", name="Pat Panel")
    factory.enrollment(cohort=cohort, user=pat)
    seen = []

    def loader(user, subject):
        seen.append((user.id, subject.id))
        return {"word": f"hello {subject.name}"}

    nav.panel("portal.cohort", "_test_panel.html", loader)
    nav.panel("portal.cohort", "_test_panel.html", lambda user, subject: None, order=60)
    login_as(pat)
    html = client.get("/my-cohort").get_data(as_text=True)
    assert html.count("Panel says") == 1
    assert "Panel says hello Panel Cohort" in html
    assert seen == [(pat.id, cohort.id)]


def test_captain_home_shows_panels(client, login_as, factory, panel_templates):
    captain = factory.user("captain", name="Cleo Panel")
    nav.panel(
        "coaching.captain_home",
        "_test_panel.html",
        lambda user, current: {"word": f"{user.name} has {len(current)} teams"},
    )
    login_as(captain)
    html = client.get("/coaching/").get_data(as_text=True)
    assert "Panel says Cleo Panel has 0 teams" in html
