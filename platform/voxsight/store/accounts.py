"""Users, roles, API tokens and the audit log, in SQL.

Roles rise viewer < analyst < supervisor < admin: viewers read calls; analysts also upload,
search and export; supervisors also work alerts; admins also manage users, rules and models.
Passwords are hashed with argon2id (argon2-cffi), and the password and name rules are checked here,
below every door, so that none can skip them. Tokens are random (256 bits) and kept only as
their sha256. Failed sign-ins are counted from the audit log itself, so the limit holds across
processes and restarts with no other state. Every sign-in, good or bad, and every action taken
through ``voxsight.operations`` lands in ``audit_log``, which the database keeps append-only, named
from one vocabulary: ``Action`` (what was done) and ``Door`` (through which shell).
"""

from __future__ import annotations

import enum
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from voxsight.errors import AccountError, NotFound
from voxsight.records import Record, Time
from voxsight.store import schema

TOKEN_PREFIX = "vxs_"
# One rule for every door (CLI, API, console, the embedded site): long passphrases beat complex short ones.
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
_NAME = re.compile(r"[\w.@-]{1,128}")
# One address may fail this many times the per-name limit (a shared NAT, a busy front desk) before
# every sign-in from it is refused for the lockout period.
_NAMES_PER_SOURCE = 4
_LAST_USED_RESOLUTION = timedelta(minutes=1)
_hasher = PasswordHasher()
# Verifying against this when a user does not exist takes as long as a real check: sign-in time
# does not tell which names exist.
_DUMMY_HASH = _hasher.hash("not a password")


class Role(str, enum.Enum):
    VIEWER = "viewer"
    ANALYST = "analyst"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def allows(self, required: "Role") -> bool:
        return self.rank >= required.rank


class Door(str, enum.Enum):
    """Through which shell an action came: the audit records it beside who acted."""

    CLI = "cli"
    API = "api"
    CONSOLE = "console"
    SITE = "site"  # the embedded site setting itself up (./run.sh)
    WORKER = "worker"


class Action(str, enum.Enum):
    """Every action the audit log names. Stored as the value; 0010 renamed the CLI's old dialect."""

    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_IN_REFUSED = "sign_in_refused"
    SIGN_OUT = "sign_out"
    USER_ADD = "user_add"
    USER_DISABLE = "user_disable"
    USER_PASSWORD = "user_password"
    TOKEN_CREATE = "token_create"
    TOKEN_REVOKE = "token_revoke"
    ALERT_ACKNOWLEDGE = "alert_acknowledge"
    ALERT_RESOLVE = "alert_resolve"
    RULES_UPDATE = "rules_update"
    UPLOAD = "upload"
    VIEW = "view"
    DOWNLOAD = "download"
    EXPORT = "export"
    SEARCH = "search"
    AUDIT_EXPORT = "audit_export"
    # Reads, each kind its own (issue 16): who saw which calls, alerts, jobs and figures.
    LIST = "list"  # a page of calls, with its filters
    REPORT = "report"  # a report read (one exported is EXPORT)
    ALERT_LIST = "alert_list"
    ALERT_VIEW = "alert_view"
    JOB_LIST = "job_list"
    JOB_VIEW = "job_view"
    RECORDING_UPDATE = "recording_update"  # call metadata changed, with old and new values
    # Refusals: an upload refused (with the reason), and any request the role or a policy denied.
    UPLOAD_REFUSED = "upload_refused"
    DENIED = "denied"


@dataclass(frozen=True)
class UserInfo(Record):
    id: int
    name: str
    role: Role
    disabled: bool
    created_at: Time


@dataclass(frozen=True)
class TokenInfo(Record):
    id: int
    name: str
    user: str
    created_at: Time
    expires_at: Time | None
    revoked_at: Time | None
    last_used_at: Time | None


@dataclass(frozen=True)
class AuditEntry(Record):
    id: int
    at: Time
    actor: str
    action: str
    recording_id: int | None
    source: str | None
    detail: dict[str, Any]
    door: str | None  # None: written by code that named no door (a script, a test)


@dataclass(frozen=True)
class AuditPage(Record):
    entries: list[AuditEntry]
    next_before_id: int | None  # pass as ``before_id`` for the next (older) page; None: no more


