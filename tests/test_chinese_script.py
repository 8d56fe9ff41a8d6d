"""Chinese in either script: stored in the site's script, found and matched in both.

1. the fold and the conversions themselves (OpenCC's tables);
2. the site's setting applied to real speech (Whisper base writes Mandarin in traditional);
3. search over real Whisper words, a query in one script finding text in the other, on SQLite and
   PostgreSQL; phrase rules likewise;
4. index terms stored before the fold, rewritten by migration 0013.
"""

from __future__ import annotations

import hashlib
import re

import pytest
import yaml
from sqlalchemy import create_engine, text

from helpers import ROOT
from voxsight import config as config_module, features, rules, script
from voxsight.analysis import Analyzer
from voxsight.errors import ConfigError
from voxsight.results import AnalysisResult, Segment, Word
from voxsight.store import Store
from voxsight.store.search import index_terms
from voxsight.text import find, normalize

CANTONESE = "佢哋講咗啲嘢，係唔係我嘅？"  # 嘅 咗 啲: Cantonese characters both scripts share


def _traditional_in(s: str) -> str:
    """The characters of ``s`` that folding changes (those written in traditional only)."""
    return "".join(c for c in s if script.fold(c) != c)


# -- 1. the fold and the conversions


def test_the_fold_maps_traditional_to_simplified_one_character_for_one():
    assert script.fold("開放時間早上9點，我要投訴！") == "开放时间早上9点，我要投诉！"
    assert script.fold("开放时间") == "开放时间"  # simplified stays
    assert script.fold(CANTONESE) == "佢哋讲咗啲嘢，系唔系我嘅？"  # 講 係 folded, nothing Cantonese lost
    assert script.fold("髮發") == "发发" and script.fold("臺裡裏") == "台里里"  # many to one
    table = script._fold_table()
    assert len(table) > 4000 and all(len(v) == 1 for v in table.values())
    assert script.fold("Hello 你好 123") == "Hello 你好 123"


@pytest.mark.parametrize("choice, written", [
    ("as_recognised", "我要投訴你们，这个軟體嘅問題"),
    ("simplified", "我要投诉你们，这个软体嘅问题"),
    ("mainland", "我要投诉你们，这个软件嘅问题"),  # Taiwan's vocabulary replaced too
    ("traditional", "我要投訴你們，這個軟體嘅問題"),
    ("taiwan", "我要投訴你們，這個軟體嘅問題"),
    ("hongkong", "我要投訴你們，這個軟體嘅問題"),
])
def test_each_choice_writes_its_script_and_keeps_cantonese_characters(choice, written):
    mixed = "我要投訴你们，这个軟體嘅問題"  # both scripts in one sentence, as code-switched ASR writes
    assert script.write(mixed, choice) == written
    if choice != "mainland":  # vocabulary is another word (软件 for 軟體), not another script
        assert normalize(written) == normalize(mixed)  # whatever is written, matching sees one text


def test_taiwan_and_mainland_change_vocabulary_not_only_characters():
    assert script.write("我的U盘坏了，软件也打不开", "taiwan") == "我的隨身碟壞了，軟體也打不開"
    assert script.write("我的隨身碟壞了，軟體也打不開", "mainland") == "我的U盘坏了，软件也打不开"
    assert script.write("我的U盘坏了", "traditional") == "我的U盤壞了"  # characters only


def test_a_segment_is_written_in_its_languages_script_words_and_translation_included():
    words = (Word("我要", 0.0, 0.4), Word("投訴", 0.4, 0.8), Word("軟", 0.8, 1.0), Word("體", 1.0, 1.2))
    segment = Segment(0.0, 1.2, None, None, "zh", "ANGRY", (), "我要投訴軟體", "<|zh|>我要投訴軟體", words,
                      "whisper", "I want to complain about 軟體")
    scripts = {"zh": "mainland", "yue": "traditional"}

    written = script.write_segment(segment, scripts)

    assert written.text == "我要投诉软件"
    # converted as one phrase across the words' boundaries, cut at the same offsets, times kept
    assert [(w.text, w.start_s, w.end_s) for w in written.words] == [
        ("我要", 0.0, 0.4), ("投诉", 0.4, 0.8), ("软", 0.8, 1.0), ("件", 1.0, 1.2)]
    assert written.translation == "I want to complain about 软件"
    assert written.raw == segment.raw  # SenseVoice's output as the model wrote it
    cantonese = script.write_segment(Segment(0, 1, None, None, "yue", None, (), "我要投诉佢哋", ""), scripts)
    assert cantonese.text == "我要投訴佢哋"
    for language in ("en", "ja", None):  # other languages are never converted (kanji stays kanji)
        other = Segment(0, 1, None, None, language, None, (), "開放時間 and 发", "")
        assert script.write_segment(other, scripts) == other


