"""The Redis result cache: the API's cached pages served from the cache (hit) against built from
the store (miss), on PostgreSQL, in one run.

Seeds ``--calls`` analysed calls (as bench/reports.py does) with their features and alerts (the
shipped rules, backfilled), then asks the real application (``create_app``, in process through
Starlette's test client, bearer token and all) for three pages, each ``--repeat`` times: a
recording with its segments, features and alerts; a search page; a 60-day report by agent. For
a miss the cache's keys are deleted first; a hit asks again at once. Both include the request's
whole path (auth, audit, the store's change mark, JSON); prints p50 of each and the ratio.

    .venv/bin/python bench/result_cache.py [--calls 20000] [--segments 20] [--repeat 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from pathlib import Path

import numpy as np
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from helpers import ROOT, fresh_database  # noqa: E402
from reports import seed  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--segments", type=int, default=20, help="segments per call")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--db", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    args = parser.parse_args()

    import redis
    from starlette.testclient import TestClient

    from voxsight.alerts import Alerting
    from voxsight.config import Config
    from voxsight.store import Store, upgrade
    from voxsight.webui.app import create_app

    url = fresh_database(args.db)
    upgrade(url)
    seed(url, args.calls, args.segments, np.random.default_rng(1))
    store = Store(url)
    with store.engine.begin() as c:  # the seeded lines are plain lowercase English or CJK: their own terms
        c.execute(text("UPDATE segments SET search_terms = text"))
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    config = Config().with_overrides(store={"url": url}, queue={"redis_url": args.redis, "prefix": prefix},
                                     alerts={"rules_file": str(ROOT / "configs" / "rules.yaml")})
    Alerting(config.alerts, store).backfill()
    store.accounts.add_user("bench", "admin", None)
    token, _ = store.accounts.create_token("bench", "bench")
    client = TestClient(create_app(config, store), headers={"Authorization": f"Bearer {token}"})
    cache = redis.Redis.from_url(args.redis)

    pages = {
        "recording (20 segments, features, alerts)": lambda i: f"/api/v1/recordings/{1 + i * 7 % args.calls}",
        "search page ('complaint')": lambda i: "/api/v1/search?q=complaint&limit=50",
        "report, 60 days by agent": lambda i: "/api/v1/reports?start=2026-10-01&end=2026-11-30&by=agent",
    }
    print(f"{args.calls:,} calls, {args.calls * args.segments:,} segments; p50 of {args.repeat} requests each")
    print(f"{'page':<44}{'miss ms':>10}{'hit ms':>10}{'miss/hit':>10}")
    for name, path in pages.items():
        miss, hit = [], []
        for i in range(args.repeat):
            for key in cache.scan_iter(f"{prefix}:cache:*"):
                cache.delete(key)
            for times, expect in ((miss, "miss"), (hit, "hit")):
                began = time.perf_counter()
                response = client.get(path(i))
                times.append((time.perf_counter() - began) * 1000)
                assert response.status_code == 200 and response.headers["x-cache"] == expect, response.text
        m, h = statistics.median(miss), statistics.median(hit)
        print(f"{name:<44}{m:>10.1f}{h:>10.1f}{m / h:>10.1f}")
    for key in cache.scan_iter(f"{prefix}:*"):
        cache.delete(key)
    store.engine.dispose()
    from sqlalchemy import create_engine
    with create_engine(args.db, isolation_level="AUTOCOMMIT").connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
