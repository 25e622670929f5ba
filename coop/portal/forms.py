from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField


class SharingForm(FlaskForm):
    share_email = BooleanField("Show my email address")
    share_phone = BooleanField("Show my phone number")
    submit = SubmitField("Save")
