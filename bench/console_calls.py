"""The console's Calls page over a large store on PostgreSQL: each filter's page, now and before.

    .venv/bin/python bench/console_calls.py [--calls 200000] [--segments-per-call 10] [--repeat 9]
                                            [--db postgresql+psycopg://postgres@127.0.0.1:5432/test] [--keep]

Seeds ``--calls`` analysed calls (recordings spread over 60 days, 200 agents, 12 queues, their
segments, features, and open or acknowledged alerts on 6% of them) with COPY, then times one view
of the page for each filter: the page of 25 calls, the count of the matches and the summaries of
the calls shown (``RecordingStore.list``, what ``console.calls.find`` and ``GET /recordings`` call).

- **now**: with revision 0009's index on ``recordings (created_at, id)``, counting matches up to
  10,000 past the page's start (``count_up_to``, what the console asks for);
- **before**: without that index, counting every match (the store before 0009, and the API's
  ``GET /recordings``, which still counts them all).

Both on the same database in one run: every view now and with the index but an exact count,
interleaved; then the index is dropped and every view is timed as before. Prints p50 and p95 of
``--repeat`` runs and the ratio before / now; and the time of the filters' choices, asked once
when the page loads (``console.calls.choices``).
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from helpers import fresh_database  # noqa: E402

EMOTIONS = ["NEUTRAL"] * 6 + ["HAPPY", "SAD", "ANGRY", "FEARFUL"]


def seed(url: str, calls: int, per_call: int, rng: np.random.Generator) -> None:
    from sqlalchemy import create_engine, text

    from voxsight.store import schema

    start = datetime(2026, 9, 1, tzinfo=timezone.utc)
    engine = create_engine(url)
    buffers = {name: io.StringIO() for name in ("recordings", "analyses", "segments", "call_features", "alerts")}
    alert_id = 0
    figures = [*schema.EMOTION_COLUMNS.values(), *schema.EVENT_COLUMNS.values()]
    zeros = "\t".join("0" for _ in figures)
    for i in range(1, calls + 1):
        # Stored in the order they arrive: a later id is a later created_at, as in a real store.
        when = start + timedelta(seconds=i * 60 * 86400 // calls)
        duration = float(rng.integers(60, 600))
        agent, queue = f"agent{rng.integers(0, 200)}", f"queue{rng.integers(0, 12)}"
        meta = json.dumps({"agent": agent, "queue": queue})
        buffers["recordings"].write(f"{i}\t{i:064x}\tcall{i}.wav\t1000\twav\t{duration}\t8000\t2\t{meta}\t"
                                    f"[\"call{i}.wav\"]\t{when}\n")
        buffers["analyses"].write(f"{i}\t{i}\tm\tf\t{{}}\tkey\tdone\t{{}}\t{when}\t{when}\n")
        emotions = [EMOTIONS[rng.integers(0, len(EMOTIONS))] for _ in range(per_call)]
        for k, emotion in enumerate(emotions):
            events = '["Cry"]' if rng.random() < 0.002 else "[]"
            buffers["segments"].write(f"{i}\t{k % 2}\t{('agent', 'customer')[k % 2]}\t{k * 5000}\t{k * 5000 + 4000}"
                                      f"\ten\t{emotion}\t{events}\tsome words\t\t[]\n")
        day = when.date()
        buffers["call_features"].write(
            f"{i}\t{when}\t{day}\t{day - timedelta(days=day.weekday())}\t{agent}\t{queue}\ten\t{duration}\t"
            f"{duration * 0.8}\t{duration * 0.2}\t0.2\t0\t0\t1\tNEUTRAL\t{{}}\t{when}\t{zeros}\n")
        if rng.random() < 0.06:
            alert_id += 1
            status = "open" if rng.random() < 0.5 else "acknowledged"
            buffers["alerts"].write(f"{alert_id}\t{i}\tangry_customer\tv1\thigh\tangry\t[]\t{status}\t{when}\t{when}\n")
    with engine.begin() as c:
        cursor = c.connection.driver_connection.cursor()
        for table, columns in (
            ("recordings", "id, sha256, filename, size_bytes, format, duration_s, sample_rate, channels, metadata, "
                           "names, created_at"),
            ("analyses", "id, recording_id, model_id, synthetic, parameters, parameters_key, status, timings, "
                         "started_at, finished_at"),
            ("segments", "analysis_id, channel, role, start_ms, end_ms, language, emotion, events, text, raw, words"),
            ("call_features", "analysis_id, call_at, call_day, call_week, agent, queue, language, duration_s, talk_s, "
                              "non_talk_s, negative_share, escalation, overtalk_s, longest_silence_s, dominant_emotion, "
                              "features, computed_at, " + ", ".join(figures)),
            ("alerts", "id, analysis_id, rule_id, ruleset_version, severity, message, triggers, status, created_at, "
                       "updated_at"),
        ):
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                copy.write(buffers[table].getvalue())
        for table in ("recordings", "analyses", "alerts"):
            c.execute(text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"))
        c.execute(text("ANALYZE"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--segments-per-call", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--db", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--keep", action="store_true", help="keep the seeded database")
    args = parser.parse_args()

    from sqlalchemy import create_engine, text

    from voxsight.cache import ResultCache
    from voxsight.config import Config
    from voxsight.store import Store, upgrade
    from voxsight.store.accounts import Role
    from voxsight.webui.console import calls
    from voxsight.site import Site
    from voxsight.webui.deps import Caller

    url = fresh_database(args.db)
    try:
        upgrade(url)
        began = time.perf_counter()
        seed(url, args.calls, args.segments_per_call, np.random.default_rng(0))
        print(f"seeded {args.calls:,} calls, {args.calls * args.segments_per_call:,} segments in "
              f"{time.perf_counter() - began:.0f} s")
        store = Store(url)
        site = Site(Config(), store, None, ResultCache(None))
        who = Caller(store.accounts.add_user("bench", Role.ANALYST, None), None, "session")
        views = {
            "newest (first page)": calls.CallQuery(),
            "newest, page 400": calls.CallQuery(page=400),
            "longest": calls.CallQuery(sort="longest"),
            "by name": calls.CallQuery(sort="name"),
            "emotion ANGRY": calls.CallQuery(emotion="ANGRY"),
            "event Cry (rare)": calls.CallQuery(event="Cry"),
            "agent": calls.CallQuery(agent="agent7"),
            "queue + emotion": calls.CallQuery(queue="queue3", emotion="SAD"),
            "alerts open": calls.CallQuery(alert_state="open"),
            "no alert": calls.CallQuery(alert_state="none"),
            "one week": calls.CallQuery(since=date(2026, 10, 1), until=date(2026, 10, 7)),
        }
        def view(query: calls.CallQuery, capped: bool) -> float:
            began = time.perf_counter()
            store.recordings.list(query.filters(), query.alert_state, query.sort, query.page_size,
                                  query.page * query.page_size, count_up_to=calls.COUNT_UP_TO if capped else None)
            return time.perf_counter() - began

        now = {name: [] for name in views}
        exact = {name: [] for name in views}
        before = {name: [] for name in views}
        choices = []
        for _ in range(args.repeat):
            for name, query in views.items():
                now[name].append(view(query, capped=True))
                exact[name].append(view(query, capped=False))
            began = time.perf_counter()
            calls.choices(site, who)
            choices.append(time.perf_counter() - began)
        with store.engine.begin() as c:
            c.execute(text("DROP INDEX ix_recordings_created_at"))
        for _ in range(args.repeat):
            for name, query in views.items():
                before[name].append(view(query, capped=False))

        print(f"{'view':24} {'matches':>8} {'now p50':>8} {'p95':>7} {'exact p50':>10} {'before p50':>11} {'p95':>7} "
              f"{'before/now':>10}  (ms)")
        for name, query in views.items():
            total = store.recordings.list(query.filters(), query.alert_state, limit=1).total
            print(f"{name:24} {total:8,} {_ms(now[name])} {_p95(now[name]) * 1000:7.1f} "
                  f"{statistics.median(exact[name]) * 1000:10.1f} {_ms(before[name]):>11} "
                  f"{_p95(before[name]) * 1000:7.1f} {statistics.median(before[name]) / statistics.median(now[name]):9.1f}x")
        print(f"filter choices (on load): p50 {_ms(choices)} ms, p95 {_p95(choices) * 1000:.1f} ms")
        store.engine.dispose()
    finally:
        if not args.keep:
            name = url.rsplit("/", 1)[1]
            with create_engine(args.db, isolation_level="AUTOCOMMIT").connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:8.1f}"


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


if __name__ == "__main__":
    main()
