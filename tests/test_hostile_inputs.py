"""The inputs that answered 500 (issue 10): NUL bytes in form fields, search boxes and CSV
cells, whole numbers too large for the database in query strings, form ids and URLs, and
a meeting-report cell over 131,072 characters. Each is now cleaned or refused, and a
refusal writes nothing. Run on SQLite and PostgreSQL (where NUL and out-of-range integers
fail)."""

import importlib
import inspect
import io
import pkgutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import request
from flask_wtf import FlaskForm as FlaskWTFForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import Length

from coop.auth.models import Role, User
from coop.coaching.models import AlumniCaptain
from coop.core import inputs
from coop.core.csvsafe import CSVReadError, read_rows
from coop.core.forms import FlaskForm
from coop.enrollment.models import Enrollment, HeardVia, Stage
from coop.extensions import db
from coop.programs.models import CohortStatus
from coop.sessions.models import Attendance, MeetingReportImport, MeetingReportRow
from tests.factories import application_form
from tests.sessions.builders import Builder

DATA = Path(__file__).parent / "sessions" / "data"
HUGE = "543677067462"


def counts() -> tuple:
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(t))
        for t in db.metadata.sorted_tables
    )


application = application_form


def test_nul_bytes_in_the_public_application_are_dropped(client, factory):
    cohort = factory.cohort(status=CohortStatus.RECRUITING)
    db.session.commit()

    response = client.post(
        f"/apply/{cohort.id}",
        data=application(
            cohort,
            name="Rosa\x00 Alvarez\x1b",
            college="Lehman\x00 College",
            job_title="Retail\x00 associate",
            heard_other="A flyer\x00 at the library",
        ),
    )

    assert response.status_code == 302
    user = db.session.scalar(db.select(User).where(User.email == "rosa.alvarez@example.org"))
    assert user.name == "Rosa Alvarez"
    enrollment = db.session.scalar(db.select(Enrollment).where(Enrollment.user_id == user.id))
    assert enrollment.heard_via == HeardVia.OTHER


def test_a_huge_choice_in_the_application_is_not_a_choice(client, factory):
    """(A cohort's form no longer asks the track: the salary range is its choice list.)"""
    cohort = factory.cohort(status=CohortStatus.RECRUITING)
    db.session.commit()
    before = counts()

    response = client.post(f"/apply/{cohort.id}", data=application(cohort, salary_band=HUGE))

    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert counts() == before


def test_nul_in_the_people_search(client, login_as, factory):
    login_as("staff")
    factory.user(Role.PARTICIPANT, name="Ana Lopez")
    db.session.commit()

    response = client.get("/people?q=Ana%00")

    assert response.status_code == 200
    assert "Ana Lopez" in response.get_data(as_text=True)


def test_a_huge_track_filter_on_the_openings_board_is_ignored(client, login_as, factory):
    login_as("participant")

    response = client.get(f"/openings?track={HUGE}&city=-{HUGE}&page={HUGE}")

    assert response.status_code == 200


def test_huge_ids_in_the_review_queue_are_refused(client, login_as, factory):
    login_as("staff")
    cohort = factory.cohort(status=CohortStatus.RECRUITING)
    applied = factory.enrollment(cohort=cohort, stage=Stage.APPLIED)
    db.session.commit()
    before = counts()

    response = client.post(
        f"/cohorts/{cohort.id}/applications/decide",
        data={"ids": [str(applied.id), HUGE], "decision": "accept", "next_stage": "applied"},
    )

    assert response.status_code == 302
    assert counts() == before
    assert db.session.get(Enrollment, applied.id).stage == Stage.APPLIED


def test_a_huge_enrollment_id_when_appointing_a_captain(client, login_as):
    login_as("staff")
    before = counts()

    response = client.post("/coaching/captains/appoint", data={"enrollment_id": HUGE})

    assert response.status_code == 302 and response.location.endswith("/coaching/graduates")
    assert db.session.scalar(sa.select(sa.func.count(AlumniCaptain.id))) == 0
    assert counts() == before


def test_ids_in_urls_beyond_the_database_are_not_found(client, login_as):
    login_as("staff")

    assert client.get(f"/cohorts/{HUGE}").status_code == 404
    assert client.get(f"/cohorts/{2**31}/roster").status_code == 404
    assert client.post(f"/cohorts/{HUGE}/applications/decide").status_code == 404
    assert client.get("/calendar/abc%00def.ics").status_code == 404


def test_request_values_are_cleaned_and_ints_bounded(app):
    with app.test_request_context(
        f"/?q=a%00b%01c%09d&n={2**31}&m=-{2**31}&k=12&ids=1&ids={HUGE}&%00x=1"
    ):
        assert request.args["q"] == "abc\td"
        assert request.args.get("n", type=int) is None
        assert request.args.get("n", 7, type=int) == 7
        assert request.args.get("m", type=int) == -(2**31)
        assert request.args.get("k", type=int) == 12
        assert request.args.getlist("ids", type=int) == [1]
        assert request.args["x"] == "1"
    assert inputs.clean_text("tab\tlf\ncr\r nul\x00 del\x7f") == "tab\tlf\ncr\r nul del"


