"""Users, passwords and tokens, and signing in and out: the same checks, policy and audit at every door.

The policy, once: only admins manage accounts; an admin cannot disable themselves (another admin
can: a site is never locked out by its own admin's slip); the password rule is the store's
(``MIN_PASSWORD_LENGTH``), below every door.
"""

from __future__ import annotations

from dataclasses import dataclass

from voxsight.errors import Forbidden, LockedOut, SignInFailed
from voxsight.operations.actor import Actor, require
from voxsight.operations.audit import record
from voxsight.site import Site
from voxsight.store.accounts import Action, Door, Role, TokenInfo, UserInfo


@dataclass(frozen=True)
class Session:
    """A signed-in session: a token the browser keeps (as a cookie) until it expires or signs out."""

    user: UserInfo
    secret: str
    lifetime_s: float


# -- users

def users(site: Site, actor: Actor) -> list[UserInfo]:
    require(actor, Role.ADMIN)
    return site.store.accounts.users()


def add_user(site: Site, actor: Actor, name: str, role: Role | str, password: str | None) -> UserInfo:
    """A new user; ``password`` None makes a system account that signs in with tokens only.

    Raises:
        AccountError: a taken name, an unknown role, a name or password the store's rules refuse.
    """
    require(actor, Role.ADMIN)
    user = site.store.accounts.add_user(name, role, password)
    record(site, actor, Action.USER_ADD, user=user.name, role=user.role.value)
    return user


def disable_user(site: Site, actor: Actor, name: str) -> None:
    """Stop the user's sign-ins, sessions and tokens at once.

    Raises:
        Forbidden: ``name`` is the actor themselves.
        NotFound: no such user.
    """
    require(actor, Role.ADMIN)
    if name == actor.login:
        raise Forbidden("you cannot disable yourself: another admin can")
    site.store.accounts.disable_user(name)
    record(site, actor, Action.USER_DISABLE, user=name)


def set_password(site: Site, actor: Actor, name: str, password: str) -> None:
    """Replace a user's password (sessions and tokens already made keep working)."""
    require(actor, Role.ADMIN)
    site.store.accounts.set_password(name, password)
    record(site, actor, Action.USER_PASSWORD, user=name)


# -- tokens

def tokens(site: Site, actor: Actor) -> list[TokenInfo]:
    require(actor, Role.ADMIN)
    return site.store.accounts.tokens()


def create_token(site: Site, actor: Actor, user: str, label: str | None = None,
                 expires_in_s: float | None = None) -> tuple[str, TokenInfo]:
    """A bearer token acting as ``user`` (labelled with its name unless told); the secret is
    returned here only and stored as a hash."""
    require(actor, Role.ADMIN)
    secret, info = site.store.accounts.create_token(user, label or user, expires_in_s)
    record(site, actor, Action.TOKEN_CREATE, user=info.user, token=info.name, token_id=info.id)
    return secret, info


def revoke_token(site: Site, actor: Actor, token_id: int) -> None:
    require(actor, Role.ADMIN)
    site.store.accounts.revoke_token(token_id)
    record(site, actor, Action.TOKEN_REVOKE, token_id=token_id)


# -- sessions

def sign_in(site: Site, door: Door, source: str | None, name: str, password: str) -> Session:
    """Check a password (every attempt audited, failures limited per name and per address) and
    start a session of ``site.config.web.session_hours``.

    Raises:
        LockedOut: sign-ins as ``name``, or from ``source``, are refused for now.
        SignInFailed: wrong name or password, or a disabled user.
    """
    accounts = site.store.accounts
    user = accounts.authenticate(name, password, source, door)
    if user is None:
        if accounts.locked_out(name, source):
            raise LockedOut("too many failed sign-ins: try again later", accounts.lockout_s)
        raise SignInFailed("wrong name or password")
    lifetime_s = site.config.web.session_hours * 3600
    secret, _ = accounts.create_token(user.name, f"console session ({source or 'unknown address'})",
                                      lifetime_s)
    return Session(user, secret, lifetime_s)


def sign_out(site: Site, actor: Actor, session_secret: str | None) -> None:
    """End the session ``session_secret`` (none: a bearer token, which is left alone) and audit it."""
    if session_secret:
        site.store.accounts.revoke_session(session_secret)
    record(site, actor, Action.SIGN_OUT)
