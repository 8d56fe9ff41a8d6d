"""Specification of voxsight.tags, checked against FunASR's own post-processing."""

import pytest
from funasr.utils.postprocess_utils import emo_dict, emo_set, event_dict, event_set, rich_transcription_postprocess

from voxsight.tags import EMOTION_EMOJI, EMOTIONS, EVENT_EMOJI, EVENTS, RichTranscript, parse

# One tag block each, as SenseVoiceSmall writes them.
SINGLE_BLOCK = [
    "<|en|><|ANGRY|><|Speech|><|woitn|>i want to cancel",
    "<|en|><|NEUTRAL|><|Speech|><|withitn|>I want to cancel my order, please.",
    "<|zh|><|HAPPY|><|Speech|><|withitn|>欢迎大家来体验达摩院推出的语音识别模型。",
    "<|en|><|SAD|><|Cry|><|woitn|>",
    "<|nospeech|><|Event_UNK|>",
    "<|en|><|EMO_UNKNOWN|><|Speech|><|woitn|>hello",
    "<|en|><|NEUTRAL|><|BGM|><|woitn|>thanks for holding",
    "<|ja|><|SURPRISED|><|Laughter|><|withitn|>本当ですか？",
    "<|yue|><|FEARFUL|><|Speech|><|withitn|>我唔知点算好。",
    "<|ko|><|DISGUSTED|><|Cough|><|withitn|>정말 싫어요.",
    "<|en|><|HAPPY|><|Applause|><|woitn|>well done everyone",
    "<|en|><|NEUTRAL|><|Sneeze|><|woitn|>sorry about that",
    "",
]
# Several blocks in one segment, where funasr's joining and ours agree.
MULTI_BLOCK = [
    "<|zh|><|NEUTRAL|><|Speech|><|withitn|>您好，<|zh|><|NEUTRAL|><|Speech|><|withitn|>请问有什么可以帮您？",
    "<|zh|><|ANGRY|><|Speech|><|withitn|>我要投诉。<|zh|><|ANGRY|><|Speech|><|withitn|>马上给我退款！",
]

_FUNASR_EMOJI = emo_set | event_set | {"❓"}


def _funasr_words(raw: str) -> str:
    out = rich_transcription_postprocess(raw)
    return " ".join("".join(c for c in out if c not in _FUNASR_EMOJI).split())


@pytest.mark.parametrize("raw", SINGLE_BLOCK + MULTI_BLOCK)
def test_text_matches_funasr_without_emoji(raw):
    assert parse(raw).text == _funasr_words(raw)


@pytest.mark.parametrize("raw", SINGLE_BLOCK)
def test_emotion_is_the_one_funasr_puts_last(raw):
    out = rich_transcription_postprocess(raw)
    funasr_emo = out[-1] if out and out[-1] in emo_set else None
    emotion = parse(raw).emotion
    assert (emo_dict.get(f"<|{emotion}|>") or None) == funasr_emo


@pytest.mark.parametrize("raw", SINGLE_BLOCK)
def test_events_with_funasr_emoji_lead_funasr_output(raw):
    out = rich_transcription_postprocess(raw)
    leading = set()
    for c in out:
        if c not in event_set:
            break
        leading.add(c)
    expected = {event_dict.get(f"<|{e}|>", "") for e in parse(raw).events} - {""}
    assert leading == expected


def test_plain_tagged_line():
    raw = "<|en|><|ANGRY|><|Speech|><|woitn|>i want to cancel"
    assert parse(raw) == RichTranscript(
        text="i want to cancel",
        language="en",
        emotion="ANGRY",
        events=(),
        itn=False,
        unknown_tags=(),
        raw=raw,
    )


def test_tags_inside_text_are_removed_and_their_events_kept():
    raw = "<|en|><|ANGRY|><|Speech|><|woitn|>i want to cancel<|en|><|NEUTRAL|><|BGM|><|woitn|>thank you"
    parsed = parse(raw)
    assert parsed.text == "i want to cancel thank you"
    assert parsed.language == "en"
    assert parsed.events == ("BGM",)


def test_english_blocks_are_joined_with_a_space_unlike_funasr():
    raw = "<|en|><|NEUTRAL|><|Speech|><|woitn|>cancel my order<|en|><|NEUTRAL|><|Speech|><|woitn|>thank you"
    assert _funasr_words(raw) == "cancel my orderthank you"
    assert parse(raw).text == "cancel my order thank you"


