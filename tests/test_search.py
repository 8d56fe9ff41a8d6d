"""Full-text search in English, Chinese and Japanese, on SQLite and PostgreSQL.

Segments are stored through the real store (the words chosen here: the synthetic model's words are
random); the queries go through each database's real full-text engine.
"""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from voxsight.results import AnalysisResult, RecordingInfo, Segment
from voxsight.store.filters import Filters
from voxsight.store.search import index_terms
from voxsight.store import Store

LINES = [  # (recording, role, emotion, text)
    ("complaint.wav", "customer", "ANGRY", "I want to CANCEL my account. Now!"),
    ("complaint.wav", "agent", "NEUTRAL", "OK, I can cancel the account for you."),
    ("okay.wav", "customer", "HAPPY", "Okay, that's a good book."),
    ("zh.wav", "customer", "ANGRY", "我要投诉你们，我要找律师。"),
    ("zh.wav", "customer", "ANGRY", "给你们发律师函"),
    ("zh.wav", "agent", "NEUTRAL", "请问还有什么投资需求？"),
    ("ja.wav", "customer", "SAD", "解約したいです。"),
    ("mixed.wav", "customer", "NEUTRAL", "我是VIP客户"),
]


@pytest.fixture
def store(each_store) -> Store:
    return each_store


@pytest.fixture
def stored(store) -> Store:
    by_recording: dict[str, list] = {}
    for name, role, emotion, words in LINES:
        by_recording.setdefault(name, []).append((role, emotion, words))
    for name, lines in by_recording.items():
        _save(store, name, [(i * 5.0, role, emotion, words) for i, (role, emotion, words) in enumerate(lines)])
    return store


def _save(store: Store, name: str, lines: list[tuple[float, str, str, str]], model_id: str = "test-model") -> None:
    """Store a call of these (start_s, role, emotion, text) segments, in this order."""
    segments = tuple(Segment(start_s=start, end_s=start + 4, channel=role == "customer", role=role, language=None,
                             emotion=emotion, events=("Cry",) if emotion == "SAD" else (), text=words, raw=words)
                     for start, role, emotion, words in lines)
    result = AnalysisResult(
        recording=RecordingInfo(sha256=hashlib.sha256(name.encode()).hexdigest(), filename=name, format="wav",
                                duration_s=60.0, sample_rate=16000, channels=2),
        model_id=model_id, synthetic=True, parameters={}, segments=segments)
    store.save(result, "p", 1000, {"agent": "ann" if name != "zh.wav" else "bo", "queue": "billing"})


def _texts(store: Store, query: str, **filters) -> list[str]:
    return sorted(h.text for h in store.search(query, Filters(**filters)).hits)


def test_english_phrases_match_whatever_the_case_and_punctuation(stored):
    assert _texts(stored, "cancel my account") == ["I want to CANCEL my account. Now!"]
    assert _texts(stored, "Cancel, the account") == ["OK, I can cancel the account for you."]


def test_short_english_words_match_whole_words_only(stored):
    assert _texts(stored, "ok") == ["OK, I can cancel the account for you."]


@pytest.mark.parametrize("query,expected", [
    ("投诉", ["我要投诉你们，我要找律师。"]),  # two characters: what trigram indexes cannot serve
    ("律师", ["我要投诉你们，我要找律师。", "给你们发律师函"]),
    ("律师函", ["给你们发律师函"]),
    ("律", ["我要投诉你们，我要找律师。", "给你们发律师函"]),  # one character
    ("投", ["我要投诉你们，我要找律师。", "请问还有什么投资需求？"]),
    ("师", ["我要投诉你们，我要找律师。", "给你们发律师函"]),  # the last character of a run
    ("解約", ["解約したいです。"]),
    ("VIP客户", ["我是VIP客户"]),
    ("vip 客", ["我是VIP客户"]),
    ("退款", []),
])
def test_chinese_and_japanese_match_without_spaces_at_any_length(stored, query, expected):
    assert _texts(stored, query) == expected


