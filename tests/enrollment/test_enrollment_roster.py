"""Roster import (preview, all or nothing, idempotent by email) and export (chosen
columns, neutralised cells)."""

import csv
import io

from coop.auth.models import Role, User
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db
from coop.programs.models import Cohort

HEADER = "email,name,phone,college,graduation_year,first_generation,low_income,job_title,salary\n"
GOOD = (
    HEADER
    + "ana.diaz@example.org,Ana Diaz,555-0101,Baruch College,2023,yes,no,Barista,29000\n"
    + 'BEN.OKAFOR@example.org,Ben Okafor,,UIC,2024,no,yes,Server,"$31,000"\n'
    + "cleo.chen@example.org,Cleo Chen,,,,,,,\n"
)


def _upload(client, cohort, text, name="roster.csv"):
    return client.post(
        f"/cohorts/{cohort.id}/roster/import",
        data={"file": (io.BytesIO(text.encode()), name)},
        content_type="multipart/form-data",
    )


def _confirm(client, cohort, text):
    return client.post(f"/cohorts/{cohort.id}/roster/import/confirm", data={"content": text})


def _enrolled_emails(cohort):
    return sorted(
        db.session.scalars(
            db.select(User.email)
            .join(Enrollment, Enrollment.user_id == User.id)
            .where(Enrollment.cohort_id == cohort.id, Enrollment.stage == Stage.ENROLLED)
        )
    )


def test_preview_then_import_enrolls_everyone(
    client, login_as, recruiting, outbox, seats, snapshot
):
    login_as("staff")
    cohort = recruiting()
    before = snapshot()

    preview = _upload(client, cohort, GOOD)

    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Import will enroll <strong>3</strong> people" in page
    assert snapshot() == before  # the preview writes nothing

    response = _confirm(client, cohort, GOOD)

    assert response.status_code == 302
    assert _enrolled_emails(cohort) == [
        "ana.diaz@example.org",
        "ben.okafor@example.org",
        "cleo.chen@example.org",
    ]
    assert seats(cohort) == 3
    ben = db.session.scalar(db.select(User).where(User.email == "ben.okafor@example.org"))
    assert ben.role == Role.PARTICIPANT and ben.password_hash is None
    assert ben.profile.intake_salary == 31000 and ben.profile.low_income is True
    invited = sorted(m.to[0] for m in outbox if "/invite/" in m.body)
    assert invited == ["ana.diaz@example.org", "ben.okafor@example.org", "cleo.chen@example.org"]
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Imported: 3 new people" in done


def test_importing_the_same_file_twice_changes_nothing(
    client, login_as, recruiting, snapshot, seats, outbox
):
    login_as("staff")
    cohort = recruiting()
    _confirm(client, cohort, GOOD)
    before = snapshot()
    outbox.clear()

    preview = _upload(client, cohort, GOOD).get_data(as_text=True)
    response = _confirm(client, cohort, GOOD)

    assert "Nothing to import: everyone in the file is already on the roster." in preview
    assert "Already on the roster: no change" in preview
    assert snapshot() == before
    assert seats(cohort) == 3
    assert outbox == []
    assert "Nothing to import" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_one_bad_row_writes_nothing_and_names_the_row(
    client, login_as, recruiting, snapshot, seats
):
    login_as("staff")
    cohort = recruiting()
    bad = GOOD + "dan@example.org,Dan Diallo,,,19xx,maybe,,,\n"
    before = snapshot()

    preview = _upload(client, cohort, bad).get_data(as_text=True)
    forced = _confirm(client, cohort, bad)

    assert "1 row needs fixing" in preview
    assert "<td>5</td>" in preview  # the header is row 1
    assert "Graduation year must be a whole number, not &#39;19xx&#39;." in preview
    assert "First-generation must be yes or no, not &#39;maybe&#39;." in preview
    assert "Import will enroll" not in preview
    # Even posted straight to the confirmation, nothing is written.
    assert forced.status_code == 200
    assert "nothing was imported" in forced.get_data(as_text=True)
    assert snapshot() == before
    assert seats(cohort) == 0


def test_every_kind_of_bad_row_is_reported(client, login_as, recruiting, factory, applicant):
    login_as("staff")
    cohort = recruiting()
    staff = factory.user(Role.STAFF, email="boss@example.org")
    declined = applicant(cohort, Stage.DECLINED, email="no@example.org")
    text = (
        HEADER
        + ",No Email,,,,,,,\n"
        + "not-an-email,Bad Email,,,,,,,\n"
        + "x@example.org,,,,,,,,\n"
        + "y@example.org,Y,,,2024,,,,-5\n"
        + "x@example.org,Twice,,,,,,,\n"
        + f"{staff.email},Boss,,,,,,,\n"
        + f"{declined.user.email},Declined,,,,,,,\n"
        + "z@example.org,"
        + "Z" * 121
        + ",,,,,,,\n"
    )

    page = _upload(client, cohort, text).get_data(as_text=True)

    for message in [
        "Email is missing.",
        "&#39;not-an-email&#39; is not a valid email address.",
        "Full name is missing.",
        "Annual salary must be between 0 and 1000000.",
        "The same email is on row 4.",
        "This email belongs to a staff account.",
        "This person is declined in this cohort and cannot be enrolled.",
        "Full name is longer than 120 characters.",
    ]:
        assert message in page, message
    assert "8 rows need fixing" in page


