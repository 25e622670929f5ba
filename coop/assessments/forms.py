"""Forms: templates, schedules, the cadence, answering (built from a template version),
pulse checks and resolving a request for help."""

import math

from wtforms import (
    FloatField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from coop.assessments.models import PULSE_DAYS_RANGE, ItemKind, Point
from coop.assessments.services import MAX_NUMBER
from coop.core.forms import FlaskForm, choices
from coop.core.once import SubmissionTokenField

ITEMS_HELP = (
    "One question a line, starting with its kind: scale: (1 to 5), yesno:, number:, text:, "
    "or choice: followed by the options, each after a | (choice: Your main tool | Excel | "
    "Sheets | SQL)."
)
SCALE = [(str(n), str(n)) for n in range(1, 6)]
YES_NO = [("1", "Yes"), ("0", "No")]


class TemplateForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(
        "Short description",
        validators=[Optional(), Length(max=500)],
        description="What it measures, shown to participants above the questions.",
    )
    items = TextAreaField(
        "Questions", validators=[DataRequired(), Length(max=12000)], description=ITEMS_HELP
    )
    submit = SubmitField("Save")


class NewTemplateForm(TemplateForm):
    """Writing a template: a double click saves one (see ``coop.core.once``)."""

    track_id = SelectField("Track", coerce=int, validators=[InputRequired()])
    submission_token = SubmissionTokenField()
    submit = SubmitField("Create assessment")


class ScheduleForm(FlaskForm):
    template_id = SelectField("Assessment", coerce=int, validators=[InputRequired()])
    point = SelectField(
        "When", choices=choices((p.value, p.label) for p in Point), validators=[InputRequired()]
    )
    week = IntegerField(
        "Week of the cohort",
        validators=[InputRequired(), NumberRange(min=1, max=104)],
        description="Week 1 starts on the cohort's start date.",
    )
    submit = SubmitField("Schedule")


class PulseDaysForm(FlaskForm):
    days = IntegerField(
        "Pulse check every (days)",
        validators=[InputRequired(), NumberRange(min=PULSE_DAYS_RANGE[0], max=PULSE_DAYS_RANGE[1])],
    )
    submit = SubmitField("Save")


class ButtonForm(FlaskForm):
    """A button that changes one thing (CSRF only)."""

    submit = SubmitField("Confirm")


class ResolveForm(FlaskForm):
    note = TextAreaField("How it was resolved", validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField("Resolve")


def finite(form, field):
    if field.data is not None and (not math.isfinite(field.data) or abs(field.data) > MAX_NUMBER):
        raise ValidationError("Give a number.")


def answer_form(items, formdata=None):
    """A form with one field per item of a version (``item_<id>``); scale, yes/no and
    choice items are radio groups (shown as fieldsets with large buttons)."""

    class AnswerForm(FlaskForm):
        submission_token = SubmissionTokenField()
        submit = SubmitField("Send my answers")

    for item in items:
        name = f"item_{item.id}"
        if item.kind == ItemKind.SCALE:
            f = RadioField(
                item.prompt,
                choices=choices(SCALE),
                validators=[InputRequired("Choose an answer.")],
                description="1 is the lowest, 5 the highest.",
            )
        elif item.kind == ItemKind.YES_NO:
            f = RadioField(
                item.prompt,
                choices=choices(YES_NO),
                validators=[InputRequired("Choose an answer.")],
            )
        elif item.kind == ItemKind.CHOICE:
            f = RadioField(
                item.prompt,
                choices=choices((o, o) for o in item.options),
                validators=[InputRequired("Choose an answer.")],
            )
        elif item.kind == ItemKind.NUMBER:
            f = FloatField(item.prompt, validators=[InputRequired("Give a number."), finite])
        else:
            f = TextAreaField(item.prompt, validators=[Optional(), Length(max=2000)])
        setattr(AnswerForm, name, f)
    form = AnswerForm(formdata) if formdata is not None else AnswerForm()
    form.item_fields = [(item, form[f"item_{item.id}"]) for item in items]
    return form


def answers_of(form) -> dict:
    """``{item id: value}`` from a validated answer form."""
    return {item.id: field.data for item, field in form.item_fields}


class PulseForm(FlaskForm):
    confidence = RadioField(
        "How confident do you feel about the program right now? (1 low, 5 high)",
        choices=choices(SCALE),
        validators=[InputRequired("Choose 1 to 5.")],
    )
    workload = RadioField(
        "How heavy does the workload feel? (1 light, 5 too much)",
        choices=choices(SCALE),
        validators=[InputRequired("Choose 1 to 5.")],
    )
    needs_help = RadioField(
        "I could use help with something",
        choices=choices(YES_NO),
        validators=[InputRequired("Choose yes or no.")],
    )
    help_with = TextAreaField(
        "What could you use help with?",
        validators=[Optional(), Length(max=500)],
        description="Your captain and the program staff see this.",
    )
    submission_token = SubmissionTokenField()
    submit = SubmitField("Send")