def test_filters_combine_with_the_words(stored):
    assert _texts(stored, "律师", emotion="ANGRY", agent="bo", queue="billing") == [
        "我要投诉你们，我要找律师。", "给你们发律师函"]
    assert _texts(stored, "律师", agent="ann") == []
    assert _texts(stored, "cancel", role="agent") == ["OK, I can cancel the account for you."]
    assert _texts(stored, "解約", event="Cry") == ["解約したいです。"]
    assert _texts(stored, "解約", event="Laughter") == []


def test_hits_say_where_the_query_matched(stored):
    [hit] = stored.search("律师函").hits
    assert hit.filename == "zh.wav" and hit.role == "customer" and hit.start_s == 5.0
    assert [hit.text[a:b] for a, b in hit.highlights] == ["律师函"]
    [hit] = stored.search("cancel my account").hits
    assert [hit.text[a:b] for a, b in hit.highlights] == ["CANCEL my account"]


def test_pages_follow_one_another(stored):
    first = stored.search("律", limit=1)
    second = stored.search("律", limit=1, offset=first.next_offset)
    assert first.next_offset == 1 and second.next_offset is None
    assert [first.hits[0].text, second.hits[0].text] == ["我要投诉你们，我要找律师。", "给你们发律师函"]


# -- order and pages over many calls

CALL_LINES = ["我要投诉", "律师函已经发了", "请帮我找律师", "有投资需求", "OK, thanks a lot", "Okay then",
              "a good book", "I want a refund", "我要退款", "没有问题"]
MATCHING = {  # query: the lines it finds, exactly
    "律": {"律师函已经发了", "请帮我找律师"},  # one character: a prefix of a bigram, or a run's last character
    "师": {"律师函已经发了", "请帮我找律师"},
    "投诉": {"我要投诉"},
    "投": {"我要投诉", "有投资需求"},
    "退款": {"我要退款"},
    "ok": {"OK, thanks a lot"},  # a whole word: not Okay, not book
    "refund": {"I want a refund"},
}


@pytest.fixture
def calls(store) -> list[tuple[str, list[tuple[float, str]]]]:
    """Twelve calls stored one after another, five segments each, stored out of time order (as two
    channels may be): the newest-first order of their segments, as (file name, [(start_s, text)])."""
    stored = []
    for i in range(12):
        lines = [((7 * k + 3 * i) % 25 * 1.0, CALL_LINES[(i + 3 * k) % len(CALL_LINES)]) for k in range(5)]
        _save(store, f"call{i:02}.wav", [(start, "customer", "NEUTRAL", text) for start, text in lines])
        stored.append((f"call{i:02}.wav", sorted(lines)))
    return stored[::-1]


def _newest_first(calls, query: str) -> list[tuple[str, float, str]]:
    return [(name, start, text) for name, lines in calls for start, text in lines if text in MATCHING[query]]


def _pages(store: Store, query: str, limit: int) -> list[list[tuple[str, float, str]]]:
    pages, offset = [], 0
    while offset is not None:
        assert len(pages) < 100, "the pages never end"
        page = store.search(query, limit=limit, offset=offset)
        assert page.offset == offset
        pages.append([(h.filename, h.start_s, h.text) for h in page.hits])
        offset = page.next_offset
    return pages


# On PostgreSQL, a search walks the newest analyses and collects the rest (voxsight.store.search): pages
# must be the same whether they are walked, collected or both, so the walks are shrunk here too.
WALKS = {"walked": (50, 500), "collected after one analysis": (1, 1), "walked in steps": (1, 6)}


@pytest.fixture(params=list(WALKS))
def walks(request, store, monkeypatch) -> None:
    from voxsight.store import search

    if request.param != "walked" and store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite sorts every hit: there is no walk to shrink")
    monkeypatch.setattr(search, "_FIRST_WALK", WALKS[request.param][0])
    monkeypatch.setattr(search, "_LONGEST_WALK", WALKS[request.param][1])


