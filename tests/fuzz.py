"""Helpers for the fuzz test: finding the forms a page shows, plausible and hostile
values for their fields, and a one-statement count of every table's rows."""

from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import sqlalchemy as sa
from hypothesis import strategies as st

from coop.extensions import db

DATA = Path(__file__).parent / "sessions" / "data"

#: Hostile text: NUL and other control characters, a 10,000-character string, HTML,
#: numbers no column holds, malformed and out-of-range dates and times, odd Unicode.
HOSTILE = [
    "\x00",
    "Fuzz\x00value",
    "\x01\x02\x07\x08\x0b\x0c\x1b[31m\x7f",
    "x" * 10_000,
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    str(2**31),
    str(2**63),
    str(-(2**31) - 1),
    "-1",
    "-99999999999999999999",
    "9" * 5000,
    "1e309",
    "NaN",
    "2026-02-30",
    "0000-00-00",
    "9999-12-31",
    "0001-01-01",
    "31/12/2026",
    "25:61",
    "",
    " ",
    "\u202e\ufeff\u200b",
    "%00",
    "' OR 1=1 --",
]

#: Hostile uploads: NUL bytes, a cell over the csv module's 131,072-character limit,
#: bytes that are not UTF-8, a real meeting report with NUL in its cells, nothing.
_REPORT = (DATA / "meeting-report-participants-only.csv").read_bytes()
HOSTILE_FILES = [
    b"\x00" * 64,
    b"email,name\nfuzz@example.com,Fu\x00zz\n",
    b"email,name\nfuzz@example.com," + b"x" * 131_073 + b"\n",
    b"Name,Email,Join Time,Leave Time\n" + b"x" * 131_073 + b",a@b.c,,\n",
    b"\xff\xfe\x00\x00not utf-8 \xe9\n",
    _REPORT.replace(b"@", b"\x00@", 3),
    _REPORT.replace(b",", b"," + b"y" * 300 + b"@example.com", 1),
    b"",
]

TEXT_TYPES = {"text", "email", "url", "tel", "search", "password", "textarea", ""}
DATE_TYPES = {"date", "datetime-local", "time", "month", "week"}


@dataclass
class Field:
    name: str
    kind: str  #: the input type, "select", "textarea" or "button"
    values: list[str] = field(default_factory=list)  #: value(s) shown, options
    multiple: bool = False

    @property
    def is_text(self) -> bool:
        return self.kind in TEXT_TYPES

    @property
    def is_date(self) -> bool:
        return self.kind in DATE_TYPES

    def plausible(self):
        """A value a person could send."""
        options = [v for v in self.values if v not in ("", "None")]
        if self.kind == "file":
            return (
                (DATA / "meeting-report-participants-only.csv").read_bytes()
                if "report" in self.name
                else (b"email,name\nfuzz.person@example.com,Fuzz Person\n")
            )
        if self.kind in ("select", "radio", "checkbox", "button", "hidden", "submit"):
            if self.multiple:
                return options[:1]
            return options[0] if options else (self.values[0] if self.values else "")
        if self.values and self.values[0]:
            return self.values[0]
        return {
            "email": "fuzz.person@example.com",
            "url": "https://example.com/fuzz",
            "tel": "555-0100",
            "password": "correct horse battery staple 42",
            "date": date.today().isoformat(),
            "time": "18:00",
            "datetime-local": f"{date.today().isoformat()}T18:00",
            "number": "1",
        }.get(self.kind, "Fuzz value")

    def hostile(self, value: str):
        """``value`` in the shape this field is sent in."""
        if self.kind == "file":
            return value
        return [value] if self.multiple else value


@dataclass
class Form:
    page: str  #: the URL of the page showing it
    action: str
    method: str
    fields: list[Field]

    @property
    def fuzzable(self) -> list[Field]:
        return [f for f in self.fields if f.name != "csrf_token"]

    def csrf(self) -> dict:
        return {f.name: f.values[0] for f in self.fields if f.name == "csrf_token" and f.values}


class _FormParser(HTMLParser):
    def __init__(self, page: str):
        super().__init__()
        self.page = page
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._fields: dict[str, Field] = {}
        self._select: Field | None = None
        self._textarea: Field | None = None

    def _field(self, name: str, kind: str, multiple: bool = False) -> Field:
        if name not in self._fields:
            self._fields[name] = Field(name, kind, multiple=multiple)
            self._form.fields.append(self._fields[name])
        return self._fields[name]

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            action = a.get("action") or self.page
            self._form = Form(self.page, action, (a.get("method") or "get").lower(), [])
            self._fields = {}
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("reset", "image"):
                return
            existed = name in self._fields
            f = self._field(name, kind)
            if kind == "checkbox" and existed:
                f.multiple = True
            f.values.append(a.get("value") or ("y" if kind == "checkbox" else ""))
        elif tag == "button" and name:
            self._field(name, "button").values.append(a.get("value") or "")
        elif tag == "select" and name:
            self._select = self._field(name, "select", multiple="multiple" in a)
        elif tag == "option" and self._select is not None:
            self._select.values.append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = self._field(name, "textarea")
            self._textarea.values.append("")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.values[-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_on(page: str, html: str) -> list[Form]:
    parser = _FormParser(page)
    parser.feed(html)
    return parser.forms


def query_keys(url: str) -> set[str]:
    return {k for k, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)}


def table_counts() -> tuple:
    """Every table's row count, in one statement."""
    tables = db.metadata.sorted_tables
    counts = [
        sa.select(sa.func.count()).select_from(t).scalar_subquery().label(t.name) for t in tables
    ]
    return tuple(db.session.execute(sa.select(*counts)).one())


def values_strategy(form: Form):
    """Each field either plausible or hostile: hostile text from the list, random short
    text with control characters, or a whole number of any size."""
    hostile_text = st.one_of(
        st.sampled_from(HOSTILE),
        st.text(st.characters(max_codepoint=0x2FF, exclude_categories=["Cs"]), max_size=12),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
    )
    per_field = {}
    for f in form.fuzzable:
        if f.kind == "file":
            per_field[f.name] = st.one_of(st.just(f.plausible()), st.sampled_from(HOSTILE_FILES))
        else:
            per_field[f.name] = st.one_of(st.just(f.plausible()), hostile_text.map(f.hostile))
    return st.fixed_dictionaries(per_field)
