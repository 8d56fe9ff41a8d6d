"""Personal data in a transcript: found in written and spoken forms, in Chinese and English, and masked.

Speech recognisers write a card number as ``4532 0151 1283 0366``, ``four five three two zero one
…``, ``幺三八 幺二三四 五六七八`` or ``6222,0212.3456``: so the numbers are read from a digit view
of the text first. Every digit token (a run of Arabic digits, one Chinese numeral, an English digit
word, "double four", "forty five") becomes digits at its place in the text, and tokens joined by
nothing but spaces and punctuation form a run. Each stretch of whole tokens of a run is then a
candidate, kept when a check says what it is:

- numbers that carry their own check: a payment card (13-19 digits, Luhn, a known issuer prefix),
  a PRC resident ID (18 characters with a valid birth date and ISO 7064 check character; 15-digit
  legacy with a valid date), a mobile or landline number of mainland China, Hong Kong, or one
  written with its country code;
- numbers that only their announcement makes personal: a bank account ("account number"), a CVV
  ("security code", "安全码"), an expiry ("expires", "有效期"), a PIN or a one-time code ("PIN",
  "verification code", "验证码", "密码"), a phone number given as one without a mobile's shape.

An order, tracking or case number announced as such is never taken for any of them; amounts, dates,
times and counts are not runs of digit tokens of those lengths (三千五百, 2024年3月15日, 10:30).
E-mail addresses (written, and "john dot smith at gmail dot com"), passport numbers and addresses
with a reliable shape (a Chinese road and number, an English street number and suffix) are
patterns of their own.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Sequence

from voxsight.config import REDACTION_TYPES as TYPES, RedactionConfig
from voxsight.results import Redaction, Segment, Word
from voxsight.script import fold


@dataclass(frozen=True)
class Entity:
    type: str
    start: int  # offsets into the text as given
    end: int


@dataclass(frozen=True)
class Redacted:
    text: str
    entities: tuple[Entity, ...]


def redact(text: str, language: str = "auto", types: tuple[str, ...] = TYPES, mask: str = "type") -> Redacted:
    """``text`` with every entity of ``types`` masked (``[CARD]``, or ``****0366`` with ``last4``)."""
    entities = find(text, language, types)
    return Redacted(_masked(text, entities, mask), tuple(entities))


def masked(text: str, policy: RedactionConfig) -> str:
    """A free text a door stores (a search query, a comment, a file's name) under the site's policy."""
    return redact(text, "auto", policy.entities, policy.mask).text if policy.entities else text


def scrub(value: Any, types: tuple[str, ...] = TYPES, mask: str = "type") -> Any:
    """A JSON-like value (an alert's triggers, a notification, an audit entry's detail) with every
    text in it redacted, and its keys and other values as they were."""
    if isinstance(value, str):
        return redact(value, "auto", types, mask).text if types else value
    if isinstance(value, dict):
        return {k: scrub(v, types, mask) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(scrub(v, types, mask) for v in value)
    return value


def find(text: str, language: str = "auto", types: tuple[str, ...] = TYPES) -> list[Entity]:
    """The entities of ``types`` in ``text``, in order, none overlapping."""
    runs = _runs(_tokens(text, language), text)
    candidates = [*_patterns(text), *_numbers(text, runs)]
    chosen: list[Entity] = []
    # The longest first (a whole account before a phone-shaped part of it), then the most certain.
    for e in sorted(candidates, key=lambda e: (-(e.end - e.start), _CERTAINTY.index(e.type), e.start)):
        if e.type in types and all(e.end <= c.start or e.start >= c.end for c in chosen):
            chosen.append(e)
    for e, source in _repeats(text, runs, chosen):
        overlapped = [c for c in chosen if c.start < e.end and e.start < c.end]
        # A part of a longer number said elsewhere is that number's, whatever announced it here
        # (an ID's birth date taken for a phone); what it overlaps must lie inside it and be shorter.
        if e not in overlapped and all(e.start <= c.start and c.end <= e.end
                                       and len(_digits_of(text[c.start:c.end])) < source for c in overlapped):
            chosen = [c for c in chosen if c not in overlapped] + [e]
    return sorted(chosen, key=lambda e: e.start)



def redact_call(segments: Sequence[Segment], types: tuple[str, ...] = TYPES, mask: str = "type") -> list[Segment]:
    """The call's segments with every entity masked in their text, SenseVoice's raw output and
    translation; the words an entity covers become one word, the mask, over their time range. Each
    segment lists what it masked and when it was said (``Segment.redactions``): what the audio's
    redacted copy silences and rules may fire on.

    Each channel's segments are read as one text, in time order: a card number read over two
    segments, or announced in the one before, is found as one.
    """
    if not types:
        return list(segments)
    out = list(segments)
    by_channel: dict[int | None, list[int]] = {}
    for k, s in sorted(enumerate(segments), key=lambda ks: ks[1].start_s):
        by_channel.setdefault(s.channel, []).append(k)
    for indices in by_channel.values():
        joined, starts = "", []
        for k in indices:
            starts.append(len(joined))
            joined += segments[k].text + "\n"
        entities = find(joined, "auto", types)
        for k, offset in zip(indices, starts):
            s = segments[k]
            own = [Entity(e.type, max(e.start, offset) - offset, min(e.end, offset + len(s.text)) - offset)
                   for e in entities if e.start < offset + len(s.text) and e.end > offset]
            words, redactions = _masked_words(s, own, types, mask)
            # SenseVoice's raw output is its tags then these words, unless Whisper wrote the words
            raw = (Redacted(s.raw[:len(s.raw) - len(s.text)] + _masked(s.text, own, mask), ())
                   if s.raw.endswith(s.text) else redact(s.raw, "auto", types, mask))
            translation = redact(s.translation, "en", types, mask) if s.translation else None
            out[k] = replace(s, text=_masked(s.text, own, mask), words=words, raw=raw.text,
                             translation=translation and translation.text,
                             redactions=(*redactions, *_beyond_the_text(s, own, raw, translation)))
    return out


def _beyond_the_text(s: Segment, own: list[Entity], *copies: Redacted | None) -> list[Redaction]:
    """Entities another copy of the segment holds beyond its text's (a card in SenseVoice's raw words
    that Whisper's text lacks): no word says when they were said, so the whole segment is theirs."""
    said = Counter(e.type for e in own)
    extra = Counter()
    for copy in copies:
        if copy is not None:
            extra |= Counter(e.type for e in copy.entities) - said
    return [Redaction(kind, s.start_s, s.end_s) for kind in sorted(extra.elements())]


def _masked(text: str, entities: list[Entity], mask: str) -> str:
    out, at = [], 0
    for e in entities:
        out += [text[at:e.start], _mask(text[e.start:e.end], e.type, mask)]
        at = e.end
    return "".join(out) + text[at:]


def _masked_words(segment: Segment, entities: list[Entity], types: tuple[str, ...],
                  mask: str) -> tuple[tuple[Word, ...], list[Redaction]]:
    """The words placed in the segment's text in order, those an entity covers merged into its mask;
    and each entity with its words' time range (the segment's when no word covers it). A word not
    found in the text is redacted on its own."""
    text, out, at, merged_into = segment.text, [], 0, {}
    loose = []  # entities in words the text does not hold
    for w in segment.words:
        place = text.find(w.text, at) if w.text else -1
        if place < 0:
            alone = redact(w.text, "auto", types, mask)
            out.append(replace(w, text=alone.text))
            loose += [Redaction(e.type, w.start_s, w.end_s) for e in alone.entities]
            continue
        at = place + len(w.text)
        hit = next((e for e in entities if place < e.end and e.start < at), None)
        if hit is None:
            out.append(w)
        elif hit in merged_into:
            first = out[merged_into[hit]]
            out[merged_into[hit]] = replace(first, end_s=max(first.end_s, w.end_s))
        else:
            merged_into[hit] = len(out)
            out.append(replace(w, text=_mask(text[hit.start:hit.end], hit.type, mask)))
    timed = [Redaction(e.type, out[merged_into[e]].start_s, out[merged_into[e]].end_s) if e in merged_into
             else Redaction(e.type, segment.start_s, segment.end_s) for e in entities]
    return tuple(out), timed + loose


_CERTAINTY = ("EMAIL", "ID_NUMBER", "CARD", "PASSPORT", "PHONE", "BANK_ACCOUNT", "EXPIRY", "CVV", "PIN", "ADDRESS")


def _mask(value: str, kind: str, mask: str) -> str:
    if mask == "last4" and kind in ("CARD", "BANK_ACCOUNT", "PHONE") and len(digits := _digits_of(value)) > 4:
        return "****" + digits[-4:]
    return f"[{kind}]"


# -- the digit view ------------------------------------------------------------------------------

_UNITS = {"zero": 0, "oh": 0, "o": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
          "seven": 7, "eight": 8, "nine": 9}
_TEENS = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
          "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS = {"twenty": 2, "thirty": 3, "forty": 4, "fifty": 5, "sixty": 6, "seventy": 7, "eighty": 8, "ninety": 9}
_CHINESE = {c: str(i) for i, chars in enumerate(("零〇", "一幺", "二两兩", "三", "四", "五", "六", "七", "八", "九"))
            for c in chars}
_UNIT = "|".join(_UNITS)
_WORD = re.compile(
    rf"\b(?:(?P<times>double|triple)[\s-]+(?P<repeated>{_UNIT})|(?P<tens>{'|'.join(_TENS)})(?:[\s-]+(?P<unit>"
    rf"{'|'.join(u for u in _UNITS if _UNITS[u])}))?|(?P<teen>{'|'.join(_TEENS)})|(?P<single>{_UNIT}))\b",
    re.IGNORECASE)
# What may stand between the tokens of one run; a break (punctuation) is where a run may be cut.
_GAP = re.compile(r"(?:[\s\-–—.,，、。:：;；()（）/]|\b(?:slash|dash|hyphen)\b){0,4}", re.IGNORECASE)
_BREAK = re.compile(r"[.,，、。;；]")
_CHECK_CHARACTER = re.compile(r"[\s-]{0,2}([xX×Ｘ叉])")
_PLUS = re.compile(r"(?:\+|\bplus\s+)\s*$", re.IGNORECASE)  # a country code's sign, just before the digits
# A passport's letters, just before its digits: "E1234…", "E 1234…", "E for Edward, then 1 2…", "E开头，后面是…"
_PASSPORT_LETTERS = re.compile(
    r"(?:(?<![A-Za-z])[A-Za-z]{1,2}|(?:\b[A-Za-z] (?:as in|for) [A-Za-z]+[\s,]*){1,2}(?:then|and)?)[\s,.\-]*$"
    r"|(?<![A-Za-z])[A-Za-z]{1,2}\s*(?:开头|開頭)[，,\s]*(?:后面是|後面是|然后是|然後是)?\s*$")


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    digits: str


def _tokens(text: str, language: str) -> list[_Token]:
    tokens = []
    for m in re.finditer(r"(?<![A-Za-z\d])\d+(?![A-WYZa-wyz\d])", text):  # any script's digits, full-width included
        tokens.append(_Token(m.start(), m.end(), "".join(str(unicodedata.decimal(c)) for c in m.group())))
    if language in ("auto", "zh"):
        tokens += [_Token(i, i + 1, _CHINESE[c]) for i, c in enumerate(text) if c in _CHINESE]
    if language in ("auto", "en"):
        for m in _WORD.finditer(text):
            if m["times"]:
                digits = str(_UNITS[m["repeated"].lower()]) * (2 if m["times"].lower() == "double" else 3)
            elif m["tens"]:
                digits = str(_TENS[m["tens"].lower()] * 10 + (_UNITS[m["unit"].lower()] if m["unit"] else 0))
            elif m["teen"]:
                digits = str(_TEENS[m["teen"].lower()])
            else:
                if (m["single"].lower() == "o" and not _near_digit_word(text, m) or _EXCLAMATION.match(text, m.end())
                        or m["single"].lower() == "one" and _PRONOUN_ONE.search(text, max(0, m.start() - 12), m.start())
                        or _COUNTING.search(text, max(0, m.start() - 12), m.start())):
                    continue  # the letter, unless it is read among digits ("four o seven"); "oh wait"
                digits = str(_UNITS[m["single"].lower()])
            tokens.append(_Token(m.start(), m.end(), digits))
    return sorted(tokens, key=lambda t: t.start)


_PRONOUN_ONE = re.compile(r"\b(?:new|that|this|the|which|other|another|old|right|wrong|latest|first|last)\s+$",
                          re.IGNORECASE)
_COUNTING = re.compile(r"\b(?:first|last|next|remaining|final|other)\s+$", re.IGNORECASE)  # "the last eight"
_EXCLAMATION = re.compile(r"(?<=[oO][hH])\W{0,2}\s*(?:wait|no|sorry|okay|ok|yes|yeah|right|well|hang|hold|i\b|my\b)",
                         re.IGNORECASE)


def _near_digit_word(text: str, m: re.Match) -> bool:
    around = text[max(0, m.start() - 12):m.end() + 12].lower()
    return len(re.findall(rf"\b(?:{_UNIT}|\d)\b", around)) >= 3


def _runs(tokens: list[_Token], text: str) -> list[list[_Token]]:
    runs: list[list[_Token]] = []
    for t in tokens:
        if runs and _GAP.fullmatch(text[runs[-1][-1].end:t.start]):
            runs[-1].append(t)
        else:
            runs.append([t])
    return runs


def _stretches(run: list[_Token], text: str) -> list[tuple[int, int]]:
    """The (start, end) token indices of the run's pieces between its breaks (punctuation)."""
    cuts = [k for k in range(1, len(run)) if _BREAK.search(text[run[k - 1].end:run[k].start])]
    return list(zip([0, *cuts], [*cuts, len(run)]))


def _digits_of(value: str) -> str:
    return "".join(t.digits for t in _tokens(value, "auto"))


# -- numbers: checked, or announced -------------------------------------------------------------

def _cue(*words: str) -> re.Pattern:
    return re.compile("|".join(words), re.IGNORECASE)


# Announcements, matched on folded text (``voxsight.script``): simplified forms only.
_CUES = {
    "CARD": _cue(r"(?<!id )\bcard\b", r"\bvisa\b", r"master\s?card", r"\bamex\b", r"union\s?pay", "卡号码", "卡号",
                 "信用卡", "银行卡", "借记卡", "储蓄卡", "银联"),
    "BANK_ACCOUNT": _cue(r"\baccount\b", r"\bacct\b", r"\biban\b", r"\bsort code\b", "账号", "帐号", "账户", "帐户",
                         "户口"),
    "PHONE": _cue(r"\bphone\b", r"\bmobile\b", r"\bcell\b", r"\bcall (?:me|us|you)\b", r"\breach (?:me|you)\b",
                  r"\bnumber to call\b", r"\btel\b", r"\bcontact\b", r"\bwhatsapp\b", "电话", "手机", "号码", "联系",
                  "致电", "打给", r"\bcall ?back\b", r"\b(?:home|work|office|cell)(?: number)? is\b", r"\blandline\b", r"\b(?:office|home|work|direct) line\b", r"\bhong kong\b", "座机",
                  "固话", "香港"),
    "CVV": _cue(r"\bcvv2?\b", r"\bcvc\b", r"\bsecurity code\b", r"\b(?:three|four|3|4)[\s-]digits?\b", r"\bon the (?:back|front)\b", "安全码",
                "背面", "后三位"),
    "EXPIRY": _cue(r"\bexpir(?:y|es|ation|ing|e)\b", r"\bvalid (?:thru|through|until)\b", r"\bexp\b", "有效期", "到期"),
    "PIN": _cue(r"\bpin\b", r"\bpasscode\b", r"\bpassword\b", r"\b(?:verification|security|one[-\s]time|otp|access|"
                r"confirmation|sms|auth\w*) code\b", r"\botp\b", r"\bthe code\b", r"\bcode is\b", "验证码", "密码",
                "动态码", "校验码", "口令"),
    "ID_NUMBER": _cue(r"\bid\b", r"\bidentity\b", "身份证号码", "身份证号", "身份证", "证件号码", "证件号"),
    "PASSPORT": _cue(r"\bpassport\b", "护照号码", "护照号", "护照"),
}
# Announcements that make the number after them not personal: whatever its shape, it is the order's;
# or it is only a reference to one ("ending 4821", "尾号4821"), which ``_repeats`` finds as a part of
# the whole number where that was said.
_NOT_PERSONAL = _cue(r"\border\b", r"\btracking\b", r"\breference\b", r"\bref\b", r"\bcase\b", r"\bticket\b",
                     r"\binvoice\b", r"\bparcel\b", r"\bshipment\b", r"\bbooking\b", r"\bconfirmation number\b",
                     r"\bserial\b", r"\bmodel\b", r"\bext(?:ension)?\b", r"\bunits?\b", r"\bitems?\b",
                     r"\bend(?:s|ing)\b", r"\b(?:last|final) (?:four|4) digits\b", r"\bdate of birth\b", r"\bbirthday\b", r"\bdob\b",
                     r"(?:订单|快递|运单|工单|分机)(?:号码|号)?", r"(?:发票|合同|保单|理赔|会员|流水)(?:号码|号|代码|编号)", "单号", "编号",
                     "尾号", r"\b(?:fraud|police|incident) report\b", r"\breport (?:number|no|reference)\b",
                     "出生日期", "生日")
# A number said again after one of these is the same kind as the one before it.
_CORRECTION = _cue(r"\bsorry\b", r"\bno\b", r"\bnot\b", r"\bi mean\b", r"\bactually\b", r"\bwrong\b", r"\bcorrection\b",
                   r"\bnew one\b", r"\bhold on\b", r"\bwait\b", r"\binstead\b",
                   "不对", "不是", "说错", "错了", "应该是")
_CUE_REACH = 64  # characters before a number that its announcement may take (an agent's question, a hesitation)
_NOT = "NOT_PERSONAL"
_QUALIFIED = re.compile(r"\b(?:on|for|of|in|with) (?:the|your|this|that|my) $")
_DATE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}")


