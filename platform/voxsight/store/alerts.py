"""Call features, alerts, their lifecycle and the notification outbox in SQL.

One alert per (analysis, rule), enforced by a unique constraint: evaluating a call again (a
worker's retry, ``voxsight rules backfill``) updates the alert instead of adding one. Every
alert event (opened, acknowledged, resolved) is written to the history and, in the same
transaction, to the outbox the dispatcher delivers from: an event is announced if and only if
it was committed. Each public method is one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Sequence

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from voxsight.errors import AlertError, NotFound
from voxsight.features import CallFeatures
from voxsight.records import Record, Time
from voxsight.results import Segment, Word
from voxsight.rules import RuleAlert, Trigger
from voxsight.store import schema
from voxsight.store.schema import AlertStatus, OutboxStatus

# action → (status it leads to, statuses it may start from)
TRANSITIONS = {
    "acknowledge": (AlertStatus.ACKNOWLEDGED, (AlertStatus.OPEN,)),
    "resolve": (AlertStatus.RESOLVED, (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)),
}
_PAST = {"acknowledge": "acknowledged", "resolve": "resolved"}


@dataclass(frozen=True)
class CallContext:
    """What evaluating a stored call needs besides its segments."""

    analysis_id: int
    filename: str
    duration_s: float
    metadata: dict[str, Any]
    finished_at: datetime


@dataclass(frozen=True)
class Evaluation:
    """One call's features and the alerts its rules raised, ready to store."""

    context: CallContext
    features: CallFeatures
    alerts: tuple[RuleAlert, ...]


@dataclass(frozen=True)
class RecordSummary:
    calls: int = 0
    opened: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class HistoryEntry(Record):
    action: str
    actor: str | None
    comment: str | None
    at: Time


@dataclass(frozen=True)
class AlertInfo(Record):
    id: int
    analysis_id: int
    recording_id: int
    filename: str
    rule_id: str
    ruleset_version: str
    severity: str
    message: str
    triggers: tuple[Trigger, ...]
    status: str
    created_at: Time
    updated_at: Time
    history: tuple[HistoryEntry, ...] = ()  # only when one alert is asked for


@dataclass(frozen=True)
class AlertPage(Record):
    items: tuple[AlertInfo, ...]
    total: int  # alerts that match, across all pages


@dataclass(frozen=True)
class OutboxEntry:
    id: int
    idempotency_key: str
    payload: dict[str, Any]
    attempts: int
    published: bool


@dataclass(frozen=True)
class DeliveryAttempt:
    outbox_id: int
    attempted_at: datetime
    status_code: int | None  # None: the receiver could not be reached
    error: str | None  # None: delivered
    duration_ms: int


