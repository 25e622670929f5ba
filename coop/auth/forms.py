from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from coop.auth.models import Role
from coop.auth.passwords import MAX_LENGTH, MIN_LENGTH, password_problem
from coop.core.forms import FlaskForm, strip
from coop.core.timezones import zone_names


def acceptable_password(form, field) -> None:
    """The password rules: a length between MIN_LENGTH and MAX_LENGTH characters, and not
    one of the 10,000 most common passwords."""
    problem = password_problem(field.data)
    if problem:
        raise ValidationError(problem)


class LoginForm(FlaskForm):
    email = EmailField("Email", filters=[strip], validators=[DataRequired(), Length(max=254)])
    # Only an upper bound here: the hash check is what decides, and a huge input would cost
    # argon2 time for nothing.
    password = PasswordField("Password", validators=[InputRequired(), Length(max=MAX_LENGTH)])
    submit = SubmitField("Sign in")


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[InputRequired(message="Choose a password."), acceptable_password],
        description=(
            f"Between {MIN_LENGTH} and {MAX_LENGTH} characters, and not a common password. "
            "A few unrelated words make a good one."
        ),
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[
            InputRequired(message="Repeat the password."),
            EqualTo("password", message="The two passwords differ."),
        ],
    )
    submit = SubmitField("Set password")


class ResetRequestForm(FlaskForm):
    email = EmailField(
        "Email", filters=[strip], validators=[DataRequired(), Email(), Length(max=254)]
    )
    submit = SubmitField("Send reset link")


class InviteForm(FlaskForm):
    name = StringField("Full name", filters=[strip], validators=[DataRequired(), Length(max=120)])
    email = EmailField(
        "Email", filters=[strip], validators=[DataRequired(), Email(), Length(max=254)]
    )
    role = SelectField(
        "Role",
        choices=[
            SelectChoice(Role.STAFF.value, "Staff"),
            SelectChoice(Role.CAPTAIN.value, "Captain"),
            SelectChoice(Role.PARTICIPANT.value, "Participant"),
        ],
    )
    #: Removed from the form for city-limited staff, who cannot grant it.
    all_cities = BooleanField("Staff for every city (organisation-wide)")
    cities = SelectMultipleField(
        "Cities (for staff)",
        coerce=int,
        validators=[Optional()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        description="The cities a staff member manages. Ignored for captains and participants.",
    )
    submit = SubmitField("Send invitation")

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        everywhere = "all_cities" in self and self.all_cities.data
        if ok and self.role.data == "staff" and not everywhere and not self.cities.data:
            self.cities.errors.append("Choose at least one city, or make them organisation-wide.")
            return False
        return ok


class ActiveForm(FlaskForm):
    """The deactivate / reactivate button on the people page."""

    active = HiddenField(validators=[AnyOf(["0", "1"])])


class ResendInviteForm(FlaskForm):
    """The "send the invitation again" button on the people page."""


class AccountForm(FlaskForm):
    name = StringField("Full name", filters=[strip], validators=[DataRequired(), Length(max=120)])
    timezone = SelectField(
        "Your time zone",
        description="Session times are also shown in this zone when it differs from the cohort's.",
        validators=[Optional()],
    )
    submit = SubmitField("Save")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = [SelectChoice("", "None: show times in the cohort's zone only")] + [
            SelectChoice(z) for z in zone_names()
        ]
