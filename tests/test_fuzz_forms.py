"""Hostile input never makes a 500, and a refused submission changes nothing.

For each demo role (and an anonymous visitor) the demo data is crawled from where that
person lands; every ``<form method=post>`` found (one per kind of action URL) is
submitted, with its real CSRF token, with NUL bytes and other control characters,
10,000-character strings, HTML, whole numbers no column holds, negative numbers,
malformed and out-of-range dates and hostile CSV uploads: first a fixed set of cases
(each group of fields hostile, the others plausible), then Hypothesis's own mixes.
List pages' query strings (the keys they link with, their filter forms' fields, ``q``
and ``page``) get the same values.

Every answer must be below 500. When a submission is refused (the form shown again with
errors, or 400, 403, 404, 405, 413, 429), every table holds as many rows as before.
Runs on SQLite and, with ``COOP_TEST_DATABASE_URL``, on PostgreSQL, which is where NUL
and over-long strings fail.
"""

import io
from collections import Counter
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from coop.auth.models import User
from coop.demo import seed
from coop.extensions import db
from tests.crawl import crawl, kind
from tests.fuzz import (
    HOSTILE,
    HOSTILE_FILES,
    Form,
    forms_on,
    query_keys,
    table_counts,
    values_strategy,
)

ROLES = {
    "anonymous": None,
    "staff": "staff@coop.example",
    "nyc_staff": "nyc.staff@coop.example",
    "captain": "captain@coop.example",
    "participant": "participant@coop.example",
    "partner": "partner@coop.example",
}
STARTS = {"anonymous": ("/apply", "/login", "/reset")}

#: Forms each role must reach, at least, so the test cannot silently cover nothing.
MIN_FORMS = {
    "anonymous": 3,
    "staff": 40,
    "nyc_staff": 40,
    "captain": 10,
    "participant": 5,
    "partner": 6,
}

#: Signing out ends the session every later form needs (it takes only the CSRF token).
EXCLUDED_ACTIONS = {"/logout"}

#: Hypothesis's examples per form and per list page, after the fixed cases.
RANDOM_EXAMPLES = 3

REFUSED = {400, 403, 404, 405, 413, 422, 429}

SETTINGS = settings(
    max_examples=RANDOM_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)

TEXT_CASES = ["<b>Fuzz</b>\x00val\x01ue\x1b", "x" * 10_000]
NUMBER_CASES = [str(2**31), str(-(2**63))]
DATE_CASES = ["2026-02-30", "9999-12-31"]
QUERY_CASES = ["\x00<script>", "x" * 10_000, "543677067462", "-2026-02-30"]


