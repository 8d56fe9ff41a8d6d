"""Signing in and out (the console's session), and who am I: calls into
``voxsight.operations.accounts``, which the console's sign-in page makes too."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from voxsight.operations import Door, accounts
from voxsight.store.accounts import UserInfo
from voxsight.webui import schemas
from voxsight.webui.deps import (SiteDep, Viewer, bearer_or_session, drop_session_cookie, set_session_cookie,
                                 source)
from voxsight.webui.errors import problems

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/sign-in", response_model=UserInfo, responses=problems(401, 429))
def sign_in(body: schemas.SignIn, request: Request, response: Response, site: SiteDep):
    """Start a console session (an ``HttpOnly`` cookie). After a few failed attempts for a name from an
    address (or many for a name, or from an address) each further one waits, doubling (429 with
    ``Retry-After`` meanwhile); every attempt is audited."""
    session = accounts.sign_in(site, Door.API, source(request), body.name, body.password)
    set_session_cookie(site, request, response, session)
    return session.user


@router.post("/sign-out", status_code=204)
def sign_out(who: Viewer, request: Request, response: Response, site: SiteDep):
    """End this session (a bearer token is left alone: revoke it through /tokens)."""
    secret, via = bearer_or_session(request)
    accounts.sign_out(site, who.actor, secret if via == "session" else None)
    drop_session_cookie(response)
    response.status_code = 204
    return response


@router.get("/me", response_model=UserInfo)
def me(who: Viewer):
    return who.user
