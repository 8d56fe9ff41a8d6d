"""Who is using the console, and what their role lets them see and do.

A console session is the API's: the ``voxsight_session`` cookie holds a token made at sign-in. Gradio
asks ``session_user`` for every page and event (its ``auth_dependency``); each page function asks
``require`` again before it reads or changes anything, because a hidden tab is not security, and
the operation it calls checks the action's role once more (``voxsight.operations``). Whatever a page
function does, it does through the console's door: ``actor`` says so.
"""

from __future__ import annotations

from dataclasses import replace

from fastapi import Request

from voxsight.errors import Forbidden
from voxsight.operations import Actor, Door, accounts, require as require_role
from voxsight.site import Site
from voxsight.store.accounts import Role
from voxsight.webui.deps import SESSION_COOKIE, Caller, client_address

# The least role each page needs. Call detail is part of Calls.
PAGES: dict[str, Role] = {
    "analyze": Role.ANALYST,
    "calls": Role.VIEWER,
    "alerts": Role.SUPERVISOR,
    "analytics": Role.ANALYST,
    "admin": Role.ADMIN,
}


__all__ = ["Forbidden", "PAGES", "actor", "caller", "pages_for", "require", "session_user"]


def session_user(site: Site, request: Request) -> str | None:
    """The name of the user whose live session the request carries, or None (Gradio then answers 401).
    Asking does not count as using the session: Gradio asks on every request, a page's timers included."""
    user = accounts.signed_in(site, request.cookies.get(SESSION_COOKIE), touch=False)
    return user.name if user else None


def caller(site: Site, request, touch: bool = True) -> Caller:
    """The signed-in caller of a request (FastAPI's, or the ``gr.Request`` an event handler gets),
    checked now: a session signed out, expired, idle too long or of a disabled user is refused.
    ``touch`` False for a page's timer: looking for news is not the user at work, and must not keep
    an unattended console signed in.

    Raises:
        Forbidden: no live session.
    """
    user = accounts.signed_in(site, request.cookies.get(SESSION_COOKIE), touch)
    if user is None:
        raise Forbidden("your session has ended: sign in again")
    return Caller(user, client_address(site, request), "session", Door.CONSOLE)


def actor(who: Caller) -> Actor:
    """``who`` acting through the console."""
    return replace(who.actor, door=Door.CONSOLE)


def require(who: Caller, role: Role) -> Actor:
    """The console's actor for ``who``, once their role allows ``role`` (a page's least role).

    Raises:
        Forbidden: it does not.
    """
    me = actor(who)
    require_role(me, role)
    return me


def pages_for(role: Role) -> list[str]:
    """The pages a role sees, in the console's order."""
    return [page for page, least in PAGES.items() if role.allows(least)]
