from wtforms import BooleanField, SubmitField

from coop.core.forms import FlaskForm


class SharingForm(FlaskForm):
    share_email = BooleanField("Show my email address")
    share_phone = BooleanField("Show my phone number")
    submit = SubmitField("Save")