def _announcements(text: str, start: int, reach: int = _CUE_REACH) -> list[str]:
    """The kinds of number announced before ``start`` (within reach), the closest first, up to an
    order's announcement (``_NOT``), which ends the list. An order's announcement names only the
    number right after it: not one with digits between, nor one it only qualifies ("the mobile
    number on the order")."""
    before = fold(text[max(0, start - reach):start])

    def names_this(kind: str, m: re.Match) -> bool:
        return kind != _NOT or not (_tokens(before[m.end():], "auto") or _QUALIFIED.search(before, 0, m.start()))

    # Each kind's last announcement, as (end, -start): the closest first; of two ending together
    # (身份证号码, 号码), the longer one; one inside another's (号码 in 护照号码) is not one.
    last = {kind: max(((m.end(), -m.start()) for m in cue.finditer(before) if names_this(kind, m)), default=None)
            for kind, cue in (*_CUES.items(), (_NOT, _NOT_PERSONAL))}
    spans = {k: (-v[1], v[0]) for k, v in last.items() if v}
    kinds = sorted((k for k, (a, b) in spans.items()
                    if not any(x <= a and b <= y and (x, y) != (a, b) for x, y in spans.values())),
                   key=last.get, reverse=True)
    return kinds[:kinds.index(_NOT) + 1] if _NOT in kinds else kinds


