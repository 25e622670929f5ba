"""The WIOA primary indicators against a small data set computed by hand, with exits on
quarter boundaries (31 March and 1 April; 1 July, the program year's first day; 30 June
of the year before, outside it), placements that start or end on a window's edge, and
groups under 5 withheld. Runs on SQLite and PostgreSQL alike."""

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html import unescape

import pytest
import time_machine

from coop.enrollment.models import Stage
from coop.extensions import db
from coop.plans.models import Credential, CredentialType
from coop.programs.models import CohortStatus, PartnerKind
from coop.referrals.models import EmploymentStatus, FollowUp, FollowUpKind, Placement
from coop.reports.workforce import program_year_of, quarter_start_py

#: Late enough that every exiter of PY2027 (1 July 2027 - 30 June 2028) has had their
#: 4th quarter after exit and their year after exit.
NOW = datetime(2029, 9, 1, 12, tzinfo=UTC)
PAGE = "/reports/wioa/?year=2027"


def test_quarter_and_program_year_arithmetic():
    assert quarter_start_py(date(2028, 3, 31), 2) == date(2028, 7, 1)
    assert quarter_start_py(date(2028, 4, 1), 2) == date(2028, 10, 1)
    assert quarter_start_py(date(2028, 4, 1), 5) == date(2029, 7, 1)
    assert quarter_start_py(date(2027, 12, 31), 1) == date(2028, 1, 1)
    assert program_year_of(date(2027, 7, 1)) == 2027
    assert program_year_of(date(2027, 6, 30)) == 2026


@dataclass
class Data:
    city_a: object
    city_b: object
    c1: object
    c2: object
    c3: object
    c4: object


@pytest.fixture
def data(factory):
    with time_machine.travel(NOW, tick=False):
        yield _build(factory)


def _build(factory) -> Data:
    city_a, city_b = factory.city(), factory.city()
    track, track_b = factory.track(), factory.track()

    def cohort(city, track, start, end):
        return factory.cohort(
            city=city, track=track, start_date=start, end_date=end, status=CohortStatus.COMPLETED
        )

    c1 = cohort(city_a, track, date(2027, 12, 1), date(2028, 3, 31))  # last day of Q1
    c2 = cohort(city_a, track, date(2027, 12, 2), date(2028, 4, 1))  # first day of Q2
    c3 = cohort(city_b, track_b, date(2027, 3, 1), date(2027, 7, 1))  # the PY's first day
    c4 = cohort(city_a, track, date(2027, 2, 1), date(2027, 6, 30))  # PY2026: left out

    def graduates(c, n):
        out = []
        for _ in range(n):
            user = factory.user("participant")
            out.append((user, factory.enrollment(cohort=c, user=user, stage=Stage.GRADUATED)))
        return out

    g = graduates(c1, 5)
    factory.enrollment(cohort=c1, stage=Stage.WITHDRAWN)  # not an exiter
    h = graduates(c2, 5)
    k = graduates(c3, 2)
    (late,) = graduates(c4, 1)
    p = [factory.partner(kind=PartnerKind.EMPLOYER) for _ in range(6)]

    def job(person, c, start, end=None, salary=50000, partner=None, verified=True):
        db.session.add(
            Placement(
                participant_id=person[0].id,
                cohort_id=c.id,
                partner_id=partner.id if partner else None,
                employer_name=partner.name if partner else "Elsewhere Inc",
                title="Analyst",
                start_date=start,
                end_date=end,
                salary=salary,
                verified_at=NOW if verified else None,
            )
        )

    def follow(person, c, kind, status):
        db.session.add(
            FollowUp(
                enrollment_id=person[1].id,
                participant_id=person[0].id,
                cohort_id=c.id,
                kind=kind,
                due_date=date(2029, 1, 1),
                status=status,
                closed_at=NOW,
            )
        )

    # c1: Q2 after exit is Jul-Sep 2028, Q4 Jan-Mar 2029.
    job(g[0], c1, date(2028, 9, 30), salary=60000, partner=p[0])  # Q2 (last day) and Q4
    job(g[1], c1, date(2028, 10, 1), salary=80000, partner=p[1])  # a day late: Q4 only
    job(g[2], c1, date(2028, 1, 1), date(2028, 6, 30), partner=p[5])  # ended the day before
    follow(g[2], c1, FollowUpKind.Q2, EmploymentStatus.EMPLOYED_OTHER)  # ... but employed
    follow(g[2], c1, FollowUpKind.Q4, EmploymentStatus.UNEMPLOYED)
    job(g[3], c1, date(2028, 8, 1), verified=False)  # not verified: does not count
    job(g[4], c1, date(2028, 7, 1), date(2028, 7, 1), salary=40000, partner=p[2])  # one day
    # c2: Q2 after exit is Oct-Dec 2028, Q4 Apr-Jun 2029.
    job(h[0], c2, date(2028, 12, 31), salary=52000, partner=p[0])
    job(h[1], c2, date(2029, 1, 1), salary=70000, partner=p[1])
    follow(h[2], c2, FollowUpKind.Q2, EmploymentStatus.CAREER_TRACK)
    follow(h[2], c2, FollowUpKind.Q4, EmploymentStatus.UNREACHABLE)
    job(h[4], c2, date(2028, 10, 1), date(2029, 3, 31), salary=44000, partner=p[3])
    # c3 (another city and track): Q2 after exit is Jan-Mar 2028, Q4 Jul-Sep 2028.
    job(k[0], c3, date(2028, 2, 15), salary=50000, partner=p[4])
    # c4 is outside the program year: its hire must not make p[2] a repeat employer.
    job(late, c4, date(2027, 9, 1), partner=p[2])

    ctype = CredentialType(track_id=track.id, name="GA", issuer="Google")
    ctype_b = CredentialType(track_id=track_b.id, name="SQL", issuer="coop")
    db.session.add_all([ctype, ctype_b])
    db.session.flush()

    def cred(person, c, t, earned, verified=True):
        db.session.add(
            Credential(
                participant_id=person[0].id,
                cohort_id=c.id,
                credential_type_id=t.id,
                earned_on=earned,
                credential_ref="X",
                verified_at=NOW if verified else None,
            )
        )

    cred(g[0], c1, ctype, date(2029, 3, 31))  # exactly a year after exit: counts
    cred(g[1], c1, ctype, date(2029, 4, 1))  # a day later: does not
    cred(g[2], c1, ctype, date(2028, 5, 1), verified=False)
    cred(h[0], c2, ctype, date(2028, 1, 15))  # during the cohort
    cred(h[1], c2, ctype, date(2027, 11, 30))  # before the cohort started: no
    cred(k[0], c3, ctype_b, date(2027, 6, 1))
    db.session.flush()
    return Data(city_a, city_b, c1, c2, c3, c4)


