"""The person's data export holds their career profile and introduction requests;
erasure empties the profile, takes it out of the search and deletes the résumé."""

import io
import json
import zipfile

from coop.extensions import db
from coop.privacy import services as privacy
from coop.talent import services
from coop.talent.models import CareerProfile, Introduction, Resume
from tests.talent.conftest import PDF


def test_the_export_holds_the_career_profile_and_introductions(app, client, login_as, tw):
    with app.test_request_context():
        services.request_introduction(tw.contact, tw.partner_user, tw.pat_profile, message="Hi!")
    db.session.commit()
    login_as(tw.pat)
    zf = zipfile.ZipFile(io.BytesIO(client.get("/account/data.zip").data))
    data = json.loads(zf.read("data.json"))
    assert data["career_profile"][0]["headline"] == "Data analyst who loves SQL dashboards"
    assert data["introductions"][0]["partner"] == "Initech"
    assert data["introductions"][0]["message"] == "Hi!"
    assert {"career_profile.csv", "introductions.csv"} <= set(zf.namelist())


def test_erasure_empties_the_profile_and_its_search(app, client, login_as, tw):
    services.upload_resume(tw.pat_profile, tw.pat, "cv.pdf", PDF)
    with app.test_request_context():
        services.request_introduction(tw.contact, tw.partner_user, tw.pat_profile, message="Hi!")
    db.session.commit()
    assert privacy.erase(tw.pat.id, actor=None)
    db.session.commit()
    profile = db.session.get(CareerProfile, tw.pat_profile.id)
    assert profile.summary is None and profile.skills == [] and not profile.visible
    assert db.session.get(Resume, tw.pat_profile.id) is None
    assert db.session.scalar(db.select(Introduction.message)) is None
    login_as("staff")
    assert "Pat" not in client.get("/talent?q=dashboards").get_data(as_text=True)
    assert "Tableau" not in client.get(f"/talent/{tw.pat_profile.id}").get_data(as_text=True)
