"""What a search or a list of recordings is narrowed to, and the SQL conditions that narrow it.

Filters on the call (the recording, its agent and queue, when it was stored) are conditions on
``recordings``; filters on what was heard (emotion, language, role, an event) are conditions on
``segments``. A search applies both to the segments it returns; a list of recordings keeps a
recording when a finished analysis of it has a segment that was heard so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text as sql

from voxsight.store import schema


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


def call_conditions(f: Filters) -> list[Any]:
    """Conditions on ``recordings`` (the call): its id, agent, queue and when it was stored."""
    r = schema.Recording
    conditions: list[Any] = []
    if f.recording_id is not None:
        conditions.append(r.id == f.recording_id)
    for key, value in (("agent", f.agent), ("queue", f.queue)):
        if value is not None:
            conditions.append(r.call_metadata[key].as_string() == value)
    if f.since is not None:
        conditions.append(r.created_at >= f.since)
    if f.until is not None:
        conditions.append(r.created_at < f.until)
    return conditions


def heard_conditions(dialect: str, f: Filters) -> list[Any]:
    """Conditions on ``segments`` (what was heard): emotion, language, role and an event."""
    s = schema.Segment
    conditions: list[Any] = [column == value for column, value in
                             ((s.emotion, f.emotion), (s.language, f.language), (s.role, f.role))
                             if value is not None]
    if f.event is not None:  # JSON list membership, in each dialect's own words
        conditions.append(
            sql("segments.events @> CAST(:event_list AS JSONB)").bindparams(event_list=json.dumps([f.event]))
            if dialect == "postgresql" else
            sql("EXISTS (SELECT 1 FROM json_each(segments.events) WHERE json_each.value = :event)")
            .bindparams(event=f.event))
    return conditions
