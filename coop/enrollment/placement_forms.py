"""Forms of the program application (the pre-program survey) and of placement."""

from wtforms import (
    BooleanField,
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, Email, InputRequired, Length, Optional

from coop.core.forms import FlaskForm, MultiCheckboxField, choices, strip
from coop.enrollment.program_models import EVENING_LABELS, EVENINGS


class ProgramApplicationForm(FlaskForm):
    name = StringField(
        "Full name",
        filters=[strip],
        validators=[DataRequired(message="Tell us your name."), Length(max=120)],
    )
    email = EmailField(
        "Email",
        filters=[strip],
        validators=[
            DataRequired(message="Enter your email address: we write to you there."),
            Email(message="Enter a valid email address."),
            Length(max=254),
        ],
    )
    city = SelectField("Your region (city)", coerce=int)
    track = SelectField("Track", coerce=int)
    evenings = MultiCheckboxField(
        "Evenings you can make",
        choices=choices((d, EVENING_LABELS[d]) for d in EVENINGS),
        validators=[DataRequired(message="Choose at least one evening you can make.")],
        description="Cohorts meet on weeknight evenings; we only place you in one that meets "
        "on evenings you can make.",
    )
    timezone = SelectField("Your time zone", validators=[DataRequired()])
    start_term = SelectField("When would you like to start?", validators=[DataRequired()])
    college = StringField("College (optional)", filters=[strip], validators=[Length(max=160)])
    first_generation = SelectField(
        "Are you a first-generation college graduate?",
        choices=choices([("", "Prefer not to say"), ("yes", "Yes"), ("no", "No")]),
        validators=[Optional(), AnyOf(["", "yes", "no"])],
    )
    goals = TextAreaField(
        "What would you like from the program? (optional)",
        filters=[strip],
        validators=[Length(max=500)],
    )
    consent = BooleanField(
        "I have read and agree to the privacy notice.",
        validators=[InputRequired(message="You must agree to the privacy notice to apply.")],
    )
    submit = SubmitField("Send my application")

    def __init__(self, *args, cities=(), tracks=(), zones=(), terms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.city.choices = choices((c.id, c.name) for c in cities)
        self.track.choices = choices((t.id, t.name) for t in tracks)
        self.timezone.choices = choices((z, z) for z in zones)
        self.start_term.choices = choices((t, t) for t in terms)


class ProgramDecisionForm(FlaskForm):
    ids = SelectMultipleField("Applicants", coerce=int, validate_choice=False)
    decision = SelectField(
        "Decision", choices=choices([("accept", "Accept for placement"), ("decline", "Decline")])
    )
    reason = StringField(
        "Reason", filters=[strip], validators=[Length(max=500)], description="Needed to decline."
    )
    submit = SubmitField("Apply to selected")


class ConfirmPlacementForm(FlaskForm):
    #: ``"<application id>:<cohort id>"`` for every proposal staff confirm.
    choices = SelectMultipleField("Proposals", validate_choice=False)
    submit = SubmitField("Place selected")

    def pairs(self) -> list[tuple[int, int]] | None:
        out = []
        for value in self.choices.data or []:
            left, _, right = str(value).partition(":")
            if not (left.isdigit() and right.isdigit()) or len(left) > 9 or len(right) > 9:
                return None
            out.append((int(left), int(right)))
        return out
