"""Forms for captain requests and pod pairings by CSV."""

from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, HiddenField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional

from coop.coaching.request_models import DECLINE_LABELS
from coop.core.forms import FlaskForm, choices, optional_int, strip
from coop.core.once import SubmissionTokenField


class AskForm(FlaskForm):
    submission_token = SubmissionTokenField()
    email = EmailField(
        "Graduate's email",
        filters=[strip],
        validators=[
            Optional(),
            Email(message="Enter a valid email address."),
            Length(max=254),
        ],
    )
    #: Current partner volunteer captains (``requests.volunteer_choices``), set by the view.
    volunteer = SelectField(
        "Or a partner volunteer", coerce=optional_int, validators=[Optional()], choices=[]
    )
    message = StringField(
        "A note for them (optional)", filters=[strip], validators=[Length(max=1000)]
    )
    submit = SubmitField("Send the request")

    def __init__(self, *args, volunteers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.volunteer.choices = choices([("", "—")] + list(volunteers))

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if bool(self.email.data) == bool(self.volunteer.data):
            self.email.errors.append("Enter a graduate's email address or choose a volunteer.")
            return False
        return True


class AskTeamForm(FlaskForm):
    source = SelectField("Captains of", coerce=int, validate_choice=False)
    submit = SubmitField("Ask them all")

    def __init__(self, *args, cohorts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.source.choices = choices((c.id, c.name) for c in cohorts)


class ButtonForm(FlaskForm):
    submit = SubmitField("Go")


class DeclineForm(FlaskForm):
    reason = RadioField(
        "Why not?",
        choices=choices((r.value, label) for r, label in DECLINE_LABELS.items()),
        validators=[DataRequired(message="Choose a reason.")],
    )
    note = StringField("Anything to add? (optional)", filters=[strip], validators=[Length(max=500)])
    submit = SubmitField("Decline")


class PairingImportForm(FlaskForm):
    file = FileField(
        "Pairings file (CSV)",
        validators=[FileRequired(message="Choose a CSV file to upload.")],
        description="UTF-8 CSV with the columns participant_email and captain_email.",
    )
    submit = SubmitField("Check the file")


class ConfirmPairingsForm(FlaskForm):
    content = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Import")


class FitForm(FlaskForm):
    #: The suggestions staff saw (``fit.fingerprint``).
    fingerprint = HiddenField(validators=[DataRequired(), Length(max=64)])
    even = HiddenField(validators=[Length(max=1)])
    submit = SubmitField("Accept these pods")
