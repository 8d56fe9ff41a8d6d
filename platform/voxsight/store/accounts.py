"""Users, roles, API tokens and the audit log, in SQL.

Roles rise viewer < analyst < supervisor < admin: viewers read calls; analysts also upload,
search and export; supervisors also work alerts; admins also manage users, rules and models.
Passwords are hashed with argon2id (argon2-cffi), and the password and name rules are checked here,
below every door, so that none can skip them. Tokens are random (256 bits) and kept only as
their sha256. Failed sign-ins are counted in ``sign_in_limits``, one row per key changed under its
row lock before any password is checked (``SignInLimits``), so the limit holds across processes,
restarts and parallel attempts on both databases. Every sign-in, good or bad, and every action taken
through ``voxsight.operations`` lands in ``audit_log``, which the database keeps append-only, named
from one vocabulary: ``Action`` (what was done) and ``Door`` (through which shell).
"""

from __future__ import annotations

import enum
import hashlib
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from voxsight.errors import AccountError, LockedOut, NotFound
from voxsight.records import Record, Time
from voxsight.store import schema

TOKEN_PREFIX = "vxs_"  # nosec B105 # the public prefix that marks a token, not a secret
# One rule for every door (CLI, API, console, the embedded site): long passphrases beat complex short ones.
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
_NAME = re.compile(r"[\w.@-]{1,128}")
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
    SIGN_OUT_EVERYWHERE = "sign_out_everywhere"  # an admin ended every session of a user
    USER_ADD = "user_add"
    USER_DISABLE = "user_disable"
    USER_PASSWORD = "user_password"  # nosec B105 # an audit action name
    TOKEN_CREATE = "token_create"  # nosec B105 # an audit action name
    TOKEN_REVOKE = "token_revoke"  # nosec B105 # an audit action name
    ALERT_ACKNOWLEDGE = "alert_acknowledge"
    ALERT_RESOLVE = "alert_resolve"
    RULES_UPDATE = "rules_update"
    UPLOAD = "upload"
    VIEW = "view"
    DOWNLOAD = "download"
    LISTEN_ORIGINAL = "listen_original"  # an admin read the unredacted audio the policy kept
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
    REDACTION_BACKFILL = "redaction_backfill"  # stored analyses redacted again, with the counts
    HOLD_PLACE = "hold_place"  # a legal hold placed, with its scope, value and reason
    HOLD_RELEASE = "hold_release"
    ERASE = "erase"  # recordings erased on request: the request, ids and counts, never content
    ERASE_PREVIEW = "erase_preview"  # what an erasure would remove, looked at first: the same detail
    RETENTION_PURGE = "retention_purge"  # what expired was removed: counts per kind
    # Agents' voiceprints, biometric data (issue 18): made, listed, erased, each by an admin.
    VOICEPRINT_ENROLL = "voiceprint_enroll"  # from recordings of the agent
    VOICEPRINT_LEARN = "voiceprint_learn"  # from the agent channel of their stereo calls
    VOICEPRINT_LIST = "voiceprint_list"
    VOICEPRINT_ERASE = "voiceprint_erase"
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
    session: bool = False  # a console sign-in, not a token made for a system


