"""segments: what redaction masked in each, and when it was said; analyses: when redacted again

Each segment lists the personal data masked in its text, words, raw output and translation, with
the entity's time range in the recording: what the audio's redacted copy silences, and what rules
may fire on ("a card number was spoken") once the digits themselves are gone. Segments stored
before have none: `voxsight redact --backfill` reads them again, and marks each analysis it changed
(`analyses.redacted_at`, which the store's change mark reads, so no cached page shows the values).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('segments', sa.Column('redactions', sa.JSON().with_variant(JSONB(), 'postgresql'),
                                        nullable=False, server_default='[]'))
    op.add_column('analyses', sa.Column('redacted_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('analyses', 'redacted_at')
    op.drop_column('segments', 'redactions')  # SQLite 3.35+ drops a column in place
