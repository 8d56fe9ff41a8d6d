"""jobs; recordings known before they are decoded

A submitted recording is stored and queued before any worker has decoded it, so its format,
duration, sample rate and channels are filled in later.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
DECODED = (('format', sa.String(length=64)), ('duration_s', sa.Double()), ('sample_rate', sa.Integer()),
           ('channels', sa.Integer()))


def upgrade() -> None:
    with op.batch_alter_table('recordings') as batch:  # SQLite alters columns by copying the table
        for name, type_ in DECODED:
            batch.alter_column(name, existing_type=type_, nullable=True)
    op.create_table('jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recording_id', sa.Integer(), nullable=False),
    sa.Column('audio_path', sa.Text(), nullable=False),
    sa.Column('priority', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('analysis_id', sa.Integer(), nullable=True),
    sa.Column('worker_id', sa.String(length=128), nullable=True),
    sa.Column('lease_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('progress_done', sa.Integer(), nullable=False),
    sa.Column('progress_total', sa.Integer(), nullable=False),
    sa.Column('timings', JSON, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['analysis_id'], ['analyses.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recording_id'], ['recordings.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_jobs_status_next_attempt', 'jobs', ['status', 'next_attempt_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_jobs_status_next_attempt', table_name='jobs')
    op.drop_table('jobs')
    with op.batch_alter_table('recordings') as batch:
        for name, type_ in DECODED:
            batch.alter_column(name, existing_type=type_, nullable=False)