def test_file_level_problems(client, login_as, recruiting):
    login_as("staff")
    cohort = recruiting(capacity=2)

    no_header = _upload(client, cohort, "name,phone\nAna,1\n").get_data(as_text=True)
    latin1 = client.post(
        f"/cohorts/{cohort.id}/roster/import",
        data={"file": (io.BytesIO("email,name\nj@x.org,Jos\xe9\n".encode("latin-1")), "r.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    too_many = _upload(client, cohort, GOOD).get_data(as_text=True)
    empty = _upload(client, cohort, "").get_data(as_text=True)

    assert "missing: email." in no_header
    assert "not UTF-8" in latin1
    assert "would enroll 3 people but the cohort has 2 free seats" in too_many
    assert "Choose a CSV file to upload." in empty or "The file is empty." in empty


def test_applicants_in_the_file_are_enrolled_and_existing_people_added(
    client, login_as, recruiting, applicant, factory, stage_of, seats
):
    login_as("staff")
    cohort = recruiting()
    waiting = applicant(cohort, Stage.APPLIED, email="ana.diaz@example.org")
    factory.user(Role.PARTICIPANT, email="ben.okafor@example.org")

    preview = _upload(client, cohort, GOOD).get_data(as_text=True)
    _confirm(client, cohort, GOOD)

    assert "Applicant (applied): enrolled" in preview
    assert "Existing person: enrolled" in preview
    assert stage_of(waiting) == Stage.ENROLLED
    assert seats(cohort) == 3
    assert len(_enrolled_emails(cohort)) == 3


def test_exported_roster_imports_cleanly_elsewhere(client, login_as, recruiting):
    login_as("staff")
    first, second = recruiting(), recruiting()
    _confirm(client, first, GOOD)

    exported = client.get(
        f"/cohorts/{first.id}/roster.csv",
        query_string={"columns": ["email", "name", "college", "stage"]},
    ).get_data(as_text=True)
    _confirm(client, second, exported.lstrip("\ufeff"))

    assert _enrolled_emails(second) == _enrolled_emails(first)


def test_export_has_the_chosen_columns_and_neutralises_cells(
    client, login_as, recruiting, applicant, factory
):
    login_as("staff")
    cohort = recruiting()
    evil = applicant(cohort, Stage.ENROLLED, name='=HYPERLINK("http://x")')
    evil.user.profile.college = "@SUM(A1)"
    evil.user.profile.phone = "+1 555 0100"
    applicant(cohort, Stage.WITHDRAWN, name="Walked Away")
    applicant(cohort, Stage.APPLIED, name="Still Applying")
    db.session.commit()

    response = client.get(
        f"/cohorts/{cohort.id}/roster.csv",
        query_string={"columns": ["name", "college", "phone", "stage"]},
    )
    with_withdrawn = client.get(
        f"/cohorts/{cohort.id}/roster.csv",
        query_string={"columns": ["name"], "include_withdrawn": "y"},
    ).get_data(as_text=True)

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows == [
        ["name", "phone", "college", "stage"],  # in the documented order
        ['\'=HYPERLINK("http://x")', "'+1 555 0100", "'@SUM(A1)", "enrolled"],
    ]
    assert "Walked Away" in with_withdrawn and "Still Applying" not in with_withdrawn


def test_export_without_columns_goes_back_with_a_message(client, login_as, recruiting):
    login_as("staff")
    cohort = recruiting()
    response = client.get(f"/cohorts/{cohort.id}/roster.csv")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Choose at least one column" in page


def test_template_lists_the_documented_columns(client, login_as, recruiting):
    login_as("staff")
    cohort = recruiting()
    body = client.get(f"/cohorts/{cohort.id}/roster/template.csv").get_data(as_text=True)
    assert body.lstrip("\ufeff").strip() == HEADER.strip()
    page = client.get(f"/cohorts/{cohort.id}/roster/import").get_data(as_text=True)
    assert "<code>graduation_year</code>" in page


def test_roster_page_lists_participants(client, login_as, recruiting, applicant):
    login_as("staff")
    cohort = recruiting()
    applicant(cohort, Stage.ENROLLED, name="On Roster")
    applicant(cohort, Stage.APPLIED, name="Only Applied")
    page = client.get(f"/cohorts/{cohort.id}/roster").get_data(as_text=True)
    assert "On Roster" in page and "Only Applied" not in page
    assert db.session.get(Cohort, cohort.id).seats_taken == 1