def _numbers(text: str, runs: list[list[_Token]]) -> list[Entity]:
    """Each run as a whole, else cut at its breaks into stretches tried as wholes again."""
    found: list[Entity] = []

    def whole(tokens: list[_Token]) -> None:
        start, end = tokens[0].start, tokens[-1].end
        if _quantity(text, start, end):
            return  # "$2,832.57": not its pieces either
        digits = "".join(t.digits for t in tokens)
        said_again = found and start - found[-1].end < _CUE_REACH and _CORRECTION.search(text[found[-1].end:start])
        kind = _kind(text, start, end, digits, found[-1].type if said_again else None)
        if kind is None:
            for a, b in _stretches(tokens, text):
                if (a, b) != (0, len(tokens)):
                    whole(tokens[a:b])
            return
        found.append(_widened(text, kind, start, end, len(digits)))

    pieces = _pieces(text, runs)
    found += [e for e, _ in pieces]
    taken = {k for _, k in pieces}
    for k, run in enumerate(runs):
        if k not in taken:
            whole(run)
    return found


# What joins the pieces of one number said in parts ("the first eight are … then the last eight …").
_CONTINUATION = _cue(r"\bthen\b", r"\band\b", r"\bnext\b", r"\blast\b", r"\brest\b", r"\bremaining\b",
                     r"\bfollowed\b", r"\bafter that\b", r"\bsecond half\b", "后面", "然后", "接着", "最后", "剩下",
                     "后几位", "后四位", "后八位", "再是", "还有")


