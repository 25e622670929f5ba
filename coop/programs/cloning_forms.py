"""Forms for cloning a cohort or a whole term."""

from wtforms import DateField, HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from coop.core.forms import FlaskForm, choices, strip
from coop.core.once import SubmissionTokenField


class CloneCohortForm(FlaskForm):
    submission_token = SubmissionTokenField()
    name = StringField(
        "Name of the new cohort",
        filters=[strip],
        validators=[DataRequired(message="Give the new cohort a name."), Length(max=120)],
        description="Suggested from the last term; change it as you like.",
    )
    start_date = DateField(
        "Start date", validators=[DataRequired(message="Enter the first day (YYYY-MM-DD).")]
    )
    end_date = DateField(
        "End date", validators=[DataRequired(message="Enter the last day (YYYY-MM-DD).")]
    )
    submit = SubmitField("Create the new cohort")


class TermChoiceForm(FlaskForm):
    class Meta:
        csrf = False  # a GET that only previews

    city = SelectField("City", coerce=int, validate_choice=False)
    term = SelectField("Term to clone", validate_choice=False)

    def __init__(self, *args, cities=(), terms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.city.choices = choices((c.id, c.name) for c in cities)
        self.term.choices = choices((t, t) for t in terms)


class CloneTermForm(FlaskForm):
    city = HiddenField(validators=[DataRequired(), Length(max=12)])
    term = HiddenField(validators=[DataRequired(), Length(max=20)])
    submit = SubmitField("Clone every cohort")
