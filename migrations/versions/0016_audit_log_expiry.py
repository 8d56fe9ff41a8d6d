"""audit_log_expiry: the one way an audit entry may be deleted, its retention

The audit log stays append-only (0007, 0010): the database refuses to change or delete an entry.
Only entries older than the cutoff in audit_log_expiry's one row may be deleted. The retention run
sets that cutoff, deletes what is older and clears it, in one transaction, and only when
`retention.audit_days` asks for it. The cutoff is empty at any other time, so nothing can be deleted.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

_POSTGRESQL_CHECK = """
    CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND NEW.recording_id IS NULL AND OLD.recording_id IS NOT NULL
         AND (NEW.id, NEW.at, NEW.actor, NEW.action, NEW.source, NEW.detail, NEW.door)
             IS NOT DISTINCT FROM (OLD.id, OLD.at, OLD.actor, OLD.action, OLD.source, OLD.detail, OLD.door) THEN
        RETURN NEW;
      END IF;
      {expiry}
      RAISE EXCEPTION 'the audit log is append-only';
    END $$ LANGUAGE plpgsql"""
_EXPIRY = "IF TG_OP = 'DELETE' AND OLD.at < (SELECT cutoff FROM audit_log_expiry WHERE id = 1) THEN RETURN OLD; END IF;"


def upgrade() -> None:
    op.create_table('audit_log_expiry',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('cutoff', sa.DateTime(timezone=True), nullable=True),
                    sa.PrimaryKeyConstraint('id'))
    op.execute("INSERT INTO audit_log_expiry (id, cutoff) VALUES (1, NULL)")
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(_POSTGRESQL_CHECK.format(expiry=_EXPIRY))
    else:
        op.execute("DROP TRIGGER audit_log_no_delete")
        op.execute("CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
                   # COALESCE: with no cutoff the comparison is NULL, which must refuse, not let through.
                   "WHEN COALESCE(OLD.at < (SELECT cutoff FROM audit_log_expiry WHERE id = 1), 0) = 0 "
                   "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(_POSTGRESQL_CHECK.format(expiry=""))
    else:
        op.execute("DROP TRIGGER audit_log_no_delete")
        op.execute("CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
                   "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END")
    op.drop_table('audit_log_expiry')