@dataclass(frozen=True)
class SignInLimits:
    """How failed sign-ins are limited: backoff, not a lock that anyone could put on any name.

    A name tried from one address may fail ``free_attempts`` times; from then on each further
    attempt waits ``backoff_s``, doubled after every failure, at most ``max_backoff_s`` (429 with
    Retry-After meanwhile, even for the right password; the refused attempt is not checked and
    does not lengthen the wait). A guesser at another address slows only themselves: the name
    over all addresses, and one address over all names, get ``SHARED`` times as many first. A
    right password clears its name's counts; a key untried for ``forget_s`` starts again.
    """

    free_attempts: int = 5
    backoff_s: float = 5.0
    max_backoff_s: float = 900.0

    SHARED = 4  # a shared NAT, a busy front desk, several people who mistype one service name

    @property
    def forget_s(self) -> float:
        return 4 * self.max_backoff_s

    def wait_s(self, failures: int, free: int) -> float | None:
        """How long the next attempt under a key waits after ``failures`` counted ones; None: none."""
        if failures < free:
            return None
        return min(self.max_backoff_s, self.backoff_s * 2.0 ** min(failures - free, 64))

    def keys(self, name: str, source: str | None) -> dict[str, int]:
        """The keys an attempt is counted under, each with its free attempts."""
        source = source or "unknown"
        return {f"name+source:{name}\n{source}": self.free_attempts, f"name:{name}": self.free_attempts * self.SHARED,
                f"source:{source}": self.free_attempts * self.SHARED}


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
    def __init__(self, sessions: sessionmaker):
        self._sessions = sessions

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

    def disable_user(self, name: str) -> int:
        """Sign-ins stop, and every session and token of the user ends, at once; returns how many ended."""
        with self._sessions.begin() as session:
            if not session.execute(update(schema.User).where(schema.User.name == name).values(disabled=True)).rowcount:
                raise NotFound(f"no user named {name!r}")
            return _end(session, name, tokens=True)

    def set_password(self, name: str, password: str) -> int:
        """Replace the user's password and end every session and token it had: a reset is what an
        admin does when the old one may be known to someone else. Returns how many ended."""
        _check_password(password)
        with self._sessions.begin() as session:
            if not session.execute(update(schema.User).where(schema.User.name == name)
                                   .values(password_hash=_hasher.hash(password))).rowcount:
                raise NotFound(f"no user named {name!r}")
            return _end(session, name, tokens=True)

    def end_sessions(self, name: str) -> int:
        """End every console session of the user (its tokens, for systems, stay); returns how many."""
        with self._sessions.begin() as session:
            if session.scalar(select(schema.User.id).where(schema.User.name == name)) is None:
                raise NotFound(f"no user named {name!r}")
            return _end(session, name, tokens=False)

    def authenticate(self, name: str, password: str, source: str | None = None,
                     door: Door | str | None = None, limits: SignInLimits = SignInLimits()) -> UserInfo | None:
        """The user, if the password is right and the user enabled; every attempt is audited.

        The attempt is counted first, as a failure, in one transaction that holds the rows of its
        keys (``limits.keys``); only an attempt so counted has its password checked, and a right
        one then gives its counts back. So parallel attempts cannot all pass a limit they all read
        before any of them wrote.

        Raises:
            LockedOut: a key of this attempt is waiting out its backoff; its ``retry_after_s`` says how long.
        """
        keys = limits.keys(name, source)
        retry_after_s = self._count_attempt(keys, limits)
        if retry_after_s is not None:
            self.audit(name, Action.SIGN_IN_REFUSED, source=source, door=door,
                       detail={"reason": "too many failed sign-ins", "retry_after_s": math.ceil(retry_after_s)})
            raise LockedOut("too many failed sign-ins: try again later", math.ceil(retry_after_s))
        with self._sessions.begin() as session:
            user = session.scalar(select(schema.User).where(schema.User.name == name))
            ok = _verify(user.password_hash if user and user.password_hash else _DUMMY_HASH, password)
            if not ok or user is None or user.disabled:
                reason = "disabled" if ok and user is not None else "wrong name or password"
                session.add(_event(name, Action.SIGN_IN_FAILED, source, {"reason": reason}, door=door))
                return None
            self._give_back(session, keys, name)
            session.add(_event(name, Action.SIGN_IN, source, {}, door=door))
            return _user(user)

    def _count_attempt(self, keys: dict[str, int], limits: SignInLimits) -> float | None:
        """Count an attempt under every key, or, if one is in its wait, none: the seconds left then."""
        now = datetime.now(timezone.utc)
        with self._sessions.begin() as session:
            # The upsert comes first in the transaction and locks each row (PostgreSQL: the row lock
            # of ON CONFLICT DO UPDATE, held to commit; SQLite: the database's one write lock, taken
            # by this first statement, before anything is read). Sorted keys: no two attempts wait
            # on each other.
            insert = (postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert)(
                schema.SignInLimit)
            for key in sorted(keys):
                session.execute(insert.values(key=key, failures=0, last_at=now)
                                .on_conflict_do_update(index_elements=["key"], set_={"key": insert.excluded.key}))
            rows = session.scalars(select(schema.SignInLimit).where(schema.SignInLimit.key.in_(keys))).all()
            forgotten = now - timedelta(seconds=limits.forget_s)
            for row in rows:
                if row.last_at < forgotten:
                    row.failures, row.next_at = 0, None
            waits = [(row.next_at - now).total_seconds() for row in rows
                     if row.failures >= keys[row.key] and row.next_at is not None and row.next_at > now]
            if waits:
                return max(waits)
            for row in rows:
                row.failures += 1
                row.last_at = now
                wait = limits.wait_s(row.failures, keys[row.key])
                row.next_at = now + timedelta(seconds=wait) if wait is not None else None
            # Keys nobody tried for a while go; a row another attempt holds is left for later.
            session.execute(delete(schema.SignInLimit).where(schema.SignInLimit.key.in_(
                select(schema.SignInLimit.key).where(schema.SignInLimit.last_at < forgotten)
                .with_for_update(skip_locked=True))).execution_options(synchronize_session=False))
            return None

    @staticmethod
    def _give_back(session, keys: dict[str, int], name: str) -> None:
        """A right password: its name's counts clear (the owner is back); the address's count only
        loses this attempt (one good account must not let an address guess others' freely)."""
        rows = session.scalars(select(schema.SignInLimit).where(schema.SignInLimit.key.in_(keys))
                               .order_by(schema.SignInLimit.key).with_for_update()).all()
        for row in rows:
            if row.key.startswith("source:"):
                row.failures = max(0, row.failures - 1)
                if row.failures < keys[row.key]:
                    row.next_at = None
            else:
                row.failures, row.next_at = 0, None

    # -- tokens

    def create_token(self, user_name: str, token_name: str, expires_in_s: float | None = None,
                     session: bool = False) -> tuple[str, TokenInfo]:
        """A new bearer token for the user (``expires_in_s`` None: it never expires), or a console
        session (``session``: it also ends when idle); the secret is returned once and never stored."""
        if not token_name or len(token_name) > 128:
            raise AccountError("a token's name is 1 to 128 characters")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._sessions.begin() as db:
            user = db.scalar(select(schema.User).where(schema.User.name == user_name))
            if user is None:
                raise NotFound(f"no user named {user_name!r}")
            token = schema.ApiToken(
                user=user, name=token_name, token_sha256=_sha256(secret), session=session,
                expires_at=datetime.now(timezone.utc) + timedelta(seconds=expires_in_s) if expires_in_s else None)
            db.add(token)
            db.flush()
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

    def user_for_token(self, secret: str, idle_s: float | None = None, touch: bool = True) -> UserInfo | None:
        """The user a bearer token acts as, if the token is live and its user enabled; a session
        also ends when unused for ``idle_s``. ``touch`` False: this request is not a use (a page's
        timer asking for news), so it does not keep a session alive."""
        now = datetime.now(timezone.utc)
        with self._sessions.begin() as session:
            token = session.scalar(select(schema.ApiToken).where(schema.ApiToken.token_sha256 == _sha256(secret)))
            if token is None or token.revoked_at is not None or token.user.disabled:
                return None
            if token.expires_at is not None and token.expires_at <= now:
                return None
            used = token.last_used_at or token.created_at
            if token.session and idle_s is not None and (now - used).total_seconds() > idle_s:
                return None
            # Not on every request (a busy API would write on every read), but often enough that an
            # idle limit counts from the last use.
            resolution = min(_LAST_USED_RESOLUTION, timedelta(seconds=idle_s / 10)) if idle_s else _LAST_USED_RESOLUTION
            if touch and (token.last_used_at is None or now - token.last_used_at > resolution):
                token.last_used_at = now
            return _user(token.user)

    # -- audit

    def audit(self, actor: str, action: Action | str, recording_id: int | None = None, source: str | None = None,
              detail: dict[str, Any] | None = None, door: Door | str | None = None) -> None:
        """Append one entry. Actions people take are written by ``voxsight.operations``, which
        names the action from ``Action`` and the door it came through."""
        with self._sessions.begin() as session:
            session.add(_event(actor, action, source, detail or {}, recording_id, door))

    def expire_audit(self, before: datetime, limit: int = 500) -> int:
        """Delete the audit entries older than ``before``, a batch per transaction, through the one
        door the database leaves open (``AuditLogExpiry``: set, used and cleared in that transaction);
        returns how many went."""
        e, x = schema.AuditEvent, schema.AuditLogExpiry
        removed = 0
        while True:
            with self._sessions.begin() as session:
                session.execute(update(x).where(x.id == 1).values(cutoff=before))
                ids = list(session.scalars(select(e.id).where(e.at < before).order_by(e.id).limit(limit)))
                if ids:
                    session.execute(delete(e).where(e.id.in_(ids)))
                session.execute(update(x).where(x.id == 1).values(cutoff=None))
            removed += len(ids)
            if len(ids) < limit:
                return removed

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


def _end(session, user_name: str, tokens: bool) -> int:
    """Revoke the user's live sessions (and tokens, with ``tokens``) in ``session``'s transaction."""
    now = datetime.now(timezone.utc)
    user_id = select(schema.User.id).where(schema.User.name == user_name).scalar_subquery()
    query = update(schema.ApiToken).where(schema.ApiToken.user_id == user_id, schema.ApiToken.revoked_at.is_(None),
                                          (schema.ApiToken.expires_at.is_(None)) | (schema.ApiToken.expires_at > now))
    if not tokens:
        query = query.where(schema.ApiToken.session.is_(True))
    return session.execute(query.values(revoked_at=now)).rowcount


def _user(u: schema.User) -> UserInfo:
    return UserInfo(u.id, u.name, Role(u.role), u.disabled, u.created_at)


def _token(t: schema.ApiToken) -> TokenInfo:
    return TokenInfo(t.id, t.name, t.user.name, t.created_at, t.expires_at, t.revoked_at, t.last_used_at, t.session)


def _entry(e: schema.AuditEvent) -> AuditEntry:
    return AuditEntry(e.id, e.at, e.actor, e.action, e.recording_id, e.source, e.detail, e.door)