_PIECES_APART = 40  # characters between the pieces of one number


def _pieces(text: str, runs: list[list[_Token]]) -> list[tuple[Entity, int]]:
    """Numbers said in two or three runs joined by words of continuation, whose digits together
    are a card, a phone, an account or an ID: each piece an entity (with its run's index)."""
    found: list[tuple[Entity, int]] = []
    # Pieces of three digits or more: "the last four are", "后面四位" are words about the number.
    substantial = [k for k, run in enumerate(runs)
                   if sum(len(t.digits) for t in run) >= 3 and not _quantity(text, run[0].start, run[-1].end)]
    i = 0
    while i < len(substantial) - 1:
        for m in (3, 2):
            group = [runs[k] for k in substantial[i:i + m]]
            gaps = [fold(text[a[-1].end:b[0].start]) for a, b in zip(group, group[1:])]
            if len(group) < m or not all(len(g) <= _PIECES_APART and _CONTINUATION.search(g) for g in gaps):
                continue
            start, end = group[0][0].start, group[-1][-1].end
            digits = "".join(t.digits for run in group for t in run)
            announced = _announcements(text, start)
            kind = None if announced[:1] == [_NOT] else _checked_kind(text, start, end, digits) or next(
                (k for k in announced[:1] if k in ("BANK_ACCOUNT", "PHONE") and _ANNOUNCED_SHAPES[k](digits, "")), None)
            if kind:
                found += [(_widened(text, kind, run[0].start, run[-1].end, len(digits) if run is group[-1] else 0),
                           k) for run, k in zip(group, substantial[i:i + m])]
                i += m - 1
                break
        i += 1
    return found


