"""What every response carries and what every state-changing request must show, in one place.

``SecurityHeaders`` puts a Content Security Policy on every response (one per kind of page: the
API's JSON loads nothing at all, the sign-in page only its own styles, the console only from this
origin, a served file nothing but its media, in a sandbox), forbids framing (clickjacking), stops
type sniffing, sends no referrer to other sites (URLs name recordings) and turns off the browser features nothing
here uses. A response that set its own policy (``files``) keeps it.

``SameOriginWrites`` refuses a state-changing request (POST, PUT, PATCH, DELETE) that the session
cookie would authorise unless it comes from this site's own pages: its ``Origin`` (or, from a
browser that sends none or ``null``, ``Sec-Fetch-Site: same-origin``) must be this origin. ``SameSite=Strict``
alone lets a sibling subdomain (same site, another origin) post with the cookie. Requests signed
with a bearer token are not cookie-authorised, so not checked: a page elsewhere cannot add that
header without a CORS grant, which this site never gives. Behind a reverse proxy, the proxy must
pass the browser's ``Host`` through.
"""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from voxsight.webui.deps import SESSION_COOKIE
from voxsight.webui.errors import audit_refusal, problem
from voxsight.webui.files import FILE_CSP

_EVERYWHERE = "frame-ancestors 'none'; base-uri 'none'"
API_CSP = f"default-src 'none'; form-action 'none'; {_EVERYWHERE}"
SIGN_IN_CSP = f"default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; {_EVERYWHERE}"
# Gradio's page boots from inline scripts and styles it writes per request, and its HTML component
# renders every gr.HTML through a template compiled with Function(): those stay allowed (without
# 'unsafe-eval' the console's top bar, transcripts and tables are blank). Everything else
# (scripts, styles, fonts, the player's audio, its API calls) only from this origin.
CONSOLE_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
               "style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data: blob:; media-src 'self' blob:; font-src 'self' data:; "
               "worker-src 'self' blob:; object-src 'none'; form-action 'self'; "
               "frame-ancestors 'none'; base-uri 'self'")
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Not no-referrer: under it browsers send ``Origin: null`` with the site's own form posts and
    # fetches, and the same-origin check below could not tell them from anyone's.
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), display-capture=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# What Gradio serves of the files it holds (an analytics report, an upload being shown).
CONSOLE_FILES = ("/console/gradio_api/file=", "/console/gradio_api/file/", "/console/file=", "/console/file/")


def docs_csp(inline_script: str) -> str:
    """The API documents' page: Swagger UI from this origin, and its one inline script by hash."""
    digest = base64.b64encode(hashlib.sha256(inline_script.encode()).digest()).decode()
    return (f"default-src 'none'; script-src 'self' 'sha256-{digest}'; style-src 'self' 'unsafe-inline'; "
            f"img-src 'self' data:; connect-src 'self'; form-action 'none'; {_EVERYWHERE}")


class SecurityHeaders:
    """The headers above on every response; ``policies``: a CSP for paths that start so, the
    first match winning (the API's own otherwise)."""

    def __init__(self, app: ASGIApp, policies: tuple[tuple[str, str], ...] = ()):
        self.app = app
        self.policies = ((*((prefix, FILE_CSP) for prefix in CONSOLE_FILES), *policies,
                          ("/sign-in", SIGN_IN_CSP), ("/console", CONSOLE_CSP)))

    def policy(self, path: str) -> str:
        return next((csp for prefix, csp in self.policies if path.startswith(prefix)), API_CSP)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = self.policy(scope["path"])

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                headers.setdefault("Content-Security-Policy", csp)
            await send(message)

        await self.app(scope, receive, with_headers)


class SameOriginWrites:
    """403 for a cookie-authorised state-changing request from anywhere but this origin."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in UNSAFE_METHODS:
            request = Request(scope)
            if _by_cookie(request) and not same_origin(request):
                reason = ("a signed-in change must come from this site's own pages (its Origin "
                          "or Sec-Fetch-Site header says it came from elsewhere, or from nowhere)")
                await audit_refusal(request, reason)
                await problem(403, reason)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _by_cookie(request: Request) -> bool:
    """Whether the session cookie is what would authorise it: at the API a bearer token wins over
    the cookie (``deps.bearer_or_session``); everywhere else only the cookie counts."""
    if SESSION_COOKIE not in request.cookies:
        return False
    bearer = request.headers.get("authorization", "").lower().startswith("bearer ")
    return not (bearer and request.url.path.startswith("/api/"))


def same_origin(request: Request) -> bool:
    """Whether a request comes from this site's own pages, by what browsers say (pages cannot
    forge either): ``Origin``, or where it is missing or ``null`` ``Sec-Fetch-Site``. A request
    with neither is not taken for one.

    This origin is the ``Host`` the browser asked, at the scheme it used; an ``https`` origin is
    also taken for this one when the request reached us as ``http`` (a reverse proxy ended TLS)."""
    origin = request.headers.get("origin")
    if origin in (None, "null"):
        return request.headers.get("sec-fetch-site") == "same-origin"
    host = request.headers.get("host", "").lower()
    parts = urlsplit(origin)
    return (bool(host) and parts.netloc.lower() == host
            and parts.scheme in (request.url.scheme, "https" if request.url.scheme == "http" else ""))
