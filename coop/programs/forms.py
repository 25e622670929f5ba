"""Forms staff use to launch cities, tracks and cohorts."""

import re

from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from coop.core.forms import FlaskForm, MultiCheckboxField, choices, optional_int, strip
from coop.core.links import HttpsUrl, normalise_https_url
from coop.core.timezones import is_zone, zone_names
from coop.programs.models import WEEKDAYS, CohortStatus

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
VIDEO_EXAMPLE = "https://meet.example.org/coop"
DAY_LABELS = dict(zip(WEEKDAYS, ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], strict=True))


def _lower_strip(value):
    return value.strip().lower() if isinstance(value, str) else value


def slug_check(form, field):
    if field.data and not SLUG_RE.match(field.data):
        raise ValidationError("Use lower-case letters, digits and single hyphens, e.g. new-york.")


class CityForm(FlaskForm):
    name = StringField("Name", filters=[strip], validators=[DataRequired(), Length(max=80)])
    slug = StringField(
        "Short name for links",
        filters=[_lower_strip],
        validators=[Optional(), Length(max=80), slug_check],
        description="Leave empty to make one from the name (e.g. new-york).",
    )
    timezone = SelectField(
        "Time zone",
        validators=[DataRequired(message="Choose the city's time zone.")],
        description="Cohort meeting times in this city are local to this zone.",
    )
    archived = BooleanField(
        "Archived",
        description="Archived cities are kept with their cohorts but offered for no new cohort.",
    )
    submit = SubmitField("Save city")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = choices([("", "Choose a zone…")] + [(z, z) for z in zone_names()])

    def validate_timezone(self, field):
        if field.data and not is_zone(field.data):
            raise ValidationError("Choose a time zone from the list.")


class TrackForm(FlaskForm):
    name = StringField("Name", filters=[strip], validators=[DataRequired(), Length(max=80)])
    slug = StringField(
        "Short name for links",
        filters=[_lower_strip],
        validators=[Optional(), Length(max=80), slug_check],
        description="Leave empty to make one from the name (e.g. data-analytics).",
    )
    description = TextAreaField(
        "Description",
        filters=[strip],
        validators=[Optional(), Length(max=2000)],
        description="One or two sentences on what participants learn.",
        render_kw={"rows": 3},
    )
    submit = SubmitField("Save track")


class CohortForm(FlaskForm):
    """Create a cohort. Choices for city, track and sponsor are set by the view."""

    name = StringField(
        "Name",
        filters=[strip],
        validators=[DataRequired(), Length(max=120)],
        description="Unique within the city, e.g. Data Analytics · Fall 2026.",
    )
    city_id = SelectField(
        "City", coerce=optional_int, validators=[DataRequired(message="Choose a city.")]
    )
    track_id = SelectField(
        "Track", coerce=optional_int, validators=[DataRequired(message="Choose a track.")]
    )
    sponsor_id = SelectField("Sponsor", coerce=optional_int, validators=[Optional()])
    start_date = DateField(
        "Start date", validators=[DataRequired(message="Enter the first day (YYYY-MM-DD).")]
    )
    end_date = DateField(
        "End date", validators=[DataRequired(message="Enter the last day (YYYY-MM-DD).")]
    )
    capacity = IntegerField(
        "Capacity",
        default=16,
        validators=[
            InputRequired(message="Enter the number of seats (1 to 200)."),
            NumberRange(min=1, max=200, message="Capacity must be between 1 and 200."),
        ],
        description="Seats for enrolled participants (1 to 200; about 16 is usual).",
    )
    meeting_days = MultiCheckboxField(
        "Meeting days",
        choices=choices((d, DAY_LABELS[d]) for d in WEEKDAYS),
        validators=[Optional()],
    )
    meeting_time = TimeField(
        "Meeting time", validators=[Optional()], render_kw={"step": 300}, format="%H:%M"
    )
    video_link = URLField(
        "Default video link",
        filters=[normalise_https_url],
        validators=[Optional(), Length(max=500), HttpsUrl(example=VIDEO_EXAMPLE)],
        description="Used for every session unless a session has its own (https only).",
    )
    generate_schedule = BooleanField(
        "Generate the schedule now",
        default=True,
        description="One session on each meeting day from the start date to the end date, "
        "at the meeting time. You can add, move or cancel sessions afterwards.",
    )
    submit = SubmitField("Create cohort")

    def validate(self, extra_validators=None) -> bool:
        """Field checks, then the rules that tie fields together (a field's own
        ``Optional()`` would skip inline ``validate_<field>`` methods)."""
        ok = super().validate(extra_validators)
        start, end = self.start_date.data, self.end_date.data
        if start and end and end <= start and not self.end_date.errors:
            self.end_date.errors.append("The end date must be after the start date.")
            ok = False
        if self.meeting_days.data and not self.meeting_time.data and not self.meeting_time.errors:
            self.meeting_time.errors.append("Give the meeting time for the days you chose.")
            ok = False
        if self.meeting_time.data and not self.meeting_days.data and not self.meeting_days.errors:
            self.meeting_days.errors.append("Choose at least one meeting day for that time.")
            ok = False
        return ok

    @property
    def meeting_days_value(self) -> str:
        chosen = set(self.meeting_days.data or ())
        return ",".join(d for d in WEEKDAYS if d in chosen)

    def cohort_fields(self) -> dict:
        """The cleaned values, named as Cohort's columns."""
        return {
            "name": self.name.data,
            "start_date": self.start_date.data,
            "end_date": self.end_date.data,
            "capacity": self.capacity.data,
            "meeting_days": self.meeting_days_value,
            "meeting_time": self.meeting_time.data,
            "video_link": self.video_link.data or None,
        }


class CohortEditForm(CohortForm):
    generate_schedule = None  # only when creating (Sessions › Generate schedule later)
    status = SelectField(
        "Status", choices=choices((s.value, s.value.capitalize()) for s in CohortStatus)
    )
    submit = SubmitField("Save changes")


class StatusForm(FlaskForm):
    """The status buttons on the cohort page."""

    status = SelectField(
        "Status",
        choices=choices((s.value, s.value) for s in CohortStatus),
        validators=[DataRequired()],
    )


class ActionForm(FlaskForm):
    """A button that needs nothing but its CSRF token (archive, unarchive)."""


class CohortFilterForm(FlaskForm):
    """The cohort list's filters, read from the query string."""

    class Meta:
        csrf = False

    city = SelectField("City", coerce=optional_int, validators=[Optional()])
    track = SelectField("Track", coerce=optional_int, validators=[Optional()])
    status = SelectField(
        "Status",
        choices=choices(
            [("", "Any status")] + [(s.value, s.value.capitalize()) for s in CohortStatus]
        ),
        validators=[Optional()],
    )
    archived = BooleanField("Include archived")
