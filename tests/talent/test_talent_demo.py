"""The demo's talent pool: two partner contacts who sign in, 60 approved profiles."""

from coop.auth.models import Role, User
from coop.demo import DEMO_PASSWORD, seed
from coop.extensions import db
from coop.referrals.models import PartnerContact
from coop.talent.models import CareerProfile, ProfileStatus


def test_demo_has_partner_contacts_and_sixty_approved_profiles(client):
    seed()
    db.session.commit()
    approved = db.session.scalar(
        db.select(db.func.count(CareerProfile.id)).where(
            CareerProfile.status == ProfileStatus.APPROVED
        )
    )
    assert approved == 60
    partners = db.session.scalars(db.select(User).where(User.role == Role.PARTNER)).all()
    assert {u.email for u in partners} == {"partner@coop.example", "partner2@coop.example"}
    for user in partners:
        contact = db.session.scalar(
            db.select(PartnerContact).where(PartnerContact.user_id == user.id)
        )
        assert contact is not None
    response = client.post(
        "/login", data={"email": "partner@coop.example", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302 and response.location == "/partner"
    assert "Brightline Media" in client.get("/partner").get_data(as_text=True)
    page = client.get("/talent?q=analyst").get_data(as_text=True)
    assert "profiles, most relevant first" in page
    pat = db.session.scalar(db.select(User).where(User.email == "participant@coop.example"))
    profile = db.session.scalar(db.select(CareerProfile).where(CareerProfile.user_id == pat.id))
    assert profile.status == ProfileStatus.APPROVED
