"""Forms of two-step sign-in: the code at sign-in, confirming the app, turning it off."""

from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length

from coop.auth.passwords import MAX_LENGTH
from coop.core.forms import FlaskForm, strip


class SignInCodeForm(FlaskForm):
    code = StringField(
        "Code",
        filters=[strip],
        validators=[DataRequired(message="Enter the code."), Length(max=40)],
        description="The 6-digit code your authenticator app shows now, or one of your "
        "recovery codes.",
        render_kw={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"},
    )
    submit = SubmitField("Continue")


class EnableMfaForm(FlaskForm):
    code = StringField(
        "Code from the app",
        filters=[strip],
        validators=[DataRequired(message="Enter the code your app shows."), Length(max=10)],
        description="After adding coop to the app, type the 6-digit code it shows.",
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
    submit = SubmitField("Turn on two-step sign-in")


class DisableMfaForm(FlaskForm):
    password = PasswordField("Your password", validators=[InputRequired(), Length(max=MAX_LENGTH)])
    submit = SubmitField("Turn off two-step sign-in")


class ResetMfaForm(FlaskForm):
    """The "reset two-step sign-in" button on the people page."""
