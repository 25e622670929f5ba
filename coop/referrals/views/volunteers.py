"""Partner volunteers: staff appoint a partner's contact as a volunteer captain."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from coop.coaching import services as coaching_services
from coop.core.errors import show_error
from coop.core.forms import choices
from coop.core.permissions import require, staff_required
from coop.core.retry import transaction
from coop.extensions import db
from coop.referrals.forms import VolunteerForm
from coop.referrals.models import PartnerContact
from coop.referrals.views import bp
from coop.referrals.views.partners import load_partner, partner_manageable


@bp.route("/partners/<int:partner_id>/volunteers/new", methods=["GET", "POST"])
@staff_required
@transaction
def new_volunteer(partner_id):
    partner = load_partner(partner_id)
    require(partner_manageable(current_user, partner))
    contacts = db.session.scalars(
        db.select(PartnerContact)
        .where(PartnerContact.partner_id == partner.id, PartnerContact.archived.is_(False))
        .order_by(PartnerContact.name, PartnerContact.id)
    ).all()
    form = VolunteerForm()
    form.contact_id.choices = choices(
        [("", "Choose…")]
        + [(c.id, f"{c.name} · {c.email}" if c.email else f"{c.name} (no email)") for c in contacts]
    )
    if form.validate_on_submit():
        contact = next(c for c in contacts if c.id == form.contact_id.data)
        try:
            appointment = coaching_services.appoint_partner_volunteer(
                name=contact.name,
                email=contact.email,
                partner=partner,
                contact_id=contact.id,
                actor=current_user,
            )
        except coaching_services.CoachingError as exc:
            show_error(form, exc, field="contact_id")
        else:
            flash(f"{contact.name} is now a volunteer captain from {partner.name}.", "success")
            return redirect(url_for("coaching.captain_detail", user_id=appointment.user_id))
    return render_template("referrals/volunteer_form.html", form=form, partner=partner)
