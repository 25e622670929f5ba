"""CSV export that spreadsheets cannot execute.

A cell that starts with ``=``, ``+``, ``-``, ``@``, tab, carriage return or NUL may be
run as a formula when the file is opened in Excel, LibreOffice or Google Sheets (CSV
injection). Every export writes through ``writer`` (or ``csv_response``), which prefixes
such cells with ``'`` so they show as text.

    from coop.core.csvsafe import csv_response
    return csv_response("roster.csv", ["name", "email"], rows)
"""

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime

from flask import Response

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
