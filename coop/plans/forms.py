from wtforms import DateField, HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from coop.core.forms import FlaskForm, choices
from coop.core.links import HttpsUrl, normalise_https_url
from coop.core.once import SubmissionTokenField
from coop.plans.models import GoalKind, StepOwner, StepStatus
from coop.plans.services import COMMENT_MAX


def strip(value):
    return value.strip() if isinstance(value, str) else value


class GoalForm(FlaskForm):
    submission_token = SubmissionTokenField()
    kind = SelectField(
        "Kind of goal",
        choices=choices([(k.value, k.label) for k in GoalKind]),
        validators=[InputRequired()],
    )
    goal_title = StringField("Goal", filters=[strip], validators=[DataRequired(), Length(max=200)])
    target_date = DateField("Target date", validators=[Optional()])
    submit = SubmitField("Add goal")


class StepForm(FlaskForm):
    submission_token = SubmissionTokenField()
    goal = SelectField("Goal", coerce=int, validators=[InputRequired()])
    step_title = StringField("Step", filters=[strip], validators=[DataRequired(), Length(max=200)])
    owner = SelectField(
        "Owner",
        choices=choices([(o.value, o.label) for o in StepOwner]),
        validators=[InputRequired()],
    )
    due_date = DateField("Due date", validators=[DataRequired()])
    submit = SubmitField("Add step")


class StepUpdateForm(FlaskForm):
    status = SelectField(
        "Status",
        choices=choices([(s.value, s.label) for s in StepStatus]),
        validators=[InputRequired()],
    )
    comment = StringField(
        "Comment", filters=[strip], validators=[Optional(), Length(max=COMMENT_MAX)]
    )
    submit = SubmitField("Save")


class CredentialForm(FlaskForm):
    submission_token = SubmissionTokenField()
    credential_type = SelectField("Credential", coerce=int, validators=[InputRequired()])
    earned_on = DateField("Earned on", validators=[DataRequired()])
    credential_ref = StringField(
        "Credential ID", filters=[strip], validators=[Optional(), Length(max=120)]
    )
    link = StringField(
        "Link to the credential",
        filters=[normalise_https_url],
        validators=[
            Optional(),
            Length(max=500),
            HttpsUrl(example="https://www.credly.com/badges/..."),
        ],
    )
    submit = SubmitField("Record credential")


class CredentialTypeForm(FlaskForm):
    submission_token = SubmissionTokenField()
    track = SelectField("Track", coerce=int, validators=[InputRequired()])
    name = StringField("Credential", filters=[strip], validators=[DataRequired(), Length(max=120)])
    issuer = StringField("Issuer", filters=[strip], validators=[DataRequired(), Length(max=120)])
    submit = SubmitField("Add to catalogue")


class ConfirmForm(FlaskForm):
    id = HiddenField()
    submit = SubmitField("Verify")