def test_the_setting_is_validated_and_overridable_like_any_other(tmp_path):
    assert config_module.Config().chinese_script.as_dict() == {"zh": "simplified", "yue": "traditional"}
    site = config_module.load(environ={"VOXSIGHT_CHINESE_SCRIPT_ZH": "taiwan"})
    assert site.chinese_script.as_dict() == {"zh": "taiwan", "yue": "traditional"}
    bad = tmp_path / "bad.yaml"
    bad.write_text("chinese_script:\n  zh: cyrillic\n")
    with pytest.raises(ConfigError, match="chinese_script.zh 'cyrillic' is not one of as_recognised simplified"):
        config_module.load(bad, environ={})
    bad.write_text("chinese_script:\n  ja: simplified\n")
    with pytest.raises(ConfigError, match=r"unknown configuration key\(s\) \['ja'\] in chinese_script"):
        config_module.load(bad, environ={})


def test_highlights_mark_the_stored_characters_whichever_script_is_asked():
    stored = "您好，開放時間早上9點到晚上8點"
    assert find(stored, "开放时间") == [(3, 7)] and stored[3:7] == "開放時間"
    assert find(stored, "點") == find(stored, "点") == [(10, 11), (15, 16)]
    assert find("给你们发律师函", "發律師") == [(3, 6)]


# -- 2. the site's setting, on real speech

CHOICES = ("as_recognised", "simplified", "traditional")


@pytest.fixture(scope="module")
def heard(trained_model_dir, whisper_dir, engine, whisper_model, tmp_path_factory):
    """The Mandarin sample clip through the real pipeline with Whisper's words, under each choice of
    script: {choice: {clip: result}}, nothing stored yet."""
    from helpers import SHARED_AUDIO

    if not SHARED_AUDIO.is_dir():
        pytest.skip(f"real recordings not found at {SHARED_AUDIO}")
    base = config_module.Config().with_overrides(
        data_dir=str(tmp_path_factory.mktemp("script")),
        models={"sensevoice_dir": str(trained_model_dir), "whisper_dir": str(whisper_dir)}, engine={"words": "whisper"})
    out = {}
    for choice in CHOICES:
        analyzer = Analyzer(base.with_overrides(chinese_script={"zh": choice, "yue": choice}), engine=engine,
                            whisper=whisper_model)
        out[choice] = {"zh.mp3": analyzer.analyze_file(SHARED_AUDIO / "multilingual" / "zh.mp3")}
    return out


def _chinese(result) -> list[Segment]:
    return [s for s in result.segments if s.language in ("zh", "yue") and s.text]


def test_the_sites_setting_writes_each_segment_in_the_chosen_script(heard):
    recognised = _chinese(heard["as_recognised"]["zh.mp3"])
    assert recognised and _traditional_in("".join(s.text for s in recognised))  # Whisper base: traditional
    for choice in ("simplified", "traditional"):
        written = _chinese(heard[choice]["zh.mp3"])
        assert [s.text for s in written] == [script.write(s.text, choice) for s in recognised]
        assert [[w.text for w in s.words] for s in written] == [
            [w.text for w in script.write_segment(s, {"zh": choice}).words] for s in recognised]
        assert heard[choice]["zh.mp3"].parameters["chinese_script"] == {"zh": choice, "yue": choice}
    assert not _traditional_in("".join(s.text for s in _chinese(heard["simplified"]["zh.mp3"])))
    # each choice is another result of the same bytes: its own parameters, its own key
    keys = {Analyzer(config_module.Config().with_overrides(chinese_script={"zh": c})).parameters_key
            for c in CHOICES}
    assert len(keys) == 3


