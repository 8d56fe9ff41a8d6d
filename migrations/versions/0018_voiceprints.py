"""voiceprints: agents' voices, to tell the agent on mono calls; each voice's distance from it

An agent's voiceprint (``voxsight.voiceprints``: enrolled from recordings, or learned from the
agent channel of their stereo calls) names the agent on a diarized mono call whose metadata names
them; each segment keeps its voice's distance from that print, so that a call whose agent voice is
not the enrolled one can be flagged.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'voiceprints',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agent', sa.String(length=128), nullable=False),
        sa.Column('model_id', sa.String(length=64), nullable=False),
        sa.Column('embedding', sa.LargeBinary(), nullable=False),
        sa.Column('speech_s', sa.Float(), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('made_from', sa.Integer(), nullable=False),
        sa.Column('updated_by', sa.String(length=128), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('agent'),
    )
    op.add_column('segments', sa.Column('voice_distance', sa.Float(), nullable=True))


def downgrade() -> None:
    op.drop_column('segments', 'voice_distance')  # SQLite 3.35+ drops a column in place
    op.drop_table('voiceprints')
