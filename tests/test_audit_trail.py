"""Issue 12, section 3: every view or export of personal data leaves an audit row (field
names, never values), the audit table is append-only on PostgreSQL, old rows are purged by
one command, staff read the trail on /audit and a person reads who viewed their data."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
import time_machine

from coop.auth.models import Role
from coop.coaching.models import Channel, CheckIn
from coop.core import audit
from coop.core.models import AuditEvent
from coop.extensions import db
from coop.referrals.models import Placement

PHONE = "+1 917 555 0142"
SALARY = 87654


@pytest.fixture
def nyc(factory):
    return factory.city("New York")


@pytest.fixture
def person(factory, nyc):
    """A New York participant with a phone, demographics, a placement and a confidential
    check-in."""
    cohort = factory.cohort(city=nyc)
    user = factory.user(Role.PARTICIPANT, name="Pat Private")
    user.profile.phone = PHONE
    e = factory.enrollment(cohort=cohort, user=user)
    e.phone, e.first_generation, e.low_income, e.salary_band = PHONE, True, True, "25-35k"
    captain = factory.user(Role.CAPTAIN, name="Cap Tain")
    db.session.add_all(
        [
            Placement(
                participant_id=user.id,
                cohort_id=cohort.id,
                employer_name="Acme",
                title="Analyst",
                start_date=date(2026, 1, 5),
                salary=SALARY,
            ),
            CheckIn(
                cohort_id=cohort.id,
                participant_id=user.id,
                author_id=captain.id,
                held_on=date(2026, 1, 6),
                channel=Channel.VIDEO,
                minutes=30,
                notes="Secret worries about rent",
                next_steps="Call the landlord",
                confidential=True,
                needs_attention=True,
            ),
        ]
    )
    db.session.commit()
    return user


def disclosures(subject_id=None):
    stmt = sa.select(AuditEvent).where(AuditEvent.action.in_(audit.DISCLOSURES))
    if subject_id is not None:
        stmt = stmt.where(AuditEvent.subject_user_id == subject_id)
    return db.session.scalars(stmt.order_by(AuditEvent.id)).all()


def assert_no_values(event):
    text = " ".join(
        str(getattr(event, c.key)) for c in AuditEvent.__table__.columns if c.key != "id"
    )
    for secret in (PHONE, str(SALARY), "Secret worries", "landlord", "25-35k"):
        assert secret not in text


AUDITED_PAGES = [
    (
        "/cohorts/{c}/applications/{e}",
        audit.VIEWED,
        ["first_generation", "low_income", "phone", "salary_band"],
    ),
    (
        "/cohorts/{c}/applications?stage=all",
        audit.VIEWED,
        ["first_generation", "low_income", "salary_band"],
    ),
    (
        "/cohorts/{c}/roster.csv?columns=email&columns=phone&columns=salary&columns=low_income",
        audit.EXPORTED,
        ["intake_salary", "low_income", "phone"],
    ),
    ("/coaching/checkins/{k}", audit.VIEWED, ["next_steps", "notes"]),
    ("/coaching/cohorts/{c}/participants/{u}", audit.VIEWED, ["next_steps", "notes"]),
    ("/coaching/coverage", audit.VIEWED, ["next_steps", "notes"]),
    ("/coaching/cohorts/{c}/coverage", audit.VIEWED, ["next_steps", "notes"]),
    ("/placements", audit.VIEWED, ["salary"]),
    ("/placements?career_track=0", audit.VIEWED, ["salary"]),
]


@pytest.mark.parametrize(
    ("path", "action", "fields"), AUDITED_PAGES, ids=[p for p, _, _ in AUDITED_PAGES]
)
def test_each_personal_data_page_writes_one_row_with_names_not_values(
    client, login_as, person, nyc, path, action, fields
):
    staff = login_as("staff")
    ids = db.session.execute(
        sa.text(
            "SELECT e.id, e.cohort_id, k.id FROM enrollments e JOIN check_ins k "
            "ON k.participant_id = e.user_id WHERE e.user_id = :u"
        ),
        {"u": person.id},
    ).one()
    url = path.format(e=ids[0], c=ids[1], k=ids[2], u=person.id)
    response = client.get(url, headers={"X-Request-ID": "req-audit-1"})
    assert response.status_code == 200

    rows = disclosures(person.id)
    assert len(rows) == 1
    row = rows[0]
    assert (row.action, row.changed, row.actor_id) == (action, fields, staff.id)
    assert row.city_id == nyc.id
    assert row.request_id == "req-audit-1"
    assert row.created_at is not None
    assert_no_values(row)


def test_a_check_in_that_is_not_confidential_records_nothing(client, login_as, person):
    checkin = db.session.scalar(sa.select(CheckIn))
    checkin.confidential = False
    db.session.commit()
    login_as("staff")
    assert client.get(f"/coaching/checkins/{checkin.id}").status_code == 200
    assert disclosures() == []


def test_a_roster_export_without_personal_columns_records_nothing(client, login_as, person):
    login_as("staff")
    cohort_id = db.session.scalar(sa.text("SELECT cohort_id FROM enrollments"))
    response = client.get(f"/cohorts/{cohort_id}/roster.csv?columns=email&columns=name")
    assert response.status_code == 200
    assert disclosures() == []


def test_the_participant_reading_their_own_placement_is_no_disclosure(client, login_as, person):
    login_as(person)
    assert client.get("/me/referrals").status_code == 200
    assert disclosures() == []


# -- append-only --------------------------------------------------------------------------


def test_update_and_delete_are_refused_on_postgresql(app, person):
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip(
            "the append-only trigger exists on PostgreSQL only (the PostgreSQL run covers it)"
        )
    event = audit.record(None, "test.event", ("users", person.id), ["phone"])
    db.session.commit()
    for statement in (
        sa.update(AuditEvent).where(AuditEvent.id == event.id).values(action="forged"),
        sa.delete(AuditEvent).where(AuditEvent.id == event.id),
    ):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.session.begin_nested():
            db.session.execute(statement, execution_options={"synchronize_session": False})
    db.session.expire_all()
    assert db.session.get(AuditEvent, event.id).action == "test.event"


# -- purge --------------------------------------------------------------------------------


def test_purge_dry_run_lists_and_purge_deletes_only_old_rows(app, person):
    with time_machine.travel(datetime(2025, 3, 1, 12, tzinfo=UTC), tick=False):
        old = audit.record(None, "old.event", ("users", person.id))
    with time_machine.travel(datetime(2025, 6, 1, 12, tzinfo=UTC), tick=False):
        new = audit.record(None, "new.event", ("users", person.id))
    db.session.commit()
    old_id, new_id = old.id, new.id
    runner = app.test_cli_runner()

    result = runner.invoke(args=["audit", "purge", "--before", "2025-05-01", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "old.event: 1" in result.output and "new.event" not in result.output
    assert "Would delete 1 audit event before 2025-05-01" in result.output
    assert db.session.get(AuditEvent, old_id) is not None

    result = runner.invoke(args=["audit", "purge", "--before", "2025-05-01"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 audit event before 2025-05-01" in result.output
    db.session.expire_all()
    assert db.session.get(AuditEvent, old_id) is None
    assert db.session.get(AuditEvent, new_id) is not None


def test_purge_refuses_a_future_day(app):
    result = app.test_cli_runner().invoke(args=["audit", "purge", "--before", "2999-01-01"])
    assert result.exit_code != 0
    assert "must not be in the future" in result.output


# -- the staff audit page -----------------------------------------------------------------


@pytest.fixture
def trail(factory, nyc):
    """Events by two staff members about two people, in New York and Boston."""
    boston = factory.city("Boston")
    ana = factory.user(Role.STAFF, name="Ana Auditor")
    bo = factory.user(Role.STAFF, name="Bo Browser")
    pat = factory.user(Role.PARTICIPANT, name="Pat Person")
    quinn = factory.user(Role.PARTICIPANT, name="Quinn Other")
    db.session.flush()
    with time_machine.travel(datetime(2026, 2, 1, 12, tzinfo=UTC), tick=False):
        audit.record_view(ana, [pat.id], ["phone"], target=("users", pat.id), city_id=nyc.id)
    with time_machine.travel(datetime(2026, 2, 10, 12, tzinfo=UTC), tick=False):
        audit.record_view(
            bo, [quinn.id], ["salary"], audit.EXPORTED, target=("cohorts", 1), city_id=boston.id
        )
        audit.record(ana, "placement.update", ("placements", 1), ["salary"], subject_id=pat.id)
    db.session.commit()
    return {"nyc": nyc, "boston": boston, "ana": ana, "bo": bo, "pat": pat, "quinn": quinn}


def _listed(html):
    return [name for name in ("Pat Person", "Quinn Other") if name in html]


@pytest.mark.parametrize(
    ("query", "people"),
    [
        ("", ["Pat Person", "Quinn Other"]),
        ("?actor=bo+brow", ["Quinn Other"]),
        ("?person=PAT", ["Pat Person"]),
        ("?action=personal_data.exported", ["Quinn Other"]),
        ("?action=placement", ["Pat Person"]),
        ("?start=2026-02-05", ["Pat Person", "Quinn Other"]),
        ("?end=2026-02-05", ["Pat Person"]),
        ("?start=2026-02-02&end=2026-02-09", []),
        ("?target_type=cohorts", ["Quinn Other"]),
        ("?target_type=Placements&target_id=1", ["Pat Person"]),
        ("?target_type=cohorts&target_id=2", []),
        ("?target_type=cohorts&actor=ana", []),
    ],
)
def test_audit_page_filters(client, login_as, trail, query, people):
    login_as("staff")
    response = client.get("/audit" + query)
    assert response.status_code == 200
    assert _listed(response.get_data(as_text=True)) == people


def test_audit_page_pages_through_events(app, client, login_as, trail):
    login_as("staff")
    app.config["PER_PAGE"], per_page = 2, app.config["PER_PAGE"]
    try:
        first = client.get("/audit").get_data(as_text=True)
        second = client.get("/audit?page=2").get_data(as_text=True)
    finally:
        app.config["PER_PAGE"] = per_page
    assert "3 in all" in first
    assert first.count("<tr>") == 3 and second.count("<tr>") == 2  # header + rows


def test_audit_page_shows_a_bad_filter_and_every_event(client, login_as, trail):
    login_as("staff")
    response = client.get("/audit?start=not-a-day")
    assert response.status_code == 200
    assert "Not a valid date value" in response.get_data(as_text=True)
    assert _listed(response.get_data(as_text=True)) == ["Pat Person", "Quinn Other"]


def test_city_staff_see_only_their_cities_events(client, login_as, trail):
    login_as("city_staff", cities=[trail["boston"]])
    html = client.get("/audit").get_data(as_text=True)
    assert _listed(html) == ["Quinn Other"]
    body = client.get("/audit.csv").get_data(as_text=True)
    assert "Quinn Other" in body and "Pat Person" not in body


def test_audit_csv_exports_filtered_rows_neutralised(client, login_as, trail):
    trail["pat"].name = "=HYPERLINK(1)"
    db.session.commit()
    login_as("staff")
    response = client.get("/audit.csv?person=hyperlink")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["time_utc", "actor_id", "actor", "action"]
    assert [(r[3], r[7], r[8]) for r in rows[1:]] == [
        ("placement.update", "'=HYPERLINK(1)", "salary"),
        ("personal_data.viewed", "'=HYPERLINK(1)", "phone"),
    ]


def test_audit_page_query_count_does_not_grow(client, login_as, count_queries, trail):
    login_as("staff")
    client.get("/audit")

    def count():
        with count_queries() as q:
            assert client.get("/audit").status_code == 200
        return q.count

    small = count()
    for n in range(30):
        audit.record_view(trail["ana"], [trail["quinn"].id], ["phone"], target=("users", n))
    db.session.commit()
    assert count() == small == 4  # the user, the page, the total, the menu


# -- the person's disclosure log ----------------------------------------------------------


def test_participant_sees_who_viewed_their_data(client, login_as, trail):
    login_as(trail["pat"])
    assert "Who viewed your data" in client.get("/account").get_data(as_text=True)
    html = client.get("/account/disclosures").get_data(as_text=True)
    assert "Ana Auditor" in html and "coop staff" in html and "viewed phone" in html
    assert "Sun 1 Feb 2026" in html  # in their zone
    assert "Bo Browser" not in html  # Quinn's export is not Pat's
    assert "placement.update" not in html  # changes are not disclosures


def test_a_disclosure_log_shows_no_one_elses_events(client, login_as, trail):
    login_as(trail["quinn"])
    html = client.get("/account/disclosures").get_data(as_text=True)
    assert "Bo Browser" in html and "downloaded salary" in html
    assert "Ana Auditor" not in html


def test_viewing_the_page_writes_a_row_the_person_then_sees(client, login_as, person):
    login_as("staff", name="Sam Staff")
    enrollment_id, cohort_id = db.session.execute(
        sa.text("SELECT id, cohort_id FROM enrollments WHERE user_id = :u"), {"u": person.id}
    ).one()
    client.get(f"/cohorts/{cohort_id}/applications/{enrollment_id}")
    login_as(person)
    html = client.get("/account/disclosures").get_data(as_text=True)
    assert "Sam Staff" in html and "phone" in html and PHONE not in html


def test_record_view_skips_oneself_and_empty_fields(app, factory):
    user = factory.user(Role.STAFF)
    other = factory.user(Role.PARTICIPANT)
    assert audit.record_view(user, [user.id], ["phone"], target=("users", user.id)) == 0
    assert audit.record_view(user, [other.id], [], target=("users", other.id)) == 0
    assert audit.record_view(user, [other.id, other.id], ["phone"], target=("users", 1)) == 1


def test_city_staff_see_the_changes_made_in_their_cities(client, login_as, factory):
    """A change to a row of a cohort (here an enrollment) is the city's event: its staff
    see it on /audit, staff of another city do not; the person is its subject."""
    boston, denver = factory.city("Boston"), factory.city("Denver")
    cohort = factory.cohort(city=boston)
    person = factory.user(Role.PARTICIPANT, name="Casey Changed")
    enrollment = factory.enrollment(cohort=cohort, user=person)
    db.session.flush()
    event = audit.record(None, "enrollment.update", enrollment, ["phone"])
    db.session.commit()
    db.session.refresh(event)
    assert (event.city_id, event.subject_user_id) == (boston.id, person.id)
    login_as("city_staff", cities=[boston])
    assert "Casey Changed" in client.get("/audit").get_data(as_text=True)
    login_as("city_staff", cities=[denver])
    assert "Casey Changed" not in client.get("/audit").get_data(as_text=True)