def test_cantonese_characters_survive_every_choice():
    # Whisper base writes Cantonese speech as Mandarin (yue.mp3: 這幾個字都表達不到我想講的意思), so
    # the characters only Cantonese writes are checked on a sentence of them.
    said = "我哋啱啱講咗，呢啲嘢係佢嘅，冇問題"
    for choice in script.CONVERSIONS:
        written = script.write(said, choice)
        assert [c for c in "哋啱咗呢啲嘢佢嘅冇" if c not in written] == [], (choice, written)
        assert script.fold(written) == script.fold(said) or choice == "mainland"


# -- 3. search and rules, a query in one script finding text in the other


def _store(store: Store, result: AnalysisResult, key: str) -> AnalysisResult:
    return store.save(result, key, 1000, {"agent": "ann"})


def _pieces(texts: list[str], other_script: str) -> list[str]:
    """Stretches of 1, 2 and 4 Chinese characters of ``texts`` that ``other_script`` writes otherwise."""
    pieces = []
    for length in (1, 2, 4):
        runs = [run for t in texts for run in re.findall(r"[\u4e00-\u9fff]+", t)]
        piece = next((p for run in runs for i in range(len(run) - length + 1)
                      if script.write(p := run[i:i + length], other_script) != p), None)
        assert piece, f"no {length} characters that {other_script} writes otherwise in {texts}"
        pieces.append(piece)
    return pieces


@pytest.mark.parametrize("stored_in, asked_in", [("as_recognised", "simplified"), ("simplified", "traditional")])
def test_a_query_in_one_script_finds_the_text_in_the_other(heard, each_store, stored_in, asked_in):
    result = _store(each_store, heard[stored_in]["zh.mp3"], "k")
    for piece in _pieces([s.text for s in _chinese(result)], asked_in):
        query = script.write(piece, asked_in)
        hits = each_store.search(query).hits
        expected = [s.text for s in result.segments if normalize(piece) in normalize(s.text).replace(" ", "")]
        assert expected and sorted(h.text for h in hits) == sorted(expected), (piece, query)
        for hit in hits:  # the highlight marks the characters as stored, not as asked
            assert piece in [hit.text[a:b] for a, b in hit.highlights], (piece, query, hit.text, hit.highlights)
        assert each_store.search(piece).hits == hits  # and the stored script finds the same


def test_the_search_command_finds_whispers_traditional_mandarin_by_its_simplified_words(heard, tmp_path):
    from helpers import voxsight

    store = Store(f"sqlite:///{tmp_path / 'calls.db'}")
    result = _store(store, heard["as_recognised"]["zh.mp3"], "k")
    assert any("開放時間" in s.text for s in result.segments)  # as Whisper base writes it
    run = voxsight({"VOXSIGHT_STORE_URL": store.url, "VOXSIGHT_DATA_DIR": str(tmp_path)}, "search", "开放时间")
    assert run.returncode == 0, run.stderr
    assert len(run.stdout.splitlines()) == 1 and "[開放時間]" in run.stdout


def test_a_phrase_rule_in_one_script_fires_on_the_text_in_the_other(heard):
    for stored_in, phrase_in in (("as_recognised", "simplified"), ("simplified", "traditional")):
        result = heard[stored_in]["zh.mp3"]
        f = features.compute(result.segments, result.recording.duration_s)
        for piece in _pieces([s.text for s in _chinese(result)], phrase_in)[1:]:  # 2 and 4 characters
            phrase = script.write(piece, phrase_in)
            ruleset = rules.parse("rules:\n  - id: said\n    severity: low\n    message: '{text}'\n"
                                  f"    when: {{phrase: {{phrases: {{zh: [{phrase}]}}}}}}\n")
            fired = ruleset.evaluate(f, result.segments)
            assert [a.rule_id for a in fired] == ["said"], (stored_in, phrase)
            assert piece in fired[0].triggers[0].text
    unsaid = rules.parse("rules:\n  - id: said\n    severity: low\n    message: m\n"
                         "    when: {phrase: {phrases: {zh: [律師函]}}}\n")
    result = heard["as_recognised"]["zh.mp3"]
    assert unsaid.evaluate(features.compute(result.segments, result.recording.duration_s), result.segments) == []


