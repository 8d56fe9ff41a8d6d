"""Users, roles, tokens and the audit log, on SQLite and PostgreSQL, through the store and the CLI."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from helpers import voxsight
from voxsight.errors import NotFound
from voxsight.store import Store
from voxsight.store.accounts import AccountError, Role

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


def test_failed_sign_ins_lock_the_name_out_even_with_the_right_password(store):
    store.accounts.add_user("ann", "viewer", PASSWORD)
    for _ in range(store.accounts.max_failed_sign_ins):
        assert store.accounts.authenticate("ann", "guess") is None
    assert store.accounts.authenticate("ann", PASSWORD) is None
    assert store.accounts.audit_log(limit=1).entries[0].action == "sign_in_refused"


def test_a_disabled_user_cannot_sign_in_and_its_tokens_stop(store):
    store.accounts.add_user("crm", "analyst", None)
    secret, _ = store.accounts.create_token("crm", "crm integration")
    assert store.accounts.user_for_token(secret).name == "crm"
    store.accounts.disable_user("crm")
    assert store.accounts.user_for_token(secret) is None


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
    assert voxsight(env, "users", "disable", "ann").returncode == 0
    assert voxsight(env, "users", "disable", "nobody").returncode == 2
    actions = voxsight(env, "audit").stdout
    for action in ("user_add", "token_create", "token_revoke", "user_disable"):
        assert action in actions
    store = Store(f"sqlite:///{tmp_path / 'data' / 'voxsight.db'}")
    assert store.accounts.user_for_token(secret) is None
