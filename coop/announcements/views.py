"""Writing announcements (staff, captains), their delivery status, and the panel on the
participant's cohort page."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from coop.announcements import queries, services
from coop.announcements.forms import AnnouncementForm
from coop.announcements.models import Announcement
from coop.auth.models import Role
from coop.core import clock, nav, once
from coop.core.errors import show_error
from coop.core.pagination import paginate
from coop.core.permissions import require, roles_required
from coop.core.retry import transaction
from coop.extensions import db

bp = Blueprint("announcements", __name__, url_prefix="/announcements")

nav.nav_item("Announcements", "announcements.index", {Role.STAFF, Role.CAPTAIN}, order=70)

writers = roles_required(Role.STAFF, Role.CAPTAIN)


def cohort_panel(user, cohort):
    """The announcements on the participant's cohort page, newest first."""
    shown = queries.for_cohort_page(user, cohort, clock.now())
    return {"announcements": shown} if shown else None


nav.panel("portal.cohort", "announcements/_panel.html", cohort_panel, order=5)


@bp.get("/")
@writers
def index():
    page = paginate(queries.visible_stmt(current_user))
    counts = queries.status_counts([a.id for a in page.items])
    return render_template("announcements/index.html", page=page, counts=counts, now=clock.now())


@bp.route("/new", methods=["GET", "POST"])
@writers
@transaction(also=(once.AlreadySaved,), write_lock=True)
def new():
    form = AnnouncementForm()
    targets = queries.targets_for(current_user)
    form.audience.choices = [("", "Choose…")] + [(t.key, t.label) for t in targets]
    if (done := once.already_saved(form)) is not None:
        return done
    if form.validate_on_submit():
        try:
            with once.saving(form) as saving:
                announcement = services.post_announcement(
                    current_user._get_current_object(),
                    form.audience.data,
                    title=form.title.data,
                    body=form.body.data,
                    days=form.days.data,
                )
                url = url_for("announcements.show", announcement_id=announcement.id)
                saving.done(url, announcement.id)
        except services.AnnouncementError as exc:
            show_error(form, exc)
        else:
            return redirect(url)
    return render_template("announcements/new.html", form=form, has_targets=bool(targets))


@bp.get("/<int:announcement_id>")
@writers
def show(announcement_id):
    announcement = db.session.scalar(
        db.select(Announcement)
        .options(joinedload(Announcement.author), joinedload(Announcement.city))
        .where(Announcement.id == announcement_id)
    )
    require(announcement is not None and announcement.can_view(current_user))
    page = paginate(queries.recipients_stmt(announcement), per_page=50)
    counts = queries.status_counts([announcement.id])[announcement.id]
    return render_template(
        "announcements/show.html",
        announcement=announcement,
        page=page,
        counts=counts,
        now=clock.now(),
    )
