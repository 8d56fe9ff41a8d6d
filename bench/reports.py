"""Reports and rules backfill over many stored calls, on PostgreSQL.

Seeds ``--calls`` analysed calls (recordings, analyses, segments: what workers store) with COPY,
then, in one run:

- **backfill**: ``voxsight rules backfill`` (``Alerting.backfill``, batched) over every call with the
  shipped rules; baseline: the same evaluation one call per transaction (``Alerting.evaluate``, what
  runs after each analysis) on ``--baseline-calls`` of them, scaled to calls per second.
- **report**: ``reports.build`` by day, agent and queue over the whole period; baseline: the same
  figures computed in Python from every call's stored features JSON (what one does without the
  plain columns and SQL grouping).

    .venv/bin/python bench/reports.py [--calls 100000] [--db postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from helpers import ROOT, fresh_database  # noqa: E402

EMOTIONS = ["NEUTRAL"] * 6 + ["HAPPY", "SAD", "ANGRY", "FEARFUL"]
AGENT_LINES = ["thank you for calling how can i help", "let me check your account", "您好，请问有什么可以帮您",
               "i see the charge and will refund it today", "is there anything else i can help with",
               "好的，我帮您查一下", "the card is blocked now"]
GREETINGS = ["thank you for calling how can i help", "您好，请问有什么可以帮您", "good morning"]
CLOSINGS = ["is there anything else i can help with", "再见，祝您生活愉快", "have a nice day"]
CUSTOMER_LINES = ["you charged me twice this month", "i want to file a complaint", "我要投诉你们",
                  "thank you so much", "i lost my card", "我要搵律師", "that is fine", "okay"]


def seed(url: str, calls: int, segments_per_call: int, rng: np.random.Generator) -> None:
    from sqlalchemy import create_engine, text

    start = datetime(2026, 10, 1, tzinfo=timezone.utc)
    engine = create_engine(url)
    with engine.begin() as c:
        cursor = c.connection.driver_connection.cursor()
        recordings, analyses, segments = io.StringIO(), io.StringIO(), io.StringIO()
        for i in range(1, calls + 1):
            duration = float(rng.integers(60, 600))
            when = start + timedelta(seconds=int(rng.integers(0, 60 * 86400)))
            meta = json.dumps({"agent": f"agent{rng.integers(0, 200)}", "queue": f"queue{rng.integers(0, 12)}",
                               "call_time": when.isoformat()})
            recordings.write(f"{i}\t{i:064x}\tcall{i}.wav\t1000\twav\t{duration}\t8000\t2\t{_copy(meta)}\t{when}\n")
            analyses.write(f"{i}\t{i}\tm\tf\t{{}}\tkey\tdone\t{{}}\t{when}\t{when}\n")
            bounds = np.sort(rng.uniform(0, duration, 2 * segments_per_call))
            for k in range(segments_per_call):
                role = "agent" if k % 2 == 0 else "customer"
                lines = AGENT_LINES if role == "agent" else CUSTOMER_LINES
                if role == "agent" and k in (0, segments_per_call - 2) and rng.random() < 0.9:
                    lines = GREETINGS if k == 0 else CLOSINGS  # most agents comply
                events = '["Cry"]' if rng.random() < 0.01 else ('["BGM"]' if rng.random() < 0.02 else "[]")
                segments.write(f"{i}\t{k % 2}\t{role}\t{int(bounds[2 * k] * 1000)}\t{int(bounds[2 * k + 1] * 1000)}"
                               f"\ten\t{EMOTIONS[rng.integers(0, len(EMOTIONS))]}\t{events}"
                               f"\t{lines[rng.integers(0, len(lines))]}\t\t[]\n")
        for table, columns, data in (
            ("recordings", "id, sha256, filename, size_bytes, format, duration_s, sample_rate, channels, metadata, "
                           "created_at", recordings),
            ("analyses", "id, recording_id, model_id, synthetic, parameters, parameters_key, status, timings, "
                         "started_at, finished_at", analyses),
            ("segments", "analysis_id, channel, role, start_ms, end_ms, language, emotion, events, text, raw, words",
             segments),
        ):
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                copy.write(data.getvalue())
        for table in ("recordings", "analyses"):
            c.execute(text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"))
        # Statistics for the seeded tables only: alerts and their history analyzed while empty would
        # make PostgreSQL check every foreign key into them with a sequential scan.
        c.execute(text("ANALYZE recordings, analyses, segments"))
    engine.dispose()


def _copy(value: str) -> str:
    return value.replace("\\", "\\\\")


def python_report(store, start: date, end: date, by: str) -> dict:
    """Baseline: every call's stored features JSON read and grouped in Python."""
    from sqlalchemy import select

    from voxsight.store import schema

    cf = schema.CallFeatures
    groups: dict[str, dict] = defaultdict(lambda: {"calls": 0, "seconds": 0.0, "negative": 0.0,
                                                   "emotions": defaultdict(float), "events": defaultdict(int)})
    with store.engine.connect() as c:
        for row in c.execute(select(cf.call_day, cf.agent, cf.queue, cf.features)
                             .where(cf.call_day >= start, cf.call_day <= end)):
            g = groups[str({"day": row.call_day, "agent": row.agent, "queue": row.queue}[by])]
            call = row.features["call"]
            g["calls"] += 1
            g["seconds"] += row.features["duration_s"]
            g["negative"] += call["negative_share"]
            for e, s in call["speech_s_by_emotion"].items():
                g["emotions"][e] += s
            for e, n in call["event_counts"].items():
                g["events"][e] += n
    return groups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--segments", type=int, default=6, help="segments per call")
    parser.add_argument("--baseline-calls", type=int, default=2000)
    parser.add_argument("--db", default="postgresql+psycopg://postgres@127.0.0.1:5432/test", help="PostgreSQL server")
    parser.add_argument("--keep", action="store_true", help="keep the seeded database (dropped by default)")
    args = parser.parse_args()

    from voxsight import reports
    from voxsight.alerts import Alerting
    from voxsight.config import Config
    from voxsight.store import Store, upgrade

    url = fresh_database(args.db)
    upgrade(url)
    store = Store(url)
    began = time.perf_counter()
    seed(url, args.calls, args.segments, np.random.default_rng(1))
    print(f"seeded {args.calls} calls ({args.calls * args.segments} segments) in {time.perf_counter() - began:.1f} s")

    alerting = Alerting(Config().with_overrides(alerts={"rules_file": str(ROOT / "configs" / "rules.yaml")}).alerts,
                        store)
    began = time.perf_counter()
    for analysis_id in range(1, args.baseline_calls + 1):
        alerting.evaluate(analysis_id, store.alerts.segments([analysis_id])[analysis_id])
    one_by_one = args.baseline_calls / (time.perf_counter() - began)
    began = time.perf_counter()
    done = alerting.backfill()
    backfill_s = time.perf_counter() - began
    print(f"backfill: {done.calls} calls in {backfill_s:.1f} s ({done.calls / backfill_s:.0f} calls/s; "
          f"{done.opened} alerts opened, {done.updated} updated, {done.unchanged} unchanged); "
          f"one call per transaction: {one_by_one:.0f} calls/s; ratio {done.calls / backfill_s / one_by_one:.1f}x")

    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.exec_driver_sql("VACUUM ANALYZE")  # what autovacuum does after a bulk load; fresh planner statistics
    period = (date(2026, 10, 1), date(2026, 11, 30))
    for by in ("day", "agent", "queue"):
        reports.build(store, *period, by=by)  # warm the cache, as a console would be
        timings = []
        for _ in range(3):
            began = time.perf_counter()
            report = reports.build(store, *period, by=by)
            timings.append(time.perf_counter() - began)
        began = time.perf_counter()
        baseline = python_report(store, *period, by)
        baseline_s = time.perf_counter() - began
        assert sum(r.calls for r in report.rows) == sum(g["calls"] for g in baseline.values()) == args.calls
        print(f"report by {by}: {len(report.rows)} groups over {args.calls} calls: best of 3 {min(timings):.3f} s; "
              f"Python over the features JSON {baseline_s:.3f} s; ratio {baseline_s / min(timings):.1f}x")
    store.engine.dispose()
    if not args.keep:
        from sqlalchemy import create_engine, text

        with create_engine(args.db, isolation_level="AUTOCOMMIT").connect() as c:
            c.execute(text(f'DROP DATABASE "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
