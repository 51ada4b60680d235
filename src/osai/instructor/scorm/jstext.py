"""Values as JavaScript writes and reads them: ``String(number)``, ``JSON.stringify``,
``JSON.parse``.

The SCORM adapter (``_static/osai-scorm.js``) hands the LMS text that JavaScript made: a
numeric answer as ``String(answer)`` and the saved answers as ``JSON.stringify``.  Python
writes the same text here, character for character, so :mod:`.responses` can say what the
LMS holds for an answer:

* :func:`number_text` follows ECMAScript's Number::toString: the shortest digits that read
  back as the same double (Python's ``repr`` finds the same digits), written plain from
  1e-6 up to 1e21 and with an exponent outside (``1e+21``, ``1e-7``), ``-0`` as ``0``;
* :func:`json_text` follows ``JSON.stringify``: no spaces, numbers by :func:`number_text`
  (a non-finite one as ``null``), strings with only ``"``, ``\\`` and control characters
  escaped (lone surrogates as ``\\udxxx``), and an object's integer-like keys first in
  ascending order, as JavaScript objects keep them;
* :func:`parse_json` follows ``JSON.parse``: every number is a double (a whole one below
  2**53 comes back as a Python int, as JSON gives it), and ``NaN``/``Infinity``, which
  Python's json accepts, are not JSON.

Used by :mod:`osai.instructor.scorm.responses`; tests compare both with node.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from typing import Any

__all__ = ["json_text", "number_text", "parse_json"]

_ESCAPES = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"',
            "\\": "\\\\"}
_QUOTED = re.compile('[\\x00-\\x1f"\\\\\ud800-\udfff]')
#: the largest array index + 1: keys "0" ... "4294967294" come first in a JS object
_INDEX_LIMIT = 2**32 - 1


def number_text(x: float) -> str:
    """``String(x)`` in JavaScript, for a number (a Python int is read as JS reads it from
    JSON: the nearest double)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(f"not a number: {x!r}")
    try:
        x = float(x)
    except OverflowError:  # an int beyond the doubles reads as Infinity in JavaScript
        x = math.inf if x > 0 else -math.inf
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    exp: int
    _, digits, exp = Decimal(repr(abs(x))).as_tuple()  # type: ignore[assignment]
    ds = "".join(map(str, digits)).rstrip("0")
    exp += len(digits) - len(ds)
    k = len(ds)
    n = k + exp  # the value is 0.ds x 10**n
    if k <= n <= 21:
        return sign + ds + "0" * (n - k)
    if 0 < n <= 21:
        return sign + ds[:n] + "." + ds[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + ds
    e = n - 1
    mantissa = ds if k == 1 else ds[0] + "." + ds[1:]
    return f"{sign}{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"


def _string(text: str) -> str:
    def one(m: re.Match) -> str:
        ch = m.group()
        return _ESCAPES.get(ch) or f"\\u{ord(ch):04x}"

    return '"' + _QUOTED.sub(one, text) + '"'


def _is_index(key: str) -> bool:
    return key.isascii() and key.isdigit() and str(int(key)) == key \
        and int(key) < _INDEX_LIMIT


def json_text(value) -> str:
    """``JSON.stringify(value)`` in JavaScript, for JSON-able Python values."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        text = number_text(value)
        return "null" if text in ("NaN", "Infinity", "-Infinity") else text
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(json_text(v) for v in value) + "]"
    if isinstance(value, dict):
        keys = [str(k) for k in value]
        if len(set(keys)) != len(keys):
            raise ValueError("two keys of one object read the same as text")
        items = {str(k): v for k, v in value.items()}
        ordered = sorted((k for k in items if _is_index(k)), key=int) + \
            [k for k in items if not _is_index(k)]
        return "{" + ",".join(f"{_string(k)}:{json_text(items[k])}" for k in ordered) + "}"
    raise TypeError(f"not a JSON value: {value!r}")


def _double(text: str) -> float | int:
    value = float(text)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _not_json(name: str):
    raise ValueError(f"{name} is not JSON")


def parse_json(text: str) -> Any:
    """``JSON.parse(text)`` in JavaScript, as Python values; ValueError if it is not JSON."""
    return json.loads(text, parse_int=_double, parse_float=_double,
                      parse_constant=_not_json)
