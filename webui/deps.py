"""What routes depend on, as typed aliases: the site (store, queue, cache) and the signed-in user.

A request is signed in by a bearer token (``Authorization: Bearer vxs_…``, for systems) or by the
console's session cookie (a token of the same kind, made at sign-in, sent back ``HttpOnly`` and
``SameSite=Strict``, revoked at sign-out). Either way the user's role decides the rest: a route
names the least role it needs, and ``requires`` refuses anything less with 403 before the body is
read. The operation the route calls checks the role again (``voxsight.operations``): that is the
rule, the same at every door; the route's check only answers early.
"""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Path, Query, Request, Response
from pydantic import BeforeValidator

from voxsight.operations import Action, Actor, Door, accounts, audit, require
from voxsight.operations.accounts import Session
from voxsight.site import Site
from voxsight.store.accounts import Role, UserInfo

SESSION_COOKIE = "voxsight_session"
# Ids are SQL integers: an id past their range is not found, not a database error.
MAX_ID = 2**31 - 1
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
OptionalId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


def _not_a_number(value: Any) -> Any:
    try:
        float(value)
    except (TypeError, ValueError):
        return value
    raise ValueError("a date and time in ISO 8601 (2026-11-02T09:00:00+00:00), not a number")


# A moment as the OpenAPI document says (a date-time), not also a Unix time as pydantic would read "1700000000".
OptionalMoment = Annotated[datetime | None, BeforeValidator(_not_a_number)]


@dataclass(frozen=True)
class Caller:
    """Who is asking, from where, how they signed in, and through which door (the API's, or the
    console's, which signs in the same way)."""

    user: UserInfo
    source: str | None
    via: str  # "token" or "session"
    door: Door = Door.API

    @property
    def actor(self) -> Actor:
        return Actor.of(self.user, self.door, self.source)

    def audit(self, site: Site, action: Action, recording_id: int | None = None, **detail: Any) -> None:
        audit.record(site, self.actor, action, recording_id, **detail)


def get_site(request: Request) -> Site:
    return request.app.state.site


SiteDep = Annotated[Site, Depends(get_site)]


def source(request: Request) -> str | None:
    """The client's address, for the sign-in limits and the audit (the API's requests)."""
    return client_address(get_site(request), request)


def client_address(site: Site, request) -> str | None:
    """The client's address of a request (FastAPI's, or the ``gr.Request`` a console event gets):
    the direct peer, unless that is one of ``web.trusted_proxies``; then the rightmost address of
    ``X-Forwarded-For`` that is not a trusted proxy (what a client writes there itself is left of
    what our proxies appended, so it is never believed)."""
    peer = request.client.host if request.client else None
    trusted = _networks(site.config.web.trusted_proxies)
    if not _within(peer, trusted):
        return peer
    headers = request.headers  # Starlette's, or a plain mapping where Gradio rebuilt the request (its queue)
    values = headers.getlist("x-forwarded-for") if hasattr(headers, "getlist") else [headers.get("x-forwarded-for", "")]
    hops = [hop.strip() for value in values for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _within(hop, trusted):
            return hop if _address(hop) else peer  # not an address: a proxy passed junk on; say the proxy
        peer = hop
    return peer


@functools.lru_cache(maxsize=4)
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)  # checked by config


def _address(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text or "")
    except ValueError:
        return None


def _within(text: str | None, networks) -> bool:
    address = _address(text)
    return address is not None and any(address in network for network in networks)


def bearer_or_session(request: Request) -> tuple[str | None, str]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip(), "token"
    return request.cookies.get(SESSION_COOKIE), "session"


def caller(request: Request, site: SiteDep) -> Caller:
    secret, via = bearer_or_session(request)
    user = accounts.signed_in(site, secret)
    if user is None:
        raise HTTPException(401, "sign in first: a bearer token or a session is required, and this one "
                                 "is missing, expired, idle too long or revoked", headers={"WWW-Authenticate": "Bearer"})
    request.state.caller = who = Caller(user, source(request), via)  # a refusal's audit names them
    return who


def requires(role: Role):
    """The route's least role: ``Forbidden`` (403, audited as denied by ``errors``) for less."""
    def check(who: Annotated[Caller, Depends(caller)]) -> Caller:
        require(who.actor, role)
        return who
    return check


def secure_cookie(site: Site, request: Request) -> bool:
    """Whether the session cookie is ``Secure`` (``web.secure_cookies``; ``auto``: unless this
    request came over plain HTTP to a loopback address, where a browser could not send it back)."""
    mode = site.config.web.secure_cookie_mode
    if mode != "auto":
        return mode == "always"
    return not (request.url.scheme == "http" and _loopback(request.url.hostname or ""))


def _loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def set_session_cookie(site: Site, request: Request, response: Response, session: Session) -> None:
    """The session's cookie: ``HttpOnly``, ``SameSite=Strict``, for the whole site, ``Secure`` as
    ``secure_cookie`` says."""
    response.set_cookie(SESSION_COOKIE, session.secret, max_age=int(session.lifetime_s), httponly=True,
                        samesite="strict", secure=secure_cookie(site, request), path="/")


def drop_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


Viewer = Annotated[Caller, Depends(requires(Role.VIEWER))]
Analyst = Annotated[Caller, Depends(requires(Role.ANALYST))]
Supervisor = Annotated[Caller, Depends(requires(Role.SUPERVISOR))]
Admin = Annotated[Caller, Depends(requires(Role.ADMIN))]
