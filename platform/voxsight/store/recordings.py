"""Recordings as analysts browse them: a filtered, sorted page of calls, and one call whole.

A recording's analysis is its newest finished one (a recording analyzed again with another model
or other parameters shows the latest). Filters on what was heard (emotion, event, language) match a
recording when any segment of a finished analysis of it matches; the alert filter when any of its
alerts is in that state (``none``: it has no alert at all).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import case, exists, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from voxsight.records import Record, Time
from voxsight.store import schema
from voxsight.store.alerts import call_columns
from voxsight.store.filters import Filters, call_conditions, heard_conditions

SORTS = ("newest", "oldest", "longest", "shortest", "name")
ALERT_STATES = ("open", "acknowledged", "resolved", "none")
FACETS = ("agent", "queue", "language")


@dataclass(frozen=True)
class RecordingSummary(Record):
    id: int
    filename: str
    sha256: str
    size_bytes: int
    format: str | None
    duration_s: float | None
    channels: int | None
    call_metadata: dict[str, Any]
    created_at: Time
    analysis_id: int | None  # its newest finished analysis; None while none has finished
    synthetic: bool | None
    dominant_emotion: str | None
    language: str | None
    open_alerts: int
    alerts: int


@dataclass(frozen=True)
class RecordingPage(Record):
    items: list[RecordingSummary]
    total: int  # recordings that match; with ``count_up_to``, at most offset + count_up_to + 1
    offset: int
    next_offset: int | None  # None: this is the last page
    total_exact: bool = True  # False: more match than were counted


class RecordingStore:
    def __init__(self, sessions: sessionmaker):
        self._sessions = sessions

    def list(self, filters: Filters | None = None, alert_state: str | None = None, sort: str = "newest",
             limit: int = 50, offset: int = 0, count_up_to: int | None = None) -> RecordingPage:
        """One page of recordings that match, with how many match in all, or, with
        ``count_up_to``, in the next ``count_up_to`` past the page's start: counting every match of
        a filter on what was heard reads every segment that has it, which a page does not need."""
        filters = filters or Filters()
        if sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
        if alert_state is not None and alert_state not in ALERT_STATES:
            raise ValueError(f"alert state must be one of {', '.join(ALERT_STATES)}, not {alert_state!r}")
        r = schema.Recording
        with self._sessions() as session:
            where = _conditions(session.get_bind().dialect.name, filters, alert_state)
            counted = select(r.id).where(*where)
            if count_up_to is not None:
                counted = counted.limit(offset + count_up_to + 1)
            total = session.scalar(select(func.count()).select_from(counted.subquery())) or 0
            order = {"newest": (r.created_at.desc(), r.id.desc()), "oldest": (r.created_at, r.id),
                     "longest": (r.duration_s.desc().nulls_last(), r.id.desc()),
                     "shortest": (r.duration_s.asc().nulls_last(), r.id), "name": (r.filename, r.id)}[sort]
            rows = session.scalars(select(r).where(*where).order_by(*order).limit(limit).offset(offset)).all()
            items = _summaries(session, rows)
        exact = count_up_to is None or total <= offset + count_up_to
        return RecordingPage(items, total, offset, offset + limit if offset + limit < total else None, exact)

    def get(self, recording_id: int) -> RecordingSummary | None:
        with self._sessions() as session:
            row = session.get(schema.Recording, recording_id)
            return _summaries(session, [row])[0] if row else None

    def id_for(self, sha256: str) -> int | None:
        """The id of the recording of these bytes, if they are stored."""
        with self._sessions() as session:
            return session.scalar(select(schema.Recording.id).where(schema.Recording.sha256 == sha256))

    def update_metadata(self, recording_id: int, changes: dict[str, str | None]) -> tuple[dict, dict] | None:
        """Set (a text) or remove (None) call metadata fields of one recording, and the columns of
        its calls' features that reports group by (when, agent, queue), in one transaction; the
        recording's change mark moves, so no cached page shows the old values. Returns the
        metadata before and after, or None when there is no such recording."""
        r, cf, a = schema.Recording, schema.CallFeatures, schema.Analysis
        with self._sessions.begin() as session:
            row = session.scalar(select(r).where(r.id == recording_id).with_for_update())  # no lost update
            if row is None:
                return None
            old = dict(row.call_metadata or {})
            new = {**old, **{k: v for k, v in changes.items() if v is not None}}
            for key in (k for k, v in changes.items() if v is None):
                new.pop(key, None)
            if new != old:
                row.call_metadata, row.metadata_changed_at = new, datetime.now(timezone.utc)
                for analysis_id, finished_at in session.execute(
                        select(a.id, a.finished_at).join(cf, cf.analysis_id == a.id).where(a.recording_id == recording_id)):
                    session.execute(update(cf).where(cf.analysis_id == analysis_id)
                                    .values(**call_columns(new, finished_at or row.created_at)))
        return old, new

    def audio_path(self, recording_id: int) -> str | None:
        """Where the recording's audio is stored (submitted recordings; ``analyze`` reads files in
        place and stores none)."""
        with self._sessions() as session:
            return session.scalar(select(schema.Job.audio_path).where(schema.Job.recording_id == recording_id)
                                  .order_by(schema.Job.id.desc()).limit(1))

    def facet_values(self, facet: str, limit: int = 500) -> list[str]:
        """The distinct agents, queues or (main) languages of analysed calls, sorted: what a filter
        offers. Read from ``call_features``, where they are plain columns."""
        if facet not in FACETS:
            raise ValueError(f"facet must be one of {', '.join(FACETS)}, not {facet!r}")
        column = getattr(schema.CallFeatures, facet)
        with self._sessions() as session:
            return list(session.scalars(select(column).where(column.is_not(None)).distinct().order_by(column)
                                        .limit(limit)))

    def version(self) -> str:
        """Changes whenever anything a recording, search or report page shows may have changed: a
        new analysis (or a failed one replaced), an alert opened, updated, acknowledged or resolved,
        a job submitted (new names), a call's metadata changed, an analysis redacted again. Cached pages are keyed by it, so a
        page cached before a change is never served after it, whichever process made the change."""
        with self._sessions() as session:
            marks = session.execute(select(
                select(func.max(schema.Analysis.id)).scalar_subquery(),
                select(func.max(schema.AlertEvent.id)).scalar_subquery(),
                select(func.max(schema.Job.id)).scalar_subquery(),
                select(func.max(schema.Recording.metadata_changed_at)).scalar_subquery(),
                select(func.max(schema.Analysis.redacted_at)).scalar_subquery())).one()
        return ".".join(_mark(m) for m in marks)


def _mark(value: Any) -> str:
    if isinstance(value, datetime):
        return str(int(value.timestamp() * 1_000_000))
    return str(value or 0)  # an id; or a moment SQLite handed back as its text


def _conditions(dialect: str, f: Filters, alert_state: str | None) -> list[Any]:
    r, a, s = schema.Recording, schema.Analysis, schema.Segment
    conditions = call_conditions(f)
    if heard := heard_conditions(dialect, f):
        conditions.append(exists(select(s.id).join(a, s.analysis_id == a.id).where(
            a.recording_id == r.id, a.status == schema.AnalysisStatus.DONE.value, *heard)))
    if alert_state is not None:
        alerted = select(schema.Alert.id).join(a, schema.Alert.analysis_id == a.id).where(a.recording_id == r.id)
        conditions.append(~exists(alerted) if alert_state == "none"
                          else exists(alerted.where(schema.Alert.status == alert_state)))
    return conditions


def _summaries(session: Session, rows) -> list[RecordingSummary]:
    if not rows:
        return []
    ids = [row.id for row in rows]
    a, cf, al = schema.Analysis, schema.CallFeatures, schema.Alert
    latest = dict(session.execute(
        select(a.recording_id, func.max(a.id)).where(a.recording_id.in_(ids), a.status == schema.AnalysisStatus.DONE.value)
        .group_by(a.recording_id)).all())
    analyses = {row.id: row for row in session.scalars(select(a).where(a.id.in_(latest.values())))}
    features = {row.analysis_id: row for row in session.scalars(select(cf).where(cf.analysis_id.in_(latest.values())))}
    alert_counts: dict[int, tuple[int, int]] = {}
    for recording_id, total, open_ in session.execute(
            select(a.recording_id, func.count(al.id), func.sum(case((al.status == schema.AlertStatus.OPEN.value, 1), else_=0)))
            .join(a, al.analysis_id == a.id).where(a.recording_id.in_(ids)).group_by(a.recording_id)):
        alert_counts[recording_id] = (int(open_ or 0), total)
    out = []
    for row in rows:
        analysis_id = latest.get(row.id)
        analysis, feature = analyses.get(analysis_id), features.get(analysis_id)
        open_, total = alert_counts.get(row.id, (0, 0))
        out.append(RecordingSummary(
            id=row.id, filename=row.filename, sha256=row.sha256, size_bytes=row.size_bytes, format=row.format,
            duration_s=row.duration_s, channels=row.channels, call_metadata=dict(row.call_metadata or {}),
            created_at=row.created_at, analysis_id=analysis_id,
            synthetic=analysis.synthetic if analysis else None,
            dominant_emotion=feature.dominant_emotion if feature else None,
            language=feature.language if feature else None, open_alerts=open_, alerts=total))
    return out
