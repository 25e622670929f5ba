"""The talent search. The same tests run on SQLite (FTS5) and PostgreSQL (tsvector with a
GIN index): each checks which people come back, so both engines must agree."""

from datetime import timedelta

import pytest

from coop.core import clock
from coop.extensions import db
from coop.talent import queries, search, services


def names(client, query: str) -> list[str]:
    response = client.get(f"/talent?{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return [
        n
        for n in ("Pat Doe", "Sam Roe", "Alex Alum", "Dana Draft", "Hana Hidden")
        if f">{n}</a>" in html
    ]


@pytest.mark.parametrize(
    "query,expected",
    [
        ("", ["Pat Doe", "Sam Roe", "Alex Alum"]),  # approved and visible only
        ("q=sql", ["Pat Doe", "Sam Roe"]),  # skills and summary
        ("q=SQL+dashboards", ["Pat Doe"]),  # every word must match
        ("q=analy", ["Pat Doe", "Sam Roe", "Alex Alum"]),  # a prefix
        ("q=python", ["Alex Alum"]),
        ("q=BI+analyst", ["Pat Doe"]),  # target roles
        ("q=nobody+knows", []),
        ("q=%22%29%28*+OR+NEAR", []),  # FTS syntax is only words here
        ("q=sql&remote=1", []),
        ("remote=1", ["Alex Alum"]),
        ("q=analyst&remote=0", ["Pat Doe", "Sam Roe"]),
    ],
)
def test_same_people_on_every_engine(client, login_as, tw, query, expected):
    login_as(tw.partner_user)
    assert sorted(names(client, query)) == sorted(expected)


def test_filters_city_track_term_and_available_by(client, login_as, tw, factory):
    login_as(tw.partner_user)
    assert names(client, f"city={tw.other_city.id}") == ["Alex Alum"]
    assert sorted(names(client, f"q=analyst&city={tw.city.id}")) == ["Pat Doe", "Sam Roe"]
    assert len(names(client, f"track={tw.cohort.track_id}")) == 3
    other_track = factory.track()
    assert names(client, f"track={other_track.id}") == []
    term = tw.other_cohort.start_date.strftime("%Y-%m")
    assert names(client, f"term={term}") == ["Alex Alum"]
    later = clock.today_in() + timedelta(days=60)
    services.save_profile(
        tw.sam_profile, tw.sam, headline=tw.sam_profile.headline, available_from=later
    )
    services.submit_profile(tw.sam_profile, tw.sam) if tw.sam_profile.can_submit else None
    services.approve_profile(tw.sam_profile, factory.user("staff"))
    db.session.commit()
    soon = (clock.today_in() + timedelta(days=7)).isoformat()
    assert sorted(names(client, f"available_by={soon}")) == ["Alex Alum", "Pat Doe"]
    assert "Sam Roe" in names(client, f"available_by={later.isoformat()}")


def test_relevance_order_puts_the_better_match_first(client, login_as, tw):
    login_as(tw.partner_user)
    html = client.get("/talent?q=sql").get_data(as_text=True)
    # Pat has SQL in the headline and skills; Sam in summary and skills: both come back,
    # each once.
    assert html.count(">Pat Doe</a>") == 1 and html.count(">Sam Roe</a>") == 1


def test_the_index_follows_every_change(client, login_as, tw):
    login_as(tw.pat)
    client.post("/me/career", data={"headline": "Spreadsheet zookeeper"})
    login_as("staff")
    client.post(f"/talent/{tw.pat_profile.id}/approve")
    login_as(tw.partner_user)
    assert names(client, "q=zookeeper") == ["Pat Doe"]
    assert names(client, "q=dashboards") == []


def test_withdrawn_consent_and_deactivated_people_leave_the_search(client, login_as, tw):
    from coop.db import utcnow

    tw.pat.consent_withdrawn_at = utcnow()
    tw.sam.active = False
    db.session.commit()
    login_as(tw.partner_user)
    assert names(client, "") == ["Alex Alum"]


def test_pages_of_twenty(client, login_as, tw, tf, factory):
    for n in range(22):
        user = tf.rf.enrolled(tw.cohort, factory.user(name=f"Many {n:02}")).user
        tf.profile(user, headline="Growth marketer")
    db.session.commit()
    login_as(tw.partner_user)
    first = client.get("/talent?q=growth").get_data(as_text=True)
    second = client.get("/talent?q=growth&page=2").get_data(as_text=True)
    assert first.count(">Many ") == 20 and second.count(">Many ") == 2
    assert "22 profiles" in first


def test_words_are_split_as_both_engines_split_them():
    assert search.words("C++ / SQL, data-analyst; Data") == ["c", "sql", "data", "analyst"]
    assert search.words("'; DROP TABLE users; --") == ["drop", "table", "users"]
    assert len(search.words("a b c d e f g h i j")) == search.MAX_WORDS


@pytest.mark.parametrize("size", [3, 12])
def test_search_query_count_is_fixed(client, login_as, tw, tf, factory, count_queries, size):
    for n in range(size):
        user = tf.rf.enrolled(tw.cohort, factory.user(name=f"Extra {n}")).user
        tf.profile(user, headline="SQL analyst")
    db.session.commit()
    login_as(tw.partner_user)
    url = f"/talent?q=sql+analyst&city={tw.city.id}&remote=0"
    client.get(url)
    with count_queries() as q:
        assert client.get(url).status_code == 200
    assert q.count == 10  # + the credential catalogue of the filter


def test_staff_search_shows_approved_profiles_of_their_cities(client, login_as, tw):
    login_as("city_staff", cities=[tw.city])
    assert sorted(names(client, "")) == ["Pat Doe", "Sam Roe"]
    assert queries.terms()  # the term filter has choices
