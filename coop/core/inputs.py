"""Every value a request brings in, made safe for the database in one place.

``init_app`` makes the app use ``SafeRequest``, whose ``args``, ``form`` and ``files``
drop NUL and the other C0 control characters (TAB, LF and CR are kept) from every key and
value (and from uploaded file names): PostgreSQL refuses NUL in text, and nothing a
person types contains the others. Their ``get(..., type=int)`` and
``getlist(..., type=int)`` treat a whole number the database cannot hold (outside
PostgreSQL's INTEGER, the type of every integer column here) like any other invalid
value: the default, or skipped. The ``<int:...>`` URL converter answers 404 above that
range, as it does for an id that does not exist.

Forms get the same rules from ``coop.core.forms.Form``; CSV uploads from
``coop.core.csvsafe.read_rows``.
"""

import re

from flask import Flask, Request
from werkzeug.datastructures import FileStorage, ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter, UnicodeConverter, ValidationError

#: The range of PostgreSQL's INTEGER (SQLAlchemy's Integer): every id and count column.
INT_MIN = -(2**31)
INT_MAX = 2**31 - 1

#: C0 control characters except TAB, LF and CR, and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str) -> str:
    """``value`` without NUL and the other control characters (TAB, LF, CR kept)."""
    return _CONTROL.sub("", value)


def has_control(value: str) -> bool:
    return _CONTROL.search(value) is not None


def in_range(number: int) -> bool:
    return INT_MIN <= number <= INT_MAX


def db_int(value) -> int:
    """``int(value)`` that also refuses (ValueError) what an INTEGER column cannot hold."""
    number = int(value)
    if not in_range(number):
        raise ValueError(f"{number} is outside {INT_MIN}..{INT_MAX}")
    return number


def _clean(value):
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, FileStorage) and isinstance(value.filename, str):
        value.filename = clean_text(value.filename)
    return value


def _pairs(mapping):
    if mapping is None:
        return []
    if isinstance(mapping, MultiDict):
        return list(mapping.items(multi=True))
    if isinstance(mapping, dict):
        return [
            (key, value)
            for key, values in mapping.items()
            for value in (values if isinstance(values, list | tuple) else [values])
        ]
    return list(mapping)


class SafeMultiDict(ImmutableMultiDict):
    """An ImmutableMultiDict of cleaned keys and values whose ``type=int`` is bounded."""

    def __init__(self, mapping=None):
        super().__init__([(_clean(k), _clean(v)) for k, v in _pairs(mapping)])

    def get(self, key, default=None, type=None):
        return super().get(key, default, db_int if type is int else type)

    def getlist(self, key, type=None):
        return super().getlist(key, db_int if type is int else type)


class SafeRequest(Request):
    parameter_storage_class = SafeMultiDict


class BoundedIntegerConverter(IntegerConverter):
    """``<int:...>`` that matches only what an INTEGER column can hold (else 404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        if signed and min is None:
            min = INT_MIN
        if max is None:
            max = INT_MAX
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class CleanStringConverter(UnicodeConverter):
    """``<name>`` (tokens, table names) that does not match control characters (404)."""

    def to_python(self, value: str) -> str:
        if has_control(value):
            raise ValidationError()
        return value


def init_app(app: Flask) -> None:
    """Call before any route is added (converters are bound as rules are added)."""
    app.request_class = SafeRequest
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.url_map.converters["default"] = CleanStringConverter
    app.url_map.converters["string"] = CleanStringConverter