def test_results_come_newest_call_first_each_in_time_order(calls, store, walks):
    for query in MATCHING:
        expected = _newest_first(calls, query)
        assert len(expected) >= 5 and len({name for name, _, _ in expected}) >= 3
        assert [(h.filename, h.start_s, h.text) for h in store.search(query).hits] == expected, query


def test_pages_continue_one_another_without_repeats_or_gaps(calls, store, walks):
    for query, limit in [("律", 1), ("律", 4), ("投", 5), ("ok", 2), ("退款", 3)]:
        pages = _pages(store, query, limit)
        assert all(len(page) == limit for page in pages[:-1]) and 0 < len(pages[-1]) <= limit
        assert [hit for page in pages for hit in page] == _newest_first(calls, query), (query, limit)


def test_a_page_past_the_last_hit_is_empty(calls, store):
    page = store.search("律", offset=100)
    assert page.hits == [] and page.next_offset is None


def test_a_recording_analyzed_again_comes_first_again(calls, store):
    name, lines = calls[-1]  # the oldest call
    _save(store, name, [(start, "customer", "NEUTRAL", text) for start, text in lines], model_id="other-model")
    again = [(name, start, text) for start, text in lines if text in MATCHING["投"]]
    hits = store.search("投").hits
    assert len(again) == 2 and [(h.filename, h.start_s, h.text) for h in hits[:2]] == again
    assert hits[0].analysis_id > hits[2].analysis_id


def test_search_leaves_the_transactions_settings_as_they_were(pg_url):
    from voxsight.store import search

    store = Store(pg_url, auto_upgrade=True)
    with Session(store.engine) as session:
        search.search(session, "律")
        assert session.execute(text("SHOW enable_bitmapscan")).scalar() == "on"
        assert session.execute(text("SHOW plan_cache_mode")).scalar() == "auto"
    store.engine.dispose()


def test_migration_0008_up_and_down(store):
    from alembic import command

    from voxsight.store.repository import _alembic_config

    def columns() -> set[str]:
        with store.engine.connect() as connection:
            return {c["name"] for c in inspect(connection).get_columns("segments")}

    _save(store, "old.wav", [(0.0, "customer", "ANGRY", "我要投诉")])
    postgresql = store.engine.dialect.name == "postgresql"
    assert ("search_vector" in columns()) == postgresql
    config = _alembic_config()
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0007")
    assert "search_vector" not in columns()
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    assert ("search_vector" in columns()) == postgresql
    assert _texts(store, "投诉") == ["我要投诉"]


def test_segments_stored_before_search_existed_are_indexed_by_the_migration(tmp_path):
    from alembic import command
    from sqlalchemy import create_engine

    from voxsight.store.repository import _alembic_config

    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = _alembic_config()
    engine = create_engine(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
        connection.execute(text(
            "INSERT INTO recordings (sha256, filename, size_bytes, metadata, names, created_at) "
            "VALUES ('ab', 'old.wav', 1, '{}', '[\"old.wav\"]', '2026-01-01')"))
        connection.execute(text(
            "INSERT INTO analyses (recording_id, model_id, synthetic, parameters, parameters_key, status, timings, "
            "started_at) VALUES (1, 'm', 1, '{}', 'p', 'done', '{}', '2026-01-01')"))
        connection.execute(text(
            "INSERT INTO segments (analysis_id, start_ms, end_ms, events, text, raw, words) "
            "VALUES (1, 0, 1000, '[]', '我要投诉', '我要投诉', '[]')"))
    engine.dispose()
    store = Store(url)  # SQLite upgrades on open
    assert _texts(store, "投诉") == ["我要投诉"]
    assert index_terms("我要投诉") == "我要 要投 投诉 诉"


def test_the_search_command_prints_hits_with_the_match_marked(stored, tmp_path):
    from helpers import voxsight

    run = voxsight({"VOXSIGHT_STORE_URL": stored.url, "VOXSIGHT_DATA_DIR": str(tmp_path)}, "search", "律师函")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["zh.wav  [00:05.00–00:09.00] customer 😠 ANGRY  给你们发[律师函]"]
