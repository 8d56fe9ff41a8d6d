"""CSV that a spreadsheet opens as data, never as formulas: every CSV Voxsight writes (the audit
log, reports, a call's transcript, at every door) goes through ``cell`` or ``dumps``.

Spreadsheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and some also
one that starts with a tab or a carriage return (OWASP's "CSV injection" list), even after leading
spaces; the full-width forms are normalised to these by some spreadsheets' input methods. Such a
text cell gets a leading ``'``, which the spreadsheet shows as text. Numbers stay numbers: an int or
a float, or a text that is a plain decimal number (``-3.5``), is written as it is, so a negative
figure is not quoted and still sums.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any, Iterable

_FORMULA_START = frozenset("=+-@\t\r\n＝＋－＠")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def cell(value: Any) -> Any:
    """``value`` as a CSV cell: None as empty, numbers as they are, a dict or list as JSON, text
    neutralised when a spreadsheet would run it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return value
    text = json.dumps(value, ensure_ascii=False, default=str) if isinstance(value, (dict, list, tuple)) else str(value)
    if _NUMBER.fullmatch(text):
        return text
    if text[:1] in _FORMULA_START or text.lstrip()[:1] in _FORMULA_START:
        return "'" + text
    return text


def dumps(header: Iterable[Any], rows: Iterable[Iterable[Any]], lineterminator: str = "\r\n") -> str:
    """A CSV document (``\\r\\n`` line ends, as RFC 4180 says) with every cell through ``cell``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=lineterminator)
    writer.writerow([cell(v) for v in header])
    writer.writerows([cell(v) for v in row] for row in rows)
    return out.getvalue()
