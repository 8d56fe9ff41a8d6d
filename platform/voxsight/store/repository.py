"""Reading and writing analyses. Each public method is one unit of work: one transaction."""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any, Callable

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from voxsight.errors import StoreError
from voxsight.results import AnalysisResult, RecordingInfo, Redaction, Segment, Word
from voxsight.store import schema, search
from voxsight.store.accounts import AccountStore
from voxsight.store.alerts import AlertStore
from voxsight.store.compliance import ComplianceStore
from voxsight.store.filters import Filters
from voxsight.store.jobs import JobStore
from voxsight.store.recordings import RecordingStore
from voxsight.store.voiceprints import VoiceprintStore


def upgrade(url: str) -> str:
    """Bring the database's schema to the newest Alembic revision; returns that revision."""
    # SQLite alters a table by copying it and dropping the old one: with foreign keys enforced, that
    # drop would cascade and delete every row that points at the table (every analysis of every
    # recording). Migrations run with them off, as SQLite's documentation prescribes.
    engine = _create_engine(url)
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            config = _alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        return _head()
    except OperationalError as exc:
        raise StoreError(f"cannot open the database {engine.url!r}: {exc.orig}") from exc
    finally:
        engine.dispose()


@dataclass(frozen=True)
class RedactedAgain:
    """One stored analysis redacted again (``Store.redact_stored``): its segments as they now are,
    and how many segments and alerts changed."""

    analysis_id: int
    recording_id: int
    segments: tuple[Segment, ...]
    segments_changed: int
    alerts_changed: int


