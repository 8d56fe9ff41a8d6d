"""words engine: the Whisper model of an analysis, which engine wrote each segment's words, translations

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('analyses', sa.Column('words_model_id', sa.String(length=128), nullable=True))
    op.add_column('segments', sa.Column('words_engine', sa.String(length=16), nullable=True))
    op.add_column('segments', sa.Column('translation', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('segments') as batch:  # SQLite drops columns by copying the table
        batch.drop_column('translation')
        batch.drop_column('words_engine')
    with op.batch_alter_table('analyses') as batch:
        batch.drop_column('words_model_id')
