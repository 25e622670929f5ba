"""Partners and their contacts (staff)."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from coop.core import clock, once
from coop.core.errors import show_error
from coop.core.permissions import require, staff_required
from coop.core.retry import transaction
from coop.extensions import db
from coop.programs.models import Partner, PartnerKind
from coop.referrals import queries, services
from coop.referrals.forms import ContactForm, NewContactForm, NewPartnerForm, PartnerForm, choices
from coop.referrals.models import Opening, Outreach, PartnerContact, Placement, Referral
from coop.referrals.services import ReferralError
from coop.referrals.views import bp
from coop.referrals.views.common import arg_int, city_choices, paged, record_salaries_seen


def partner_manageable(user, partner: Partner) -> bool:
    """Staff of the partner's city edit it; national partners need org-wide staff."""
    if partner.city_id is None:
        return user.city_ids is None
    return user.can_see_city(partner.city_id)


def load_partner(partner_id: int) -> Partner:
    partner = db.session.scalar(
        db.select(Partner).options(db.joinedload(Partner.city)).where(Partner.id == partner_id)
    )
    require(partner is not None and queries.partner_visible(current_user, partner))
    return partner


@bp.get("/partners")
@staff_required
def partners():
    stmt = queries.partner_list(current_user)
    q = (request.args.get("q") or "").strip()
    kind = request.args.get("kind")
    city_id = arg_int("city")
    if q:
        stmt = stmt.where(Partner.name.icontains(q, autoescape=True))
    if kind in {k.value for k in PartnerKind}:
        stmt = stmt.where(Partner.kind == kind)
    if city_id:
        stmt = stmt.where(Partner.city_id == city_id)
    if request.args.get("archived") != "1":
        stmt = stmt.where(Partner.archived.is_(False))
    page = paged(stmt, per_page=25)
    return render_template(
        "referrals/partners.html",
        page=page,
        counts=queries.partner_counts(current_user, [p.id for p in page.items]),
        q=q,
        kind=kind,
        city_id=city_id,
        kinds=list(PartnerKind),
        cities=city_choices(current_user),
    )


def _partner_values(form) -> dict:
    return {
        "name": form.name.data,
        "kind": PartnerKind(form.kind.data),
        "city_id": form.city_id.data,
        "website": form.website.data or None,
        "archived": bool(form.archived.data),
    }


def _partner_form(form):
    org_wide = current_user.city_ids is None
    form.city_id.choices = choices(
        city_choices(current_user, blank="— national (no city) —" if org_wide else None)
    )
    return form


def _partner_city_ok(form) -> bool:
    if form.city_id.data is None and current_user.city_ids is not None:
        form.city_id.errors.append("Choose one of your cities.")
        return False
    return True


@bp.route("/partners/new", methods=["GET", "POST"])
@staff_required
@transaction(also=(once.AlreadySaved,), write_lock=True)  # a double click adds one partner
def new_partner():
    form = _partner_form(NewPartnerForm())
    if (done := once.already_saved(form)) is not None:
        return done
    if form.validate_on_submit() and _partner_city_ok(form):
        try:
            with once.saving(form) as saving:
                partner = services.create_partner(current_user, **_partner_values(form))
                url = url_for("referrals.partner", partner_id=partner.id)
                saving.done(url, partner.id)
        except ReferralError as exc:
            show_error(form, exc, field="name")
        else:
            flash(f"{partner.name} is added.", "success")
            return redirect(url)
    return render_template(
        "referrals/form.html", form=form, title="New partner", cancel=url_for("referrals.partners")
    )


@bp.get("/partners/<int:partner_id>")
@staff_required
@transaction  # records who saw the hires' salaries
def partner(partner_id):
    partner = load_partner(partner_id)
    contacts = paged(
        db.select(PartnerContact)
        .where(PartnerContact.partner_id == partner.id)
        .order_by(PartnerContact.archived, PartnerContact.name, PartnerContact.id),
        "contacts_page",
    )
    openings = paged(
        db.select(Opening)
        .options(db.joinedload(Opening.city), db.joinedload(Opening.track))
        .where(Opening.partner_id == partner.id)
        .order_by(Opening.created_at.desc(), Opening.id.desc()),
        "openings_page",
    )
    referrals = paged(
        queries.referral_list(current_user).where(Referral.partner_id == partner.id),
        "referrals_page",
    )
    hires = paged(
        queries.placement_list(current_user).where(Placement.partner_id == partner.id),
        "hires_page",
    )
    record_salaries_seen(hires.items, ("partners", partner.id))
    outreach = paged(
        queries.visible_outreach(current_user).where(Outreach.partner_id == partner.id),
        "outreach_page",
    )
    return render_template(
        "referrals/partner.html",
        partner=partner,
        contacts=contacts,
        openings=openings,
        referrals=referrals,
        hires=hires,
        outreach=outreach,
        can_manage=partner_manageable(current_user, partner),
        today=clock.today_for(current_user),
    )


@bp.route("/partners/<int:partner_id>/edit", methods=["GET", "POST"])
@staff_required
@transaction
def edit_partner(partner_id):
    partner = load_partner(partner_id)
    require(partner_manageable(current_user, partner))
    form = _partner_form(PartnerForm(obj=partner))
    if form.validate_on_submit() and _partner_city_ok(form):
        try:
            services.update_partner(partner, current_user, **_partner_values(form))
        except ReferralError as exc:
            show_error(form, exc, field="name")
        else:
            flash("The partner is saved.", "success")
            return redirect(url_for("referrals.partner", partner_id=partner.id))
    return render_template(
        "referrals/form.html",
        form=form,
        title=f"Edit {partner.name}",
        cancel=url_for("referrals.partner", partner_id=partner.id),
    )


@bp.route("/partners/<int:partner_id>/contacts/new", methods=["GET", "POST"])
@staff_required
@transaction(also=(once.AlreadySaved,), write_lock=True)  # a double click adds one contact
def new_contact(partner_id):
    partner = load_partner(partner_id)
    form = NewContactForm()
    del form.archived
    if (done := once.already_saved(form)) is not None:
        return done
    if form.validate_on_submit():
        url = url_for("referrals.partner", partner_id=partner.id)
        with once.saving(form) as saving:
            contact = services.save_contact(None, partner, current_user, **_contact_values(form))
            saving.done(url, contact.id)
        flash("The contact is added.", "success")
        return redirect(url)
    return render_template(
        "referrals/form.html",
        form=form,
        title=f"New contact at {partner.name}",
        cancel=url_for("referrals.partner", partner_id=partner.id),
    )


def _contact_values(form) -> dict:
    values = {
        "name": form.name.data,
        "title": form.title.data or None,
        "email": (form.email.data or "").strip().lower() or None,
        "phone": form.phone.data or None,
    }
    if getattr(form, "archived", None) is not None:
        values["archived"] = bool(form.archived.data)
    return values


@bp.route("/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@staff_required
@transaction
def edit_contact(contact_id):
    contact = db.get_or_404(PartnerContact, contact_id)
    partner = load_partner(contact.partner_id)
    form = ContactForm(obj=contact)
    if form.validate_on_submit():
        services.save_contact(contact, partner, current_user, **_contact_values(form))
        flash("The contact is saved.", "success")
        return redirect(url_for("referrals.partner", partner_id=partner.id))
    return render_template(
        "referrals/form.html",
        form=form,
        title=f"Edit contact at {partner.name}",
        cancel=url_for("referrals.partner", partner_id=partner.id),
    )
