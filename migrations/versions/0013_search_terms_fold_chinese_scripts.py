"""segments: index terms with traditional Chinese folded to simplified

Search, phrase rules and highlights now fold traditional characters to simplified on both sides
(voxsight.script.fold), so a query in either script finds text in either. The terms stored with
segments before are rewritten once here, in batches of segments, where folding changes them (the
segments with traditional characters); the text stays as it was stored, in the script it was
recognised in. Folding at query time instead would expand each query into every combination of
its characters' variants (FTS5 phrases have no alternatives within them: each combination would be
a phrase of its own), a number that doubles with each traditional character a query could mean.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

_BATCH = 2000


def upgrade() -> None:
    from voxsight.store.search import index_terms

    bind = op.get_bind()
    segments = sa.table('segments', sa.column('id', sa.Integer()), sa.column('text', sa.Text()),
                        sa.column('search_terms', sa.Text()))
    rewrite = (segments.update().where(segments.c.id == sa.bindparam('segment_id'))
               .values(search_terms=sa.bindparam('terms')))
    after = 0
    while rows := bind.execute(sa.select(segments.c.id, segments.c.text, segments.c.search_terms)
                               .where(segments.c.id > after).order_by(segments.c.id).limit(_BATCH)).all():
        changed = [{'segment_id': i, 'terms': terms} for i, text, old in rows if (terms := index_terms(text)) != old]
        if changed:  # the FTS5 table (SQLite triggers) and the tsvector (generated) follow the column
            bind.execute(rewrite, changed)
        after = rows[-1].id


def downgrade() -> None:
    # Left folded: the previous revision then finds those segments by simplified queries only, as it
    # found simplified ones; nothing is lost.
    pass
