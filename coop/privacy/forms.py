"""Forms of the data-rights pages."""

from wtforms import StringField, SubmitField, ValidationError
from wtforms.validators import DataRequired, Length

from coop.core.forms import FlaskForm


class WithdrawConsentForm(FlaskForm):
    confirm = StringField(
        "Type WITHDRAW to confirm",
        validators=[DataRequired(message="Type WITHDRAW to confirm."), Length(max=20)],
    )
    submit = SubmitField("Withdraw my consent")

    def validate_confirm(self, field):
        if (field.data or "").strip().upper() != "WITHDRAW":
            raise ValidationError("Type WITHDRAW to confirm.")


class EraseForm(FlaskForm):
    confirm = StringField(
        "Type the person's email address, or ERASE, to confirm",
        validators=[DataRequired(message="Type the email address or ERASE."), Length(max=254)],
    )
    submit = SubmitField("Erase this person's data")

    def __init__(self, *args, email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self._email = email.lower()

    def validate_confirm(self, field):
        typed = (field.data or "").strip()
        if typed != "ERASE" and typed.lower() != self._email:
            raise ValidationError("That is neither the person's email address nor ERASE.")
