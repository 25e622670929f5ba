"""One error path and one transaction boundary (see ``coop.core.errors`` and
``coop.core.retry``): views and services never commit or roll back themselves; every
domain's refusal is a ``DomainError``; ``show_error`` undoes what the refused attempt
wrote and shows the message on the form."""

import ast
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import render_template_string
from wtforms import StringField

from coop.auth.services import AccountError
from coop.coaching.services import CoachingError
from coop.core.errors import DomainError, show_error
from coop.core.forms import FlaskForm
from coop.enrollment.services import EnrollmentError
from coop.programs.models import City
from coop.programs.services import ProgramError
from coop.referrals.services import ReferralError
from coop.sessions.meeting_reports import ReportError
from coop.sessions.services import AttendanceError, ScheduleError

COOP = Path(__file__).resolve().parent.parent / "coop"


def _calls(path: Path, names: set[str]) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        f"{path.relative_to(COOP.parent)}:{node.lineno} .{node.func.attr}()"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in names
        and ast.unparse(node.func.value) in ("db.session", "session", "db.session()")
    ]


def _modules(*patterns: str) -> list[Path]:
    found = sorted({p for pattern in patterns for p in COOP.glob(pattern)})
    assert found, patterns
    return found


def test_views_never_commit_or_roll_back():
    """The ``transaction`` decorator commits; ``show_error`` rolls back."""
    calls = [
        c
        for path in _modules("*/views.py", "*/views/*.py", "core/views.py")
        for c in _calls(path, {"commit", "rollback"})
    ]
    assert calls == []


def test_services_never_commit():
    calls = [c for path in _modules("*/services.py") for c in _calls(path, {"commit"})]
    assert calls == []


@pytest.mark.parametrize(
    "error",
    [
        AccountError,
        AttendanceError,
        CoachingError,
        EnrollmentError,
        ProgramError,
        ReferralError,
        ReportError,
        ScheduleError,
    ],
)
def test_every_domain_refusal_is_a_domain_error(error):
    exc = error("Not like that.", "name")
    assert isinstance(exc, DomainError) and isinstance(exc, ValueError)
    assert (str(exc), exc.message, exc.field) == ("Not like that.", "Not like that.", "name")


class NameForm(FlaskForm):
    name = StringField("Name")


PAGE = '{% import "_macros/forms.html" as forms %}{{ forms.render(form, submit_label="Save") }}'


def test_a_refusal_for_a_field_the_form_lacks_is_shown_above_the_fields(app):
    with app.test_request_context("/", method="POST", data={"name": "x"}):
        form = NameForm()
        form.validate()
        show_error(form, DomainError("The whole request is refused.", field="nowhere"))
        page = render_template_string(PAGE, form=form)
    assert '<div class="alert alert-danger" role="alert">The whole request is refused.</div>' in (
        page
    )
    assert "Please correct the fields marked below." not in page


def test_a_refusal_for_a_field_is_shown_on_that_field(app):
    with app.test_request_context("/", method="POST", data={"name": "x"}):
        form = NameForm()
        form.validate()
        show_error(form, DomainError("That name is taken.", field="name"))
        page = render_template_string(PAGE, form=form)
    assert '<div class="invalid-feedback">That name is taken.</div>' in page
    assert "Please correct the fields marked below." in page


def test_show_error_undoes_what_the_refused_attempt_wrote(app, db, factory):
    kept = factory.city(name="Kept")
    db.session.commit()
    with app.test_request_context("/", method="POST"):
        db.session.add(City(name="Refused", slug="refused", timezone="UTC"))
        db.session.flush()
        show_error(None, DomainError("No."))
    names = db.session.scalars(db.select(City.name)).all()
    assert "Refused" not in names and kept.name in names


def test_show_error_undoes_a_write_made_without_the_unit_of_work(app, db, factory):
    """A service that ran a conditional UPDATE (a seat taken) and then refused: the page
    shown again, and the commit after it, hold nothing of that UPDATE."""
    city = factory.city(name="Before")
    db.session.commit()
    with app.test_request_context("/", method="POST"):
        db.session.execute(sa.update(City).where(City.id == city.id).values(name="During"))
        show_error(None, DomainError("No."))
        db.session.commit()
    assert db.session.scalar(db.select(City.name).where(City.id == city.id)) == "Before"
