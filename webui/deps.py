"""What routes depend on, as typed aliases: the site (store, queue, cache) and the signed-in user.

A request is signed in by a bearer token (``Authorization: Bearer vxs_…``, for systems) or by the
console's session cookie (a token of the same kind, made at sign-in, sent back ``HttpOnly`` and
``SameSite=Strict``, revoked at sign-out). Either way the user's role decides the rest: a route
names the least role it needs, and ``requires`` refuses anything less with 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Path, Query, Request
from pydantic import BeforeValidator

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
    """Who is asking, from where, and how they signed in."""

    user: UserInfo
    source: str | None
    via: str  # "token" or "session"

    def audit(self, site: Site, action: str, recording_id: int | None = None, **detail: Any) -> None:
        site.store.accounts.audit(self.user.name, action, recording_id, self.source, detail)


def get_site(request: Request) -> Site:
    return request.app.state.site


SiteDep = Annotated[Site, Depends(get_site)]


def source(request: Request) -> str | None:
    return request.client.host if request.client else None


def bearer_or_session(request: Request) -> tuple[str | None, str]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip(), "token"
    return request.cookies.get(SESSION_COOKIE), "session"


def caller(request: Request, site: SiteDep) -> Caller:
    secret, via = bearer_or_session(request)
    user = site.store.accounts.user_for_token(secret) if secret else None
    if user is None:
        raise HTTPException(401, "sign in first: a bearer token or a session is required, and this one "
                                 "is missing, expired or revoked", headers={"WWW-Authenticate": "Bearer"})
    return Caller(user, source(request), via)


def requires(role: Role):
    def check(who: Annotated[Caller, Depends(caller)]) -> Caller:
        if not who.user.role.allows(role):
            raise HTTPException(403, f"this needs the {role.value} role or higher; {who.user.name} is {who.user.role.value}")
        return who
    return check


Viewer = Annotated[Caller, Depends(requires(Role.VIEWER))]
Analyst = Annotated[Caller, Depends(requires(Role.ANALYST))]
Supervisor = Annotated[Caller, Depends(requires(Role.SUPERVISOR))]
Admin = Annotated[Caller, Depends(requires(Role.ADMIN))]
