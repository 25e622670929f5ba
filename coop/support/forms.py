from wtforms import DateField, SelectField, SubmitField
from wtforms.validators import InputRequired, Optional

from coop.core.forms import FlaskForm, choices
from coop.core.once import SubmissionTokenField
from coop.support.models import Need, SupportStatus


class SupportForm(FlaskForm):
    submission_token = SubmissionTokenField()
    need = SelectField(
        "Need", choices=choices([(n.value, n.label) for n in Need]), validators=[InputRequired()]
    )
    partner = SelectField("Community partner", coerce=int, validators=[InputRequired()])
    submit = SubmitField("Refer")


class AdvanceForm(FlaskForm):
    status = SelectField(
        "New status",
        choices=choices(
            [(s.value, s.label) for s in SupportStatus if s != SupportStatus.REQUESTED]
        ),
        validators=[InputRequired()],
    )
    on = DateField("On", validators=[Optional()])
    submit = SubmitField("Save")
