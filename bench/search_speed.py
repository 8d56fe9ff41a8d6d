"""Search latency over a million stored segments on PostgreSQL, English and Chinese: now and before.

    .venv/bin/python bench/search_speed.py [--segments 1000000] [--repeat 20] [--db URL] [--keep]

Seeds a fresh database (the real schema, through Alembic) with calls of 100 segments each, half
English, half Mandarin, built from a vocabulary in which the queried words are as rare as they are
in real calls (a complaint in about one call segment in a hundred), with COPY. Recordings are
numbered as they arrive, so a newer one has a higher id, a later ``created_at`` and a later
analysis: "newest first" is then one order under the previous ranking (recording ``created_at``)
and the current one (analysis id), and the two must return the same page.

Then, for each query (1-3 characters of Chinese included) alone and with filters, times the first
page of 50 through ``Store.search`` and through the previous search (revision 0007's statement:
every match fetched and sorted by recording time, through the expression index of 0006, which the
bench builds beside the current one), interleaved, on the same database. Prints p50 and p95 of
each, per query and over all, and the ratio previous / now. A last section, not in the totals,
times filters that defeat the walk (see ``voxsight.store.search``): a language no English word is in, an
event no segment has.

A third section times the Chinese script fold (``voxsight.script``): each query through
``Store.search`` with the normaliser as it is and with the fold taken out (the search before it),
interleaved; the seeded Chinese is simplified, so both must return the same page. The traditional
form of each Chinese query is then searched once, and must find what the simplified one finds.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import uuid

from sqlalchemy import create_engine, func, select, text

from voxsight import script, text as text_module
from voxsight.store import search
from voxsight.store.filters import Filters, call_conditions, heard_conditions
from voxsight.store.search import Hit, Query, SearchPage, index_terms
from voxsight.store import Store, schema, upgrade
from voxsight.text import find

ENGLISH = ("the a to i you my your is it that and for on with this can please thank yes no ok well "
           "account card bill payment charge order delivery number address help call check wait "
           "today week month money back service problem issue reference").split()
CHINESE = ("我们 你们 这个 那个 可以 已经 需要 帮助 账户 银行 信用卡 账单 付款 订单 快递 地址 电话 号码 "
           "今天 明天 时间 问题 服务 客服 经理 谢谢 好的 没有 知道 处理 系统 查询 确认 办理 开通").split()
RARE_ENGLISH = ["cancel my account", "lawyer", "regulator", "refund"]
RARE_CHINESE = ["投诉", "退款", "律师函", "律师", "监管"]
EMOTIONS = ["NEUTRAL"] * 6 + ["HAPPY", "SAD", "ANGRY", "SURPRISED"]
QUERIES = ["投诉", "退款", "律师函", "律", "cancel my account", "refund", "ok", "账单"]
FILTERS = {"no filter": Filters(), "emotion+queue": Filters(emotion="ANGRY", queue="queue1")}
DEFEATING = {"language=zh": Filters(language="zh"), "event=Cry": Filters(event="Cry")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=1_000_000)
    parser.add_argument("--db", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the seeded database")
    args = parser.parse_args()
    name = f"voxsight_search_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.db, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = args.db.rsplit("/", 1)[0] + "/" + name
    try:
        upgrade(url)
        started = time.perf_counter()
        seed(url, args.segments)
        print(f"seeded {args.segments:,} segments in {time.perf_counter() - started:.0f} s ({name})")
        store = Store(url)
        print(f"{'':14} {'query':22} {'hits':>4}  {'previous p50':>12} {'p95':>6}  {'now p50':>8} {'p95':>6}"
              f"  p95 ratio")
        previous, now = measure(store, FILTERS, args.repeat)
        print(f"all queries: previous p50 {statistics.median(previous):.1f} ms, p95 {_p95(previous):.1f} ms; "
              f"now p50 {statistics.median(now):.1f} ms, p95 {_p95(now):.1f} ms; "
              f"p95 ratio previous/now {_p95(previous) / _p95(now):.1f}x")
        print("not in the totals: filters that defeat the walk")
        measure(store, DEFEATING, max(3, args.repeat // 4))
        print("the Chinese script fold: search without it, and with it")
        measure_fold(store, args.repeat)
    finally:
        if not args.keep:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def seed(url: str, segments: int, per_call: int = 100) -> None:
    rng = random.Random(0)
    engine = create_engine(url)
    calls = segments // per_call
    with engine.begin() as c:
        c.execute(text("DROP INDEX ix_segments_search_vector"))  # built once after the load, as a restore would
        c.execute(text(
            "INSERT INTO recordings (id, sha256, filename, size_bytes, metadata, names, created_at) "
            "SELECT i, md5(i::text) || md5((i + 1)::text), 'call' || i || '.wav', 1000000, "
            "jsonb_build_object('agent', 'agent' || (i % 50), 'queue', 'queue' || (i % 5)), "
            "jsonb_build_array('call' || i || '.wav'), now() - ((:n - i) || ' minutes')::interval "
            "FROM generate_series(1, :n) i"), {"n": calls})
        c.execute(text(
            "INSERT INTO analyses (id, recording_id, model_id, synthetic, parameters, parameters_key, status, "
            "timings, started_at) SELECT i, i, 'bench', true, '{}', 'p', 'done', '{}', now() "
            "FROM generate_series(1, :n) i"), {"n": calls})
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor, cursor.copy(
                "COPY segments (analysis_id, channel, role, start_ms, end_ms, language, emotion, events, text, "
                "raw, words, search_terms) FROM STDIN") as copy:
            for call in range(1, calls + 1):
                for k in range(per_call):
                    words = _sentence(rng)
                    copy.write_row((call, k % 2, ("agent", "customer")[k % 2], k * 5000, k * 5000 + 4000,
                                    "zh" if words[0] > "\u3000" else "en", rng.choice(EMOTIONS), "[]", words,
                                    words, "[]", index_terms(words)))
        raw.commit()
    finally:
        raw.close()
    with engine.begin() as c:
        c.execute(text("CREATE INDEX ix_segments_search_vector ON segments USING GIN (search_vector)"))
        # The previous search's index (revision 0006), for the baseline only.
        c.execute(text("CREATE INDEX ix_segments_search_0006 ON segments "
                       "USING GIN (to_tsvector('simple', search_terms))"))
        c.execute(text("ANALYZE"))
    engine.dispose()


def _sentence(rng: random.Random) -> str:
    chinese = rng.random() < 0.5
    vocabulary, rare = (CHINESE, RARE_CHINESE) if chinese else (ENGLISH, RARE_ENGLISH)
    words = [rng.choice(vocabulary) for _ in range(rng.randrange(5, 16))]
    if rng.random() < 0.01:
        words.insert(rng.randrange(len(words)), rng.choice(rare))
    return ("" if chinese else " ").join(words) + ("。" if chinese else ".")


def measure(store: Store, filter_sets: dict[str, Filters], repeat: int) -> tuple[list[float], list[float]]:
    """Times both searches, interleaved; prints per query; returns every time of each."""
    every_previous, every_now = [], []
    for label, filters in filter_sets.items():
        for query in QUERIES:
            page = store.search(query, filters)  # warm both
            with store._sessions() as session:
                before = previous_search(session, query, filters)
            if [h.segment_id for h in page.hits] != [h.segment_id for h in before.hits]:
                raise SystemExit(f"{label} {query!r}: the page differs from the previous search's")
            previous, now = [], []
            for _ in range(repeat):
                started = time.perf_counter()
                with store._sessions() as session:
                    previous_search(session, query, filters)
                previous.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                store.search(query, filters)
                now.append((time.perf_counter() - started) * 1000)
            every_previous += previous
            every_now += now
            print(f"  {label:13} {query!r:22} {len(page.hits):4}  {statistics.median(previous):9.1f} ms "
                  f"{_p95(previous):6.1f}  {statistics.median(now):6.1f} ms {_p95(now):6.1f}  "
                  f"{_p95(previous) / _p95(now):6.1f}x")
    return every_previous, every_now


def measure_fold(store: Store, repeat: int) -> None:
    folding = text_module.fold
    unfolded, folded = [], []
    for query in QUERIES:
        for label, filters in FILTERS.items():
            text_module.fold = str  # the normaliser before the fold: text as it is
            before = store.search(query, filters)
            text_module.fold = folding
            page = store.search(query, filters)
            if [h.segment_id for h in page.hits] != [h.segment_id for h in before.hits]:
                raise SystemExit(f"{label} {query!r}: the fold changed a page of simplified text")
            times: tuple[list[float], list[float]] = ([], [])
            for k in range(repeat):  # which goes first alternates
                for fold, into in ((str, times[0]), (folding, times[1]))[::1 if k % 2 else -1]:
                    text_module.fold = fold
                    started = time.perf_counter()
                    store.search(query, filters)
                    into.append((time.perf_counter() - started) * 1000)
            text_module.fold = folding
            unfolded += times[0]
            folded += times[1]
            traditional, found = script.write(query, "traditional"), ""
            if traditional != query:
                hits = store.search(traditional, filters).hits
                if [h.segment_id for h in hits] != [h.segment_id for h in page.hits]:
                    raise SystemExit(f"{label} {traditional!r} does not find what {query!r} finds")
                found = f"  {traditional}: the same {len(hits)} hits"
            print(f"  {label:13} {query!r:22} {len(page.hits):4}  without {statistics.median(times[0]):7.1f} ms "
                  f"{_p95(times[0]):6.1f}  with {statistics.median(times[1]):7.1f} ms {_p95(times[1]):6.1f}"
                  f"  p50 ratio with/without {statistics.median(times[1]) / statistics.median(times[0]):.2f}{found}")
    print(f"all queries: without the fold p50 {statistics.median(unfolded):.1f} ms, p95 {_p95(unfolded):.1f} ms; "
          f"with it p50 {statistics.median(folded):.1f} ms, p95 {_p95(folded):.1f} ms; "
          f"p50 ratio with/without {statistics.median(folded) / statistics.median(unfolded):.2f}")


def previous_search(session, query: str, filters: Filters, limit: int = 50, offset: int = 0) -> SearchPage:
    """Revision 0007's ``search.search``: every match fetched, then sorted newest recording first."""
    parsed = Query.parse(query)
    s, a, r = schema.Segment, schema.Analysis, schema.Recording
    words = [search._tsquery_term(t) for t in parsed.terms]
    if parsed.prefix_last:
        words[-1] += ":*"
    match = func.to_tsvector("simple", s.search_terms).op("@@")(func.to_tsquery("simple", " <-> ".join(words)))
    statement = (
        select(s, r.id, r.filename)
        .join(a, s.analysis_id == a.id).join(r, a.recording_id == r.id)
        .where(a.status == schema.AnalysisStatus.DONE.value, match, *call_conditions(filters),
               *heard_conditions("postgresql", filters))
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


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


if __name__ == "__main__":
    main()
