"""Alumni lineage: cohort -> graduates who came back as captains -> cohorts they led."""

import re
from datetime import date, timedelta

from coop.coaching import queries
from coop.extensions import db
from coop.programs.models import CohortStatus

TODAY = date.today()


def build(coach, factory, extra_graduates=0, suffix=""):
    a, b = factory.city(name=f"Alpha City{suffix}"), factory.city(name=f"Beta City{suffix}")
    c1 = coach.past_cohort(city=a, name="Alpha One", start_date=TODAY - timedelta(days=800))
    c2 = coach.past_cohort(city=a, name="Alpha Two", start_date=TODAY - timedelta(days=400))
    c3 = factory.cohort(city=a, name="Alpha Three", status=CohortStatus.ACTIVE)
    b1 = coach.past_cohort(city=b, name="Beta One", start_date=TODAY - timedelta(days=500))
    g1 = coach.captain(graduated_from=c1, name="Gina First")
    g2 = coach.captain(graduated_from=c1, name="Gus Second")
    coach.graduate(cohort=c1)
    for _ in range(extra_graduates):
        coach.graduate(cohort=c1)
    h1 = coach.captain(graduated_from=c2, name="Hana Next")
    visitor = coach.captain(graduated_from=b1, name="Vic Visitor")
    coach.assign(c2, captain=g1, is_lead=True)
    coach.assign(c3, captain=g1)
    coach.assign(c3, captain=g2)
    coach.assign(c3, captain=h1, is_lead=True)
    coach.assign(c3, captain=visitor)
    db.session.commit()
    return a, b, (c1, c2, c3)


def test_lineage_counts(coach, factory):
    a, b, (c1, c2, c3) = build(coach, factory)
    data = queries.lineage(a)
    by_name = {lc.cohort.name: lc for lc in data.cohorts}
    assert [lc.cohort.name for lc in data.cohorts] == ["Alpha One", "Alpha Two", "Alpha Three"]
    assert (by_name["Alpha One"].graduates, len(by_name["Alpha One"].returning)) == (3, 2)
    assert (by_name["Alpha Two"].graduates, len(by_name["Alpha Two"].returning)) == (1, 1)
    assert (by_name["Alpha Two"].team, by_name["Alpha Two"].team_share) == (1, 1.0)
    assert (by_name["Alpha Three"].team, by_name["Alpha Three"].team_share) == (4, 0.75)
    gina = next(r for r in by_name["Alpha One"].returning if r.name == "Gina First")
    assert [(name, lead) for name, _, _, lead in gina.led] == [
        ("Alpha Two", True),
        ("Alpha Three", False),
    ]
    assert (data.graduates, data.returning, data.captains, data.share) == (4, 3, 4, 0.75)
    # The visitor appears in their own city's lineage, leading a cohort elsewhere.
    beta = queries.lineage(b)
    (visitor,) = beta.cohorts[0].returning
    assert visitor.led == [("Alpha Three", "Alpha City", c3.start_date, False)]
    assert beta.captains == 0 and beta.share is None


def test_lineage_page(client, login_as, coach, factory):
    a, b, _ = build(coach, factory)
    login_as("city_staff", cities=[a, b])
    html = client.get(f"/coaching/lineage?city={a.slug}").get_data(as_text=True)
    text = re.sub(r"\s+", " ", html)
    assert "Gina First" in text and "led Alpha Two" in text
    assert "2 returned as captains" in text
    assert "team: 4 captains, 75% local alumni" in text
    html = client.get(f"/coaching/lineage?city={b.slug}").get_data(as_text=True)
    assert "led Alpha Three (Alpha City)" in html
    assert client.get("/coaching/lineage?city=nowhere").status_code == 404


def test_lineage_query_count_is_fixed(client, login_as, coach, factory, count_queries):
    counts = []
    for extra in (0, 30):
        a, _, _ = build(coach, factory, extra_graduates=extra, suffix=str(extra))
        login_as("city_staff", cities=[a])
        url = f"/coaching/lineage?city={a.slug}"
        with count_queries() as q:
            assert client.get(url).status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1] == 8  # + the menu's flagged check-ins count (staff)
