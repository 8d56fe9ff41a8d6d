"""segments: whose voice a diarized call's segment is, and how its role was told

A call recorded on one mixed channel and analyzed with ``audio.channels: diarize`` has its
segments told apart by voice (``voxsight.speakers``): ``speaker`` numbers the voices in the order
they first speak, and ``role_source`` says how each voice's role (agent, customer) was told, so
that a reader knows how sure it is. Both are empty for split and mixed calls.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('segments', sa.Column('speaker', sa.Integer(), nullable=True))
    op.add_column('segments', sa.Column('role_source', sa.String(16), nullable=True))


def downgrade() -> None:
    op.drop_column('segments', 'role_source')  # SQLite 3.35+ drops a column in place
    op.drop_column('segments', 'speaker')