# -- 4. index terms stored before the fold


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migration_0013_refolds_the_terms_stored_before_it(backend, request, tmp_path):
    from alembic import command

    from voxsight.store.repository import _alembic_config

    url = f"sqlite:///{tmp_path / 'old.db'}" if backend == "sqlite" else request.getfixturevalue("pg_url")
    engine = create_engine(url)
    before = {  # text: its index terms as revision 0012's normaliser wrote them (no fold)
        "我要投訴你們": "我要 要投 投訴 訴你 你們 們",
        "我要投诉你们": "我要 要投 投诉 诉你 你们 们",
        "cancel my account": "cancel my account",
    }
    with engine.begin() as connection:
        alembic = _alembic_config()
        alembic.attributes["connection"] = connection
        command.upgrade(alembic, "0012")
        connection.execute(text(
            "INSERT INTO recordings (sha256, filename, size_bytes, metadata, names, created_at) "
            "VALUES (:sha, 'old.wav', 1, '{}', '[\"old.wav\"]', CURRENT_TIMESTAMP)"),
            {"sha": hashlib.sha256(b"old").hexdigest()})
        connection.execute(text(
            "INSERT INTO analyses (recording_id, model_id, synthetic, parameters, parameters_key, status, timings, "
            "started_at) VALUES (1, 'm', true, '{}', 'p', 'done', '{}', CURRENT_TIMESTAMP)"))
        for k, (said, terms) in enumerate(before.items()):
            connection.execute(text(
                "INSERT INTO segments (analysis_id, start_ms, end_ms, events, text, raw, words, search_terms) "
                "VALUES (1, :start, :end, '[]', :text, :text, '[]', :terms)"),
                {"start": k * 1000, "end": k * 1000 + 900, "text": said, "terms": terms})
    store = Store(url, auto_upgrade=True)
    try:
        assert sorted(h.text for h in store.search("投诉你们").hits) == ["我要投訴你們", "我要投诉你们"]
        assert sorted(h.text for h in store.search("訴").hits) == ["我要投訴你們", "我要投诉你们"]
        with store.engine.connect() as c:
            stored = dict(c.execute(text("SELECT text, search_terms FROM segments")).all())
        assert stored == {said: index_terms(said) for said in before}  # the text itself as it was
        assert stored["我要投訴你們"] == before["我要投诉你们"]
    finally:
        store.engine.dispose()
        engine.dispose()


# -- rules list each phrase once


def test_the_shipped_rules_list_each_phrase_once_in_either_script():
    def phrase_lists(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "phrases":
                    yield [p for items in value.values() for p in items]
                else:
                    yield from phrase_lists(value)
        elif isinstance(node, list):
            for item in node:
                yield from phrase_lists(item)

    shipped = yaml.safe_load((ROOT / "configs" / "rules.yaml").read_text(encoding="utf-8"))
    lists = list(phrase_lists(shipped["rules"]))
    assert len(lists) >= 4
    for phrases in lists:
        folded = [normalize(str(p)) for p in phrases]
        assert len(folded) == len(set(folded)), [p for p in phrases if folded.count(normalize(str(p))) > 1]
    ruleset = rules.load(ROOT / "configs" / "rules.yaml")
    for said in ("我要投訴你們", "我要投诉你们", "我要告你", "我要搵律師"):  # Mandarin as Whisper writes it too
        segments = [Segment(0, 3, 0, "agent", "zh", "NEUTRAL", (), "你好", ""),
                    Segment(4, 8, 1, "customer", "zh", "ANGRY", (), said, "")]
        fired = ruleset.evaluate(features.compute(segments, 10), segments)
        assert "complaint_threat" in [a.rule_id for a in fired], said
