"""Every talent page runs a fixed number of queries, however many rows it lists."""

import pytest

from coop.extensions import db
from coop.talent import services


@pytest.fixture
def grown(app, tw, tf, factory, request):
    """``size`` more approved profiles, each shortlisted by Initech's contact, asked for
    an introduction, and interested in Initech's opening."""
    size = request.param
    with app.test_request_context():
        for n in range(size):
            user = tf.rf.enrolled(tw.cohort, factory.user(name=f"Extra {n}")).user
            profile = tf.profile(user, headline="SQL analyst")
            services.toggle_shortlist(tw.contact, profile, tw.partner_user)
            services.request_introduction(tw.contact, tw.partner_user, profile)
            services.express_interest(user, tw.opening)
    db.session.commit()
    return size


PAGES = {
    "partner": ("/partner", 10),
    "shortlist": ("/partner/shortlist", 4),
    "profile": ("/talent/{pat}", 6),  # + the verified credentials
    "review": ("/talent/review", 10),  # + the menu badge (flagged check-ins)
    "my_profile": ("/me/career", 4),
}


@pytest.mark.parametrize("grown", [2, 12], indirect=True)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_query_counts_are_fixed(client, login_as, tw, grown, count_queries, name):
    url, expected = PAGES[name]
    who = {"review": "staff", "my_profile": tw.pat}.get(name, tw.partner_user)
    login_as(who)
    url = url.format(pat=tw.pat_profile.id)
    client.get(url)
    with count_queries() as q:
        assert client.get(url).status_code == 200
    assert q.count == expected, f"{name}: {q.count}"
