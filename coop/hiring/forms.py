"""Forms for hiring events: the event, opting in and out, attendance, a referral."""

from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from coop.core.forms import FlaskForm, MultiCheckboxField, choices, optional_int
from coop.core.links import HttpsUrl, normalise_https_url
from coop.core.once import SubmissionTokenField
from coop.core.timezones import zone_names
from coop.hiring.models import Attendance, EventKind

KIND_CHOICES = choices((k.value, k.label) for k in EventKind)
ATTENDANCE_CHOICES = choices([("", "Not recorded")] + [(a.value, a.label) for a in Attendance])


class EventForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=160)])
    kind = SelectField("Kind", choices=KIND_CHOICES, validators=[DataRequired()])
    city_id = SelectField(
        "City",
        coerce=optional_int,
        validators=[Optional()],
        description="Who runs it and who may sign up; none: open to everyone.",
    )
    local_date = DateField("Date", validators=[InputRequired()])
    local_time = TimeField("Start time", validators=[InputRequired()])
    timezone = SelectField(
        "Time zone",
        validators=[DataRequired()],
        description="The date and time above are in this zone.",
    )
    duration_minutes = IntegerField(
        "Duration (minutes)",
        default=120,
        validators=[InputRequired(), NumberRange(min=5, max=1440, message="5 to 1440 minutes.")],
    )
    online_link = URLField(
        "Online link",
        filters=[normalise_https_url],
        validators=[Optional(), Length(max=500), HttpsUrl(example="https://meet.example.org/fair")],
        description="For an online event; give a link, a place or both.",
    )
    place = StringField("Place", validators=[Optional(), Length(max=300)])
    partners = MultiCheckboxField("Partners attending", coerce=int, validators=[Optional()])
    capacity = IntegerField(
        "Capacity",
        validators=[InputRequired(), NumberRange(min=1, max=10000, message="1 to 10,000 people.")],
        description="People beyond it join the waitlist.",
    )
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    submit = SubmitField("Save event")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = choices((z, z) for z in zone_names())

    def values(self) -> dict:
        return {
            name: self[name].data
            for name in (
                "title",
                "kind",
                "city_id",
                "timezone",
                "local_date",
                "local_time",
                "duration_minutes",
                "online_link",
                "place",
                "capacity",
                "description",
            )
        }


class NewEventForm(EventForm):
    submission_token = SubmissionTokenField()


class ConfirmForm(FlaskForm):
    """A button (opt in, withdraw): the CSRF token only."""

    submit = SubmitField("Confirm")


def attendance_form(registrations, **kwargs) -> FlaskForm:
    """One attended / no-show choice per registration, named ``r<id>`` (the person's
    name is its label)."""

    class AttendanceForm(FlaskForm):
        submit = SubmitField("Save attendance")

    for r in registrations:
        setattr(
            AttendanceForm,
            f"r{r.id}",
            SelectField(
                r.user.name,
                choices=ATTENDANCE_CHOICES,
                default=r.attendance.value if r.attendance else "",
                validators=[Optional()],
            ),
        )
    return AttendanceForm(**kwargs)


def attendance_marks(form, registrations) -> dict:
    """registration id -> Attendance (None: not recorded) from a validated form."""
    return {
        r.id: Attendance(form[f"r{r.id}"].data) if form[f"r{r.id}"].data else None
        for r in registrations
    }


class EventReferralForm(FlaskForm):
    participant_id = SelectField("Person", coerce=optional_int, validators=[InputRequired()])
    opening_id = SelectField("Opening", coerce=optional_int, validators=[Optional()])
    partner_id = SelectField(
        "Or an employer (no opening)", coerce=optional_int, validators=[Optional()]
    )
    note = TextAreaField("Note", validators=[Optional(), Length(max=2000)])
    submission_token = SubmissionTokenField()
    submit = SubmitField("Log referral")

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and bool(self.partner_id.data) == bool(self.opening_id.data):
            self.partner_id.errors.append("Choose either an opening or an employer.")
            return False
        return ok
