"""The console's files: the one folder Gradio keeps them in, and what it may be handed as one.

Gradio keeps what browsers upload (``/console/gradio_api/upload``) and the files the console hands
back (report exports) in one folder, its ``GRADIO_TEMP_DIR``: here ``<data_dir>/console-files``,
not the machine's ``/tmp``. It is emptied when the server starts, Gradio empties it when the
server stops, and every ``SWEEP_EVERY_S`` it removes the files it made there more than
``KEEP_S`` ago (an upload not yet analyzed, an export not yet downloaded); ``analyze.submit``
removes an upload as soon as it is stored.

An event's data names a file by a path, and Gradio would take any path, or an http(s) URL that it
then downloads: its own check that a path was uploaded (``processing_utils._check_allowed``) runs
only once ``blocks.has_launched``, which ``gradio.mount_gradio_app`` never sets. So ``mount`` sets
it, and ``UploadedOnly`` looks at every request to the console before Gradio does: a file object
must name a file inside the folder (no URL, no other path), a multipart body goes only to the
upload route, and only from a user whose role may upload. ``analyze.submit`` checks the path once
more before it reads a file.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from pathlib import Path

from fastapi.concurrency import run_in_threadpool
from python_multipart.multipart import parse_options_header
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from voxsight.config import Config
from voxsight.errors import Forbidden
from voxsight.store.accounts import Role
from voxsight.webui.console import access
from voxsight.webui.deps import get_site
from voxsight.webui.errors import audit_refusal

FOLDER = "console-files"
SWEEP_EVERY_S, KEEP_S = 600, 1800
UPLOADER = Role.ANALYST  # the least role that may put a file in the folder (Analyze's)
MAX_EVENT_BYTES = 4 * 1024 * 1024  # an event's JSON (files travel by the upload route, not in it)

__all__ = ["FOLDER", "KEEP_S", "SWEEP_EVERY_S", "UploadedOnly", "export_file", "folder", "prepare", "uploaded"]


def folder(config: Config) -> Path:
    """Gradio's folder for this site."""
    return (Path(config.data_dir) / FOLDER).resolve()


def prepare(config: Config) -> Path:
    """Empty the folder (what a server stopped hard left there) and make Gradio use it.

    Gradio reads the folder from the environment wherever it needs it (``utils.get_upload_folder``),
    so it is set there, before the console's Blocks and Gradio's app are made.
    """
    path = folder(config)
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(mode=0o700, parents=True)
    os.environ["GRADIO_TEMP_DIR"] = str(path)
    return path


def export_file(config: Config, name: str) -> Path:
    """A new path in the folder for a file the console hands back (Gradio serves it from there and
    sweeps it with the rest), in a directory of its own so that its name can be the one shown."""
    directory = folder(config) / "exports" / secrets.token_hex(16)
    directory.mkdir(mode=0o700, parents=True)
    return directory / name


def uploaded(config: Config, path: str | Path) -> Path:
    """``path``, resolved, once it names a file inside the folder.

    Raises:
        Forbidden: it is a URL, a relative path, or anywhere else.
    """
    if not _inside(folder(config), path):
        raise Forbidden("the console takes only files uploaded through it")
    return Path(path).resolve()


def _inside(root: Path, path) -> bool:
    if not isinstance(path, (str, Path)) or "://" in str(path) or not Path(path).is_absolute():
        return False
    try:
        return Path(path).resolve().is_relative_to(root)
    except (OSError, ValueError):  # a NUL byte, a loop of links
        return False


def _file_paths(data):
    """Every ``path`` of a file object (a dict with a string ``path``, as Gradio tells them) in
    an event's JSON, however deep."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("path"), str):
                yield item["path"]
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


class UploadedOnly:
    """What the console at ``prefix`` lets through to Gradio (see the module's note)."""

    def __init__(self, app: ASGIApp, prefix: str, root: Path):
        self.app, self.prefix, self.root = app, prefix.rstrip("/"), root
        self.upload = f"{self.prefix}/gradio_api/upload"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == self.prefix or path.startswith(self.prefix + "/")):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        refusal = None
        if "/file=" in path and "://" in path:  # Gradio would fetch it and answer with what it got
            refusal = PlainTextResponse("the console serves no URLs", 403)
        elif scope["method"] in ("POST", "PUT", "PATCH"):
            kind, _ = parse_options_header(request.headers.get("content-type", ""))
            if path.rstrip("/") == self.upload or kind == b"multipart/form-data":
                refusal = await self._uploader(request, path)
            else:
                body = await _body(receive)
                refusal = self._event(body)
                receive = _replay(body, receive)
        if refusal is not None:
            if refusal.status_code == 403:
                await audit_refusal(request, refusal.body.decode())
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _uploader(self, request: Request, path: str) -> PlainTextResponse | None:
        if path.rstrip("/") != self.upload:
            return PlainTextResponse("the console takes files only at its upload route", 403)
        site = get_site(request)
        try:
            who = await run_in_threadpool(access.caller, site, request)
        except Forbidden as exc:
            return PlainTextResponse(str(exc), 401)
        try:
            access.require(who, UPLOADER)
        except Forbidden as exc:
            return PlainTextResponse(str(exc), 403)
        return None

    def _event(self, body: bytes | None) -> PlainTextResponse | None:
        if body is None:
            return PlainTextResponse(f"an event's data is at most {MAX_EVENT_BYTES:,} bytes", 413)
        try:
            data = json.loads(body)
        except ValueError:  # not JSON: Gradio refuses it itself, and it names no file
            return None
        if any(not _inside(self.root, p) for p in _file_paths(data)):
            return PlainTextResponse("the console takes only files uploaded through it", 403)
        return None


async def _body(receive: Receive) -> bytes | None:
    """The request's body, or None past ``MAX_EVENT_BYTES``."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_EVENT_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes | None, then: Receive) -> Receive:
    """The body read once more for Gradio, then what the client sends next (its disconnect)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return await then()
        sent = True
        return {"type": "http.request", "body": body or b"", "more_body": False}
    return receive
