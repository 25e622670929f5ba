from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from coop.auth.passwords import MAX_LENGTH, MIN_LENGTH
from coop.core.timezones import zone_names


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_LENGTH)])
    submit = SubmitField("Sign in")


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[
            DataRequired(),
            Length(
                min=MIN_LENGTH,
                max=MAX_LENGTH,
                message=f"Use between {MIN_LENGTH} and {MAX_LENGTH} characters.",
            ),
        ],
        description=f"At least {MIN_LENGTH} characters. A few unrelated words make a good one.",
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
    )
    submit = SubmitField("Set password")


class ResetRequestForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    submit = SubmitField("Send reset link")


class InviteForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(
        "Role",
        choices=[("staff", "Staff"), ("captain", "Captain"), ("participant", "Participant")],
    )
    all_cities = BooleanField("Staff for every city (organisation-wide)")
    cities = SelectMultipleField("Cities (for city staff)", coerce=int, validators=[Optional()])
    submit = SubmitField("Send invitation")

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.role.data == "staff" and not self.all_cities.data and not self.cities.data:
            self.cities.errors.append("Choose at least one city, or make them organisation-wide.")
            return False
        return ok


class AccountForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    timezone = SelectField(
        "Your time zone",
        description="Session times are also shown in this zone when it differs from the cohort's.",
        validators=[Optional()],
    )
    submit = SubmitField("Save")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = [("", "Same as my cohort")] + [(z, z) for z in zone_names()]
