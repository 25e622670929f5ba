"""Credentials in the talent pool (issues 14 §3 and 15 §4): a career profile shows the
person's verified credentials, and the search filters by one. The search tests run on
both engines (SQLite FTS5 and PostgreSQL)."""

from datetime import timedelta

import pytest

from coop.core import clock
from coop.extensions import db
from tests.plans.world import credential, credential_type
from tests.talent.test_talent_search import names


@pytest.fixture
def creds(tw):
    """Pat holds Google Analytics (verified) and HubSpot (not verified yet); Alex holds
    Google Analytics (verified), Sam nothing."""
    earned = clock.today_in() - timedelta(days=10)
    analytics = credential_type(tw.cohort.track_id, "Google Analytics", "Google")
    hubspot = credential_type(tw.cohort.track_id, "HubSpot Content Marketing", "HubSpot")
    sql = credential_type(tw.cohort.track_id, "SQL assessment", "coop")
    credential(tw.pat, tw.cohort, analytics, earned)
    credential(tw.pat, tw.cohort, hubspot, earned, verified=False)
    credential(tw.alex, tw.other_cohort, analytics, earned - timedelta(days=3))
    credential(tw.dana, tw.cohort, sql, earned)  # a draft profile: never found
    db.session.commit()
    return analytics, hubspot, sql


def test_the_filter_keeps_only_verified_holders(client, login_as, tw, creds):
    analytics, hubspot, sql = creds
    login_as(tw.partner_user)
    assert sorted(names(client, f"credential={analytics.id}")) == ["Alex Alum", "Pat Doe"]
    assert names(client, f"credential={hubspot.id}") == []  # Pat's is not verified
    assert names(client, f"credential={sql.id}") == []  # Dana's profile is a draft
    assert names(client, f"q=sql&credential={analytics.id}") == ["Pat Doe"]
    assert names(client, f"credential={analytics.id}&city={tw.other_city.id}") == ["Alex Alum"]
    assert len(names(client, "credential=999999")) == 0
    assert len(names(client, "credential=abc")) == 3  # ignored, as the other filters


def test_the_filter_lists_the_catalogue_and_keeps_the_choice(client, login_as, tw, creds):
    analytics = creds[0]
    login_as(tw.partner_user)
    html = client.get(f"/talent?credential={analytics.id}").get_data(as_text=True)
    assert '<label class="form-label" for="credential">Credential</label>' in html
    assert f'<option value="{analytics.id}" selected>Google Analytics · Google</option>' in html
    assert "HubSpot Content Marketing · HubSpot</option>" in html


def test_staff_filter_too(client, login_as, tw, creds):
    login_as("city_staff", cities=[tw.city])
    assert names(client, f"credential={creds[0].id}") == ["Pat Doe"]


def test_the_profile_shows_verified_credentials_only(client, login_as, tw, creds):
    for who in (tw.partner_user, "staff"):
        login_as(who)
        html = client.get(f"/talent/{tw.pat_profile.id}").get_data(as_text=True)
        assert '<h2 class="h6">Credentials</h2>' in html
        assert "Google Analytics, Google" in html
        assert "HubSpot" not in html  # not verified yet
        assert "ABC-1" not in html  # the credential ID stays with staff's pages


def test_a_profile_without_credentials_shows_no_heading(client, login_as, tw, creds):
    login_as(tw.partner_user)
    html = client.get(f"/talent/{tw.sam_profile.id}").get_data(as_text=True)
    assert "Credentials</h2>" not in html


def test_a_profile_partners_cannot_see_stays_hidden(client, login_as, tw, creds):
    login_as(tw.partner_user)
    assert client.get(f"/talent/{tw.dana_profile.id}").status_code == 404


@pytest.mark.parametrize("size", [2, 10])
def test_the_filtered_search_has_a_fixed_query_count(
    client, login_as, tw, tf, factory, creds, count_queries, size
):
    analytics = creds[0]
    for n in range(size):
        user = tf.rf.enrolled(tw.cohort, factory.user(name=f"Extra {n}")).user
        tf.profile(user, headline="SQL analyst")
        credential(user, tw.cohort, analytics, clock.today_in() - timedelta(days=1))
    db.session.commit()
    login_as(tw.partner_user)
    url = f"/talent?q=sql+analyst&city={tw.city.id}&credential={analytics.id}"
    html = client.get(url).get_data(as_text=True)
    assert html.count(">Extra ") == size
    with count_queries() as q:
        assert client.get(url).status_code == 200
    assert q.count == 10
