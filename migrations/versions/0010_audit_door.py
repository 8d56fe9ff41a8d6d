"""audit_log: the door each action came through, and one vocabulary of action names

The CLI wrote its own dialect of action names (user_added, user_disabled, token_created,
token_revoked) where the API and the console wrote user_add, user_disable, token_create,
token_revoke: a compliance officer filtering by action missed a tier. Old rows take the one
vocabulary, and their door is worked out from what they carried: an actor ``cli:<login>`` or
``site:<login>``, a detail ``via`` (the console's), the API otherwise. That is the only rewrite the
log ever takes: the append-only triggers are dropped for it and made again, now also guarding the
new column. The downgrade gives the CLI's rows their old names back.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

RENAMED = {'user_added': 'user_add', 'user_disabled': 'user_disable', 'token_created': 'token_create',  # nosec B105 # action names, not secrets
           'token_revoked': 'token_revoke'}  # nosec B105 # action names


def upgrade() -> None:
    op.add_column('audit_log', sa.Column('door', sa.String(length=16), nullable=True))
    postgresql = op.get_bind().dialect.name == 'postgresql'
    _drop_triggers(postgresql)
    for old, new in RENAMED.items():
        op.execute(sa.text("UPDATE audit_log SET action = :new WHERE action = :old").bindparams(old=old, new=new))
    via = "detail ->> 'via'" if postgresql else "json_extract(detail, '$.via')"
    op.execute(f"""UPDATE audit_log SET door = CASE
                       WHEN actor LIKE 'cli:%' THEN 'cli'
                       WHEN actor LIKE 'site:%' THEN 'site'
                       WHEN {via} = 'console' THEN 'console'
                       ELSE 'api' END""")  # nosec B608 # {via} is one of two constants
    _create_triggers(postgresql, with_door=True)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == 'postgresql'
    _drop_triggers(postgresql)
    for old, new in RENAMED.items():
        op.execute(sa.text("UPDATE audit_log SET action = :old WHERE action = :new AND door = 'cli'")
                   .bindparams(old=old, new=new))
    op.drop_column('audit_log', 'door')  # SQLite 3.35+ drops a column in place (no copy, no cascade)
    _create_triggers(postgresql, with_door=False)


def _drop_triggers(postgresql: bool) -> None:
    if postgresql:
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION audit_log_append_only()")
    else:
        op.execute("DROP TRIGGER audit_log_no_delete")
        op.execute("DROP TRIGGER audit_log_no_update")


def _create_triggers(postgresql: bool, with_door: bool) -> None:
    # As 0007 made them: only a recording's deletion may touch a row (setting recording_id NULL).
    if postgresql:
        columns = "NEW.id, NEW.at, NEW.actor, NEW.action, NEW.source, NEW.detail" + (", NEW.door" if with_door else "")
        op.execute(f"""
            CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
            BEGIN
              IF TG_OP = 'UPDATE' AND NEW.recording_id IS NULL AND OLD.recording_id IS NOT NULL
                 AND ({columns})
                     IS NOT DISTINCT FROM ({columns.replace('NEW.', 'OLD.')}) THEN
                RETURN NEW;
              END IF;
              RAISE EXCEPTION 'the audit log is append-only';
            END $$ LANGUAGE plpgsql""")
        op.execute("CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
                   "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()")
    else:
        door = " AND NEW.door IS OLD.door" if with_door else ""
        op.execute("CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
                   "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END")
        op.execute("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
                   "WHEN NOT (NEW.recording_id IS NULL AND OLD.recording_id IS NOT NULL "
                   "AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.actor = OLD.actor AND NEW.action = OLD.action"
                   f"{door}) "
                   "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END")
