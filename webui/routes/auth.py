"""Signing in and out (the console's session), and who am I."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response

from voxsight.webui import schemas
from voxsight.webui.deps import SESSION_COOKIE, SiteDep, Viewer, bearer_or_session, source

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/sign-in", response_model=schemas.User, responses={401: {"model": schemas.Problem},
                                                                 429: {"model": schemas.Problem}})
def sign_in(body: schemas.SignIn, request: Request, response: Response, site: SiteDep):
    """Start a console session (an ``HttpOnly`` cookie). Failed attempts are limited per name and
    per address; every attempt is audited."""
    accounts, where = site.store.accounts, source(request)
    user = accounts.authenticate(body.name, body.password, where)
    if user is None:
        if accounts.locked_out(body.name, where):
            raise HTTPException(429, "too many failed sign-ins: try again later",
                                headers={"Retry-After": str(int(accounts.lockout_s))})
        raise HTTPException(401, "wrong name or password")
    hours = site.config.web.session_hours
    secret, _ = accounts.create_token(user.name, f"console session ({where or 'unknown address'})", hours * 3600)
    response.set_cookie(SESSION_COOKIE, secret, max_age=int(hours * 3600), httponly=True, samesite="strict",
                        secure=site.config.web.secure_cookies, path="/")
    return user


@router.post("/sign-out", status_code=204)
def sign_out(who: Viewer, request: Request, response: Response, site: SiteDep):
    """End this session (a bearer token is left alone: revoke it through /tokens)."""
    secret, via = bearer_or_session(request)
    if via == "session" and secret:
        site.store.accounts.revoke_session(secret)
    who.audit(site, "sign_out")
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.status_code = 204
    return response


@router.get("/me", response_model=schemas.User)
def me(who: Viewer):
    return who.user
