"""The attendance grid: people × sessions held, paginated by people, with a CSV export."""

import csv
import io

import pytest

from coop.extensions import db
from coop.sessions.models import SessionStatus


@pytest.fixture
def held(build):
    cohort = build.cohort(name="Grid Cohort")
    people = build.participants(cohort, 3)
    first = build.session(cohort, hours_from_now=-72, title="First")
    second = build.session(cohort, hours_from_now=-48, title="Second")
    build.session(cohort, hours_from_now=-24, title="Called off", status=SessionStatus.CANCELLED)
    build.session(cohort, hours_from_now=48, title="Not yet")
    build.attendance(first, people[0], "present")
    build.attendance(first, people[1], "late")
    build.attendance(second, people[0], "absent")
    build.attendance(second, people[2], "excused")
    db.session.commit()
    return cohort, people, first, second


def test_grid_shows_each_status_by_session(client, login_as, held):
    cohort, people, first, second = held
    login_as("staff")
    html = client.get(f"/cohorts/{cohort.id}/attendance/grid").get_data(as_text=True)
    assert f"/sessions/{first.id}/roll-call" in html and f"/sessions/{second.id}/roll-call" in html
    assert "Called off" not in html and "Not yet" not in html
    rows = html.split("<tbody>")[1].split("</tr>")
    row = {p.name: next(r for r in rows if p.name in r) for p in people}
    assert row[people[0].name].count('<abbr title="Present">P') == 1
    assert '<abbr title="Absent">A' in row[people[0].name]
    assert '<abbr title="Late">L' in row[people[1].name] and "not recorded" in row[people[1].name]
    assert '<abbr title="Excused">E' in row[people[2].name]
    assert f"/cohorts/{cohort.id}/attendance.csv" in html


def test_grid_pages_by_people_with_a_fixed_query_count(
    client, login_as, build, count_queries, monkeypatch
):
    from coop.sessions import views

    monkeypatch.setattr(views, "GRID_PEOPLE_PER_PAGE", 5)
    counts = []
    for n in (3, 12):
        cohort = build.cohort()
        people = build.participants(cohort, n)
        for h in (-50, -26, -2):
            s = build.session(cohort, hours_from_now=h)
            for p in people:
                build.attendance(s, p, "present")
        db.session.commit()
        login_as("staff")
        url = f"/cohorts/{cohort.id}/attendance/grid"
        client.get(url)
        with count_queries() as q:
            html = client.get(url).get_data(as_text=True)
        counts.append(q.count)
        assert html.count('<th scope="row"') == min(n, 5)
    assert counts[0] == counts[1]
    second = client.get(f"{url}?page=3").get_data(as_text=True)
    assert second.count('<th scope="row"') == 2


def test_csv_export_is_neutralised(client, login_as, held):
    cohort, people, first, second = held
    people[0].name = "=cmd|' /C calc'!A0"
    db.session.commit()
    login_as("staff")
    response = client.get(f"/cohorts/{cohort.id}/attendance.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "participant" and rows[0][-2:] == ["attended", "held"]
    assert [h.split(" (")[0] for h in rows[0][1:-2]] == ["First", "Second"]
    by_name = {r[0]: r[1:] for r in rows[1:]}
    assert by_name["'=cmd|' /C calc'!A0"] == ["present", "absent", "1", "2"]
    assert by_name[people[1].name] == ["late", "", "1", "2"]
    assert by_name[people[2].name] == ["", "excused", "0", "2"]


def test_other_city_staff_get_404(client, login_as, factory, held):
    cohort = held[0]
    login_as("city_staff", cities=[factory.city()])
    assert client.get(f"/cohorts/{cohort.id}/attendance/grid").status_code == 404
    assert client.get(f"/cohorts/{cohort.id}/attendance.csv").status_code == 404