class AlertStore:
    def __init__(self, sessions: sessionmaker):
        self._sessions = sessions

    # -- evaluation input

    def analyses(self, since: datetime | None = None, after_id: int = 0, limit: int = 500,
                 stored_since: datetime | None = None) -> list[int]:
        """Finished analyses, by id, from ``after_id`` on (finished at or after ``since``; of calls
        stored at or after ``stored_since``)."""
        a = schema.Analysis
        query = (select(a.id).where(a.status == schema.AnalysisStatus.DONE.value, a.id > after_id)
                 .order_by(a.id).limit(limit))
        if since is not None:
            query = query.where(a.finished_at >= since)
        if stored_since is not None:
            query = query.where(a.recording_id.in_(select(schema.Recording.id)
                                                   .where(schema.Recording.created_at >= stored_since)))
        with self._sessions() as session:
            return list(session.scalars(query))

    def contexts(self, analysis_ids: Sequence[int]) -> dict[int, CallContext]:
        with self._sessions() as session:
            return _contexts(session, analysis_ids)

    def segments(self, analysis_ids: Sequence[int]) -> dict[int, list[Segment]]:
        """Stored segments per analysis, read as plain rows (a backfill reads millions)."""
        s = schema.Segment
        found: dict[int, list[Segment]] = {i: [] for i in analysis_ids}
        with self._sessions() as session:
            rows = session.execute(
                select(s.analysis_id, s.start_ms, s.end_ms, s.channel, s.role, s.language, s.emotion, s.events,
                       s.text, s.words).where(s.analysis_id.in_(analysis_ids)).order_by(s.analysis_id, s.start_ms))
            for r in rows:
                found[r.analysis_id].append(Segment(
                    r.start_ms / 1000, r.end_ms / 1000, r.channel, r.role, r.language, r.emotion,
                    tuple(r.events), r.text, "", tuple(Word(*w) for w in r.words)))
        return found

    # -- evaluation output

    def record(self, evaluations: Sequence[Evaluation]) -> RecordSummary:
        """Store features and alerts of several calls in one transaction: features replaced, each
        (analysis, rule) alert inserted or updated, new alerts announced through the outbox."""
        if not evaluations:
            return RecordSummary()
        ids = [e.context.analysis_id for e in evaluations]
        opened = updated = unchanged = 0
        now = datetime.now(timezone.utc)
        with self._sessions.begin() as session:
            session.execute(delete(schema.CallFeatures).where(schema.CallFeatures.analysis_id.in_(ids)))
            session.execute(insert(schema.CallFeatures), [_features_row(e, now) for e in evaluations])
            existing = {(a.analysis_id, a.rule_id): a for a in session.scalars(
                select(schema.Alert).where(schema.Alert.analysis_id.in_(ids)))}
            fresh: list[tuple[dict[str, Any], CallContext]] = []
            for e in evaluations:
                for fired in e.alerts:
                    triggers = [_trigger_json(t) for t in fired.triggers]
                    alert = existing.get((e.context.analysis_id, fired.rule_id))
                    if alert is None:
                        fresh.append(({"analysis_id": e.context.analysis_id, "rule_id": fired.rule_id,
                                       "ruleset_version": fired.ruleset_version, "severity": fired.severity,
                                       "message": fired.message, "triggers": triggers,
                                       "status": AlertStatus.OPEN.value, "created_at": now, "updated_at": now},
                                      e.context))
                    elif (alert.message, alert.triggers, alert.severity, alert.ruleset_version) != (
                            fired.message, triggers, fired.severity, fired.ruleset_version):
                        alert.message, alert.triggers, alert.severity = fired.message, triggers, fired.severity
                        alert.ruleset_version, alert.updated_at = fired.ruleset_version, now
                        session.add(schema.AlertEvent(alert=alert, action="updated", at=now))
                        updated += 1
                    else:
                        unchanged += 1
            if fresh:
                # Bulk inserts with RETURNING: a backfill opens alerts for thousands of calls at once.
                alert_ids = session.scalars(insert(schema.Alert).returning(schema.Alert.id, sort_by_parameter_order=True),
                                            [row for row, _ in fresh]).all()
                event_ids = session.scalars(
                    insert(schema.AlertEvent).returning(schema.AlertEvent.id, sort_by_parameter_order=True),
                    [{"alert_id": i, "action": "opened", "at": now} for i in alert_ids]).all()
                session.execute(insert(schema.Outbox), [
                    _outbox_row({**row, "id": alert_id}, event_id, "opened", now, context)
                    for (row, context), alert_id, event_id in zip(fresh, alert_ids, event_ids)])
                opened = len(fresh)
        return RecordSummary(len(evaluations), opened, updated, unchanged)

    # -- reading and the lifecycle

    def list(self, status: str | None = None, severity: str | None = None, limit: int = 100,
             offset: int = 0, rule_id: str | None = None) -> AlertPage:
        """Alerts, newest first, with the total that match."""
        where = [c for c in (schema.Alert.status == status if status else None,
                             schema.Alert.severity == severity if severity else None,
                             schema.Alert.rule_id == rule_id if rule_id else None) if c is not None]
        with self._sessions() as session:
            total = session.scalar(select(func.count()).select_from(schema.Alert).where(*where))
            rows = session.execute(
                select(schema.Alert, schema.Recording.filename, schema.Recording.id)
                .join(schema.Analysis, schema.Analysis.id == schema.Alert.analysis_id).join(schema.Recording)
                .where(*where).order_by(schema.Alert.id.desc()).limit(limit).offset(offset))
            return AlertPage(tuple(_info(a, filename, recording_id) for a, filename, recording_id in rows), total or 0)

    def for_analysis(self, analysis_id: int) -> list[AlertInfo]:
        """The alerts one call raised, with their history, newest first."""
        with self._sessions() as session:
            ids = session.scalars(select(schema.Alert.id).where(schema.Alert.analysis_id == analysis_id)
                                  .order_by(schema.Alert.id.desc())).all()
            return [self._get(session, i) for i in ids]

    def features(self, analysis_id: int) -> CallFeatures | None:
        """The call's features, as computed when it was analyzed (or backfilled)."""
        with self._sessions() as session:
            data = session.scalar(select(schema.CallFeatures.features)
                                  .where(schema.CallFeatures.analysis_id == analysis_id))
        return CallFeatures.from_json(data) if data else None

    def get(self, alert_id: int) -> AlertInfo | None:
        with self._sessions() as session:
            return self._get(session, alert_id)

    def transition(self, alert_id: int, action: str, actor: str | None, comment: str | None) -> AlertInfo:
        """Acknowledge or resolve an alert, with who and why; announced like a new alert.

        Raises:
            NotFound: no such alert.
            AlertError: it cannot take this step (resolved already...), or no such step.
        """
        if action not in TRANSITIONS:
            raise AlertError(f"unknown action {action!r}: one of {', '.join(TRANSITIONS)}")
        target, sources = TRANSITIONS[action]
        now = datetime.now(timezone.utc)
        with self._sessions.begin() as session:
            changed = session.execute(
                update(schema.Alert).where(schema.Alert.id == alert_id,
                                           schema.Alert.status.in_([s.value for s in sources]))
                .values(status=target.value, updated_at=now,
                        **({"acknowledged_by": actor, "acknowledged_at": now} if action == "acknowledge"
                           else {"resolved_by": actor, "resolved_at": now}))).rowcount
            if not changed:
                alert = session.get(schema.Alert, alert_id)
                if alert is None:
                    raise NotFound(f"no alert {alert_id}")
                raise AlertError(f"alert {alert_id} is {alert.status}: it cannot be {_PAST[action]}")
            event = schema.AlertEvent(alert_id=alert_id, action=_PAST[action], actor=actor, comment=comment, at=now)
            session.add(event)
            session.flush()
            alert = session.get(schema.Alert, alert_id)
            [context] = _contexts(session, [alert.analysis_id]).values()
            session.add(schema.Outbox(**_outbox_row(
                {c: getattr(alert, c) for c in _ANNOUNCED}, event.id, event.action, now, context, actor, comment)))
        return self.get(alert_id)

    def _get(self, session: Session, alert_id: int) -> AlertInfo | None:
        row = session.execute(
            select(schema.Alert, schema.Recording.filename, schema.Recording.id)
            .join(schema.Analysis, schema.Analysis.id == schema.Alert.analysis_id).join(schema.Recording)
            .where(schema.Alert.id == alert_id).options(selectinload(schema.Alert.history))).first()
        return _info(*row, with_history=True) if row else None

    # -- the outbox

    def due(self, limit: int) -> list[OutboxEntry]:
        """Pending notifications whose next attempt is due, oldest first."""
        with self._sessions() as session:
            rows = session.scalars(
                select(schema.Outbox)
                .where(schema.Outbox.status == OutboxStatus.PENDING.value,
                       schema.Outbox.next_attempt_at <= datetime.now(timezone.utc))
                .order_by(schema.Outbox.id).limit(limit))
            return [OutboxEntry(o.id, o.idempotency_key, o.payload, o.attempts, o.published) for o in rows]

    def published(self, outbox_ids: Sequence[int]) -> None:
        if outbox_ids:
            with self._sessions.begin() as session:
                session.execute(update(schema.Outbox).where(schema.Outbox.id.in_(outbox_ids)).values(published=True))

    def settle(self, outbox_ids: Sequence[int]) -> None:
        """Mark entries done without posting them (no webhook is configured)."""
        if outbox_ids:
            with self._sessions.begin() as session:
                session.execute(update(schema.Outbox).where(schema.Outbox.id.in_(outbox_ids))
                                .values(status=OutboxStatus.DELIVERED.value, delivered_at=datetime.now(timezone.utc)))

    def attempted(self, outbox_id: int, status_code: int | None, error: str | None, duration_ms: int,
                  retry_in_s: float | None) -> None:
        """Log one delivery attempt: delivered when ``retry_in_s`` is None, else due again after it."""
        now = datetime.now(timezone.utc)
        with self._sessions.begin() as session:
            session.add(schema.Delivery(outbox_id=outbox_id, attempted_at=now, status_code=status_code, error=error,
                                        duration_ms=duration_ms))
            values: dict[str, Any] = {"attempts": schema.Outbox.attempts + 1, "last_error": error}
            if retry_in_s is None:
                values |= {"status": OutboxStatus.DELIVERED.value, "delivered_at": now}
            else:
                values |= {"next_attempt_at": now + timedelta(seconds=retry_in_s)}
            session.execute(update(schema.Outbox).where(schema.Outbox.id == outbox_id).values(**values))

    def deliveries(self, outbox_id: int | None = None) -> list[DeliveryAttempt]:
        """The delivery log, oldest first."""
        query = select(schema.Delivery).order_by(schema.Delivery.id)
        if outbox_id is not None:
            query = query.where(schema.Delivery.outbox_id == outbox_id)
        with self._sessions() as session:
            return [DeliveryAttempt(d.outbox_id, d.attempted_at, d.status_code, d.error, d.duration_ms)
                    for d in session.scalars(query)]