def _repeats(text: str, runs: list[list[_Token]], chosen: list[Entity]) -> list[tuple[Entity, int]]:
    """A number said again, or a part of it (a customer giving it in pieces, an agent reading it
    back, a misheard group corrected): elsewhere in the text, the same kind; each with the length
    of the number it is part of. A passport's letters and digits given apart are found by the letters."""
    parts = _Parts({digits: e.type for e in chosen
                    if len(digits := _digits_of(text[e.start:e.end]) or re.sub(r"\D", "", text[e.start:e.end])) >= 4})
    again = []
    for run in runs if parts.exact else ():
        for a, b in [(0, len(run)), *_stretches(run, text), *((k, k + 1) for k in range(len(run)) if len(run) > 1)]:
            start, end = run[a].start, run[b - 1].end
            digits = "".join(t.digits for t in run[a:b])
            if (_quantity(text, run[0].start, run[-1].end)
                    or _YEAR.fullmatch(digits) and _IN_YEAR.search(text, max(0, start - 20), start)):
                continue
            if found := parts.of(digits, text, start, end):
                kind, source, exact = found
                if not exact and _announcements(text, start)[:1] == [_NOT] or kind == "ID_NUMBER" and _YEAR.fullmatch(digits):
                    continue  # an ID's year part is its holder's year of birth, said as a year  # "尾号5396的吗？不是，换成…5496…": a reference to the old number, not a misreading
                if kind == "ID_NUMBER" and (check := _CHECK_CHARACTER.match(text, end)):
                    end = check.end()  # the last piece's X
                again.append((_widened(text, kind, start, end, 0) if kind == "PASSPORT" and
                              _PASSPORT_LETTERS.search(text, max(0, start - 40), start) else Entity(kind, start, end),
                              source))
    for e in chosen:
        if e.type == "PASSPORT":
            value = re.sub(r"[^A-Za-z0-9]", "", text[e.start:e.end]).upper()
            again += [(Entity("PASSPORT", m.start(), m.end()), len(value)) for m in _PASSPORT_PIECE.finditer(text)
                      if value.startswith(m.group().upper()) and not e.start <= m.start() < e.end]
    return again


_YEAR = re.compile(r"(?:19|20)\d\d")
_IN_YEAR = re.compile(r"\b(?:in|since|of|from|until|born|year|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
                      r"\.?\s+\d{1,2}(?:st|nd|rd|th)?,?)\s+$|年份?是?$", re.IGNORECASE)
_PASSPORT_PIECE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{1,2}\d{3,9}(?![A-Za-z0-9])")


class _Parts:
    """The parts of the numbers said, by their digits, each with its number's kind and length (the
    longest number's, where several hold it): a number itself; inside one of eight digits or more,
    any four digits or more, three at its start or end; and of those, each with one digit off."""

    def __init__(self, said: dict[str, str]) -> None:
        self.exact: dict[str, tuple[str, int]] = {}
        self.off: dict[str, tuple[str, int]] = {}  # each part with "?" for one of its digits
        for number in sorted(said, key=len):  # the longer number last: it wins
            whole = len(number)
            self.exact[number] = (said[number], whole)
            for n in range(3, whole) if whole >= 8 else ():
                for k in (0, whole - 3) if n == 3 and said[number] != "PHONE" else range(whole - n + 1):
                    part = number[k:k + n]
                    self.exact[part] = (said[number], whole)
                    self.off.update((part[:i] + "?" + part[i + 1:], (said[number], whole)) for i in range(n) if n >= 4)
            if whole >= 8:
                self.off.update((number[:i] + "?" + number[i + 1:], (said[number], whole)) for i in range(whole))

    def of(self, digits: str, text: str, start: int, end: int) -> tuple[str, int, bool] | None:
        """The kind and length of the number these digits are part of, and whether exactly."""
        if digits in self.exact:
            return (*self.exact[digits], True)
        n = len(digits)
        found = next((self.off[key] for i in range(n) if n >= 4 and (key := digits[:i] + "?" + digits[i + 1:]) in self.off),
                     None) or next((self.exact[swapped] for i in range(n - 1) if n >= 4 and (
                         swapped := digits[:i] + digits[i + 1] + digits[i] + digits[i + 2:]) in self.exact), None)
        if found is None or n >= 6:
            return found and (*found, False)  # six digits or more, one off (or two swapped): a misreading
        # four or five digits one off: only beside a correction and the right digits ("9958, not 9758")
        before, after = text[max(0, start - 24):start], text[end:end + 24]
        right = (d[k:k + n] for d in (_digits_of(before), _digits_of(after)) for k in range(len(d) - n + 1))
        return (*found, False) if _CORRECTION.search(fold(before + after)) and any(r in self.exact for r in right) else None


