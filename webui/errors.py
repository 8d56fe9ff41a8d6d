"""The one place errors become HTTP responses: RFC 9457 problem details with the reason.

Library errors map by class (the nearest class in the table wins): an operation's refusal
(``Forbidden``) is 403, a failed sign-in 401 and a locked-out one 429, at the API as at every other
door; an upload that is not audio at all (``NotAudio``) is 415. The web tier's own refusals (a missing
session, 413) are ``HTTPException``s. Every body is ``application/problem+json``, and ``problems`` is
how the routes say so in the OpenAPI document.

Every 403 is audited here, whoever raised it (a route's least role, an operation's policy): as
``denied``, with the path, the method and the role that was needed.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException

from voxsight.errors import (AccountError, AlertError, AudioError, ConfigError, Forbidden, LockedOut, ModelError,
                             NotAudio, NotFound, QueueError, RulesError, SignInFailed, StoreError, VoxsightError)
from voxsight.operations import Actor, Door, accounts, audit
from voxsight.webui.deps import bearer_or_session, source
from voxsight.webui.schemas import Problem

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

# Nearest class first: an error is answered with the status of the first class it is an instance of.
HTTP_STATUS: tuple[tuple[type[Exception], int], ...] = (
    (Forbidden, 403),  # the role or the policy refuses it
    (LockedOut, 429),  # too many failed sign-ins, for now
    (SignInFailed, 401),
    (NotFound, 404),  # an unknown id or name
    (NotAudio, 415),  # the upload is not audio at all
    (AudioError, 422),  # ... or not usable audio
    (RulesError, 422),
    (AlertError, 409),  # a lifecycle step the alert cannot take now
    (AccountError, 409),  # a taken name...
    (StoreError, 503),  # the database is unreachable or out of date
    (QueueError, 503),  # Redis is unreachable
    (ModelError, 503),  # the models are not in place
    (ConfigError, 500),
    (VoxsightError, 422),  # any other error Voxsight raises on purpose is about the request
    (ValueError, 422),  # a parameter the library refused
    (DataError, 422),  # a value the database cannot hold (a NUL character in text...)
)


def problems(*statuses: int) -> dict[int | str, dict]:
    """The ``responses=`` that document these statuses as problem details, under the media type
    they are sent with (FastAPI's ``model=`` would say ``application/json``)."""
    schema = Problem.model_json_schema()
    return {status: {"description": HTTPStatus(status).phrase, "content": {PROBLEM_JSON: {"schema": schema}}}
            for status in statuses}


def problem(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status,
                         "detail": detail}, status_code=status, headers=headers,
                        media_type=PROBLEM_JSON)


def _allowed(request: Request) -> str:
    path = request.scope["path"]
    return ", ".join(sorted({method for route in request.app.router.routes if getattr(route, "methods", None)
                             and route.path_regex.match(path) for method in route.methods}))


def _audit_denied(request: Request, refusal: Forbidden) -> None:
    site = request.app.state.site
    door = Door.CONSOLE if request.url.path.startswith("/console") else Door.API
    try:
        who = getattr(request.state, "caller", None)
        actor = who.actor if who else _signed_in_as(site, request, door)
        audit.denied(site, refusal, actor, door, source(request), path=request.url.path, method=request.method)
    except Exception:  # the refusal is answered even when the log cannot take it
        log.exception("could not audit a refused %s %s", request.method, request.url.path)


def _signed_in_as(site, request: Request, door: Door) -> Actor | None:
    """Who a request refused before any route is signed in as, if anyone (not a use of the session)."""
    secret, _ = bearer_or_session(request)
    user = accounts.signed_in(site, secret, touch=False) if secret else None
    return Actor.of(user, door, source(request)) if user else None


async def audit_refusal(request: Request, reason: str) -> None:
    """Audit a 403 that a middleware answers itself (the Origin check, the console's file checks),
    as every other 403 is: ``denied``, with who asked when they are signed in."""
    await run_in_threadpool(_audit_denied, request, Forbidden(reason))


def install(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        headers = getattr(exc, "headers", None)
        if exc.status_code == 403:
            await run_in_threadpool(_audit_denied, request, Forbidden(str(exc.detail)))
        if exc.status_code == 405:  # Starlette names the methods of one route; a path may have several
            headers = {**(headers or {}), "Allow": _allowed(request)}
        return problem(exc.status_code, str(exc.detail), headers)

    @app.exception_handler(RequestValidationError)
    async def bad_parameters(_request: Request, exc: RequestValidationError):
        reasons = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        return problem(422, reasons or "invalid request")

    async def library_error(request: Request, exc: Exception):
        status = next(status for cls, status in HTTP_STATUS if isinstance(exc, cls))
        if isinstance(exc, Forbidden):
            await run_in_threadpool(_audit_denied, request, exc)
        headers = {"Retry-After": str(int(exc.retry_after_s))} if isinstance(exc, LockedOut) else None
        # A database error's own words, without the statement and parameters SQLAlchemy adds.
        return problem(status, str(getattr(exc, "orig", None) or exc).splitlines()[0], headers)

    for cls, _status in HTTP_STATUS:  # Starlette finds a handler along the error's class hierarchy
        app.add_exception_handler(cls, library_error)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem(500, f"internal error ({type(exc).__name__}); the server log has the details")