class Store:
    def __init__(self, url: str, auto_upgrade: bool | None = None):
        """Open the store. SQLite, the embedded default, is upgraded on open; PostgreSQL is
        upgraded explicitly (``voxsight db upgrade``), as a shared production database should be."""
        self.url = url
        self.engine = _create_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.jobs = JobStore(self._sessions)
        self.accounts = AccountStore(self._sessions)
        self.alerts = AlertStore(self._sessions)
        self.recordings = RecordingStore(self._sessions)
        self.compliance = ComplianceStore(self._sessions)
        self.voiceprints = VoiceprintStore(self._sessions)
        if auto_upgrade is None:
            auto_upgrade = self.engine.dialect.name == "sqlite"
        current = self.revision()
        if current != _head():
            if not auto_upgrade:
                raise StoreError(
                    f"database schema is at revision {current or 'none'}, this version needs {_head()}: "
                    "run `voxsight db upgrade`"
                )
            upgrade(url)

    def revision(self) -> str | None:
        try:
            with self.engine.connect() as connection:
                return MigrationContext.configure(connection).get_current_revision()
        except Exception as exc:
            raise StoreError(f"cannot open the database {self.engine.url!r}: {exc}") from exc

    @functools.cached_property
    def site_id(self) -> str:
        """This site's identity, made with its schema."""
        with self._sessions() as session:
            site = session.scalar(select(schema.Site.id))
        if site is None:
            raise StoreError(f"the database {self.engine.url!r} has no site identity: run `voxsight db upgrade`")
        return site

    def add_name(self, sha256: str, name: str) -> None:
        """Remember another name the recording of these bytes was seen under."""
        with self._sessions.begin() as session:
            recording = session.scalar(select(schema.Recording).where(schema.Recording.sha256 == sha256))
            if recording is not None:
                recording.add_name(name)

    def search(self, query: str, filters: Filters | None = None, limit: int = 50,
               offset: int = 0) -> search.SearchPage:
        """Segments whose words match ``query``, in any language (see ``voxsight.store.search``)."""
        with self._sessions() as session:
            return search.search(session, query, filters or Filters(), limit, offset)

    def find(self, sha256: str, model_id: str, parameters_key: str) -> AnalysisResult | None:
        """The finished analysis of these bytes with this model and these parameters, if any."""
        with self._sessions() as session:
            row = session.scalar(
                select(schema.Analysis)
                .join(schema.Recording)
                .where(schema.Recording.sha256 == sha256, schema.Analysis.model_id == model_id,
                       schema.Analysis.parameters_key == parameters_key,
                       schema.Analysis.status == schema.AnalysisStatus.DONE.value)
                .options(selectinload(schema.Analysis.segments), selectinload(schema.Analysis.recording))
            )
            return _to_result(row, reused=True) if row else None

    def analysis(self, analysis_id: int) -> AnalysisResult | None:
        """A finished analysis by its id, with its recording and segments."""
        with self._sessions() as session:
            row = session.scalar(
                select(schema.Analysis)
                .where(schema.Analysis.id == analysis_id, schema.Analysis.status == schema.AnalysisStatus.DONE.value)
                .options(selectinload(schema.Analysis.segments), selectinload(schema.Analysis.recording)))
            return _to_result(row, reused=True) if row else None

    def redact_stored(self, analysis_id: int, redact: Callable[[list[Segment]], list[Segment]],
                      scrub: Callable[[Any], Any]) -> RedactedAgain | None:
        """Redact one stored analysis again, in one transaction: its segments through ``redact``
        (text, raw, words, translation, what was masked; index terms follow), and through ``scrub``
        every text its alerts hold (message, triggers, the comments of their history), the
        notifications announcing them, and the names its recording and jobs were given. The analysis is marked (``redacted_at``) when anything changed,
        which moves the change mark cached pages are keyed by. None: no such finished analysis."""
        a, seg = schema.Analysis, schema.Segment
        with self._sessions.begin() as session:
            row = session.scalar(select(a).where(a.id == analysis_id, a.status == schema.AnalysisStatus.DONE.value)
                                 .with_for_update())  # a worker's re-analysis waits, and is not lost
            if row is None:
                return None
            rows = list(session.scalars(select(seg).where(seg.analysis_id == analysis_id)
                                        .order_by(seg.start_ms, seg.id)))
            before = [_to_segment(r) for r in rows]
            after = redact(before)
            segments = 0
            for r, old, new in zip(rows, before, after):
                kept = [*old.redactions, *(x for x in new.redactions if x not in old.redactions)]
                new = replace(new, redactions=tuple(kept))
                if new != old:
                    segments += 1
                    fresh = _to_row(new)
                    r.text, r.raw, r.words, r.translation = fresh.text, fresh.raw, fresh.words, fresh.translation
                    r.redactions, r.search_terms = fresh.redactions, fresh.search_terms
            alerts = 0
            for alert in session.scalars(select(schema.Alert).where(schema.Alert.analysis_id == analysis_id)):
                message, triggers = scrub(alert.message), scrub(alert.triggers)
                changed = (message, triggers) != (alert.message, alert.triggers)
                for event in alert.history:
                    if event.comment and (comment := scrub(event.comment)) != event.comment:
                        event.comment, changed = comment, True
                    for outbox in session.scalars(select(schema.Outbox).where(schema.Outbox.event_id == event.id)):
                        if (payload := scrub(outbox.payload)) != outbox.payload:
                            outbox.payload, changed = payload, True
                if changed:
                    alert.message, alert.triggers, alerts = message, triggers, alerts + 1
            renamed = _scrub_names(session, row.recording, scrub)
            if segments or alerts or renamed:
                row.redacted_at = datetime.now(timezone.utc)
            return RedactedAgain(analysis_id, row.recording_id, tuple(after), segments, alerts)

    def save(self, result: AnalysisResult, parameters_key: str, size_bytes: int,
             call_metadata: dict | None = None) -> AnalysisResult:
        """Store a finished analysis (replacing a failed attempt with the same key).

        Idempotent: when the same analysis is stored already (a job delivered twice, two workers
        racing), that one is returned and nothing is written.
        """
        try:
            with self._sessions.begin() as session:
                analysis = self._fresh_analysis(session, result, parameters_key, size_bytes, call_metadata)
                if analysis.status == schema.AnalysisStatus.DONE.value:
                    return _to_result(analysis, reused=True)
                analysis.status = schema.AnalysisStatus.DONE.value
                analysis.timings = result.timings_s
                analysis.finished_at = datetime.now(timezone.utc)
                analysis.segments = [_to_row(s) for s in result.segments]
                session.flush()
                recording_id, analysis_id, names = analysis.recording_id, analysis.id, analysis.recording.names
                metadata = analysis.recording.call_metadata
        except IntegrityError:
            # Another worker inserted the same recording or analysis between our read and write.
            stored = self.find(result.recording.sha256, result.model_id, parameters_key)
            if stored is None:
                raise
            return stored
        return _replace_ids(result, recording_id, analysis_id, names, metadata)

    def save_failure(self, result: AnalysisResult, parameters_key: str, size_bytes: int, error: str) -> int:
        """Record that analyzing a decodable recording failed, and why. Returns the analysis id."""
        with self._sessions.begin() as session:
            analysis = self._fresh_analysis(session, result, parameters_key, size_bytes, None)
            if analysis.status == schema.AnalysisStatus.DONE.value:
                return analysis.id  # another attempt succeeded meanwhile: keep its result
            analysis.status = schema.AnalysisStatus.FAILED.value
            analysis.error = error
            analysis.finished_at = datetime.now(timezone.utc)
            session.flush()
            return analysis.id

    def _fresh_analysis(self, session: Session, result: AnalysisResult, parameters_key: str,
                        size_bytes: int, call_metadata: dict | None) -> schema.Analysis:
        """The analysis row to fill: a new one (replacing a failed attempt), or the finished one."""
        info = result.recording
        recording = schema.Recording.get_or_add(session, info.sha256, info.filename, size_bytes, call_metadata)
        if recording.format is None:  # new, or submitted before it was decoded
            recording.format, recording.duration_s = info.format, info.duration_s
            recording.sample_rate, recording.channels = info.sample_rate, info.channels
        session.flush()
        previous = session.scalar(
            select(schema.Analysis).where(
                schema.Analysis.recording_id == recording.id, schema.Analysis.model_id == result.model_id,
                schema.Analysis.parameters_key == parameters_key)
            .options(selectinload(schema.Analysis.segments), selectinload(schema.Analysis.recording)))
        if previous is not None:
            if previous.status == schema.AnalysisStatus.DONE.value:
                return previous
            session.delete(previous)
            session.flush()
        analysis = schema.Analysis(recording=recording, model_id=result.model_id, synthetic=result.synthetic,
                                   words_model_id=result.words_model_id, parameters=result.parameters,
                                   parameters_key=parameters_key)
        session.add(analysis)
        return analysis


