from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from coop.core import clock
from coop.core.forms import FlaskForm, MultiCheckboxField, choices, strip
from coop.enrollment.models import SALARY_BANDS, HeardVia
from coop.enrollment.roster import EXPORT_COLUMNS, MAX_BYTES

YES_NO = choices([("yes", "Yes"), ("no", "No")])


def yes_no(label: str, description: str | None = None) -> RadioField:
    return RadioField(
        label,
        choices=YES_NO,
        validate_choice=False,
        validators=[
            InputRequired(message="Choose yes or no."),
            AnyOf(["yes", "no"], message="Choose yes or no."),
        ],
        description=description,
    )


class ApplicationForm(FlaskForm):
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
    phone = StringField(
        "Phone (optional)",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=40),
            Regexp(
                r"^\+?[0-9()\-. ]{7,40}$",
                message="Use digits, spaces and + ( ) - . only, at least 7 characters.",
            ),
        ],
    )
    college = StringField(
        "College",
        filters=[strip],
        validators=[DataRequired(message="Enter the college you graduated from."), Length(max=160)],
    )
    graduation_year = IntegerField(
        "Graduation year", validators=[InputRequired(message="Enter the year you graduated.")]
    )
    first_generation = yes_no(
        "Are you a first-generation college graduate?",
        "Neither of your parents completed a four-year degree.",
    )
    low_income = yes_no("Are you from a low-income background or a Pell Grant recipient?")
    job_title = StringField(
        "Current job title",
        filters=[strip],
        validators=[
            DataRequired(message="Enter your job title, or “Not working”."),
            Length(max=160),
        ],
        description="Write “Not working” if you are not employed right now.",
    )
    salary_band = SelectField(
        "Annual salary",
        choices=choices(
            [("", "Choose a range…")] + [(band.code, band.label) for band in SALARY_BANDS]
        ),
        validators=[DataRequired(message="Choose a salary range.")],
    )
    preferred_track = SelectField("Preferred track", coerce=int)
    preferred_city = SelectField("Preferred city", coerce=int)
    heard_via = RadioField(
        "How did you hear about coop?",
        choices=choices(
            [
                (HeardVia.ALUMNUS.value, "An alumnus of coop"),
                (HeardVia.PARTNER.value, "A community partner"),
                (HeardVia.OTHER.value, "Somewhere else"),
            ]
        ),
        validate_choice=False,
        validators=[
            InputRequired(message="Tell us how you heard about coop."),
            AnyOf([h.value for h in HeardVia], message="Choose one of the options."),
        ],
    )
    referrer = StringField(
        "The alumnus’s name or email",
        filters=[strip],
        validators=[Length(max=254)],
        description="If an alumnus told you about coop.",
    )
    partner = SelectField("The community partner", validators=[Optional()])
    heard_other = StringField(
        "Where did you hear about us? (optional)", filters=[strip], validators=[Length(max=200)]
    )
    consent = BooleanField(
        "I have read and agree to the privacy notice.",
        validators=[DataRequired(message="You must agree to the privacy notice to apply.")],
    )
    submit = SubmitField("Send my application")

    def __init__(self, *args, cities=(), tracks=(), partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.preferred_city.choices = choices((c.id, c.name) for c in cities)
        self.preferred_track.choices = choices((t.id, t.name) for t in tracks)
        self.partner.choices = choices(
            [("", "Choose a partner…")] + [(str(p.id), p.name) for p in partners]
        )
        this_year = clock.today_for().year  # the applicant's (or reviewer's) year
        self.graduation_year.validators = [
            *self.graduation_year.validators,
            NumberRange(
                min=1950,
                max=this_year + 1,
                message=f"Enter a year between 1950 and {this_year + 1}.",
            ),
        ]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.heard_via.data == HeardVia.ALUMNUS and not self.referrer.data:
            self.referrer.errors.append("Tell us the alumnus’s name or email.")
            ok = False
        if self.heard_via.data == HeardVia.PARTNER and not self.partner.data:
            self.partner.errors.append("Choose the community partner.")
            ok = False
        return ok


class DecisionForm(FlaskForm):
    """Accept, waitlist or decline the selected applicants (checkboxes named ``ids``)."""

    ids = SelectMultipleField("Applicants", coerce=int, validate_choice=False)
    decision = SelectField(
        "Decision",
        choices=choices([("accept", "Accept"), ("waitlist", "Waitlist"), ("decline", "Decline")]),
    )
    reason = StringField(
        "Reason",
        filters=[strip],
        validators=[Length(max=500)],
        description="Needed to decline; kept in the history.",
    )
    next_stage = HiddenField()
    submit = SubmitField("Apply to selected")


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        "Reason for the withdrawal",
        filters=[strip],
        validators=[DataRequired(message="Give a reason for the withdrawal."), Length(max=500)],
    )
    submit = SubmitField("Withdraw")


class ActionForm(FlaskForm):
    """A button that posts: only the CSRF token."""

    submit = SubmitField("Go")


class MoveForm(FlaskForm):
    direction = SelectField(choices=choices([("up", "Up"), ("down", "Down"), ("top", "Top")]))


class AutoPromoteForm(FlaskForm):
    auto_promote = BooleanField("Enroll the first waitlisted applicant when a seat opens")
    submit = SubmitField("Save")


class ImportForm(FlaskForm):
    file = FileField(
        "Roster file (CSV)",
        validators=[FileRequired(message="Choose a CSV file to upload.")],
        description=f"UTF-8 CSV, at most {MAX_BYTES // 1000} kB. The first row names the columns.",
    )
    submit = SubmitField("Check the file")


class ConfirmImportForm(FlaskForm):
    #: The checked file's text, sent back to be checked again and imported.
    content = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Import")


class ExportForm(FlaskForm):
    class Meta:
        csrf = False  # a download through GET changes nothing

    columns = MultiCheckboxField(
        "Columns",
        choices=choices((key, label) for key, (label, _) in EXPORT_COLUMNS.items()),
        validators=[DataRequired(message="Choose at least one column.")],
    )
    include_withdrawn = BooleanField("Include withdrawn participants")


class GraduateForm(FlaskForm):
    exclude = SelectMultipleField("Do not graduate", coerce=int, validate_choice=False)
    submit = SubmitField("Complete the cohort")
