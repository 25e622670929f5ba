"""The demo's terms data: a dozen program applicants awaiting placement and an open
captain request for a demo graduate, usable from the staff pages."""

import sqlalchemy as sa

from coop.coaching.request_models import CaptainRequest, RequestStatus
from coop.demo import seed
from coop.enrollment.program_models import ProgramApplication, ProgramStatus
from coop.extensions import db


def test_demo_has_applicants_to_place_and_an_open_captain_request(client, login_as):
    seed(participants=60)
    statuses = db.session.scalars(sa.select(ProgramApplication.status)).all()
    assert statuses.count(ProgramStatus.ACCEPTED) == 12
    assert (
        db.session.scalar(
            sa.select(sa.func.count(CaptainRequest.id)).where(
                CaptainRequest.status == RequestStatus.OPEN
            )
        )
        == 1
    )
    login_as("staff")
    page = client.get("/program-applications/place")
    assert page.status_code == 200
    assert "Their city and track" in page.text
    assert "Amara Okafor" in client.get("/program-applications?status=accepted").text
    assert "Open captain requests" in client.get("/captain-requests").text
