"""Signing in and out (the console's session), and who am I.

``start_session`` and ``end_session`` are what the API's routes and the console's sign-in page
both call: the same check, the same lockout, the same audit, the same cookie.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response

from voxsight.store.accounts import UserInfo
from voxsight.webui import schemas
from voxsight.site import Site
from voxsight.webui.deps import SESSION_COOKIE, SiteDep, Viewer, bearer_or_session, source
from voxsight.webui.errors import problems

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/sign-in", response_model=UserInfo, responses=problems(401, 429))
def sign_in(body: schemas.SignIn, request: Request, response: Response, site: SiteDep):
    """Start a console session (an ``HttpOnly`` cookie). Failed attempts are limited per name and
    per address; every attempt is audited."""
    return start_session(site, body.name, body.password, source(request), response)


@router.post("/sign-out", status_code=204)
def sign_out(who: Viewer, request: Request, response: Response, site: SiteDep):
    """End this session (a bearer token is left alone: revoke it through /tokens)."""
    end_session(site, request, response)
    who.audit(site, "sign_out")
    response.status_code = 204
    return response


@router.get("/me", response_model=UserInfo)
def me(who: Viewer):
    return who.user


def start_session(site: Site, name: str, password: str, where: str | None, response: Response) -> UserInfo:
    """Check the password (audited, limited), make a session and set its cookie on ``response``.

    Raises:
        HTTPException: 429 while sign-ins as ``name`` (or from ``where``) are locked out, 401 otherwise.
    """
    accounts = site.store.accounts
    user = accounts.authenticate(name, password, where)
    if user is None:
        if accounts.locked_out(name, where):
            raise HTTPException(429, "too many failed sign-ins: try again later",
                                headers={"Retry-After": str(int(accounts.lockout_s))})
        raise HTTPException(401, "wrong name or password")
    hours = site.config.web.session_hours
    secret, _ = accounts.create_token(user.name, f"console session ({where or 'unknown address'})", hours * 3600)
    response.set_cookie(SESSION_COOKIE, secret, max_age=int(hours * 3600), httponly=True, samesite="strict",
                        secure=site.config.web.secure_cookies, path="/")
    return user


def end_session(site: Site, request: Request, response: Response) -> None:
    """Revoke the request's session, if it came with one, and drop its cookie."""
    secret, via = bearer_or_session(request)
    if via == "session" and secret:
        site.store.accounts.revoke_session(secret)
    response.delete_cookie(SESSION_COOKIE, path="/")
