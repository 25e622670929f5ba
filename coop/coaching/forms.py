from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from coop.coaching.models import DEFAULT_MAX_PARTICIPANTS, Channel, Topic
from coop.core.forms import FlaskForm, MultiCheckboxField, choices, optional_int
from coop.core.once import SubmissionTokenField


class AppointForm(FlaskForm):
    enrollment_id = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Appoint as captain")


class ImportAlumnusForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    cohort = SelectField("Graduated from", coerce=int, validators=[InputRequired()])
    appoint = BooleanField("Appoint them as an alumni captain now")
    submit = SubmitField("Record alumnus")


class ConfirmForm(FlaskForm):
    """Confirms a previewed change; the fingerprint says which preview was confirmed."""

    fingerprint = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Confirm")


class AddCaptainForm(FlaskForm):
    captain = SelectField(
        "Captain", coerce=optional_int, validators=[DataRequired(message="Choose a captain.")]
    )
    max_participants = IntegerField(
        "Most participants in their pod",
        default=DEFAULT_MAX_PARTICIPANTS,
        validators=[InputRequired(), NumberRange(min=1, max=50)],
    )
    is_lead = BooleanField("Lead captain")
    submit = SubmitField("Add to team")


class AssignmentForm(FlaskForm):
    max_participants = IntegerField(
        "Most participants", validators=[InputRequired(), NumberRange(min=1, max=50)]
    )
    is_lead = BooleanField("Lead captain")
    submit = SubmitField("Save")


class BalanceForm(FlaskForm):
    full = HiddenField(default="0")
    submit = SubmitField("Balance pods")


class MoveForm(FlaskForm):
    participant_id = HiddenField(validators=[DataRequired()])
    assignment_id = SelectField("Move to pod", coerce=int, validators=[InputRequired()])
    submit = SubmitField("Move")


class OverdueDaysForm(FlaskForm):
    days = IntegerField(
        "Overdue after (days without a check-in)",
        validators=[InputRequired(), NumberRange(min=1, max=90)],
    )
    submit = SubmitField("Save")


class CheckInForm(FlaskForm):
    held_on = DateField("Date", validators=[InputRequired(message="Give the date.")])
    channel = SelectField(
        "Channel",
        choices=choices((c.value, c.label) for c in Channel),
        validators=[InputRequired()],
    )
    minutes = IntegerField(
        "Minutes",
        validators=[InputRequired(), NumberRange(min=1, max=600, message="Between 1 and 600.")],
    )
    topics = MultiCheckboxField(
        "Topics", choices=choices((t.value, t.label) for t in Topic), validators=[Optional()]
    )
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=5000)])
    next_steps = TextAreaField("Next steps", validators=[Optional(), Length(max=2000)])
    needs_attention = BooleanField(
        "Needs staff attention",
        description="Staff see it in their queue and follow up.",
    )
    confidential = BooleanField(
        "Confidential",
        description="Only staff and you can read the notes and next steps.",
    )
    submit = SubmitField("Save check-in")

    def values(self) -> dict:
        return {
            "held_on": self.held_on.data,
            "channel": self.channel.data,
            "minutes": self.minutes.data,
            "topics": self.topics.data or [],
            "notes": self.notes.data,
            "next_steps": self.next_steps.data,
            "needs_attention": bool(self.needs_attention.data),
            "confidential": bool(self.confidential.data),
        }


class ResolveForm(FlaskForm):
    note = TextAreaField("How it was resolved", validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField("Resolve")


class NewCheckInForm(CheckInForm):
    """Logging a check-in: a double click saves one (see ``coop.core.once``)."""

    submission_token = SubmissionTokenField()
