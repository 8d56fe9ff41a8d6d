"""recordings: when their call metadata was last changed on purpose, indexed

The same bytes uploaded again no longer merge their metadata into the stored call; a change is an
explicit action (PATCH /api/v1/recordings/{id}, audited with old and new values). Cached pages are
keyed by the store's change mark, which reads the newest of these moments: with the index that is
one lookup, and a page cached before a metadata change is never served after it.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08
"""
from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('recordings', sa.Column('metadata_changed_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index('ix_recordings_metadata_changed_at', 'recordings', ['metadata_changed_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_recordings_metadata_changed_at', table_name='recordings')
    op.drop_column('recordings', 'metadata_changed_at')  # SQLite 3.35+ drops a column in place
