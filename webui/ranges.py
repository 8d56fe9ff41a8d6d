"""Whether an HTTP range request reads a file from its first byte, for the audit of a listening.

Starlette's ``FileResponse`` serves the ranges; this only says whether what it serves includes
byte 0, however the request writes it (RFC 9110 §14.1.2): ``bytes=0-``, ``bytes=00-``, a list
with any range from 0, a suffix ``bytes=-N`` at least as long as the file, or anything for which
the whole file is sent (no Range, an ``If-Range`` that no longer matches, a Range that does not
parse). Only a Range that certainly starts later is "not from the start": when in doubt, a read
counts as one from the first byte (audited, never hidden).
"""

from __future__ import annotations

import re

_SPEC = re.compile(r"([0-9]*)[ \t]*-[ \t]*([0-9]*)")
MAX_RANGES = 100  # as Starlette: past this many it sends the whole file


def from_start(range_header: str | None, if_range: str | None, size: int) -> bool:
    """Whether a GET with these headers reads a file of ``size`` bytes from byte 0."""
    if not range_header or if_range is not None:  # If-Range: the whole file unless it matches
        return True
    unit, _, specs = range_header.partition("=")
    if unit.strip().lower() != "bytes":
        return True
    parts = [p.strip() for p in specs.split(",") if p.strip()]
    if not parts or len(parts) > MAX_RANGES:
        return True
    for part in parts:
        spec = _SPEC.fullmatch(part)
        if spec is None or not (spec[1] or spec[2]):
            return True  # not a range we can read: count it as the whole file
        first, suffix = spec[1], spec[2]
        if first and int(first) == 0:
            return True
        if not first and int(suffix) >= size:  # the last N bytes, N covering the whole file
            return True
    return False
