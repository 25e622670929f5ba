"""coop.core.csvsafe: cells a spreadsheet could run as formulas are neutralised."""

import csv
import io
from datetime import UTC, date, datetime

import pytest

from coop.core import csvsafe


@pytest.mark.parametrize(
    "cell",
    ["=1+1", "+1 555 0100", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "\0NUL", "=cmd|' /C calc'!A0"],
)
def test_dangerous_text_is_prefixed(cell):
    assert csvsafe.neutralise(cell) == "'" + cell


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Ana Diaz", "Ana Diaz"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (True, "yes"),
        (False, "no"),
        (42, "42"),
        (-3, "-3"),  # a number, not text: no formula
        (2.5, "2.5"),
        (date(2026, 3, 1), "2026-03-01"),
        (datetime(2026, 3, 1, 18, 30, tzinfo=UTC), "2026-03-01T18:30:00+00:00"),
    ],
)
def test_safe_values_are_kept(value, expected):
    assert csvsafe.neutralise(value) == expected


def test_writer_neutralises_every_cell_and_round_trips():
    out = io.StringIO()
    w = csvsafe.writer(out)
    w.writerow(["name", "note"])
    w.writerows([["=evil()", 'quote " and, comma'], ["ok", "-minus"]])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == [["name", "note"], ["'=evil()", 'quote " and, comma'], ["ok", "'-minus"]]


def test_csv_response_is_a_download(app):
    with app.test_request_context():
        response = csvsafe.csv_response('bad"name.csv', ["a"], [["@x"]])
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="bad-name.csv"'
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    assert body.lstrip("\ufeff").splitlines() == ["a", "'@x"]
