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
starts or ends. Results are ranked newest recording first and carry where the query matched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, literal_column, select, text as sql
from sqlalchemy.orm import Session

from voxsight.store import schema
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
class Filters:
    """What a search (or a list of recordings) is narrowed to. None: any."""

    emotion: str | None = None
    language: str | None = None
    role: str | None = None
    event: str | None = None
    agent: str | None = None
    queue: str | None = None
    recording_id: int | None = None
    since: datetime | None = None  # recordings stored from
    until: datetime | None = None  # ... until (exclusive)


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
    """Segments whose words match ``query`` (any language), newest recording first."""
    parsed = Query.parse(query)
    if not parsed.terms:
        return SearchPage([], offset, None)
    s, a, r = schema.Segment, schema.Analysis, schema.Recording
    dialect = session.get_bind().dialect.name
    statement = (
        select(s, r.id, r.filename)
        .join(a, s.analysis_id == a.id).join(r, a.recording_id == r.id)
        .where(a.status == schema.AnalysisStatus.DONE.value, _matches(dialect, parsed), *_conditions(dialect, filters))
        .order_by(r.created_at.desc(), r.id.desc(), s.start_ms, s.id)
        .limit(limit + 1).offset(offset)
    )
    rows = session.execute(statement).all()
    hits = [
        Hit(recording_id=rid, filename=name, analysis_id=seg.analysis_id, segment_id=seg.id,
            start_s=seg.start_ms / 1000, end_s=seg.end_ms / 1000, role=seg.role, emotion=seg.emotion,
            language=seg.language, events=tuple(seg.events), text=seg.text,
            highlights=tuple(find(seg.text, query)))
        for seg, rid, name in rows[:limit]
    ]
    return SearchPage(hits, offset, offset + limit if len(rows) > limit else None)


def _matches(dialect: str, q: Query):
    if dialect == "postgresql":
        words = [_tsquery_term(t) for t in q.terms]
        if q.prefix_last:
            words[-1] += ":*"
        tsquery = func.to_tsquery("simple", " <-> ".join(words))
        return func.to_tsvector("simple", schema.Segment.search_terms).op("@@")(tsquery)
    # FTS5: a quoted phrase; a '*' after it makes its last term a prefix.
    match = '"' + " ".join(q.terms).replace('"', '""') + '"' + ("*" if q.prefix_last else "")
    return schema.Segment.id.in_(sql("SELECT rowid FROM segment_search WHERE segment_search MATCH :match")
                                 .bindparams(match=match).columns(literal_column("rowid")))


def _tsquery_term(term: str) -> str:
    return "'" + term.replace("'", "''").replace("\\", "\\\\") + "'"


def _conditions(dialect: str, f: Filters) -> list[Any]:
    s, r = schema.Segment, schema.Recording
    conditions = []
    for column, value in ((s.emotion, f.emotion), (s.language, f.language), (s.role, f.role), (r.id, f.recording_id)):
        if value is not None:
            conditions.append(column == value)
    for key, value in (("agent", f.agent), ("queue", f.queue)):
        if value is not None:
            conditions.append(r.call_metadata[key].as_string() == value)
    if f.since is not None:
        conditions.append(r.created_at >= f.since)
    if f.until is not None:
        conditions.append(r.created_at < f.until)
    if f.event is not None:  # JSON list membership, in each dialect's own words
        conditions.append(
            sql("segments.events @> CAST(:event_list AS JSONB)").bindparams(event_list=json.dumps([f.event]))
            if dialect == "postgresql" else
            sql("EXISTS (SELECT 1 FROM json_each(segments.events) WHERE json_each.value = :event)")
            .bindparams(event=f.event))
    return conditions
