"""Search latency over a million stored segments on PostgreSQL, English and Chinese.

    .venv/bin/python bench/search_speed.py [--segments 1000000] [--db URL] [--keep]

Seeds a fresh database (the real schema, through Alembic) with calls of 100 segments each, half
English, half Mandarin, built from a vocabulary in which the queried words are as rare as they are
in real calls (a complaint in about one call segment in a hundred), with COPY. Then times
``Store.search`` (first page of 50, newest first) for each query, 1-3 characters of Chinese
included, alone and with filters; prints p50 and p95 per query and over all.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import uuid

from sqlalchemy import create_engine, text

from voxsight.search import Filters, index_terms
from voxsight.store import Store, upgrade

ENGLISH = ("the a to i you my your is it that and for on with this can please thank yes no ok well "
           "account card bill payment charge order delivery number address help call check wait "
           "today week month money back service problem issue reference").split()
CHINESE = ("我们 你们 这个 那个 可以 已经 需要 帮助 账户 银行 信用卡 账单 付款 订单 快递 地址 电话 号码 "
           "今天 明天 时间 问题 服务 客服 经理 谢谢 好的 没有 知道 处理 系统 查询 确认 办理 开通").split()
RARE_ENGLISH = ["cancel my account", "lawyer", "regulator", "refund"]
RARE_CHINESE = ["投诉", "退款", "律师函", "律师", "监管"]
EMOTIONS = ["NEUTRAL"] * 6 + ["HAPPY", "SAD", "ANGRY", "SURPRISED"]
QUERIES = ["投诉", "退款", "律师函", "律", "cancel my account", "refund", "ok", "账单"]


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
        measure(Store(url), args.repeat)
    finally:
        if not args.keep:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def seed(url: str, segments: int, per_call: int = 100) -> None:
    rng = random.Random(0)
    engine = create_engine(url)
    calls = segments // per_call
    with engine.begin() as c:
        c.execute(text("DROP INDEX ix_segments_search"))  # built once after the load, as a restore would
        c.execute(text(
            "INSERT INTO recordings (id, sha256, filename, size_bytes, metadata, names, created_at) "
            "SELECT i, md5(i::text) || md5((i + 1)::text), 'call' || i || '.wav', 1000000, "
            "jsonb_build_object('agent', 'agent' || (i % 50), 'queue', 'queue' || (i % 5)), "
            "jsonb_build_array('call' || i || '.wav'), now() - (i || ' minutes')::interval "
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
        c.execute(text("CREATE INDEX ix_segments_search ON segments USING GIN (to_tsvector('simple', search_terms))"))
        c.execute(text("ANALYZE"))
    engine.dispose()


def _sentence(rng: random.Random) -> str:
    chinese = rng.random() < 0.5
    vocabulary, rare = (CHINESE, RARE_CHINESE) if chinese else (ENGLISH, RARE_ENGLISH)
    words = [rng.choice(vocabulary) for _ in range(rng.randrange(5, 16))]
    if rng.random() < 0.01:
        words.insert(rng.randrange(len(words)), rng.choice(rare))
    return ("" if chinese else " ").join(words) + ("。" if chinese else ".")


def measure(store: Store, repeat: int) -> None:
    everything = []
    for filters in (Filters(), Filters(emotion="ANGRY", queue="queue1")):
        label = "no filter" if filters == Filters() else "emotion+queue"
        for query in QUERIES:
            store.search(query, filters)  # warm
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                page = store.search(query, filters)
                times.append((time.perf_counter() - started) * 1000)
            everything += times
            print(f"  {label:13} {query!r:22} {len(page.hits):3} hits  p50 {statistics.median(times):6.1f} ms  "
                  f"p95 {_p95(times):6.1f} ms")
    print(f"all queries: p50 {statistics.median(everything):.1f} ms, p95 {_p95(everything):.1f} ms")


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


if __name__ == "__main__":
    main()