def _widened(text: str, kind: str, start: int, end: int, digits: int) -> Entity:
    """The entity with what belongs to it beside its digits: an ID's check character X, a phone's
    plus sign, a passport's letters."""
    if kind == "ID_NUMBER" and digits == 17:
        end = _CHECK_CHARACTER.match(text, end).end()
    if kind == "PHONE" and (plus := _PLUS.search(text, max(0, start - 8), start)):
        start = plus.start()
    if kind == "PASSPORT":
        start = _PASSPORT_LETTERS.search(text, max(0, start - 40), start).start()
    if kind == "PIN" and (word := _PASSWORD_WORD.search(text, max(0, start - 40), start)) and word["word"].lower() not in _FILLERS:
        start = word.start("word")  # "the password was maple one nine seven oh"
    return Entity(kind, start, end)


_PASSWORD_WORD = re.compile(r"\bpass(?:word|code)\s+(?:is|was|it's)\s+(?P<word>[a-z]+)\s+$", re.IGNORECASE)
_FILLERS = {"uh", "um", "er", "erm", "like", "just", "still", "now", "probably", "maybe", "the", "a", "my", "it"}


def _checked_kind(text: str, start: int, end: int, digits: str, announced: tuple[str, ...] = ()) -> str | None:
    """What the digits are by their own check: an ID, a card, a phone; None if nothing."""
    n = len(digits)
    if _PLUS.search(text, max(0, start - 6), start) and _phone_by_shape(text, start, digits):
        return "PHONE"
    if n == 17 and _CHECK_CHARACTER.match(text, end) and _resident_id(digits + "X"):
        return "ID_NUMBER"
    if n == 18 and _resident_id(digits):
        return "ID_NUMBER"
    if 13 <= n <= 19 and _luhn(digits) and _issuer(digits) and "BANK_ACCOUNT" not in announced[:1]:
        return "CARD"
    if _phone_by_shape(text, start, digits, end) and "BANK_ACCOUNT" not in announced[:1]:
        return "PHONE"
    return None


def _kind(text: str, start: int, end: int, digits: str, said_again: str | None) -> str | None:
    announced = _announcements(text, start)
    if (announced[:1] == [_NOT] or _DATE.fullmatch(text[start:end]) or _quantity(text, start, end)
            or _HOTLINE.fullmatch(digits)):
        return None
    if checked := _checked_kind(text, start, end, digits, tuple(announced)):
        return checked
    if _AIRLINE.search(text, max(0, start - 3), start) and announced[:1] != ["PASSPORT"]:
        return None  # "BA 2631", "CS 0666": a flight's or a case's number
    if "EXPIRY" in announced and _MONTH_YEAR.fullmatch(text[start:end]) and _expiry(digits) and _card_expiry(text, start):
        return "EXPIRY"  # "08-26" where an expiry and a security code were asked for together
    for kind in ([said_again] if said_again else []) + announced:
        if kind == "EXPIRY" and not _card_expiry(text, start):
            continue
        if kind != _NOT and _ANNOUNCED_SHAPES[kind](digits, text[max(0, start - 40):start]):
            return kind
    return _counted_codes(text, start).get(len(digits))


_HOTLINE = re.compile(r"9[56]\d{3}|1(?:00|23)\d{2}|[48]00\d{7}")  # 95588, 10086, 12315, 400-…: a service's
_AIRLINE = re.compile(r"(?<![A-Za-z])[A-Z]{2}\s?$")
_MONTH_YEAR = re.compile(r"\d{1,2}\s?[/-]\s?(?:\d{2}|20\d{2})")


def _card_expiry(text: str, start: int) -> bool:
    """Whether an expiry announced before ``start`` is a card's, not a passport's or a visa's."""
    announced = _announcements(text, start, 2 * _CUE_REACH)
    return "EXPIRY" in announced and announced[announced.index("EXPIRY") + 1:][:1] != ["PASSPORT"]


# A code announced with its length ("a six-digit verification code", "六位数的验证码") is that many
# digits said further on, after the agent's question and the caller's hesitation.
_COUNT = {"four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8}
_COUNTED_CODE = re.compile(
    r"\b(?P<n>four|five|six|seven|eight|[4-8])[\s-]digits?\s+(?:[a-z-]+\s+){0,2}?(?:code|pin|password|passcode|otp)\b|"
    r"(?P<zh>[四五六七八4-8])位(?:数字?|的?[\u4e00-\u9fff]{0,4}?(?:验证码|动态码|密码|校验码|短信码))", re.IGNORECASE)
_ON_THE_CARD = _cue(r"\bfront\b", r"\bback\b", r"\bsecurity\b", r"\bsignature\b", "背面", "正面", "安全")
_COUNTED_REACH = 200


def _counted_codes(text: str, start: int) -> dict[int, str]:
    """The codes announced with their length before ``start``: length to kind (a code on the card is
    its CVV). One that another number of that length answered already is not this number's, unless
    a correction came between ("oh wait, there's a new one")."""
    before = fold(text[max(0, start - _COUNTED_REACH):start])
    found = {}
    for m in _COUNTED_CODE.finditer(before):
        n = int(n) if (n := m["n"] or m["zh"]).isdigit() else _COUNT[n.lower()]
        between = before[m.end():]
        if any(sum(len(t.digits) for t in run) == n for run in _runs(_tokens(between, "auto"), between)) \
                and not _CORRECTION.search(between):
            continue
        found[n] = "CVV" if _ON_THE_CARD.search(m.group()) else "PIN"
    return found


# A number of something: an amount, a duration, a count, a year, a floor.
_UNIT_BEFORE = re.compile(r"[$£€¥￥]\s*$")
_UNIT_AFTER = re.compile(
    r"\s*(?:%|percent\b|dollars?\b|pounds?\b|euros?\b|yuan\b|rmb\b|usd\b|minutes?\b|hours?\b|days?\b|weeks?\b"
    r"|months?\b|years?\b|nights?\b|mg\b|ml\b|kg\b|km\b|points?\b|元|块|美元|英镑|欧元|年|月|日|岁|分钟|小时|天|周"
    r"|个|次|楼|层|积分|毫克|公斤|公里)", re.IGNORECASE)


def _quantity(text: str, start: int, end: int) -> bool:
    return bool(_UNIT_BEFORE.search(text, max(0, start - 3), start) or _UNIT_AFTER.match(text, end))


_ANNOUNCED_SHAPES = {
    "ID_NUMBER": lambda d, _: len(d) == 15 and _legacy_resident_id(d),
    "CARD": lambda d, _: 13 <= len(d) <= 19 and _luhn(d),
    "BANK_ACCOUNT": lambda d, _: 8 <= len(d) <= 24,
    "PHONE": lambda d, _: 7 <= len(d) <= 12,
    "EXPIRY": lambda d, _: 3 <= len(d) <= 6 and _expiry(d),
    "CVV": lambda d, _: len(d) in (3, 4),
    "PIN": lambda d, _: 4 <= len(d) <= 8,
    "PASSPORT": lambda d, before: 6 <= len(d) <= 9 and bool(_PASSPORT_LETTERS.search(before)),
}


def _luhn(digits: str) -> bool:
    total = 0
    for k, d in enumerate(int(c) for c in reversed(digits)):
        total += d if k % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2)
    return total % 10 == 0


