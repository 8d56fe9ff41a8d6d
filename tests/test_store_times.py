"""Every moment the store gives back is timezone-aware and in UTC, on SQLite as on PostgreSQL
(``schema.UtcDateTime``): SQLite itself keeps no zones."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxsight.store import schema

PARIS_SUMMER = timezone(timedelta(hours=2))


def test_a_moment_comes_back_aware_in_utc_whatever_zone_it_was_given_in(each_store):
    given = datetime(2026, 10, 1, 0, 30, tzinfo=PARIS_SUMMER)
    with Session(each_store.engine) as session, session.begin():
        session.add(schema.Recording(sha256="a" * 64, filename="call.wav", size_bytes=1, created_at=given))

    with Session(each_store.engine) as session:
        stored = session.scalar(select(schema.Recording.created_at))

    assert stored == given
    assert stored.utcoffset() == timedelta(0) and stored.hour == 22


def test_filters_on_moments_compare_instants_not_clock_readings(each_store):
    with Session(each_store.engine) as session, session.begin():
        session.add(schema.Recording(sha256="b" * 64, filename="call.wav", size_bytes=1,
                                     created_at=datetime(2026, 9, 30, 23, 0, tzinfo=timezone.utc)))

    with Session(each_store.engine) as session:
        # 00:30 in Paris is 22:30 UTC: before the call, though its clock reads later.
        later = session.scalar(select(schema.Recording.id).where(
            schema.Recording.created_at >= datetime(2026, 10, 1, 0, 30, tzinfo=PARIS_SUMMER)))

    assert later is not None
