"""Small pieces every domain's forms use: the base form, choice lists, filters, a
checkbox list.

Every form subclasses ``FlaskForm`` from here (not Flask-WTF's): before its validators
run, a value the database cannot take becomes that field's error, so a form is shown
again instead of a server error. Whole numbers outside the INTEGER range (``IntegerField``,
``SelectField(coerce=int)``, ``SelectMultipleField``, hidden ``*_id`` fields), dates
outside 1900-2199 (date arithmetic beyond year 9999 overflows) and text that still holds
control characters (requests already drop them: see ``coop.core.inputs``) are refused.
"""

from datetime import date, datetime

import flask_wtf
from wtforms import DateField, DateTimeField, HiddenField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from coop.core.inputs import INT_MAX, INT_MIN, db_int, has_control, in_range

#: The dates a form accepts: nothing in this program is older or further ahead.
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2199, 12, 31)


def choices(pairs) -> list[SelectChoice]:
    """Select options from ``(value, label)`` or ``(value, label, render_kw)`` tuples
    (WTForms 3.3 deprecates bare tuples)."""
    return [SelectChoice(*p) for p in pairs]


def strip(value):
    """Drop the spaces phones and copy-paste add around names and addresses."""
    return value.strip() if isinstance(value, str) else value


def optional_int(value):
    """Select values for optional foreign keys: "" (none chosen) becomes None."""
    if value in (None, "", "None"):
        return None
    return db_int(value)


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _bad_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and not in_range(value)


def _number_message(field) -> str:
    low, high = INT_MIN, INT_MAX
    for v in field.validators:
        if isinstance(v, NumberRange):
            low = v.min if v.min is not None else low
            high = v.max if v.max is not None else high
    return f"Enter a whole number between {low:,} and {high:,}."


def input_problem(field) -> str | None:
    """Why the database could not take ``field``'s value, or None."""
    data = field.data
    if _bad_int(data):
        return "Not a valid choice." if hasattr(field, "choices") else _number_message(field)
    if isinstance(data, list | tuple) and any(_bad_int(v) for v in data):
        return "Not a valid choice."
    if isinstance(field, HiddenField) and field.name.endswith("_id") and isinstance(data, str):
        try:
            db_int(data)
        except ValueError:
            if data.strip().lstrip("+-").isdigit():
                return "Not a valid choice."
    if isinstance(field, DateField | DateTimeField) and isinstance(data, date):
        day = data.date() if isinstance(data, datetime) else data
        if not FIRST_DATE <= day <= LAST_DATE:
            return f"Enter a date between {FIRST_DATE.year} and {LAST_DATE.year}."
    if isinstance(data, str) and has_control(data):
        return "Remove the control characters from this field."
    return None


def _refuse(message: str):
    def validate(form, extra_validators=()):
        return False

    validate.message = message
    return validate


class FlaskForm(flask_wtf.FlaskForm):
    """Flask-WTF's form, refusing (as a field error) values the database cannot take.

    An unsafe field gets only that error: its own validators (some query the database)
    do not run; the other fields are validated as usual.
    """

    def validate(self, extra_validators=None):
        refused = {}
        for name, field in self._fields.items():
            message = input_problem(field)
            if message:
                refused[name] = message
                field.validate = _refuse(message)
        try:
            ok = super().validate(extra_validators)
        finally:
            for name in refused:
                del self._fields[name].validate
        for name, message in refused.items():
            self._fields[name].errors = [message]
        return ok and not refused