def _create_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_foreign_keys)
    return engine


def _sqlite_foreign_keys(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA foreign_keys=ON")


def _alembic_config() -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(resources.files("voxsight.migrations")))
    return config


def _head() -> str:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def _to_row(s: Segment) -> schema.Segment:
    return schema.Segment(
        channel=s.channel, role=s.role, start_ms=round(s.start_s * 1000), end_ms=round(s.end_s * 1000),
        language=s.language, emotion=s.emotion, events=list(s.events), text=s.text, raw=s.raw,
        words=[[w.text, w.start_s, w.end_s] for w in s.words], words_engine=s.words_engine,
        translation=s.translation, redactions=[[r.type, r.start_s, r.end_s] for r in s.redactions],
        speaker=s.speaker, role_source=s.role_source, voice_distance=s.voice_distance,
        search_terms=search.index_terms(s.text),
    )


def _to_segment(s: schema.Segment) -> Segment:
    return Segment(start_s=s.start_ms / 1000, end_s=s.end_ms / 1000, channel=s.channel, role=s.role,
                   language=s.language, emotion=s.emotion, events=tuple(s.events), text=s.text, raw=s.raw,
                   words=tuple(Word(*w) for w in s.words), words_engine=s.words_engine,
                   translation=s.translation, redactions=tuple(Redaction(*r) for r in s.redactions),
                   speaker=s.speaker, role_source=s.role_source, voice_distance=s.voice_distance)


def _to_result(row: schema.Analysis, reused: bool) -> AnalysisResult:
    r = row.recording
    return AnalysisResult(
        recording=RecordingInfo(sha256=r.sha256, filename=r.filename, format=r.format, duration_s=r.duration_s,
                                sample_rate=r.sample_rate, channels=r.channels, id=r.id, names=tuple(r.names),
                                call_metadata=dict(r.call_metadata or {})),
        model_id=row.model_id, synthetic=row.synthetic, parameters=row.parameters,
        segments=tuple(_to_segment(s) for s in row.segments),
        words_model_id=row.words_model_id,
        timings_s=row.timings, reused=reused, analysis_id=row.id,
    )


def _replace_ids(result: AnalysisResult, recording_id: int, analysis_id: int, names: list[str],
                 call_metadata: dict) -> AnalysisResult:
    return replace(result, recording=replace(result.recording, id=recording_id, names=tuple(names),
                                             call_metadata=dict(call_metadata or {})),
                   analysis_id=analysis_id)


def _scrub_names(session: Session, recording: schema.Recording, scrub: Callable[[Any], Any]) -> bool:
    """The names a recording was sent under, and its jobs', through ``scrub``: whether any changed."""
    filename, names = scrub(recording.filename), scrub(list(recording.names or []))
    changed = (filename, names) != (recording.filename, list(recording.names or []))
    if changed:
        recording.filename, recording.names = filename, names
    for job in session.scalars(select(schema.Job).where(schema.Job.recording_id == recording.id)):
        if (name := scrub(job.filename)) != job.filename:
            job.filename, changed = name, True
    return changed