def _roster_upload(client, cohort, content: bytes):
    return client.post(
        f"/cohorts/{cohort.id}/roster/import",
        data={"file": (io.BytesIO(content), "roster.csv")},
        content_type="multipart/form-data",
    )


def test_roster_import_with_nul_bytes_and_long_cells(client, login_as, factory):
    login_as("staff")
    cohort = factory.cohort(status=CohortStatus.RECRUITING)
    db.session.commit()
    before = counts()

    long_cell = _roster_upload(
        client, cohort, b"email,name\nana@example.org," + b"x" * 131_073 + b"\n"
    )
    nul = _roster_upload(client, cohort, b"email,name\nana@example.org,Ana\x00 Lopez\x00\n")

    assert long_cell.status_code == 200
    assert "has a cell longer than 131,072 characters" in long_cell.get_data(as_text=True)
    assert nul.status_code == 200
    assert "Ana Lopez" in nul.get_data(as_text=True)
    assert counts() == before

    # The confirm step carries the file in a hidden field: NUL there is dropped too.
    response = client.post(
        f"/cohorts/{cohort.id}/roster/import/confirm",
        data={"content": "email,name\nana@example.org,Ana\x00 Lopez\n"},
    )

    assert response.status_code == 302
    user = db.session.scalar(db.select(User).where(User.email == "ana@example.org"))
    assert user.name == "Ana Lopez"


def _report_session(factory):
    build = Builder(factory)
    cohort = build.cohort("America/Chicago")
    ana = factory.user("participant", email="ana.lopez@example.org", name="Ana Lopez")
    factory.enrollment(cohort=cohort, user=ana)
    session = build.local_session(cohort, 2026, 3, 10, duration=180)
    db.session.commit()
    return session


def _report_upload(client, session, content: bytes):
    return client.post(
        f"/sessions/{session.id}/import",
        data={"report": (io.BytesIO(content), "week3.csv"), "timezone": "America/Chicago"},
        content_type="multipart/form-data",
    )


def test_a_meeting_report_cell_over_the_csv_limit_is_refused(client, login_as, factory):
    login_as("staff")
    session = _report_session(factory)
    sample = (DATA / "meeting-report-participants-only.csv").read_bytes()
    before = counts()

    response = _report_upload(client, session, sample + b"x" * 131_073 + b",a@b.example,,\n")

    assert response.status_code == 200
    assert "has a cell longer than 131,072 characters" in response.get_data(as_text=True)
    assert counts() == before


def test_a_meeting_report_with_nul_bytes_imports_cleanly(client, login_as, factory):
    login_as("staff")
    session = _report_session(factory)
    sample = (DATA / "meeting-report-participants-only.csv").read_bytes()
    hostile = sample.replace(b"Ana", b"A\x00na").replace(b"Kim", b"K\x00im")

    response = _report_upload(client, session, hostile)

    assert response.status_code == 302
    names = set(db.session.scalars(sa.select(MeetingReportRow.name)))
    assert names and not any("\x00" in n for n in names)
    assert db.session.scalar(sa.select(sa.func.count(MeetingReportImport.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) >= 1


def test_read_rows_cleans_cells_and_explains_bad_files():
    assert read_rows('a,b\x00c\r\n"d\x01",e\n') == [["a", "bc"], ["d", "e"]]
    with pytest.raises(CSVReadError, match="^Row 2 has a cell longer than 131,072 characters"):
        read_rows("a\n" + "y" * 131_073 + "\n")


def test_out_of_range_numbers_and_dates_are_field_errors(client, login_as, factory):
    login_as("staff")
    city, track = factory.city(), factory.track()
    db.session.commit()
    before = counts()

    response = client.post(
        "/cohorts/new",
        data={
            "name": "Fuzz cohort",
            "city_id": str(city.id),
            "track_id": str(track.id),
            "start_date": "9999-12-31",
            "end_date": "2026-02-30",
            "capacity": str(2**31),
        },
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter a date between 1900 and 2199." in page
    assert "Enter a whole number between" in page
    assert counts() == before


def _all_forms():
    import coop

    names = [m.name for m in pkgutil.walk_packages(coop.__path__, "coop.")]
    for name in names:
        if name == "coop.demo" or name.startswith("coop.demo."):
            continue
        module = importlib.import_module(name)
        for cls in vars(module).values():
            if (
                inspect.isclass(cls)
                and issubclass(cls, FlaskWTFForm)
                and cls.__module__ == module.__name__
            ):
                yield cls


def test_every_form_refuses_what_the_database_cannot_take(app):
    """Every form has the base form's checks, and every text a person types has a
    maximum length (PostgreSQL refuses over-long text that SQLite would store)."""
    forms = list(_all_forms())
    assert len(forms) > 30
    unbounded = []
    with app.test_request_context():
        for cls in forms:
            assert issubclass(cls, FlaskForm), cls
            for field in cls(formdata=None, meta={"csrf": False}):
                typed = isinstance(field, StringField)
                hidden = isinstance(field, HiddenField | PasswordField)
                bounded = any(isinstance(v, Length) and v.max > 0 for v in field.validators)
                if typed and not hidden and not bounded:
                    unbounded.append(f"{cls.__name__}.{field.name}")
    assert unbounded == []
