"""Serving files: every route that hands over a file (a recording's audio, an export, a CSV) does it here.

A file is served with the type Voxsight probed from its content (``audio.media_type``), never one
guessed from a name someone sent; with ``nosniff`` so that a browser does not guess either; with a
sandboxing CSP so that even a file that looks like a page runs no script in Voxsight's origin; and
``inline`` only for audio a browser plays, ``attachment`` for everything else. Names go in
``Content-Disposition`` twice (RFC 6266): an ASCII ``filename=`` for old clients and the real name,
in any language, as RFC 5987 ``filename*=UTF-8''…``.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from fastapi.responses import FileResponse, Response

from voxsight import audio

# A file is a document of its own when opened: no script, no plugin, no form, nothing loaded but the
# media itself (a browser's player page plays it from its own URL).
FILE_CSP = "default-src 'none'; media-src 'self'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'"
FILE_HEADERS = {"Content-Security-Policy": FILE_CSP, "X-Content-Type-Options": "nosniff"}


def content_disposition(disposition: Literal["inline", "attachment"], filename: str) -> str:
    """The ``Content-Disposition`` header for ``filename``: an ASCII fallback and the UTF-8 name."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip() or "download"
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")  # no control characters
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", name) if unicodedata.category(ch) != "Mn")  # é → e
    fallback = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._- ()") else "_" for ch in plain).strip(" .")
    fallback = fallback or "download"
    header = f'{disposition}; filename="{fallback}"'
    if fallback != name:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header


def recording(path: Path, stem: str) -> FileResponse:
    """A stored recording, as the type its bytes are (``stem`` plus that type's extension);
    ranges work as Starlette's ``FileResponse`` serves them."""
    kind = audio.media_type(audio.read_head(path))
    disposition = "inline" if kind.playable else "attachment"
    return FileResponse(path, media_type=kind.mime, headers={
        **FILE_HEADERS, "Content-Disposition": content_disposition(disposition, f"{stem}.{kind.extension}")})


def download(content: str | bytes, media_type: str, filename: str) -> Response:
    """Content built here (an export, a CSV), always downloaded as ``filename``."""
    return Response(content, media_type=media_type, headers={
        **FILE_HEADERS, "Content-Disposition": content_disposition("attachment", filename)})
