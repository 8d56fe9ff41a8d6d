"""Receiving an uploaded recording into the storage, for the API and the console alike.

Starlette's own form parsing spools files to the system's temporary folder and only then lets a
route see them, whole; here python-multipart's streaming parser writes the file part straight into
``<storage>/.incoming/`` (the storage's filesystem, so placing it at its content address is a
rename) while the sha256 is computed, never holding it whole in memory and refusing it as soon as
it passes the size limit. The console's uploads arrive as files (Gradio received them) and are
copied into the same folder the same way (``receive_file``). Either way
``voxsight.operations.recordings.upload`` checks and submits what was received: one validation,
one submission, one audit entry, whoever uploaded it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from fastapi import HTTPException, Request
from python_multipart.multipart import MultipartParser, parse_options_header

from voxsight.operations.recordings import METADATA_FIELDS, Received

__all__ = ["FILE_FIELD", "METADATA_FIELDS", "Received", "receive", "receive_file"]

MAX_FIELDS, MAX_FIELD_BYTES = 32, 4096
FILE_FIELD = "file"
_CHUNK = 1024 * 1024


async def receive(request: Request, storage_dir: Path, max_bytes: int) -> Received:
    """Parse a ``multipart/form-data`` upload with one file part named ``file``.

    Raises:
        HTTPException: 413 past ``max_bytes``; 422 when it is not multipart, has no file part, or
            its fields are too many or too long. Nothing is left on disk then.
    """
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise HTTPException(422, "send the recording as multipart/form-data with a part named 'file'")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes + 64 * 1024:
        raise HTTPException(413, f"the upload is {int(declared):,} bytes; the limit is {max_bytes:,}")

    incoming = storage_dir / ".incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    got = Received()
    part: dict = {}
    digest = hashlib.sha256()

    def on_part_begin():
        part.clear()
        part.update(headers={}, header_field=b"", header_value=b"", value=bytearray(), file=None)

    def on_header_field(data, start, end):
        part["header_field"] += data[start:end]

    def on_header_value(data, start, end):
        part["header_value"] += data[start:end]

    def on_header_end():
        part["headers"][part["header_field"].decode("latin-1").lower()] = part["header_value"]
        part["header_field"], part["header_value"] = b"", b""

    def on_headers_finished():
        _, disposition = parse_options_header(part["headers"].get("content-disposition", b""))
        part["name"] = disposition.get(b"name", b"").decode("utf-8", "replace")
        if part["name"] == FILE_FIELD and b"filename" in disposition:
            if got.path is not None:
                raise HTTPException(422, "send one recording per upload")
            fd, name = tempfile.mkstemp(dir=incoming)
            got.path, got.filename = Path(name), disposition[b"filename"].decode("utf-8", "replace")
            part["file"] = os.fdopen(fd, "wb")
        elif len(got.fields) >= MAX_FIELDS:
            raise HTTPException(422, f"at most {MAX_FIELDS} form fields")

    def on_part_data(data, start, end):
        chunk = data[start:end]
        if part["file"] is not None:
            got.size += len(chunk)
            if got.size > max_bytes:
                raise HTTPException(413, f"the recording is over the limit of {max_bytes:,} bytes")
            if len(got.head) < 64:
                got.head += chunk[:64 - len(got.head)]
            digest.update(chunk)
            part["file"].write(chunk)
        else:
            part["value"] += chunk
            if len(part["value"]) > MAX_FIELD_BYTES:
                raise HTTPException(422, f"form field {part['name']!r} is over {MAX_FIELD_BYTES} bytes")

    def on_part_end():
        if part["file"] is not None:
            part["file"].close()
            part["file"] = None
        else:
            got.fields[part["name"]] = part["value"].decode("utf-8", "replace")

    parser = MultipartParser(boundary, callbacks={
        "on_part_begin": on_part_begin, "on_part_data": on_part_data, "on_part_end": on_part_end,
        "on_header_field": on_header_field, "on_header_value": on_header_value,
        "on_header_end": on_header_end, "on_headers_finished": on_headers_finished})
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except HTTPException:
        _close(part)
        got.discard()
        raise
    except Exception as exc:  # a malformed body, or the client went away
        _close(part)
        got.discard()
        raise HTTPException(422, f"the upload is not well-formed multipart data ({exc})") from exc
    _close(part)
    if got.path is None:
        raise HTTPException(422, "the upload has no file part named 'file'")
    got.sha256 = digest.hexdigest()
    return got


def _close(part: dict) -> None:
    if part.get("file") is not None:
        part["file"].close()
        part["file"] = None


def receive_file(path: Path, filename: str, storage_dir: Path, max_bytes: int) -> Received:
    """Copy a file already on this machine (an upload the console received) into the storage's
    incoming folder, hashing it on the way, as ``receive`` does with a request's body.

    Raises:
        HTTPException: 413 past ``max_bytes``. Nothing is left on disk then.
    """
    incoming = storage_dir / ".incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=incoming)
    got = Received(path=Path(name), filename=filename)
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out, open(path, "rb") as source:
            while chunk := source.read(_CHUNK):
                got.size += len(chunk)
                if got.size > max_bytes:
                    raise HTTPException(413, f"the recording is over the limit of {max_bytes:,} bytes")
                if len(got.head) < 64:
                    got.head += chunk[:64 - len(got.head)]
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        got.discard()
        raise
    got.sha256 = digest.hexdigest()
    return got
