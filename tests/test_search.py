"""Full-text search in English, Chinese and Japanese, on SQLite and PostgreSQL.

Segments are stored through the real store (the words chosen here: the synthetic model's words are
random); the queries go through each database's real full-text engine.
"""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import text

from voxsight.results import AnalysisResult, RecordingInfo, Segment
from voxsight.search import Filters, index_terms
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
        segments = tuple(Segment(start_s=i * 5.0, end_s=i * 5.0 + 4, channel=role == "customer", role=role,
                                 language=None, emotion=emotion, events=("Cry",) if emotion == "SAD" else (),
                                 text=words, raw=words) for i, (role, emotion, words) in enumerate(lines))
        result = AnalysisResult(
            recording=RecordingInfo(sha256=hashlib.sha256(name.encode()).hexdigest(), filename=name, format="wav",
                                    duration_s=60.0, sample_rate=16000, channels=2),
            model_id="test-model", synthetic=True, parameters={}, segments=segments)
        store.save(result, "p", 1000, {"agent": "ann" if name != "zh.wav" else "bo", "queue": "billing"})
    return store


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
    assert {first.hits[0].text, second.hits[0].text} == {"我要投诉你们，我要找律师。", "给你们发律师函"}


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
    from conftest import voxsight

    run = voxsight({"VOXSIGHT_STORE_URL": stored.url, "VOXSIGHT_DATA_DIR": str(tmp_path)}, "search", "律师函")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["zh.wav  [00:05.00–00:09.00] customer 😠 ANGRY  给你们发[律师函]"]
