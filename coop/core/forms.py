"""Small pieces every domain's forms use: choice lists, filters, a checkbox list."""

from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget


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
    return int(value)


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
