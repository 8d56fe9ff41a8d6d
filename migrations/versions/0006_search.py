"""full-text search over segment words in any language

Segments carry their own index terms (voxsight.store.search.index_terms: words, and bigrams of Chinese
and Japanese runs), indexed by the database's full-text engine: a GIN index over a 'simple'
tsvector on PostgreSQL, an FTS5 table kept in step by triggers on SQLite.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_SQLITE = [
    "CREATE VIRTUAL TABLE segment_search USING fts5(search_terms, content='segments', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER segments_search_insert AFTER INSERT ON segments BEGIN "
    "INSERT INTO segment_search(rowid, search_terms) VALUES (new.id, new.search_terms); END",
    "CREATE TRIGGER segments_search_delete AFTER DELETE ON segments BEGIN "
    "INSERT INTO segment_search(segment_search, rowid, search_terms) VALUES ('delete', old.id, old.search_terms); END",
    "CREATE TRIGGER segments_search_update AFTER UPDATE OF search_terms ON segments BEGIN "
    "INSERT INTO segment_search(segment_search, rowid, search_terms) VALUES ('delete', old.id, old.search_terms); "
    "INSERT INTO segment_search(rowid, search_terms) VALUES (new.id, new.search_terms); END",
]


def upgrade() -> None:
    from voxsight.store.search import index_terms

    with op.batch_alter_table('segments') as batch:
        batch.add_column(sa.Column('search_terms', sa.Text(), nullable=False, server_default=''))
    bind = op.get_bind()
    segments = sa.table('segments', sa.column('id', sa.Integer()), sa.column('text', sa.Text()),
                        sa.column('search_terms', sa.Text()))
    for segment_id, text in bind.execute(sa.select(segments.c.id, segments.c.text)).all():
        bind.execute(segments.update().where(segments.c.id == segment_id).values(search_terms=index_terms(text)))
    if bind.dialect.name == 'postgresql':
        op.execute("CREATE INDEX ix_segments_search ON segments USING GIN (to_tsvector('simple', search_terms))")
    else:
        for statement in _SQLITE:
            op.execute(statement)
        op.execute("INSERT INTO segment_search(segment_search) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_segments_search', table_name='segments')
    else:
        for name in ('segments_search_update', 'segments_search_delete', 'segments_search_insert'):
            op.execute(f"DROP TRIGGER {name}")
        op.execute("DROP TABLE segment_search")
    with op.batch_alter_table('segments') as batch:
        batch.drop_column('search_terms')
