"""Users, roles, tokens and the audit log, on SQLite and PostgreSQL, through the store and the CLI."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from helpers import voxsight
from voxsight.errors import LockedOut, NotFound
from voxsight.store import Store
from voxsight.store.accounts import AccountError, Role, SignInLimits

PASSWORD = "correct horse battery"


@pytest.fixture
def store(each_store) -> Store:
    return each_store


def test_roles_rise_from_viewer_to_admin():
    assert Role.ADMIN.allows(Role.SUPERVISOR) and Role.ANALYST.allows(Role.VIEWER)
    assert not Role.VIEWER.allows(Role.ANALYST) and not Role.SUPERVISOR.allows(Role.ADMIN)


def test_a_user_signs_in_with_the_right_password_only_and_every_attempt_is_audited(store):
    store.accounts.add_user("ann", "analyst", PASSWORD)
    assert store.accounts.authenticate("ann", "wrong password", "10.0.0.7") is None
    user = store.accounts.authenticate("ann", PASSWORD, "10.0.0.7")
    assert user.name == "ann" and user.role is Role.ANALYST
    assert store.accounts.authenticate("nobody", PASSWORD) is None
    log = store.accounts.audit_log().entries
    assert [(e.actor, e.action, e.source) for e in log] == [
        ("nobody", "sign_in_failed", None), ("ann", "sign_in", "10.0.0.7"), ("ann", "sign_in_failed", "10.0.0.7")]


def test_passwords_are_stored_as_argon2_hashes(store):
    store.accounts.add_user("ann", "viewer", PASSWORD)
    with store.engine.connect() as c:
        stored = c.execute(text("SELECT password_hash FROM users")).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def _attempt(store, name, password, source="10.0.0.7", limits=SignInLimits()):
    """What one sign-in attempt came to: "ok", "failed" or "wait"."""
    try:
        return "ok" if store.accounts.authenticate(name, password, source, limits=limits) else "failed"
    except LockedOut:
        return "wait"


def test_after_the_free_attempts_even_the_right_password_waits_then_works(store):
    limits = SignInLimits(free_attempts=3, backoff_s=1.5)
    store.accounts.add_user("ann", "viewer", PASSWORD)
    assert [_attempt(store, "ann", "guess", limits=limits) for _ in range(3)] == ["failed"] * 3
    with pytest.raises(LockedOut) as waiting:
        store.accounts.authenticate("ann", PASSWORD, "10.0.0.7", limits=limits)
    # 1.5 s less the time since the third failure, rounded up for Retry-After (a loaded machine may
    # take half a second to hash the password)
    assert waiting.value.retry_after_s in (1, 2)
    assert store.accounts.audit_log(limit=1).entries[0].action == "sign_in_refused"
    time.sleep(1.6)
    assert _attempt(store, "ann", PASSWORD, limits=limits) == "ok"
    # the right password cleared the name's count: the free attempts are back
    assert [_attempt(store, "ann", "guess", limits=limits) for _ in range(3)] == ["failed"] * 3


def test_the_wait_doubles_with_every_failure_up_to_its_cap():
    limits = SignInLimits(free_attempts=5, backoff_s=5, max_backoff_s=900)
    assert [limits.wait_s(n, 5) for n in (4, 5, 6, 7)] == [None, 5, 10, 20]
    assert limits.wait_s(13, 5) == 900 and limits.wait_s(10_000, 5) == 900


def test_a_guesser_elsewhere_slows_only_themselves(store):
    limits = SignInLimits(free_attempts=2, backoff_s=60)
    store.accounts.add_user("ann", "viewer", PASSWORD)
    assert [_attempt(store, "ann", "guess", "10.9.9.9", limits) for _ in range(3)] == ["failed", "failed", "wait"]
    assert _attempt(store, "ann", PASSWORD, "10.0.0.7", limits) == "ok"


def test_an_address_trying_many_names_waits(store):
    limits = SignInLimits(free_attempts=1, backoff_s=60)
    tried = [_attempt(store, f"name{i}", "guess", "10.9.9.9", limits) for i in range(limits.SHARED + 1)]
    assert tried == ["failed"] * limits.SHARED + ["wait"]
    assert _attempt(store, "name0", "guess", "10.0.0.7", limits) == "failed"  # another address is not held up


def test_parallel_guesses_are_checked_no_more_than_the_limit(store):
    """Counting and checking are one step: parallel attempts cannot all read the count before any writes it."""
    store.accounts.add_user("ann", "viewer", PASSWORD)
    with ThreadPoolExecutor(15) as pool:
        outcomes = list(pool.map(lambda _: _attempt(store, "ann", "guess"), range(15)))
    assert sorted(outcomes) == ["failed"] * 5 + ["wait"] * 10
    assert [e.action for e in store.accounts.audit_log(limit=50).entries].count("sign_in_failed") == 5


def test_a_disabled_user_cannot_sign_in_and_its_tokens_stop(store):
    store.accounts.add_user("crm", "analyst", None)
    secret, _ = store.accounts.create_token("crm", "crm integration")
    assert store.accounts.user_for_token(secret).name == "crm"
    store.accounts.disable_user("crm")
    assert store.accounts.user_for_token(secret) is None


def test_a_password_reset_or_a_disable_ends_every_session_and_token(store):
    store.accounts.add_user("ann", "analyst", PASSWORD)
    session, _ = store.accounts.create_token("ann", "console session", 3600, session=True)
    token, _ = store.accounts.create_token("ann", "crm")
    assert store.accounts.set_password("ann", "a new long passphrase") == 2
    assert store.accounts.user_for_token(session) is None and store.accounts.user_for_token(token) is None
    assert all(t.revoked_at is not None for t in store.accounts.tokens())
    store.accounts.add_user("bo", "analyst", PASSWORD)
    session, _ = store.accounts.create_token("bo", "console session", 3600, session=True)
    token, _ = store.accounts.create_token("bo", "crm")
    assert store.accounts.disable_user("bo") == 2
    assert {t.user: t.revoked_at is not None for t in store.accounts.tokens()} == {"ann": True, "bo": True}


def test_signing_out_everywhere_ends_sessions_and_leaves_tokens(store):
    store.accounts.add_user("ann", "analyst", PASSWORD)
    sessions = [store.accounts.create_token("ann", f"console session {i}", 3600, session=True)[0] for i in range(2)]
    token, _ = store.accounts.create_token("ann", "crm")
    assert store.accounts.end_sessions("ann") == 2
    assert [store.accounts.user_for_token(s) for s in sessions] == [None, None]
    assert store.accounts.user_for_token(token).name == "ann"
    with pytest.raises(NotFound):
        store.accounts.end_sessions("ghost")


def test_a_session_ends_when_idle_and_use_keeps_it_alive(store):
    store.accounts.add_user("ann", "analyst", PASSWORD)
    session, _ = store.accounts.create_token("ann", "console session", 3600, session=True)
    token, _ = store.accounts.create_token("ann", "crm")
    for _ in range(3):  # used every 0.5 s: alive past the 1.2 s idle limit
        time.sleep(0.5)
        assert store.accounts.user_for_token(session, idle_s=1.2).name == "ann"
    time.sleep(0.5)
    assert store.accounts.user_for_token(session, idle_s=1.2, touch=False).name == "ann"  # a timer's look...
    time.sleep(0.9)
    assert store.accounts.user_for_token(session, idle_s=1.2) is None  # ... kept nothing alive
    assert store.accounts.user_for_token(token, idle_s=1.2).name == "ann"  # a system's token has no idle limit


def test_tokens_are_kept_as_hashes_and_stop_when_revoked_or_expired(store):
    store.accounts.add_user("crm", "analyst", None)
    secret, token = store.accounts.create_token("crm", "crm integration")
    with store.engine.connect() as c:
        assert secret not in str(c.execute(text("SELECT * FROM api_tokens")).all())
    assert store.accounts.user_for_token(secret).role is Role.ANALYST
    assert store.accounts.tokens()[0].last_used_at is not None
    store.accounts.revoke_token(token.id)
    assert store.accounts.user_for_token(secret) is None
    expired, _ = store.accounts.create_token("crm", "short", expires_in_s=-1)
    assert store.accounts.user_for_token(expired) is None
    assert store.accounts.user_for_token("vxs_made-up") is None


def test_names_are_unique_and_roles_known(store):
    store.accounts.add_user("ann", "viewer", PASSWORD)
    with pytest.raises(AccountError, match="exists already"):
        store.accounts.add_user("ann", "admin", PASSWORD)
    with pytest.raises(AccountError, match="role must be one of viewer, analyst, supervisor, admin"):
        store.accounts.add_user("bo", "root", PASSWORD)


def test_an_unknown_user_or_token_is_not_found(store):
    with pytest.raises(NotFound, match="no user named 'ghost'"):
        store.accounts.disable_user("ghost")
    with pytest.raises(NotFound, match="no user named 'ghost'"):
        store.accounts.create_token("ghost", "crm")
    with pytest.raises(NotFound, match="no token 42"):
        store.accounts.revoke_token(42)


def test_the_audit_log_cannot_be_rewritten(store):
    store.accounts.audit("ann", "view_recording", source="10.0.0.7")
    with pytest.raises(DatabaseError, match="append-only"):
        with store.engine.begin() as c:
            c.execute(text("UPDATE audit_log SET actor = 'someone else'"))
    with pytest.raises(DatabaseError, match="append-only"):
        with store.engine.begin() as c:
            c.execute(text("DELETE FROM audit_log"))
    assert store.accounts.audit_log().entries[0].actor == "ann"


def test_an_audit_entry_is_json_with_its_time_in_iso_8601(store):
    store.accounts.audit("ann", "view_recording", source="10.0.0.7", detail={"recording": 7})

    [entry] = store.accounts.audit_log().entries

    assert entry.to_json() == {"id": entry.id, "at": entry.at.isoformat(), "actor": "ann",
                               "action": "view_recording", "door": None, "recording_id": None,
                               "source": "10.0.0.7", "detail": {"recording": 7}}


def test_the_audit_log_pages_newest_first(store):
    for i in range(5):
        store.accounts.audit("ann", f"action{i}")
    first = store.accounts.audit_log(limit=2)
    second = store.accounts.audit_log(limit=2, before_id=first.next_before_id)
    assert [e.action for e in first.entries + second.entries] == ["action4", "action3", "action2", "action1"]


def test_users_and_tokens_commands(tmp_path):
    env = {"VOXSIGHT_DATA_DIR": str(tmp_path / "data")}
    added = voxsight(env, "users", "add", "ann", "--role", "supervisor", input=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    assert voxsight(env, "users", "add", "bo", "--role", "viewer", input="short\n").returncode == 2
    assert voxsight(env, "users", "add", "crm", "--role", "analyst", "--no-password").returncode == 0
    created = voxsight(env, "tokens", "create", "crm", "--expires", "30")
    secret = created.stdout.strip()
    assert secret.startswith("vxs_") and "not shown again" in created.stderr
    listed = voxsight(env, "users", "list").stdout
    assert "ann" in listed and "supervisor" in listed and "crm" in listed
    assert voxsight(env, "tokens", "revoke", "1").returncode == 0
    assert "revoked" in voxsight(env, "tokens", "list").stdout
    ann_token = voxsight(env, "tokens", "create", "ann", "--never-expires").stdout.strip()
    signed_out = voxsight(env, "users", "sign-out", "ann")
    assert signed_out.returncode == 0 and "0 session(s) ended" in signed_out.stdout
    reset = voxsight(env, "users", "password", "ann", input="another long passphrase\n")
    assert reset.returncode == 0 and "1 session(s) and token(s)" in reset.stdout
    assert voxsight(env, "tokens", "create", "crm", "--expires", "0").returncode == 2
    assert voxsight(env, "users", "disable", "ann").returncode == 0
    assert voxsight(env, "users", "disable", "nobody").returncode == 2
    actions = voxsight(env, "audit").stdout
    for action in ("user_add", "token_create", "token_revoke", "user_disable"):
        assert action in actions
    store = Store(f"sqlite:///{tmp_path / 'data' / 'voxsight.db'}")
    assert store.accounts.user_for_token(secret) is None and store.accounts.user_for_token(ann_token) is None
    for action in ("sign_out_everywhere", "user_password"):
        assert action in actions


def test_migration_0011_marks_the_console_sessions_made_before_it(each_store):
    from alembic import command

    from voxsight.store.repository import _alembic_config

    def migrate(fn, target):
        config = _alembic_config()
        with each_store.engine.begin() as connection:
            config.attributes["connection"] = connection
            fn(config, target)

    each_store.accounts.add_user("ann", "analyst", PASSWORD)
    migrate(command.downgrade, "0010")
    with each_store.engine.begin() as c:
        for name, sha in (("console session (10.0.0.7)", "a" * 64), ("crm", "b" * 64)):
            c.execute(text("INSERT INTO api_tokens (user_id, name, token_sha256, created_at) "
                           "VALUES (1, :name, :sha, CURRENT_TIMESTAMP)"), {"name": name, "sha": sha})
    migrate(command.upgrade, "head")
    assert {t.name: t.session for t in each_store.accounts.tokens()} == {"console session (10.0.0.7)": True,
                                                                         "crm": False}
    migrate(command.downgrade, "0010")
    with each_store.engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM api_tokens")).scalar_one() == 2
    migrate(command.upgrade, "head")
