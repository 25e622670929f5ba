"""A copy of one's own data: everything about the person, nobody else's."""

import csv
import io
import json
import zipfile

from coop.core.csvsafe import DANGEROUS_PREFIXES
from coop.extensions import db


def _zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(response.data))


def _all_text(zf: zipfile.ZipFile) -> str:
    return "\n".join(zf.read(name).decode() for name in zf.namelist())


def test_the_export_holds_all_my_data_and_none_of_anyone_elses(client, login_as, canaries):
    a, b, *_ = canaries
    login_as(a.user)
    zf = _zip(client.get("/account/data.zip"))
    assert {
        "data.json",
        "account.csv",
        "applications.csv",
        "stages.csv",
        "attendance.csv",
        "checkins.csv",
        "referrals.csv",
        "jobs.csv",
        "consents.csv",
        "audit.csv",
    } <= set(zf.namelist())
    data = json.loads(zf.read("data.json"))
    assert data["account"]["email"] == a.email
    assert data["account"]["profile_phone"] == a.phone
    assert data["applications"][0]["heard_other"] == f"{a.phrase} flyer"
    assert data["stages"][0]["reason"] == f"{a.phrase} stage reason"
    assert data["attendance"][0]["status"] == "present"
    assert data["referrals"][0]["note"] == f"{a.phrase} referral note"
    assert data["jobs"][0]["salary"] == 52000
    assert data["consents"][0]["consent"] == "application privacy notice"
    assert any(row["action"] == "enrollment.stage" for row in data["audit"])
    text = _all_text(zf)
    for needle in (a.email, a.phone, f"{a.phrase} next steps", f"{a.phrase} follow-up note"):
        assert needle in text
    for needle in b.needles:
        assert needle not in text
    # A confidential note is read only by staff and its author: not in the export either.
    assert f"{a.phrase} secret confidential" not in text
    assert "(confidential)" in text


def test_the_csv_files_are_neutralised(client, login_as, canaries):
    a, *_ = canaries
    a.enrollment.heard_other = '=HYPERLINK("http://evil")'
    db.session.flush()
    login_as(a.user)
    zf = _zip(client.get("/account/data.zip"))
    rows = list(csv.DictReader(io.StringIO(zf.read("applications.csv").decode())))
    assert rows[0]["heard_other"].startswith("'=")
    for name in zf.namelist():
        if name.endswith(".csv"):
            for row in csv.reader(io.StringIO(zf.read(name).decode())):
                assert not any(cell.startswith(DANGEROUS_PREFIXES) for cell in row)


def test_a_captain_gets_what_they_wrote_without_the_participants_details(
    client, login_as, canaries
):
    a, b, staff, captain, _ = canaries
    login_as(captain)
    zf = _zip(client.get("/account/data.zip"))
    data = json.loads(zf.read("data.json"))
    assert data["account"]["name"] == "Captain Cleo"
    written = [c for c in data["checkins"] if c["written_by_you"]]
    assert len(written) == 4
    assert {c["participant_id"] for c in written} == {a.user.id, b.user.id}
    # Their own words stay theirs (a note may name the participant); the participants'
    # own details and answers do not come along.
    text = _all_text(zf)
    for c in (a, b):
        for needle in (c.email, c.phone, f"{c.phrase} flyer", f"{c.phrase} college"):
            assert needle not in text


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/account/data.zip")
    assert response.status_code == 302
    assert "/login" in response.location


def test_the_account_page_offers_the_download(client, login_as):
    login_as("participant")
    page = client.get("/account").get_data(as_text=True)
    assert "Download my data" in page
    assert 'href="/account/data.zip"' in page