def cells(html: str, group: str) -> dict[str, str]:
    row = re.search(rf'data-group="{group}">(.*?)</tr>', html, re.S).group(1)
    out = {}
    for key, body in re.findall(r'data-figure="([a-z_0-9]+)">(.*?)</td>', row, re.S):
        out[key] = unescape(re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", body)).strip())
    return out


def test_hand_computed_figures(client, login_as, data):
    with time_machine.travel(NOW, tick=False):
        login_as("staff")
        html = client.get(PAGE).get_data(as_text=True)
    everyone = cells(html, "all")
    assert everyone == {
        "emp_q2": "58% based on 12 exiters",  # g1 g3 g5, h1 h3 h5, k1
        "emp_q4": "42% based on 12 exiters",  # g1 g2, h1 h2, k1
        "earn_q2": "$12,500 based on 5 employed exiters",  # median 50,000 / 4
        "cred": "25% based on 12 exiters",  # g1, h1, k1
        "msg": "17% based on 12 participants",  # h1, k1 (g1's came after the year)
        "employers": "33% based on 6 employers",  # p0, p1 of six
    }
    city_a = cells(html, f"city:{data.city_a.id}")
    assert city_a["emp_q2"] == "60% based on 10 exiters"
    assert city_a["emp_q4"] == "40% based on 10 exiters"
    assert city_a["earn_q2"] == "— based on <5 employed exiters"  # four: withheld
    assert city_a["cred"] == "20% based on 10 exiters"
    assert city_a["msg"] == "10% based on 10 participants"
    assert city_a["employers"] == "40% based on 5 employers"
    c1 = cells(html, f"cohort:{data.c1.id}")
    assert (c1["emp_q2"], c1["emp_q4"], c1["cred"]) == (
        "60% based on 5 exiters",
        "40% based on 5 exiters",
        "20% based on 5 exiters",
    )
    assert c1["employers"] == "— based on <5 employers"
    small = cells(html, f"cohort:{data.c3.id}")
    assert all(v.startswith("— based on <5") for v in small.values()), small
    assert f'data-group="cohort:{data.c4.id}"' not in html
    # Every figure states its definition and denominator.
    for phrase in (
        "Denominator: exiters whose 2nd quarter after exit has ended",
        "Denominator: employer partners who hired at least one",
        "annual salary ÷ 4",
    ):
        assert phrase in html


def test_city_staff_see_their_cities_only(client, login_as, data):
    with time_machine.travel(NOW, tick=False):
        login_as("city_staff", cities=[data.city_b])
        html = client.get(PAGE).get_data(as_text=True)
    assert cells(html, "all")["emp_q2"] == "— based on <5 exiters"
    assert f'data-group="cohort:{data.c1.id}"' not in html


def test_csv_export(client, login_as, data):
    with time_machine.travel(NOW, tick=False):
        login_as("staff")
        r = client.get("/reports/wioa/wioa.csv?year=2027")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    header = rows[0]
    everyone = dict(zip(header, rows[1], strict=False))
    assert everyone["group"] == "All cohorts" and everyone["exiters"] == "12"
    assert (everyone["emp_q2"], everyone["emp_q2_base"]) == ("58%", "12")
    assert everyone["earn_q2"] == "$12,500"
    c3 = next(
        dict(zip(header, row, strict=False))
        for row in rows
        if row[2:3] and row[1] == "cohort" and row[3] == "<5"
    )
    assert c3["emp_q2"] == "withheld"
    assert any(row and row[0] == "definition" for row in rows)


def test_refusals(client, login_as, data):
    with time_machine.travel(NOW, tick=False):
        assert client.get(PAGE).status_code == 302  # to sign in
        for role in ("captain", "participant"):
            login_as(role)
            assert client.get(PAGE).status_code == 404
            assert client.get("/reports/wioa/wioa.csv").status_code == 404
        login_as("staff")
        assert client.get("/reports/wioa/?year=1999").status_code == 404
        assert client.get("/reports/wioa/?year=abc").status_code == 404
        assert client.get("/reports/wioa/").status_code == 200


def test_query_count_is_fixed(client, login_as, factory, count_queries, data):
    with time_machine.travel(NOW, tick=False):
        login_as("staff")
        client.get(PAGE)
        with count_queries() as small:
            client.get(PAGE)
        _build(factory)  # twice the data
        with count_queries() as large:
            client.get(PAGE)
    # the session's user, the menu badge, then cohorts, exiters, medians, gains, employers
    assert small.count == large.count == 7