def _contexts(session: Session, analysis_ids: Sequence[int]) -> dict[int, CallContext]:
    rows = session.execute(
        select(schema.Analysis.id, schema.Recording.filename, schema.Recording.duration_s,
               schema.Recording.call_metadata, schema.Analysis.finished_at)
        .join(schema.Recording).where(schema.Analysis.id.in_(analysis_ids)))
    return {r.id: CallContext(r.id, r.filename, r.duration_s or 0.0, r.call_metadata or {},
                              r.finished_at or datetime.now(timezone.utc)) for r in rows}


_ANNOUNCED = ("id", "analysis_id", "rule_id", "ruleset_version", "severity", "message", "triggers", "status")


def _outbox_row(alert: dict[str, Any], event_id: int, action: str, at: datetime, context: CallContext,
                actor: str | None = None, comment: str | None = None) -> dict[str, Any]:
    """The notification of one alert event; its key is what receivers deduplicate on."""
    key = f"alert-{alert['id']}-{action}-{event_id}"
    payload = {
        "event": f"alert.{action}", "idempotency_key": key, "at": _iso(at),
        "alert": {k: alert[k] for k in _ANNOUNCED},
        "call": {"filename": context.filename, "duration_s": context.duration_s, "metadata": context.metadata},
        "actor": actor, "comment": comment,
    }
    return {"event_id": event_id, "idempotency_key": key, "payload": payload, "next_attempt_at": at,
            "created_at": at, "status": OutboxStatus.PENDING.value, "attempts": 0, "published": False}


