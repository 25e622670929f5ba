from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange

from coop.core.forms import FlaskForm
from coop.core.once import SubmissionTokenField

MAX_DAYS = 90


class AnnouncementForm(FlaskForm):
    submission_token = SubmissionTokenField()
    audience = SelectField("To", validators=[DataRequired()])
    title = StringField("Title", validators=[DataRequired(), Length(max=120)])
    body = TextAreaField("Message", validators=[DataRequired(), Length(max=5000)])
    days = IntegerField(
        "Shown on cohort pages for (days)",
        default=14,
        validators=[DataRequired(), NumberRange(min=1, max=MAX_DAYS)],
    )
    submit = SubmitField("Send")
