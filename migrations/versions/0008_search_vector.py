"""search: a stored tsvector column, and statistics on the agent and queue a search is narrowed to

PostgreSQL only (SQLite's FTS5 table is unchanged). Search now returns the newest analyses first
by walking segments in that order and checking each one's terms; a stored ``search_vector``
(generated from ``search_terms``) makes that check a lookup instead of a parse per row, and its
GIN index replaces the expression index of 0006. Statistics on ``metadata ->> 'agent'`` and
``->> 'queue'`` (expression statistics: PostgreSQL 14 or later) let the planner see how many
recordings an agent or queue filter keeps; without them it guessed 0.5%. Both are analyzed here:
a table rewrite does not count as changes for autovacuum, and until then the planner would guess.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

_STATISTICS = {'recordings_agent': 'agent', 'recordings_queue': 'queue'}


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("DROP INDEX ix_segments_search")  # first: the ALTER below rewrites the table and its indexes
    op.execute("ALTER TABLE segments ADD COLUMN search_vector tsvector "
               "GENERATED ALWAYS AS (to_tsvector('simple', search_terms)) STORED")
    op.execute("CREATE INDEX ix_segments_search_vector ON segments USING GIN (search_vector)")
    for name, key in _STATISTICS.items():
        op.execute(f"CREATE STATISTICS {name} ON (metadata ->> '{key}') FROM recordings")
    op.execute("ANALYZE segments")
    op.execute("ANALYZE recordings")


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for name in _STATISTICS:
        op.execute(f"DROP STATISTICS {name}")
    op.execute("DROP INDEX ix_segments_search_vector")
    op.execute("ALTER TABLE segments DROP COLUMN search_vector")
    op.execute("CREATE INDEX ix_segments_search ON segments USING GIN (to_tsvector('simple', search_terms))")
