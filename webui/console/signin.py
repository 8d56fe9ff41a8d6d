"""Signing in and out of the console: small HTML pages in front of it, on the API's session.

``POST /sign-in`` makes the call the API's sign-in route makes (``operations.accounts.sign_in``):
the same password check, the same backoff (429 while a name or an address waits), the same
audit (door console) and the same ``HttpOnly``, ``SameSite=Strict`` cookie, which then authorises the console, the audio player and the
API alike. ``/`` and the console's own page send whoever is not signed in here. The pages load
nothing from anywhere else: the sites are air-gapped.
"""

from __future__ import annotations

from html import escape
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from voxsight.errors import LockedOut, SignInFailed
from voxsight.operations import Actor, Door, accounts
from voxsight.webui.console.access import session_user
from voxsight.webui.deps import (SESSION_COOKIE, SiteDep, drop_session_cookie, get_site, set_session_cookie,
                                 source)

CONSOLE = "/console/"
SIGN_IN = "/sign-in"

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request, site: SiteDep):
    return RedirectResponse(CONSOLE if session_user(site, request) else SIGN_IN, 303)


@router.get(SIGN_IN, response_class=HTMLResponse)
def sign_in_page(request: Request, site: SiteDep, signed_out: bool = False):
    if session_user(site, request):
        return RedirectResponse(CONSOLE, 303)
    return _page(notice="You are signed out." if signed_out else "")


@router.post(SIGN_IN, response_class=HTMLResponse)
def sign_in(request: Request, site: SiteDep, name: Annotated[str, Form(max_length=128)] = "",  # nosec B107 # a form's default
            password: Annotated[str, Form(max_length=1024)] = ""):
    if not _same_origin(request):  # a form posted from another site must not sign anyone in
        return _page(error="Sign in from the console's own page.", status=403)
    if not name or not password:
        return _page(name, error="Enter your name and password.", status=422)
    try:
        session = accounts.sign_in(site, Door.CONSOLE, source(request), name, password)
    except LockedOut as exc:
        return _page(name, error=_sentence(exc), status=429, headers={"Retry-After": str(int(exc.retry_after_s))})
    except SignInFailed as exc:
        return _page(name, error=_sentence(exc), status=401)
    response = RedirectResponse(CONSOLE, 303)
    set_session_cookie(site, request, response, session)
    return response


@router.get("/sign-out")
def sign_out(request: Request, site: SiteDep):
    """Ends the session. A GET is safe here: the cookie is ``SameSite=Strict``, so no other site
    can make a browser sign out."""
    secret = request.cookies.get(SESSION_COOKIE)
    user = accounts.signed_in(site, secret)
    if user is not None:
        accounts.sign_out(site, Actor.of(user, Door.CONSOLE, source(request)), secret)
    response = RedirectResponse(f"{SIGN_IN}?signed_out=true", 303)
    drop_session_cookie(response)
    return response


class SignInFirst:
    """Sends a browser that opens the console without a live session to the sign-in page (Gradio
    itself would answer 401 with a JSON body)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] in ("/console", CONSOLE):
            request = Request(scope)
            if await run_in_threadpool(session_user, get_site(request), request) is None:
                await RedirectResponse(SIGN_IN, 303)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _sentence(exc: Exception) -> str:
    return f"{str(exc)[:1].upper()}{str(exc)[1:]}."


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin") or request.headers.get("referer")
    return origin is None or urlsplit(origin).netloc == request.headers.get("host")


def _page(name: str = "", error: str = "", notice: str = "", status: int = 200,
          headers: dict[str, str] | None = None) -> HTMLResponse:
    message = (f'<p class="error" role="alert">{escape(error)}</p>' if error else
               f'<p class="notice">{escape(notice)}</p>' if notice else "")
    return HTMLResponse(_PAGE.format(message=message, name=escape(name, quote=True)), status, headers=headers)


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Voxsight</title>
<style>
  body {{ margin: 0; min-height: 100vh; display: grid; place-items: center; background: #f3f5f8;
         font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2433; }}
  main {{ width: min(360px, 90vw); background: #fff; border: 1px solid #dde2ea; border-radius: 12px;
         padding: 32px 28px; box-shadow: 0 8px 24px rgba(20, 30, 50, .06); }}
  h1 {{ font-size: 22px; margin: 0 0 4px; letter-spacing: -.01em; }}
  h1 span {{ color: #2f6fdb; }}
  .sub {{ color: #5b6475; margin: 0 0 22px; }}
  label {{ display: block; font-weight: 600; margin: 14px 0 6px; }}
  input {{ box-sizing: border-box; width: 100%; padding: 10px 12px; border: 1px solid #c7cfdb; border-radius: 8px;
          font: inherit; }}
  input:focus {{ outline: 2px solid #2f6fdb; border-color: #2f6fdb; }}
  button {{ width: 100%; margin-top: 22px; padding: 11px; border: 0; border-radius: 8px; background: #2f6fdb;
           color: #fff; font: inherit; font-weight: 600; cursor: pointer; }}
  button:hover {{ background: #2459b8; }}
  .error {{ background: #fdecec; color: #8f1d1d; border: 1px solid #f3c2c2; padding: 9px 12px; border-radius: 8px; }}
  .notice {{ background: #eef4ff; color: #1f4a99; padding: 9px 12px; border-radius: 8px; }}
  footer {{ margin-top: 20px; color: #7b8494; font-size: 13px; }}
</style></head>
<body><main>
  <h1>Vox<span>sight</span></h1>
  <p class="sub">Speech analytics console</p>
  {message}
  <form method="post" action="/sign-in" autocomplete="on">
    <label for="name">Name</label>
    <input id="name" name="name" value="{name}" autocomplete="username" required autofocus>
    <label for="password">Password</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required>
    <button type="submit" id="sign-in">Sign in</button>
  </form>
  <footer>Everything stays on this site's network. No account? Ask your administrator.</footer>
</main></body></html>
"""
