"""Users, passwords and tokens, and signing in and out: the same checks, policy and audit at every door.

The policy, once: only admins manage accounts; an admin cannot disable themselves (another admin
can: a site is never locked out by its own admin's slip); the password rule is the store's
(``MIN_PASSWORD_LENGTH``), below every door. A password reset and a disable end every session and
token of the user; signing a user out everywhere ends their sessions and leaves their tokens,
which systems hold and admins revoke one by one. Sessions end after ``web.session_hours``, or
sooner when unused for ``web.session_idle_minutes``; a token expires after ``web.token_days``
unless its maker says otherwise (``NEVER``). Failed sign-ins back off (``SignInLimits``, from
``web.sign_in_*``).
"""

from __future__ import annotations

from dataclasses import dataclass

from voxsight.config import WebConfig
from voxsight.errors import AccountError, Forbidden, SignInFailed
from voxsight.operations.actor import Actor, require
from voxsight.operations.audit import record
from voxsight.site import Site
from voxsight.store.accounts import Action, Door, Role, SignInLimits, TokenInfo, UserInfo

# ``create_token(..., expires_in_s=NEVER)``: a token that does not expire, said in so many words.
NEVER = float("inf")


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


def disable_user(site: Site, actor: Actor, name: str) -> int:
    """Stop the user's sign-ins, and end every session and token of theirs, at once; returns how
    many ended.

    Raises:
        Forbidden: ``name`` is the actor themselves.
        NotFound: no such user.
    """
    require(actor, Role.ADMIN)
    if name == actor.login:
        raise Forbidden("you cannot disable yourself: another admin can")
    ended = site.store.accounts.disable_user(name)
    record(site, actor, Action.USER_DISABLE, user=name, ended=ended)
    return ended


def set_password(site: Site, actor: Actor, name: str, password: str) -> int:
    """Reset a user's password, ending every session and token of theirs (whoever knew the old
    password may have made them); returns how many ended.

    There is no door for people to change their own password; should one come, it ends their other
    sessions but not their tokens: a token is a system's credential, not a copy of the password.
    """
    require(actor, Role.ADMIN)
    ended = site.store.accounts.set_password(name, password)
    record(site, actor, Action.USER_PASSWORD, user=name, ended=ended)
    return ended


def sign_out_everywhere(site: Site, actor: Actor, name: str) -> int:
    """End every console session of ``name`` (its tokens stay: revoke those one by one); returns
    how many ended.

    Raises:
        NotFound: no such user.
    """
    require(actor, Role.ADMIN)
    ended = site.store.accounts.end_sessions(name)
    record(site, actor, Action.SIGN_OUT_EVERYWHERE, user=name, ended=ended)
    return ended


# -- tokens

def tokens(site: Site, actor: Actor) -> list[TokenInfo]:
    require(actor, Role.ADMIN)
    return site.store.accounts.tokens()


def create_token(site: Site, actor: Actor, user: str, label: str | None = None,
                 expires_in_s: float | None = None) -> tuple[str, TokenInfo]:
    """A bearer token acting as ``user`` (labelled with its name unless told); the secret is
    returned here only and stored as a hash. It expires in ``expires_in_s``, by default after
    ``web.token_days`` (0 there: never), or never with ``NEVER``."""
    require(actor, Role.ADMIN)
    if expires_in_s is None:
        expires_in_s = site.config.web.token_days * 86400 or NEVER
    if expires_in_s <= 0:
        raise AccountError("a token expires after a positive number of days, or never")
    secret, info = site.store.accounts.create_token(user, label or user,
                                                    None if expires_in_s == NEVER else expires_in_s)
    record(site, actor, Action.TOKEN_CREATE, user=info.user, token=info.name, token_id=info.id,
           expires_at=info.expires_at.isoformat() if info.expires_at else None)
    return secret, info


def revoke_token(site: Site, actor: Actor, token_id: int) -> None:
    require(actor, Role.ADMIN)
    site.store.accounts.revoke_token(token_id)
    record(site, actor, Action.TOKEN_REVOKE, token_id=token_id)


# -- sessions

def sign_in(site: Site, door: Door, source: str | None, name: str, password: str) -> Session:
    """Check a password (every attempt audited, failures backing off per name and per address) and
    start a session of ``site.config.web.session_hours`` at most.

    Raises:
        LockedOut: attempts as ``name``, or from ``source``, wait for now (its ``retry_after_s``).
        SignInFailed: wrong name or password, or a disabled user.
    """
    accounts = site.store.accounts
    user = accounts.authenticate(name, password, source, door, sign_in_limits(site.config.web))
    if user is None:
        raise SignInFailed("wrong name or password")
    lifetime_s = site.config.web.session_hours * 3600
    secret, _ = accounts.create_token(user.name, f"console session ({source or 'unknown address'})",
                                      lifetime_s, session=True)
    return Session(user, secret, lifetime_s)


def signed_in(site: Site, secret: str | None, touch: bool = True) -> UserInfo | None:
    """The user a bearer token or a session's secret signs in as now, or None: unknown, revoked,
    expired, idle past ``web.session_idle_minutes`` (sessions), or of a disabled user. ``touch``
    False: the request is not the user's doing (a page's timer), so it does not keep a session alive."""
    if not secret:
        return None
    return site.store.accounts.user_for_token(secret, site.config.web.session_idle_minutes * 60, touch)


def sign_out(site: Site, actor: Actor, session_secret: str | None) -> None:
    """End the session ``session_secret`` (none: a bearer token, which is left alone) and audit it."""
    if session_secret:
        site.store.accounts.revoke_session(session_secret)
    record(site, actor, Action.SIGN_OUT)


def sign_in_limits(web: WebConfig) -> SignInLimits:
    return SignInLimits(web.sign_in_free_attempts, web.sign_in_backoff_s, web.sign_in_backoff_max_s)
