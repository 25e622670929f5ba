"""Forms of the talent pool."""

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, Length, Optional

from coop.core.forms import FlaskForm, MultiCheckboxField, optional_int, strip
from coop.core.links import HttpsUrl, normalise_https_url
from coop.core.once import SubmissionTokenField
from coop.talent.skills import MAX_TAG


class ProfileForm(FlaskForm):
    headline = StringField(
        "Headline",
        validators=[DataRequired(), Length(max=160)],
        filters=[strip],
        description="One line employers read first, e.g. “Data analyst with retail experience”.",
    )
    summary = TextAreaField(
        "Summary", validators=[Optional(), Length(max=2000)], description="A short paragraph."
    )
    skills = MultiCheckboxField("Skills", coerce=str, validators=[Optional()])
    tags = StringField(
        "Other skills",
        validators=[Optional(), Length(max=600)],
        description=f"Separated by commas; each under {MAX_TAG} characters.",
    )
    target_roles = StringField(
        "Roles you are looking for",
        validators=[Optional(), Length(max=300)],
        filters=[strip],
        description="Separated by commas, e.g. “Marketing coordinator, SEO specialist”.",
    )
    city_id = SelectField("City", coerce=optional_int, validators=[Optional()])
    remote = BooleanField("I would work remotely")
    relocate = BooleanField("I would relocate")
    available_from = DateField("Available from", validators=[Optional()])
    linkedin_url = URLField(
        "LinkedIn",
        validators=[
            Optional(),
            Length(max=500),
            HttpsUrl(example="https://www.linkedin.com/in/you"),
        ],
        filters=[normalise_https_url],
    )
    portfolio_url = URLField(
        "Portfolio",
        validators=[Optional(), Length(max=500), HttpsUrl(example="https://you.example.org")],
        filters=[normalise_https_url],
    )
    submit = SubmitField("Save profile")


class ResumeForm(FlaskForm):
    resume = FileField(
        "Résumé (PDF, at most 2 MB)", validators=[FileRequired("Choose your résumé file.")]
    )
    submit = SubmitField("Upload résumé")


class ButtonForm(FlaskForm):
    """A button with nothing but its CSRF token."""

    submit = SubmitField("Go")


class ReasonForm(FlaskForm):
    reason = StringField("Reason", validators=[DataRequired(), Length(max=500)], filters=[strip])
    submit = SubmitField("Send back")


class IntroductionForm(FlaskForm):
    opening_id = SelectField(
        "For one of your openings (optional)", coerce=optional_int, validators=[Optional()]
    )
    message = TextAreaField(
        "Message to the person (optional)", validators=[Optional(), Length(max=1000)]
    )
    submission_token = SubmissionTokenField()
    submit = SubmitField("Request an introduction")


class PartnerOpeningForm(FlaskForm):
    title = StringField("Job title", validators=[DataRequired(), Length(max=160)], filters=[strip])
    city_id = SelectField("City", coerce=optional_int, validators=[Optional()])
    remote = BooleanField("Remote (can be done from anywhere)")
    url = URLField(
        "Link to the posting",
        validators=[Optional(), Length(max=500), HttpsUrl(example="https://jobs.example.com/1")],
        filters=[normalise_https_url],
    )
    track_id = SelectField("Track it fits", coerce=optional_int, validators=[Optional()])
    closes_on = DateField("Closing date", validators=[Optional()])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    submission_token = SubmissionTokenField()
    submit = SubmitField("Post opening")


class ApprovalSettingForm(FlaskForm):
    openings_need_approval = BooleanField("Staff approve this partner's openings before the board")
    submit = SubmitField("Save setting")