def call_columns(metadata: dict[str, Any], analyzed_at: datetime) -> dict[str, Any]:
    """The columns of ``call_features`` that come from the call's metadata (when, which agent and
    queue), as reports group by them: written with the features, and again when the metadata is
    changed (``RecordingStore.update_metadata``)."""
    call_at = _call_time(CallContext(0, "", 0.0, metadata, analyzed_at))
    day = call_at.date()
    return {"call_at": call_at, "call_day": day, "call_week": day - timedelta(days=day.weekday()),
            "agent": _text(metadata.get("agent")), "queue": _text(metadata.get("queue"))}


def _features_row(e: Evaluation, now: datetime) -> dict[str, Any]:
    f = e.features
    return {
        "analysis_id": e.context.analysis_id, **call_columns(e.context.metadata, e.context.finished_at),
        "language": f.language, "duration_s": f.duration_s, "talk_s": f.talk_s, "non_talk_s": f.non_talk_s,
        "negative_share": f.call.negative_share, "escalation": f.call.escalation, "overtalk_s": f.overtalk_s,
        "longest_silence_s": f.longest_silence_s, "dominant_emotion": f.call.dominant_emotion,
        "features": f.to_json(), "computed_at": now,
        **{column: f.call.speech_s_by_emotion.get(e, 0.0) for e, column in schema.EMOTION_COLUMNS.items()},
        **{column: f.call.event_counts.get(e, 0) for e, column in schema.EVENT_COLUMNS.items()},
    }


def _call_time(context: CallContext) -> datetime:
    """When the call took place: ``call_time`` in its metadata (ISO 8601), else when it was analyzed."""
    value = context.metadata.get("call_time")
    if value:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            pass
        else:
            return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)  # no zone given: UTC
    return context.finished_at


def _text(value: Any) -> str | None:
    return None if value is None else str(value)[:128]


def _trigger_json(t: Trigger) -> dict[str, Any]:
    return {"start_s": t.start_s, "end_s": t.end_s, "role": t.role, "text": t.text}


def _info(a: schema.Alert, filename: str, recording_id: int, with_history: bool = False) -> AlertInfo:
    return AlertInfo(
        id=a.id, analysis_id=a.analysis_id, recording_id=recording_id, filename=filename, rule_id=a.rule_id, ruleset_version=a.ruleset_version,
        severity=a.severity, message=a.message, triggers=tuple(Trigger(**t) for t in a.triggers), status=a.status,
        created_at=a.created_at, updated_at=a.updated_at,
        history=tuple(HistoryEntry(h.action, h.actor, h.comment, h.at) for h in a.history)
        if with_history else (),
    )


def _iso(moment: datetime | date | None) -> str | None:
    return moment.isoformat() if moment is not None else None