def _issuer(digits: str) -> bool:
    """A prefix a card network issues: Visa, Mastercard, Amex, UnionPay, JCB, Discover, Diners."""
    n, two, four = len(digits), int(digits[:2]), int(digits[:4])
    return (digits[0] == "4" or 51 <= two <= 55 or 2221 <= four <= 2720 or two in (34, 37) and n == 15
            or two in (62, 81, 60, 65, 35, 36, 38, 30))


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _resident_id(number: str) -> bool:
    body, check = number[:17], number[17].upper()
    if not body.isdigit() or not _valid_date(body[6:14]) or body[0] not in "123456789":
        return False
    return "10X98765432"[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS)) % 11] == check


def _legacy_resident_id(number: str) -> bool:
    return number[0] in "123456789" and _valid_date("19" + number[6:12])


def _valid_date(yyyymmdd: str) -> bool:
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        return False
    return 1900 <= born.year <= date.today().year


def _phone_by_shape(text: str, start: int, digits: str, end: int | None = None) -> bool:
    """A phone number whatever its announcement: written with its country code, a mainland mobile,
    or a landline with its area code and a dash."""
    n = len(digits)
    if _PLUS.search(text, max(0, start - 6), start):
        return 9 <= n <= 15 and digits[0] != "0"
    if digits.startswith("00") and 11 <= n <= 17:
        return digits[2] != "0"
    if re.fullmatch(r"(?:86)?1[3-9]\d{9}", digits):
        return True
    if n == 10 and end and digits[0] in "23456789" and _NORTH_AMERICAN.fullmatch(text[start:end]):
        return True  # 213-441-3982, (646) 514-2959
    return 10 <= n <= 12 and digits[0] == "0" and digits[1] != "0" and bool(re.search(r"\d-\d", text[start:start + 6]))


_NORTH_AMERICAN = re.compile(r"\d{3}\)?[\s.-]?\d{3}[-.]\d{4}")


def _expiry(digits: str) -> bool:
    month = digits[:2] if len(digits) in (4, 6) else digits[:1]
    return 1 <= int(month) <= 12


# -- patterns: e-mail, IBAN, passport, expiry, address ------------------------------------------

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_NUMBER_WORDS = "|".join((*_UNITS, *_TEENS, *_TENS))
_NOT_LOCAL = r"(?!(?:is|it'?s|was|email|e-mail|address|my|me|to|the|sorry|no|or|and|on|at|in|of|for)\b)"
_LOCAL_WORD = rf"{_NOT_LOCAL}(?:[a-z][a-z0-9._]*|\d+|(?:{_NUMBER_WORDS}))"
_DOT = r"(?:\s+dot\s+|\.)"  # spoken, or written as Whisper sometimes writes half of it: john.smith at gmail.com
_SPOKEN_EMAIL = re.compile(
    rf"(?<![A-Za-z0-9'’]){_NOT_LOCAL}[a-z][a-z0-9._]*(?:\s+(?:dot|underscore|dash)\s+[a-z0-9]+|\s+{_LOCAL_WORD}){{0,3}}"
    rf"\s+at\s+[a-z0-9-]+(?:{_DOT}[a-z0-9-]+)*{_DOT}(?:com|net|org|edu|gov|cn|hk|tw|uk|io|co|info)\b",
    re.IGNORECASE)
_SPOKEN_EMAIL_ZH = re.compile(r"[0-9a-z._零〇一二三四五六七八九幺]+(?:\s*(?:点|點)\s*[0-9a-z_]+)*\s*(?:艾特|at|圈a|小老鼠|@)\s*[0-9a-z]+"
                              r"(?:\s*(?:点|點|dot)\s*[a-z]+)+", re.IGNORECASE)
