"""Agents' voiceprints in SQL: one per agent, replaced when it is made again, deleted on request.

The print itself (``embedding``) leaves this module only through ``get``, for the analyzer; what
the doors list (``VoiceprintInfo``) says whose it is, how it was made and when, never the print.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.orm import sessionmaker

from voxsight.records import Record, Time
from voxsight.store import schema

SOURCES = ("enrolled", "learned")  # from recordings of the agent, from the agent channel of their stereo calls


@dataclass(frozen=True)
class VoiceprintInfo(Record):
    agent: str
    model_id: str
    speech_s: float
    source: str
    made_from: int  # files (enrolled) or calls (learned)
    updated_by: str
    updated_at: Time


@dataclass(frozen=True)
class AgentChannel:
    """Where an agent speaks alone on one stored stereo call: its audio, their channel, their turns."""

    recording_id: int
    audio_path: str
    channel: int
    turns: tuple[tuple[float, float], ...]


class VoiceprintStore:
    def __init__(self, sessions: sessionmaker):
        self._sessions = sessions

    def save(self, agent: str, model_id: str, embedding: np.ndarray, speech_s: float, source: str,
             made_from: int, by: str) -> VoiceprintInfo:
        """The agent's print, replacing the one they had."""
        if source not in SOURCES:
            raise ValueError(f"a voiceprint is {' or '.join(SOURCES)}, not {source!r}")
        data = np.asarray(embedding, dtype="<f4").tobytes()
        with self._sessions.begin() as session:
            row = session.scalar(select(schema.Voiceprint).where(schema.Voiceprint.agent == agent).with_for_update())
            if row is None:
                row = schema.Voiceprint(agent=agent)
                session.add(row)
            row.model_id, row.embedding, row.speech_s, row.source = model_id, data, round(speech_s, 3), source
            row.made_from, row.updated_by, row.updated_at = made_from, by, datetime.now(timezone.utc)
            session.flush()
            return _info(row)

    def get(self, agent: str, model_id: str) -> np.ndarray | None:
        """The agent's print, if they have one made with this speaker model (another model's does not compare)."""
        with self._sessions() as session:
            data = session.scalar(select(schema.Voiceprint.embedding).where(
                schema.Voiceprint.agent == agent, schema.Voiceprint.model_id == model_id))
        return np.frombuffer(data, dtype="<f4").astype(np.float32) if data is not None else None

    def list(self) -> list[VoiceprintInfo]:
        with self._sessions() as session:
            return [_info(r) for r in session.scalars(select(schema.Voiceprint).order_by(schema.Voiceprint.agent))]

    def agent_channels(self, agent: str, role: str, limit: int) -> list[AgentChannel]:
        """The agent's own channel on their latest ``limit`` stereo calls with stored audio: the
        segments of ``role`` in each call's newest analysis (split channels give every segment one)."""
        r, a, seg, job = schema.Recording, schema.Analysis, schema.Segment, schema.Job
        newest = (select(a.recording_id, func.max(a.id).label("analysis_id"))
                  .where(a.status == schema.AnalysisStatus.DONE.value).group_by(a.recording_id).subquery())
        found: list[AgentChannel] = []
        with self._sessions() as session:
            calls = session.execute(
                select(r.id, newest.c.analysis_id).join(newest, newest.c.recording_id == r.id)
                .where(r.call_metadata["agent"].as_string() == agent, r.channels > 1).order_by(r.id.desc()))
            for recording_id, analysis_id in calls:
                path = session.scalar(select(job.audio_path).where(job.recording_id == recording_id)
                                      .order_by(job.id.desc()).limit(1))
                rows = session.execute(select(seg.channel, seg.start_ms, seg.end_ms).where(
                    seg.analysis_id == analysis_id, seg.role == role, seg.channel.is_not(None)).order_by(seg.start_ms)).all()
                if path and rows:
                    found.append(AgentChannel(recording_id, path, rows[0].channel,
                                              tuple((x.start_ms / 1000, x.end_ms / 1000) for x in rows)))
                if len(found) == limit:
                    break
        return found

    def delete(self, agent: str) -> bool:
        """Erase the agent's print; whether there was one."""
        with self._sessions.begin() as session:
            return bool(session.execute(delete(schema.Voiceprint).where(schema.Voiceprint.agent == agent)).rowcount)


def _info(row: schema.Voiceprint) -> VoiceprintInfo:
    return VoiceprintInfo(agent=row.agent, model_id=row.model_id, speech_s=row.speech_s, source=row.source,
                          made_from=row.made_from, updated_by=row.updated_by, updated_at=row.updated_at)
