from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from coop.core.forms import FlaskForm, MultiCheckboxField
from coop.core.links import HttpsUrl, normalise_https_url
from coop.core.timezones import is_zone, zone_names
from coop.programs.models import WEEKDAYS
from coop.sessions.models import LONGEST_MINUTES, SHORTEST_MINUTES, AttendanceStatus

WEEKDAY_LABELS = dict(
    zip(
        WEEKDAYS,
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
        strict=True,
    )
)
STATUS_CHOICES = [SelectChoice(s.value, s.value.title()) for s in AttendanceStatus]
VIDEO_LINK = HttpsUrl(
    message="Use an https:// link. Give the full address, e.g. https://meet.example.org/coop."
)


DURATION = [
    InputRequired(),
    NumberRange(
        min=SHORTEST_MINUTES,
        max=LONGEST_MINUTES,
        message=f"Between {SHORTEST_MINUTES} and {LONGEST_MINUTES} minutes.",
    ),
]


class GenerateForm(FlaskForm):
    weekdays = MultiCheckboxField(
        "Weekdays",
        choices=[SelectChoice(k, v) for k, v in WEEKDAY_LABELS.items()],
        validators=[DataRequired()],
    )
    start_time = TimeField(
        "Start time", validators=[InputRequired()], description="In the cohort's time zone."
    )
    duration_minutes = IntegerField("Duration (minutes)", default=120, validators=DURATION)
    first_date = DateField("First date", validators=[InputRequired()])
    count = IntegerField(
        "Number of sessions",
        validators=[Optional(), NumberRange(min=1, max=200)],
        description="Give a number of sessions, an end date, or both (whichever comes first).",
    )
    end_date = DateField("End date", validators=[Optional()])
    title = StringField(
        "Title",
        default="Session",
        validators=[DataRequired(), Length(max=150)],
        description="Each session is numbered: “Session 1”, “Session 2”, …",
    )
    video_link = URLField(
        "Video link",
        filters=[normalise_https_url],
        validators=[Optional(), Length(max=500), VIDEO_LINK],
        description="Leave empty to use the cohort's link.",
    )
    submit = SubmitField("Generate sessions")

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.count.data is None and self.end_date.data is None:
            self.count.errors.append("Give a number of sessions or an end date.")
            return False
        if ok and self.end_date.data and self.end_date.data < self.first_date.data:
            self.end_date.errors.append("The end date is before the first date.")
            return False
        return ok


class SessionForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=160)])
    local_date = DateField("Date", validators=[InputRequired()])
    local_time = TimeField(
        "Start time", validators=[InputRequired()], description="In the cohort's time zone."
    )
    duration_minutes = IntegerField("Duration (minutes)", default=120, validators=DURATION)
    agenda = TextAreaField("Agenda", validators=[Optional(), Length(max=5000)])
    video_link = URLField(
        "Video link",
        filters=[normalise_https_url],
        validators=[Optional(), Length(max=500), VIDEO_LINK],
        description="Leave empty to use the cohort's link.",
    )
    submit = SubmitField("Save session")


class CancelForm(FlaskForm):
    reason = StringField("Reason (sent to the cohort)", validators=[Optional(), Length(max=500)])
    submit = SubmitField("Cancel session")


class ImportForm(FlaskForm):
    report = FileField(
        "Participant report (CSV)",
        validators=[
            FileRequired("Choose the report file."),
            FileSize(2 * 1024 * 1024, message="The file is larger than 2 MB."),
        ],
        description="The participant report your video-meeting service exports.",
    )
    timezone = SelectField(
        "Time zone of the report's times",
        description="The meeting host's account zone; usually the cohort's.",
    )
    submit = SubmitField("Import")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = [SelectChoice(z) for z in zone_names()]

    def validate_timezone(self, field):
        if not is_zone(field.data):
            raise ValidationError("Choose a time zone.")


class MatchForm(FlaskForm):
    participant = SelectField("Participant", coerce=int, validators=[InputRequired()])
    status = SelectField("Status", choices=STATUS_CHOICES, validators=[InputRequired()])
    submit = SubmitField("Match")


class ConfirmForm(FlaskForm):
    """A button that posts (CSRF only)."""

    submit = SubmitField("Confirm")


def roll_call_form(participants, current: dict[int, str], **kwargs) -> FlaskForm:
    """A form with one required status per participant, named ``p<id>``."""

    class RollCallForm(FlaskForm):
        submit = SubmitField("Save roll call")

    for person in participants:
        setattr(
            RollCallForm,
            f"p{person.id}",
            RadioField(
                person.name,
                choices=STATUS_CHOICES,
                default=current.get(person.id),
                validators=[InputRequired(message=f"Choose a status for {person.name}.")],
            ),
        )
    return RollCallForm(**kwargs)
