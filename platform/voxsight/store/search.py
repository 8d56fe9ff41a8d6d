"""Full-text search over segment words, in any language, on PostgreSQL and SQLite.

Trigram indexes (pg_trgm, FTS5's trigram tokenizer) cannot serve queries of one or two characters,
and those are what Chinese analysts type (投诉, 退款, 律师); FTS5's trigram table even returns no
rows for a two-character LIKE. So segments carry their own index terms (``segments.search_terms``,
written with the segment): each word of a spaced script, normalised, and for each run of Chinese or
Japanese characters its overlapping bigrams followed by its last character::

    "我要投诉，VIP客户!"  ->  我要 要投 投诉 诉 vip 客户 户

The database's own full-text engine indexes those terms with their positions (a GIN tsvector index
on PostgreSQL, an FTS5 table on SQLite), and a query becomes a phrase of the same terms: 投诉 is one
term; 律师函 is 律师 then 师函; a single character is a prefix (律*), which every character of a run
starts or ends. Results carry where the query matched.

Results come newest first: the segments of the most recently stored analysis first (analyses are
numbered as they are stored, so a recording analyzed again comes first again), each analysis's
segments in the order of the call (start time, then segment id). The order is total, so pages of
limit/offset follow one another without repeats or gaps while nothing new is stored.

On PostgreSQL, fetching and sorting every match before returning 50 took 200-300 ms for a common
word over a million segments. A search walks the newest analyses instead, in that order, checking
each segment's stored tsvector, and stops when the page is full: for a common word, a few hundred
segments. How far a walk would have to go is judged from the hits among the newest 50 analyses,
not from the planner's estimates, which take words and filters to be independent (an English word
with language=zh was estimated at 5% of segments and is in none: a planner-chosen walk read the
whole table, 6 s). When the hits seen say the page would not fill within 500 analyses, the rest
of it comes from every older hit, collected through the indexes and sorted: as many rows as there
are hits, which is few for a rare word, and as many as the previous search read for a common word
that the filters leave out of the newest analyses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import Select, func, literal_column, select, text as sql
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Session

from voxsight.store import schema
from voxsight.store.filters import Filters, call_conditions, heard_conditions
from voxsight.text import find, runs


def index_terms(text: str) -> str:
    """The terms a segment with this text is found by, space-separated, in order."""
    terms: list[str] = []
    for run in runs(text):
        if run.unspaced and len(run.text) > 1:
            terms += [run.text[i:i + 2] for i in range(len(run.text) - 1)]
        terms.append(run.text[-1] if run.unspaced else run.text)
    return " ".join(terms)


@dataclass(frozen=True)
class Query:
    """A query as index terms: a phrase, whose last term may be a prefix (one trailing character)."""

    terms: tuple[str, ...]
    prefix_last: bool

    @classmethod
    def parse(cls, query: str) -> "Query":
        found = runs(query)
        terms: list[str] = []
        for k, run in enumerate(found):
            last = k == len(found) - 1
            if run.unspaced and len(run.text) > 1:
                terms += [run.text[i:i + 2] for i in range(len(run.text) - 1)]
                if not last:  # the text's run ends here too, where its last character is a term
                    terms.append(run.text[-1])
            else:
                terms.append(run.text)
        return cls(tuple(terms), bool(found) and found[-1].unspaced and len(found[-1].text) == 1)


@dataclass(frozen=True)
class Hit:
    recording_id: int
    filename: str
    analysis_id: int
    segment_id: int
    start_s: float
    end_s: float
    role: str | None
    emotion: str | None
    language: str | None
    events: tuple[str, ...]
    text: str
    highlights: tuple[tuple[int, int], ...]  # (start, end) character offsets of each match in text


@dataclass(frozen=True)
class SearchPage:
    hits: list[Hit]
    offset: int
    next_offset: int | None  # None: this is the last page


def search(session: Session, query: str, filters: Filters = Filters(), limit: int = 50,
           offset: int = 0) -> SearchPage:
    """Segments whose words match ``query`` (any language), newest analysis first (see above)."""
    parsed = Query.parse(query)
    if not parsed.terms:
        return SearchPage([], offset, None)
    dialect = session.get_bind().dialect.name
    rows = (_walk_then_collect if dialect == "postgresql" else _sorted)(session, parsed, filters, offset, limit + 1)
    hits = [
        Hit(recording_id=rid, filename=name, analysis_id=seg.analysis_id, segment_id=seg.id,
            start_s=seg.start_ms / 1000, end_s=seg.end_ms / 1000, role=seg.role, emotion=seg.emotion,
            language=seg.language, events=tuple(seg.events), text=seg.text,
            highlights=tuple(find(seg.text, query)))
        for seg, rid, name in rows[:limit]
    ]
    return SearchPage(hits, offset, offset + limit if len(rows) > limit else None)


# PostgreSQL: analyses walked before judging how common the hits are, and the most walked in all.
_FIRST_WALK = 50
_LONGEST_WALK = 500
# The segments table's stored tsvector (migration 0008): PostgreSQL only, so not mapped.
_SEARCH_VECTOR = literal_column("segments.search_vector", TSVECTOR)


def _newest_first(segment=schema.Segment) -> tuple:
    return segment.analysis_id.desc(), segment.start_ms, segment.id


def _matching(dialect: str, match, filters: Filters, *where) -> Select:
    """The matching segments of finished analyses, with their recording's id and file name."""
    s, a, r = schema.Segment, schema.Analysis, schema.Recording
    return (select(s, r.id, r.filename)
            .join(a, s.analysis_id == a.id).join(r, a.recording_id == r.id)
            .where(a.status == schema.AnalysisStatus.DONE.value, match, *call_conditions(filters),
                   *heard_conditions(dialect, filters), *where))