def test_non_neutral_emotion_beats_neutral_across_blocks():
    raw = "<|en|><|ANGRY|><|Speech|><|woitn|>i want to cancel<|en|><|NEUTRAL|><|BGM|><|woitn|>thank you"
    assert parse(raw).emotion == "ANGRY"
    assert emo_dict["<|ANGRY|>"] in rich_transcription_postprocess(raw)


def test_most_frequent_emotion_wins():
    raw = "<|en|><|SAD|><|Speech|><|woitn|>a<|en|><|ANGRY|><|Speech|><|woitn|>b<|en|><|ANGRY|><|Speech|><|woitn|>c"
    assert parse(raw).emotion == "ANGRY"


def test_emotion_tie_goes_to_the_first_seen():
    raw = "<|en|><|SURPRISED|><|Speech|><|woitn|>oh<|en|><|HAPPY|><|Speech|><|woitn|>great"
    assert parse(raw).emotion == "SURPRISED"


def test_only_neutral_gives_neutral():
    assert parse("<|en|><|NEUTRAL|><|Speech|><|woitn|>ok").emotion == "NEUTRAL"


def test_first_language_wins():
    assert parse("<|zh|><|NEUTRAL|><|Speech|><|withitn|>好的<|en|><|NEUTRAL|><|Speech|><|woitn|>ok").language == "zh"


def test_unknown_tags_are_reported_in_order_once_and_removed():
    parsed = parse("<|en|><|whatever|><|NEUTRAL|><|LID|><|whatever|><|woitn|>hello")
    assert parsed.unknown_tags == ("whatever", "LID")
    assert parsed.text == "hello"


def test_known_non_event_tags_are_not_unknown():
    raw = "<|ASR|><|AED|><|SER|><|nospeech|><|Speech|><|/Speech|><|BGM|><|/BGM|><|Event_UNK|><|EMO_UNKNOWN|>"
    assert parse(raw).unknown_tags == ()


def test_emo_unknown_gives_no_emotion():
    assert parse("<|en|><|EMO_UNKNOWN|><|Speech|><|woitn|>hello").emotion is None


def test_speech_and_event_unk_are_not_events():
    assert parse("<|en|><|NEUTRAL|><|Speech|><|Event_UNK|><|woitn|>hi").events == ()


def test_events_are_distinct_in_order_of_first_appearance():
    raw = "<|en|><|HAPPY|><|Laughter|><|woitn|>ha<|en|><|HAPPY|><|Applause|><|woitn|>yes<|en|><|HAPPY|><|Laughter|>"
    assert parse(raw).events == ("Laughter", "Applause")


def test_nospeech_with_event_unk_is_empty():
    parsed = parse("<|nospeech|><|Event_UNK|>")
    assert (parsed.text, parsed.language, parsed.emotion, parsed.events) == ("", None, None, ())


def test_empty_string_parses_to_nothing():
    assert parse("") == RichTranscript("", None, None, (), None, (), "")


@pytest.mark.parametrize(("tag", "itn"), [("withitn", True), ("woitn", False)])
def test_itn_flag(tag, itn):
    assert parse(f"<|en|><|NEUTRAL|><|Speech|><|{tag}|>hi").itn is itn


def test_missing_itn_tag_is_none():
    assert parse("<|en|><|NEUTRAL|><|Speech|>hi").itn is None


def test_chinese_line():
    parsed = parse("<|zh|><|HAPPY|><|Speech|><|withitn|>欢迎大家来体验达摩院推出的语音识别模型。")
    assert (parsed.text, parsed.language, parsed.emotion, parsed.itn) == (
        "欢迎大家来体验达摩院推出的语音识别模型。",
        "zh",
        "HAPPY",
        True,
    )


def test_tags_only_segment_keeps_emotion_and_events():
    parsed = parse("<|en|><|SAD|><|Cry|><|woitn|>")
    assert (parsed.text, parsed.emotion, parsed.events) == ("", "SAD", ("Cry",))


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("<|", "<|"),
        ("|>", "|>"),
        ("<|en", "<|en"),
        ("<||>", ""),
        ("a <|b c|> d", "a d"),
        ("<<|en|>>", "< >"),
        ("\x00<|\n|>", "\x00"),
        ("  \t ", ""),
    ],
)
def test_garbage_never_raises_and_keeps_untagged_text(raw, text):
    parsed = parse(raw)
    assert (parsed.text, parsed.raw) == (text, raw)


def test_empty_tag_is_removed_but_not_reported():
    assert parse("hi<||>there").unknown_tags == ()


def test_every_emotion_and_event_has_an_emoji():
    assert set(EMOTION_EMOJI) == set(EMOTIONS)
    assert set(EVENT_EMOJI) == set(EVENTS)