class AccountStore:
    def __init__(self, sessions: sessionmaker, max_failed_sign_ins: int = 5, lockout_s: float = 900.0):
        self._sessions = sessions
        self.max_failed_sign_ins, self.lockout_s = max_failed_sign_ins, lockout_s

    # -- users

    def add_user(self, name: str, role: Role | str, password: str | None) -> UserInfo:
        role = _role(role)
        if not _NAME.fullmatch(name or ""):
            raise AccountError("a user name is 1 to 128 letters, digits, '.', '@', '-' or '_'")
        if password is not None:
            _check_password(password)
        try:
            with self._sessions.begin() as session:
                user = schema.User(name=name, role=role.value, disabled=False,
                                   password_hash=_hasher.hash(password) if password else None)
                session.add(user)
                session.flush()
                return _user(user)
        except IntegrityError:
            raise AccountError(f"a user named {name!r} exists already") from None

    def users(self) -> list[UserInfo]:
        with self._sessions() as session:
            return [_user(u) for u in session.scalars(select(schema.User).order_by(schema.User.name))]

    def user(self, name: str) -> UserInfo | None:
        with self._sessions() as session:
            found = session.scalar(select(schema.User).where(schema.User.name == name))
            return _user(found) if found else None

    def disable_user(self, name: str) -> None:
        """Sign-ins and every token of the user stop working at once."""
        with self._sessions.begin() as session:
            if not session.execute(update(schema.User).where(schema.User.name == name).values(disabled=True)).rowcount:
                raise NotFound(f"no user named {name!r}")

    def set_password(self, name: str, password: str) -> None:
        """Replace the user's password; sessions and tokens already made keep working."""
        _check_password(password)
        with self._sessions.begin() as session:
            if not session.execute(update(schema.User).where(schema.User.name == name)
                                   .values(password_hash=_hasher.hash(password))).rowcount:
                raise NotFound(f"no user named {name!r}")

    def authenticate(self, name: str, password: str, source: str | None = None,
                     door: Door | str | None = None) -> UserInfo | None:
        """The user, if the password is right, the user enabled and not locked out by failed
        attempts; every attempt is audited."""
        with self._sessions.begin() as session:
            user = session.scalar(select(schema.User).where(schema.User.name == name))
            if self._locked_out(session, name, source):
                session.add(_event(name, Action.SIGN_IN_REFUSED, source, {"reason": "too many failed sign-ins"},
                                   door=door))
                return None
            ok = _verify(user.password_hash if user and user.password_hash else _DUMMY_HASH, password)
            if not ok or user is None or user.disabled:
                reason = "disabled" if ok and user is not None else "wrong name or password"
                session.add(_event(name, Action.SIGN_IN_FAILED, source, {"reason": reason}, door=door))
                return None
            session.add(_event(name, Action.SIGN_IN, source, {}, door=door))
            return _user(user)

    def locked_out(self, name: str, source: str | None = None) -> bool:
        """Whether sign-ins as ``name`` (or from ``source``) are refused for now: too many failed
        recently, for that name, or from that address (someone trying many names)."""
        with self._sessions() as session:
            return self._locked_out(session, name, source)

    def _locked_out(self, session, name: str, source: str | None) -> bool:
        since = datetime.now(timezone.utc) - timedelta(seconds=self.lockout_s)
        failed = select(func.count()).select_from(schema.AuditEvent).where(
            schema.AuditEvent.action == Action.SIGN_IN_FAILED.value, schema.AuditEvent.at >= since)
        if session.scalar(failed.where(schema.AuditEvent.actor == name)) >= self.max_failed_sign_ins:
            return True
        return source is not None and session.scalar(
            failed.where(schema.AuditEvent.source == source)) >= self.max_failed_sign_ins * _NAMES_PER_SOURCE

    # -- tokens

    def create_token(self, user_name: str, token_name: str, expires_in_s: float | None = None) -> tuple[str, TokenInfo]:
        """A new bearer token for the user; the secret is returned once and never stored."""
        if not token_name or len(token_name) > 128:
            raise AccountError("a token's name is 1 to 128 characters")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._sessions.begin() as session:
            user = session.scalar(select(schema.User).where(schema.User.name == user_name))
            if user is None:
                raise NotFound(f"no user named {user_name!r}")
            token = schema.ApiToken(
                user=user, name=token_name, token_sha256=_sha256(secret),
                expires_at=datetime.now(timezone.utc) + timedelta(seconds=expires_in_s) if expires_in_s else None)
            session.add(token)
            session.flush()
            return secret, _token(token)

    def tokens(self) -> list[TokenInfo]:
        with self._sessions() as session:
            return [_token(t) for t in session.scalars(select(schema.ApiToken).order_by(schema.ApiToken.id))]

    def revoke_token(self, token_id: int) -> None:
        with self._sessions.begin() as session:
            if not session.execute(update(schema.ApiToken).where(schema.ApiToken.id == token_id)
                                   .values(revoked_at=datetime.now(timezone.utc))).rowcount:
                raise NotFound(f"no token {token_id}")

    def revoke_session(self, secret: str) -> None:
        """End a session (a token the console holds) by its secret; nothing if unknown."""
        with self._sessions.begin() as session:
            session.execute(update(schema.ApiToken).where(schema.ApiToken.token_sha256 == _sha256(secret),
                                                          schema.ApiToken.revoked_at.is_(None))
                            .values(revoked_at=datetime.now(timezone.utc)))

    def user_for_token(self, secret: str) -> UserInfo | None:
        """The user a bearer token acts as, if the token is live and its user enabled."""
        now = datetime.now(timezone.utc)
        with self._sessions.begin() as session:
            token = session.scalar(select(schema.ApiToken).where(schema.ApiToken.token_sha256 == _sha256(secret)))
            if token is None or token.revoked_at is not None or token.user.disabled:
                return None
            if token.expires_at is not None and token.expires_at <= now:
                return None
            if token.last_used_at is None or now - token.last_used_at > _LAST_USED_RESOLUTION:
                token.last_used_at = now  # not on every request: a busy API would write on every read
            return _user(token.user)

    # -- audit

    def audit(self, actor: str, action: Action | str, recording_id: int | None = None, source: str | None = None,
              detail: dict[str, Any] | None = None, door: Door | str | None = None) -> None:
        """Append one entry. Actions people take are written by ``voxsight.operations``, which
        names the action from ``Action`` and the door it came through."""
        with self._sessions.begin() as session:
            session.add(_event(actor, action, source, detail or {}, recording_id, door))

    def audit_log(self, limit: int = 100, before_id: int | None = None, actor: str | None = None,
                  action: Action | str | None = None) -> AuditPage:
        """Newest first."""
        action = getattr(action, "value", action)
        query = select(schema.AuditEvent).order_by(schema.AuditEvent.id.desc()).limit(limit + 1)
        for column, value in ((schema.AuditEvent.actor, actor), (schema.AuditEvent.action, action)):
            if value is not None:
                query = query.where(column == value)
        if before_id is not None:
            query = query.where(schema.AuditEvent.id < before_id)
        with self._sessions() as session:
            rows = [_entry(e) for e in session.scalars(query)]
        return AuditPage(rows[:limit], rows[limit - 1].id if len(rows) > limit else None)


    def audited_since(self, actor: str, action: Action | str, recording_id: int, since: datetime) -> bool:
        """Whether ``actor`` has an entry of ``action`` on the recording since ``since`` (one walk
        of the (actor, action, at) index)."""
        e = schema.AuditEvent
        with self._sessions() as session:
            return session.scalar(select(e.id).where(e.actor == actor, e.action == getattr(action, "value", action),
                                                     e.at >= since, e.recording_id == recording_id).limit(1)) is not None


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise AccountError(f"role must be one of {', '.join(r.value for r in Role)}, not {role!r}") from None


def _check_password(password: str) -> None:
    if not MIN_PASSWORD_LENGTH <= len(password or "") <= MAX_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters "
                           f"(and at most {MAX_PASSWORD_LENGTH})")


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _event(actor: str, action: Action | str, source: str | None, detail: dict, recording_id: int | None = None,
           door: Door | str | None = None):
    return schema.AuditEvent(actor=actor[:128], action=getattr(action, "value", action), source=source,
                             detail=detail, recording_id=recording_id, door=getattr(door, "value", door),
                             at=datetime.now(timezone.utc))


def _user(u: schema.User) -> UserInfo:
    return UserInfo(u.id, u.name, Role(u.role), u.disabled, u.created_at)


def _token(t: schema.ApiToken) -> TokenInfo:
    return TokenInfo(t.id, t.name, t.user.name, t.created_at, t.expires_at, t.revoked_at, t.last_used_at)


def _entry(e: schema.AuditEvent) -> AuditEntry:
    return AuditEntry(e.id, e.at, e.actor, e.action, e.recording_id, e.source, e.detail, e.door)
