"""A person's assessment answers and pulse checks are in their data export, and erasing
them removes their words but keeps the numbers the results count."""

import io
import json
import zipfile

import sqlalchemy as sa

from coop.assessments import queries
from coop.assessments.models import AssessmentAnswer, PulseResponse
from coop.extensions import db
from coop.privacy import services as privacy


def test_export_and_erasure(client, login_as, factory, assess):
    cohort = assess.active_cohort(weeks_in=15)
    template = assess.template(cohort.track)
    intake = assess.schedule(cohort, template, "intake", 1)
    [pat] = assess.participants(cohort, 1, name="Quentin Zephyrine")
    [other] = assess.participants(cohort, 1)
    assess.answer(intake, cohort, pat, {1: 2, 6: "I hope to find work near Quentin Street"})
    assess.answer(intake, cohort, other, {1: 4, 6: "Quentin Zephyrine helped me"})
    assess.pulse(cohort, pat, confidence=2, help_with="Rent is due")
    db.session.commit()

    login_as(pat)
    zf = zipfile.ZipFile(io.BytesIO(client.get("/account/data.zip").data))
    assert {"assessments.csv", "pulse_checks.csv"} <= set(zf.namelist())
    data = json.loads(zf.read("data.json"))
    mine = {row["question"]: row for row in data["assessments"]}
    assert mine["How confident are you writing SQL?"]["number"] == 2
    assert mine["Anything else?"]["text"] == "I hope to find work near Quentin Street"
    assert "helped me" not in json.dumps(data)  # nobody else's answers
    assert data["pulse_checks"][0]["help_with"] == "Rent is due"

    assert privacy.erase(pat.id, actor=None)
    db.session.flush()
    texts = set(db.session.scalars(sa.select(AssessmentAnswer.text)))
    assert "I hope to find work near Quentin Street" not in texts
    assert "[erased] helped me" in texts  # their name cut out of someone else's words
    pulse = db.session.scalar(sa.select(PulseResponse))
    assert pulse.help_with == "" and pulse.confidence == 2
    assert queries.person_results(cohort.id, pat.id)[0].items[0].values["intake"] == "2"