class Fuzzer:
    def __init__(self, client, login_as, email: str | None):
        self.client, self.login_as, self.email = client, login_as, email
        self.problems: list[str] = []
        self.answers: Counter[int] = Counter()
        self.accepted = 0
        self.login()

    def login(self):
        if self.email:
            self.login_as(db.session.scalar(db.select(User).where(User.email == self.email)))

    def fresh(self, form: Form) -> Form | None:
        """The form as its page shows it now (a new CSRF token), or None if gone."""
        response = self.client.get(form.page)
        if response.status_code != 200:
            return None
        for found in forms_on(form.page, response.get_data(as_text=True)):
            if found.action == form.action and found.method == "post":
                return found
        return None

    def submit(self, form: Form, values: dict, retry: bool = True) -> Form:
        data = dict(form.csrf())
        for name, value in values.items():
            data[name] = (io.BytesIO(value), "fuzz.csv") if isinstance(value, bytes) else value
        shown = {
            k: (v if not isinstance(v, str) or len(v) < 40 else v[:20] + "…")
            for k, v in values.items()
            if not isinstance(v, bytes)
        }
        before = table_counts()
        try:
            response = self.client.post(form.action, data=data)
        except Exception as exc:  # TESTING propagates what would be a 500
            db.session.rollback()
            self.problems.append(f"POST {form.action} {shown}: {type(exc).__name__}: {exc}"[:500])
            self.answers[500] += 1
            return form
        status = response.status_code
        html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        if status == 400 and "Form expired" in html:
            # The session's token was replaced (the role signed in again): not an answer.
            if retry:
                again = self.fresh(form)
                if again is not None:
                    return self.submit(again, values, retry=False)
            self.problems.append(f"POST {form.action}: the CSRF token was not accepted")
            return form
        self.answers[status] += 1
        if status >= 500:
            self.problems.append(f"POST {form.action} {shown} answered {status}")
        refused = status in REFUSED or (status == 200 and "is-invalid" in html)
        if refused and table_counts() != before:
            self.problems.append(
                f"POST {form.action} {shown} was refused ({status}) but changed rows"
            )
        if not refused:
            self.accepted += 1
        if status in (302, 303) and urlsplit(response.location).path == "/login":
            self.login()  # an accepted change signed this person out (a new password)
            return self.fresh(form) or form
        return form

    def fuzz_form(self, form: Form) -> None:
        fields = form.fuzzable
        plausible = {f.name: f.plausible() for f in fields}
        groups = [
            ([f for f in fields if f.is_text], TEXT_CASES),
            (
                [f for f in fields if not (f.is_text or f.is_date or f.kind == "file")],
                NUMBER_CASES,
            ),
            ([f for f in fields if f.is_date], DATE_CASES),
        ]
        cases = [plausible]
        for members, values in groups:
            if members:
                for value in values:
                    cases.append(plausible | {f.name: f.hostile(value) for f in members})
        files = [f for f in fields if f.kind == "file"]
        for content in HOSTILE_FILES if files else ():
            cases.append(plausible | {f.name: content for f in files})
        current = form
        for values in cases:
            current = self.submit(current, values)

        @SETTINGS
        @given(values_strategy(form))
        def random_values(values):
            nonlocal current
            current = self.submit(current, values)

        random_values()

    def fuzz_query(self, path: str, keys: set[str]) -> None:
        def get(params: dict) -> None:
            try:
                response = self.client.get(path, query_string=params)
            except Exception as exc:
                db.session.rollback()
                self.problems.append(
                    f"GET {path} {list(params)}: {type(exc).__name__}: {exc}"[:500]
                )
                return
            if response.status_code >= 500:
                self.problems.append(f"GET {path} {list(params)} answered {response.status_code}")

        for value in QUERY_CASES:
            get({k: value for k in keys})

        @SETTINGS
        @given(st.fixed_dictionaries({k: st.sampled_from(HOSTILE) for k in sorted(keys)}))
        def random_query(params):
            get(params)

        random_query()


def discover(client, starts) -> tuple[list[Form], dict[str, set[str]]]:
    """The post forms (one per kind of action and set of fields) and the list pages'
    query keys reachable from ``starts``."""
    pages = crawl(client, *starts, max_pages=250, per_kind=2)
    forms: dict[tuple, Form] = {}
    queries: dict[str, tuple[str, set[str]]] = {}  # kind of page -> (a path, its keys)

    def add_query(path: str, keys) -> None:
        queries.setdefault(kind(path), (path, set()))[1].update(keys)

    for url, page in pages.items():
        if not page.html:
            continue
        if query_keys(url):
            add_query(urlsplit(url).path, query_keys(url))
        for form in forms_on(url, page.html):
            action = urlsplit(form.action).path
            if form.method != "post":
                add_query(action, (f.name for f in form.fields))
            elif action not in EXCLUDED_ACTIONS:
                key = (kind(action), tuple(sorted(f.name for f in form.fields)))
                forms.setdefault(key, form)
    targets = {path: keys | {"q", "page"} for path, keys in queries.values()}
    return list(forms.values()), targets


@pytest.fixture
def demo(db):
    seed()
    db.session.commit()


@pytest.mark.parametrize("role", list(ROLES))
def test_hostile_input_never_answers_500(client, login_as, csrf_enabled, demo, role):
    fuzzer = Fuzzer(client, login_as, ROLES[role])
    forms, queries = discover(client, STARTS.get(role, ("/",)))
    fields = sum(len(f.fuzzable) for f in forms)
    print(f"\n{role}: {len(forms)} forms, {fields} fields, {len(queries)} list pages")

    for form in forms:
        fuzzer.fuzz_form(form)
    for path, keys in sorted(queries.items()):
        fuzzer.fuzz_query(path, keys)

    print(f"{role}: answers {dict(sorted(fuzzer.answers.items()))}, {fuzzer.accepted} accepted")
    assert fuzzer.problems == []
    assert len(forms) >= MIN_FORMS[role]
    # Something got through: the plausible submissions are not all refused.
    assert fuzzer.accepted > 0
