"""recordings: an index on (created_at, id), the order the console and GET /recordings list calls in

Without it every page of calls, newest first, sorted the whole table: 55 ms for the first page of
100,000 recordings on PostgreSQL, growing with the store. With it the page is a walk down the
index that stops at the page's end, also when a filter keeps most calls (bench/console_calls.py).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24
"""
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_recordings_created_at', 'recordings', ['created_at', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_recordings_created_at', table_name='recordings')