# Whisper sometimes runs "at" into its neighbours (john.smithatgmail.com): found where a mail
# provider's name follows, which no ordinary word ending in "at" does.
_RUN_TOGETHER_EMAIL = re.compile(
    r"(?<![A-Za-z0-9])[a-z0-9][a-z0-9._]*?at(?:gmail|googlemail|yahoo|hotmail|outlook|icloud|aol|protonmail"
    r"|163|126|yeah|qq|foxmail|sina|sohu|aliyun)(?:\.[a-z]{2,3}){1,2}\b", re.IGNORECASE)
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{4}){2,7}(?:[ -]?[A-Z0-9]{1,3})?\b", re.IGNORECASE)
_PASSPORT = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{1,2}\d{7,9}(?![A-Za-z0-9])")
_CHINESE_DIGIT = "0-9０-９〇零一二两三四五六七八九十"
_EXPIRY_WRITTEN = re.compile(
    rf"[{_CHINESE_DIGIT}]{{2,4}}\s*年\s*[{_CHINESE_DIGIT}]{{1,2}}\s*月|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(?:(?:20)?\d{2}\b|(?:twenty[\s-])?"
    r"(?:twenty|thirty)(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine))?\b)", re.IGNORECASE)
_ADDRESS_ZH = re.compile(
    r"(?:[\u4e00-\u9fff]{2,6}(?:省|自治区|自治區|特别行政区|特別行政區))?(?:[\u4e00-\u9fff]{2,6}[市州])?"
    r"(?:[\u4e00-\u9fff]{1,6}[区區县縣旗镇鎮])?[\u4e00-\u9fff]{1,10}(?:路|街|大道|道|巷|弄|胡同|里)"
    rf"(?:[一二三四五六七八九十]+段)?[{_CHINESE_DIGIT}百]+[号號]"  # 臺灣大道三段384號: a road's section
    rf"(?:[{_CHINESE_DIGIT}]+[号號]?(?:楼|樓|栋|棟|座|单元|單元|室|层|層))*"
    rf"(?:[{_CHINESE_DIGIT}]*[A-Za-z]?(?:室|房)|(?<=元)[{_CHINESE_DIGIT}]+)?")  # 13樓B室, 3单元902
_ADDRESS_LEAD = re.compile(r".*?(?:住在|住址是|住址|地址是|地址|寄到|送到|搬到|搬去|位于|位於|改成|改为|改為|是|在|到)")
_STREET = (r"street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|way|court|ct|place|pl|terrace|close|"
           r"crescent|square|parkway|highway")
_SPOKEN_NUMBER = rf"(?:{_NUMBER_WORDS}|hundred|thousand)"
_HOUSE_NUMBER = rf"(?:\d{{1,5}}[A-Za-z]?|(?:{_SPOKEN_NUMBER}[\s-]+){{0,3}}{_SPOKEN_NUMBER}(?:\s+[a-z]\b)?)"
_ADDRESS_EN = re.compile(rf"\b{_HOUSE_NUMBER}\s+(?:[A-Za-z][a-z]+\s+){{1,3}}?(?:{_STREET})\b", re.IGNORECASE)
_ADDRESS_CUE = _cue(r"\baddress\b", r"\blive (?:at|on)\b", r"\bmov(?:e|ed|ing)\b", r"\bdeliver\w* to\b", r"\bsend it to\b",
                    r"\bship\w* to\b", "地址", "住在", "寄到", "送到")


_PASSWORD = re.compile(r"\bpass(?:word|code)\s+(?:is|was|it's|:)\s*(?P<value>[A-Za-z][A-Za-z0-9]*\d[A-Za-z0-9]*)",
                       re.IGNORECASE)


def _patterns(text: str) -> list[Entity]:
    found = [Entity("PIN", m.start("value"), m.end("value")) for m in _PASSWORD.finditer(text)]
    found += [Entity("EMAIL", m.start(), m.end())
             for pattern in (_EMAIL, _SPOKEN_EMAIL, _SPOKEN_EMAIL_ZH, _RUN_TOGETHER_EMAIL)
             for m in pattern.finditer(text)]
    found += [Entity("BANK_ACCOUNT", m.start(), m.end()) for m in _IBAN.finditer(text) if _iban(m.group())]
    found += [Entity("PASSPORT", m.start(), m.end()) for m in _PASSPORT.finditer(text)
              if "PASSPORT" in _announcements(text, m.start(), 2 * _CUE_REACH)[:1]
              or re.fullmatch(r"[EeGg]\d{8}", m.group())]
    found += [Entity("EXPIRY", m.start(), m.end()) for m in _EXPIRY_WRITTEN.finditer(text)
              if _announcements(text, m.start())[:1] == ["EXPIRY"] and _card_expiry(text, m.start())]
    for m in _ADDRESS_ZH.finditer(text):  # "我住在上海市…": the address starts after the words that announce it
        lead = _ADDRESS_LEAD.match(m.group())
        start = m.start() + lead.end() if lead and _ADDRESS_ZH.fullmatch(m.group()[lead.end():]) else m.start()
        found.append(Entity("ADDRESS", start, m.end()))
    for m in _ADDRESS_EN.finditer(text):
        street_name = m.group().split()[-2]
        # A capitalised street name is shape enough; spoken, lower-cased, it needs the word "address".
        if street_name[:1].isupper() or _ADDRESS_CUE.search(fold(text[max(0, m.start() - _CUE_REACH):m.start()])):
            found.append(Entity("ADDRESS", m.start(), m.end()))
    return found


def _iban(value: str) -> bool:
    """ISO 13616's check: the country and check digits moved to the end, read as a number, mod 97 is 1."""
    compact = re.sub(r"[ -]", "", value).upper()
    return int("".join(str(int(c, 36)) for c in compact[4:] + compact[:4])) % 97 == 1
