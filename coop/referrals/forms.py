"""Forms for partners, outreach, openings, referrals, placements and follow-ups."""

from datetime import date

from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from coop.core import clock
from coop.core.forms import FlaskForm, choices, optional_int, strip
from coop.core.links import HttpsUrl, normalise_https_url
from coop.core.once import SubmissionTokenField
from coop.programs.models import PartnerKind
from coop.referrals.models import EmploymentStatus

POSTING_EXAMPLE = "https://example.com/jobs/123"


class PartnerForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)], filters=[strip])
    kind = SelectField(
        "Kind",
        choices=choices((k.value, k.value.capitalize()) for k in PartnerKind),
        validators=[DataRequired()],
    )
    city_id = SelectField(
        "City",
        coerce=optional_int,
        validators=[Optional()],
        description="Leave empty for a national partner (every city's staff see it).",
    )
    website = URLField(
        "Website",
        validators=[Optional(), Length(max=255), HttpsUrl(example="https://example.com")],
        filters=[normalise_https_url],
    )
    archived = BooleanField("Archived (hidden from choices, kept in the records)")
    submit = SubmitField("Save partner")


class ContactForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)], filters=[strip])
    title = StringField("Job title or role", validators=[Optional(), Length(max=120)])
    email = EmailField("Email", validators=[Optional(), Email(), Length(max=254)])
    phone = StringField("Phone", validators=[Optional(), Length(max=40)])
    archived = BooleanField("No longer our contact")
    submit = SubmitField("Save contact")


class OutreachForm(FlaskForm):
    partner_id = SelectField("Organisation", coerce=optional_int, validators=[InputRequired()])
    occurred_on = DateField("Date", validators=[DataRequired()])
    contact_name = StringField(
        "Who you met",
        validators=[Optional(), Length(max=160)],
        description="Their name and role, e.g. “Jane Doe, HR lead”.",
    )
    summary = TextAreaField(
        "What happened", validators=[DataRequired(), Length(max=5000)], filters=[strip]
    )
    follow_up_on = DateField("Follow up on", validators=[Optional()])
    submit = SubmitField("Save outreach")


class OpeningForm(FlaskForm):
    partner_id = SelectField("Employer", coerce=optional_int, validators=[InputRequired()])
    title = StringField("Job title", validators=[DataRequired(), Length(max=160)], filters=[strip])
    city_id = SelectField("City", coerce=optional_int, validators=[Optional()])
    remote = BooleanField("Remote (can be done from anywhere)")
    url = URLField(
        "Link to the posting",
        validators=[Optional(), Length(max=500), HttpsUrl(example=POSTING_EXAMPLE)],
        filters=[normalise_https_url],
    )
    track_id = SelectField("Track it fits", coerce=optional_int, validators=[Optional()])
    closes_on = DateField("Closing date", validators=[Optional()])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    submit = SubmitField("Save opening")

    def validate_remote(self, field):
        if not field.data and not self.city_id.data:
            raise ValidationError("Give the opening a city, or mark it remote.")


class ReferralForm(FlaskForm):
    participant_id = SelectField("Participant", coerce=optional_int, validators=[InputRequired()])
    opening_id = SelectField(
        "Opening", coerce=optional_int, validators=[Optional()], description=None
    )
    partner_id = SelectField(
        "Or an employer (no opening)",
        coerce=optional_int,
        validators=[Optional()],
        description="For a referral to an employer without a posted opening.",
    )
    note = TextAreaField(
        "Note",
        validators=[Optional(), Length(max=2000)],
        description="Why they fit, whom you spoke to. Seen by staff and the participant.",
    )
    submit = SubmitField("Refer")

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and bool(self.partner_id.data) == bool(self.opening_id.data):
            self.partner_id.errors.append("Choose either an opening or an employer.")
            return False
        return ok


class StageForm(FlaskForm):
    stage = SelectField("New stage", validators=[DataRequired()])
    note = TextAreaField(
        "Note (optional)",
        validators=[Optional(), Length(max=2000)],
        description="Seen by staff and the participant.",
    )
    submit = SubmitField("Update stage")


def latest_start_date() -> date:
    """The furthest start date a job may have: 12 months from today, in the zone of the
    person filling in the form (28 Feb for 29 Feb)."""
    on = clock.today_for()
    try:
        return on.replace(year=on.year + 1)
    except ValueError:
        return on.replace(year=on.year + 1, day=28)


class PlacementForm(FlaskForm):
    participant_id = SelectField("Participant", coerce=optional_int, validators=[InputRequired()])
    partner_id = SelectField("Employer (a partner)", coerce=optional_int, validators=[Optional()])
    employer_name = StringField(
        "Employer name",
        validators=[Optional(), Length(max=160)],
        filters=[strip],
        description="When the employer is not a partner.",
    )
    title = StringField("Job title", validators=[DataRequired(), Length(max=160)], filters=[strip])
    start_date = DateField("Start date", validators=[DataRequired()])
    end_date = DateField("End date (if they left)", validators=[Optional()])
    salary = IntegerField(
        "Annual salary (US$)",
        validators=[InputRequired(), NumberRange(min=0, max=10_000_000)],
        description="Seen by staff and the participant only.",
    )
    full_time = BooleanField("Full-time", default=True)
    career_track = BooleanField(
        "Career-track: needs a degree and pays a commensurate salary",
    )
    submit = SubmitField("Save job")

    @classmethod
    def for_participant(cls, *args, **kwargs) -> "PlacementForm":
        """The same form in the words of the participant reporting their own job."""
        form = cls(*args, **kwargs)
        form.partner_id.label.text = "Employer"
        form.partner_id.description = "Pick it if it is in the list."
        form.employer_name.label.text = "Or type the employer's name"
        form.employer_name.description = "If it is not in the list."
        form.end_date.label.text = "End date (if you already left)"
        form.salary.description = "Only you and coop staff see it."
        form.career_track.label.text = (
            "Career-track: the job needs a college degree and pays like one"
        )
        return form

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and not self.employer_name.data and not self.partner_id.data:
            self.employer_name.errors.append(
                "Choose a partner employer or type the employer's name."
            )
            return False
        return ok

    def validate_start_date(self, field):
        if field.data and field.data > latest_start_date():
            raise ValidationError(
                "The start date cannot be more than 12 months from today. "
                "Record the job once it is less than a year away."
            )

    def validate_end_date(self, field):
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError("The end date cannot be before the start date.")


class FollowUpForm(FlaskForm):
    status = SelectField(
        "Employment status found",
        choices=choices([("", "Choose…")] + [(s.value, s.label) for s in EmploymentStatus]),
        validators=[DataRequired(message="Choose what you found.")],
    )
    note = TextAreaField("Note", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Record and close")


# -- create forms: a double click or a retried request saves one record (coop.core.once) ---


class NewPartnerForm(PartnerForm):
    submission_token = SubmissionTokenField()


class NewContactForm(ContactForm):
    submission_token = SubmissionTokenField()


class NewOutreachForm(OutreachForm):
    submission_token = SubmissionTokenField()


class NewOpeningForm(OpeningForm):
    submission_token = SubmissionTokenField()


class NewReferralForm(ReferralForm):
    submission_token = SubmissionTokenField()


class NewPlacementForm(PlacementForm):
    """Recording a job (staff) or reporting one's own (``for_participant``)."""

    submission_token = SubmissionTokenField()


class VolunteerForm(FlaskForm):
    """Appointing one of a partner's contacts as a volunteer captain."""

    contact_id = SelectField("Contact", coerce=optional_int, validators=[InputRequired()])
    submit = SubmitField("Appoint as volunteer captain")