def _sorted(session: Session, q: Query, filters: Filters, offset: int, count: int) -> list:
    statement = _matching("sqlite", _matches("sqlite", q), filters).order_by(*_newest_first())
    return session.execute(statement.limit(count).offset(offset)).all()


def _walk_then_collect(session: Session, q: Query, filters: Filters, offset: int, count: int) -> list:
    """The ``count`` rows from ``offset`` on: walked newest first while the hits are common enough,
    the rest collected through the indexes (see the module's docstring)."""
    needed = offset + count
    # Settings for these statements, put back after them (SET LOCAL lasts to the end of the
    # caller's transaction). Which plan is good depends on the values (how common the words are,
    # what a filter keeps), and psycopg prepares a statement run five times, after which PostgreSQL
    # may keep one generic plan. A walk must walk: given bitmaps, the planner ANDs the window with
    # the emotion index's bitmap, 100,000 entries read to skip a few thousand rows.
    session.execute(sql("SET LOCAL plan_cache_mode = force_custom_plan"))
    session.execute(sql("SET LOCAL enable_bitmapscan = off"))
    rows, unwalked = _walk(session, q, filters, needed)
    session.execute(sql("SET LOCAL enable_bitmapscan = DEFAULT"))  # GIN is read through bitmaps only
    page = rows[offset:]
    if len(rows) < needed and unwalked is not None:
        skip = max(0, offset - len(rows))  # older hits before the page starts
        page += _collect(session, q, filters, unwalked, skip, needed - max(offset, len(rows)))
    session.execute(sql("SET LOCAL plan_cache_mode = DEFAULT"))
    return page


def _walk(session: Session, q: Query, filters: Filters, needed: int) -> tuple[list, int | None]:
    """Up to ``needed`` rows, walking the newest analyses; and the analyses older than this id
    were not walked (None: all were)."""
    rows: list = []
    upper, walked, window = None, 0, _FIRST_WALK
    while True:
        lower = _nth_newest_analysis(session, window, upper)  # None: fewer than that are left
        # The function, not the @@ operator: no index serves it, so this is a walk down the order.
        walk = _matching("postgresql", func.ts_match_vq(_SEARCH_VECTOR, _tsquery(q)), filters,
                         *_analyses_between(lower, upper))
        rows += session.execute(walk.order_by(*_newest_first()).limit(needed - len(rows))).all()
        walked += window
        if len(rows) >= needed or lower is None:
            return rows, None
        if not rows:
            return rows, lower
        window = math.ceil((needed - len(rows)) * walked / len(rows) * 1.5)  # at the rate so far, with a margin
        if walked + window > _LONGEST_WALK:
            return rows, lower
        upper = lower


def _collect(session: Session, q: Query, filters: Filters, older_than: int, offset: int, count: int) -> list:
    """Rows of analyses older than ``older_than``: every hit, sorted. A materialized CTE, so that
    the planner cannot walk the order instead."""
    s, a, r = schema.Segment, schema.Analysis, schema.Recording
    hits = (_matching("postgresql", _matches("postgresql", q), filters, s.analysis_id < older_than)
            .with_only_columns(s.id, s.analysis_id, s.start_ms)
            .cte("older_hits").prefix_with("MATERIALIZED"))
    page = select(hits).order_by(*_newest_first(hits.c)).offset(offset).limit(count).subquery("page")
    return session.execute(
        select(s, r.id, r.filename).join(page, page.c.id == s.id)
        .join(a, s.analysis_id == a.id).join(r, a.recording_id == r.id)
        .order_by(*_newest_first(page.c))).all()


def _nth_newest_analysis(session: Session, n: int, older_than: int | None) -> int | None:
    a = schema.Analysis
    statement = select(a.id).order_by(a.id.desc()).offset(n - 1).limit(1)
    if older_than is not None:
        statement = statement.where(a.id < older_than)
    return session.scalar(statement)


def _analyses_between(lowest: int | None, older_than: int | None) -> list:
    s = schema.Segment
    conditions = []
    if lowest is not None:
        conditions.append(s.analysis_id >= lowest)
    if older_than is not None:
        conditions.append(s.analysis_id < older_than)
    return conditions


def _matches(dialect: str, q: Query):
    if dialect == "postgresql":
        return _SEARCH_VECTOR.op("@@")(_tsquery(q))
    # FTS5: a quoted phrase; a '*' after it makes its last term a prefix.
    match = '"' + " ".join(q.terms).replace('"', '""') + '"' + ("*" if q.prefix_last else "")
    return schema.Segment.id.in_(sql("SELECT rowid FROM segment_search WHERE segment_search MATCH :match")
                                 .bindparams(match=match).columns(literal_column("rowid")))


def _tsquery(q: Query):
    words = [_tsquery_term(t) for t in q.terms]
    if q.prefix_last:
        words[-1] += ":*"
    return func.to_tsquery("simple", " <-> ".join(words))


def _tsquery_term(term: str) -> str:
    return "'" + term.replace("'", "''").replace("\\", "\\\\") + "'"
