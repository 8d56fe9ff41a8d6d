"""site identity; every name a recording was seen under; jobs keep their own name and crash count

A site gets an identity with its schema, which its Redis keys and messages carry (two sites sharing
one Redis prefix refuse to serve). The same bytes arrive under many names: a recording keeps them
all, and a job the name it was submitted under. Jobs count the workers that died running them, so
that such jobs run alone.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""
import uuid
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    site = op.create_table('site',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.bulk_insert(site, [{'id': uuid.uuid4().hex, 'created_at': datetime.now(timezone.utc)}])

    # Columns added with defaults, filled in, never altered after: on SQLite an alteration copies the
    # table, and (see store.upgrade) must never cascade into what points at it.
    op.add_column('recordings', sa.Column('names', JSON, nullable=False, server_default='[]'))
    recordings = sa.table('recordings', sa.column('filename', sa.Text()), sa.column('names', JSON))
    op.execute(recordings.update().values(names=sa.func.json_array(recordings.c.filename))
               if op.get_bind().dialect.name == 'sqlite' else
               recordings.update().values(names=sa.func.jsonb_build_array(recordings.c.filename)))
    op.add_column('jobs', sa.Column('filename', sa.Text(), nullable=False, server_default=''))
    op.add_column('jobs', sa.Column('crashes', sa.Integer(), nullable=False, server_default='0'))
    op.execute("UPDATE jobs SET filename = (SELECT filename FROM recordings WHERE recordings.id = jobs.recording_id)")


def downgrade() -> None:
    with op.batch_alter_table('jobs') as batch:
        batch.drop_column('crashes')
        batch.drop_column('filename')
    with op.batch_alter_table('recordings') as batch:
        batch.drop_column('names')
    op.drop_table('site')
