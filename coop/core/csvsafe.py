"""CSV export that spreadsheets cannot execute, and reading uploaded CSV safely.

A cell that starts with ``=``, ``+``, ``-``, ``@``, tab, carriage return or NUL may be
run as a formula when the file is opened in Excel, LibreOffice or Google Sheets (CSV
injection). Every export writes through ``writer`` (or ``csv_response``), which prefixes
such cells with ``'`` so they show as text.

    from coop.core.csvsafe import csv_response
    return csv_response("roster.csv", ["name", "email"], rows)

Every import reads its upload through ``read_rows``: the rows as lists of cells, without
NUL and other control characters (PostgreSQL refuses NUL in text), or a ``CSVReadError``
whose message can be shown on the upload form as it is (a cell longer than
``MAX_CELL`` characters, a broken quote).
"""

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime

from flask import Response

from coop.core.inputs import clean_text

#: The longest cell a reader accepts (the csv module's own limit).
MAX_CELL = csv.field_size_limit()


class CSVReadError(ValueError):
    """The upload cannot be read as CSV; the message says why, for the person."""


#: Leading characters a spreadsheet may treat as the start of a formula.
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")


def neutralise(value) -> str:
    """The cell as text, with a leading ``'`` if it would start a formula.

    Numbers are written as they are (``-3`` stays a number); only text is prefixed.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if text.startswith(DANGEROUS_PREFIXES):
        return "'" + text
    return text


class SafeWriter:
    """A ``csv.writer`` whose rows are neutralised cell by cell."""

    def __init__(self, stream, **kwargs):
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row: Iterable) -> None:
        self._writer.writerow([neutralise(v) for v in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def writer(stream, **kwargs) -> SafeWriter:
    """Like ``csv.writer(stream)``, neutralising every cell."""
    return SafeWriter(stream, **kwargs)


def to_csv(header: Iterable, rows: Iterable[Iterable]) -> str:
    """The whole CSV as text (header first), every cell neutralised."""
    out = io.StringIO()
    w = writer(out)
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue()


def csv_response(filename: str, header: Iterable, rows: Iterable[Iterable]) -> Response:
    """A download of the rows as UTF-8 CSV (with a BOM so Excel reads the accents)."""
    body = "\ufeff" + to_csv(header, rows)
    safe_name = "".join(c if c.isalnum() or c in "-_." else "-" for c in filename) or "export.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{safe_name}"',
            "Cache-Control": "no-store",
        },
    )


def read_rows(text: str) -> list[list[str]]:
    """Every row of CSV ``text``, each cell without control characters (TAB, LF and CR
    kept). Raises ``CSVReadError`` for a cell over ``MAX_CELL`` characters or bad CSV."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    try:
        for row in reader:
            rows.append([clean_text(cell) for cell in row])
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise CSVReadError(
                f"Row {reader.line_num} has a cell longer than {MAX_CELL:,} characters."
            ) from exc
        raise CSVReadError(
            f"The file is not a readable CSV near row {reader.line_num}: {exc}."
        ) from exc
    return rows
