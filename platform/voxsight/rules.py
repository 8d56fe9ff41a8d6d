"""Alert rules: ``configs/rules.yaml`` parsed, validated and evaluated over one call.

Pure and in the core: features, segments, call metadata and a ruleset in, alerts out. No model,
no store, no network, so the worker, ``voxsight rules backfill``, the API and the console all
evaluate the same way. A rules file that does not validate is refused with its file, line and
reason; ``RulesWatcher`` keeps the rules in force when an edited file is broken.

The file format, every condition and the default rules are documented in the README ("Alert
rules"). Phrases are compared after normalisation (NFKC, casefold, punctuation and symbols
removed), so full-width forms, case, punctuation and ITN punctuation do not matter. A phrase
written in Han or kana is found anywhere in the text with spaces ignored (Chinese, Cantonese
and Japanese have no spaces between words); any other phrase must match whole words. All of a
rule's phrase lists are tried on every segment: language ID on a short segment can be wrong.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import yaml

from voxsight.config import REDACTION_TYPES
from voxsight.errors import RulesError
from voxsight.features import AGENT_VOICE_MATCH, ALL, NEGATIVE_EMOTIONS, CallFeatures, RoleFeatures
from voxsight.results import Segment
from voxsight.tags import EMOTIONS, EVENTS, LANGUAGES
from voxsight.text import UNSPACED, normalize

log = logging.getLogger(__name__)

SEVERITIES = ("low", "medium", "high", "critical")
# Fields a message template may use; see Trigger and README.
MESSAGE_FIELDS = ("rule", "severity", "time", "end", "role", "text", "count", "meta")


@dataclass(frozen=True)
class Trigger:
    """A piece of the call that made a rule fire."""

    start_s: float
    end_s: float
    role: str | None
    text: str


@dataclass(frozen=True)
class RuleAlert:
    rule_id: str
    severity: str
    message: str
    triggers: tuple[Trigger, ...]
    ruleset_version: str


@dataclass(frozen=True)
class Outcome:
    fired: bool
    triggers: tuple[Trigger, ...] = ()


class Call:
    """What a condition looks at: one call's features, segments and metadata."""

    def __init__(self, features: CallFeatures, segments: Sequence[Segment], metadata: Mapping[str, Any] | None):
        self.features = features
        self.segments = tuple(sorted(segments, key=lambda s: s.start_s))
        self.metadata = dict(metadata or {})

    def role(self, role: str | None) -> RoleFeatures | None:
        # A mixed recording has no roles: the whole call is "all" (a rule naming a role is not
        # evaluated on it at all: Ruleset.evaluate).
        return self.features.role(None if not self.features.split else role)

    def segments_of(self, role: str | None) -> tuple[Segment, ...]:
        if role in (None, ALL) or not self.features.split:
            return self.segments
        return tuple(s for s in self.segments if s.role == role)

    @cached_property
    def normalized(self) -> dict[int, tuple[str, str]]:
        """Per segment (by id): normalised text, and the same without spaces."""
        return {id(s): (n, n.replace(" ", "")) for s in self.segments for n in (normalize(s.text),)}


def _trigger(s: Segment) -> Trigger:
    return Trigger(s.start_s, s.end_s, s.role, s.text)


# -- conditions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AllOf:
    conditions: tuple[Any, ...]

    def test(self, call: Call) -> Outcome:
        outcomes = [c.test(call) for c in self.conditions]
        fired = all(o.fired for o in outcomes)
        return Outcome(fired, tuple(t for o in outcomes for t in o.triggers) if fired else ())


@dataclass(frozen=True)
class AnyOf:
    conditions: tuple[Any, ...]

    def test(self, call: Call) -> Outcome:
        outcomes = [o for o in (c.test(call) for c in self.conditions) if o.fired]
        return Outcome(bool(outcomes), tuple(t for o in outcomes for t in o.triggers))


@dataclass(frozen=True)
class Not:
    condition: Any

    def test(self, call: Call) -> Outcome:
        return Outcome(not self.condition.test(call).fired)


@dataclass(frozen=True)
class Emotion:
    emotions: frozenset[str]
    role: str | None = None
    min_seconds: float | None = None
    min_share: float | None = None  # of the role's speech with a known emotion

    def test(self, call: Call) -> Outcome:
        f = call.role(self.role)
        if f is None:
            return Outcome(False)
        seconds = sum(t for e, t in f.speech_s_by_emotion.items() if e in self.emotions)
        known = sum(t for e, t in f.speech_s_by_emotion.items() if e != "UNKNOWN")
        fired = seconds > 0 and (self.min_seconds is None or seconds >= self.min_seconds) and (
            self.min_share is None or (known > 0 and seconds / known >= self.min_share))
        return Outcome(fired, tuple(_trigger(s) for s in call.segments_of(self.role) if s.emotion in self.emotions)
                       if fired else ())


@dataclass(frozen=True)
class Threshold:
    """A role's negative share or escalation at or above ``min``."""

    measure: str
    min: float
    role: str | None = None

    def test(self, call: Call) -> Outcome:
        f = call.role(self.role)
        if f is None or getattr(f, self.measure) < self.min:
            return Outcome(False)
        return Outcome(True, tuple(_trigger(s) for s in call.segments_of(self.role)
                                   if s.emotion in NEGATIVE_EMOTIONS))


@dataclass(frozen=True)
class Event:
    event: str
    role: str | None = None
    min_count: int = 1
    min_seconds: float = 0.0

    def test(self, call: Call) -> Outcome:
        f = call.role(self.role)
        count = f.event_counts.get(self.event, 0) if f else 0
        seconds = f.event_s.get(self.event, 0.0) if f else 0.0
        fired = count >= self.min_count and seconds >= self.min_seconds
        return Outcome(fired, tuple(_trigger(s) for s in call.segments_of(self.role) if self.event in s.events)
                       if fired else ())


@dataclass(frozen=True)
class Phrase:
    """One phrase, normalised once; CJK phrases match as substrings, others as whole words."""

    text: str

    @cached_property
    def _match(self) -> Callable[[tuple[str, str]], bool]:
        norm = normalize(self.text)
        if UNSPACED.search(norm):
            compact = norm.replace(" ", "")
            return lambda seg: compact in seg[1]
        pattern = re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, norm.split())) + r"(?!\w)")
        return lambda seg: pattern.search(seg[0]) is not None

    def found_in(self, normalized: tuple[str, str]) -> bool:
        return self._match(normalized)


@dataclass(frozen=True)
class Phrases:
    """Said (``required`` False) or not said (``required`` True) by a role, optionally only within
    the first or last N seconds of the call."""

    phrases: tuple[Phrase, ...]
    role: str | None = None
    within_first_s: float | None = None
    within_last_s: float | None = None
    required: bool = False

    def test(self, call: Call) -> Outcome:
        duration = call.features.duration_s
        window = [s for s in call.segments_of(self.role)
                  if (self.within_first_s is None or s.start_s < self.within_first_s)
                  and (self.within_last_s is None or s.end_s > duration - self.within_last_s)]
        said = [s for s in window if any(p.found_in(call.normalized[id(s)]) for p in self.phrases)]
        if self.required:
            # Quote what was said instead (the first segment in the window), if anything.
            return Outcome(True, tuple(_trigger(s) for s in window[:1])) if not said else Outcome(False)
        return Outcome(bool(said), tuple(_trigger(s) for s in said))


@dataclass(frozen=True)
class Silence:
    min_s: float

    def test(self, call: Call) -> Outcome:
        f = call.features
        if f.longest_silence_s < self.min_s or f.longest_silence_at_s is None:
            return Outcome(False)
        at = f.longest_silence_at_s
        return Outcome(True, (Trigger(at, at + f.longest_silence_s, None, ""),))


@dataclass(frozen=True)
class Overtalk:
    min_s: float | None = None
    min_share: float | None = None  # of talk time

    def test(self, call: Call) -> Outcome:
        f = call.features
        fired = f.overtalk_s > 0 and (self.min_s is None or f.overtalk_s >= self.min_s) and (
            self.min_share is None or (f.talk_s > 0 and f.overtalk_s / f.talk_s >= self.min_share))
        return Outcome(fired)


@dataclass(frozen=True)
class Interruptions:
    min_count: int
    by: str | None = None

    def test(self, call: Call) -> Outcome:
        found = [i for i in call.features.interruptions if self.by in (None, i.by)]
        if len(found) < self.min_count:
            return Outcome(False)
        return Outcome(True, tuple(Trigger(i.at_s, i.at_s, i.by, "") for i in found))


@dataclass(frozen=True)
class TalkSpeed:
    role: str | None = None
    min_wpm: float | None = None
    max_wpm: float | None = None

    def test(self, call: Call) -> Outcome:
        f = call.role(self.role)
        wpm = f.words_per_minute if f else None
        fired = wpm is not None and (self.min_wpm is None or wpm >= self.min_wpm) and (
            self.max_wpm is None or wpm <= self.max_wpm)
        return Outcome(fired)


@dataclass(frozen=True)
class PersonalData:
    """Personal data of these kinds said (by a role): what redaction masked (``Segment.redactions``),
    so a rule fires on "a card number was spoken" though the digits are gone from every copy."""

    types: frozenset[str]
    role: str | None = None

    def test(self, call: Call) -> Outcome:
        said = [s for s in call.segments_of(self.role) if any(r.type in self.types for r in s.redactions)]
        return Outcome(bool(said), tuple(_trigger(s) for s in said))


@dataclass(frozen=True)
class Voices:
    """At least ``min`` voices told apart on a diarized call (3 on a call of two: someone else came
    on); triggered by where each voice beyond the first ``min - 1`` first speaks."""

    min: int

    def test(self, call: Call) -> Outcome:
        voices = call.features.voices
        if voices is None or voices < self.min:
            return Outcome(False)
        firsts = {}
        for s in call.segments:
            firsts.setdefault(s.speaker, s)
        return Outcome(True, tuple(_trigger(s) for v, s in firsts.items() if v is not None and v >= self.min - 1))


@dataclass(frozen=True)
class AgentVoiceMismatch:
    """The call's agent has an enrolled voiceprint and no voice on the call is within
    ``max_distance`` of it (``features.AGENT_VOICE_MATCH`` unless given): a shared login, someone
    else taking the agent's calls."""

    max_distance: float = AGENT_VOICE_MATCH

    def test(self, call: Call) -> Outcome:
        distance = call.features.agent_voice_distance
        return Outcome(distance is not None and distance > self.max_distance)


@dataclass(frozen=True)
class Metadata:
    key: str
    values: frozenset[str]

    def test(self, call: Call) -> Outcome:
        value = call.metadata.get(self.key)
        return Outcome(value is not None and str(value) in self.values)


# -- rules and rulesets -----------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    message: Template  # compiled once, at load
    condition: Any
    line: int  # where it starts in its file, for messages


@dataclass(frozen=True)
class Ruleset:
    rules: tuple[Rule, ...]
    version: str  # sha256 of the file's bytes, 12 hex: which rules an alert came from
    path: str = ""

    def evaluate(self, features: CallFeatures, segments: Sequence[Segment],
                 metadata: Mapping[str, Any] | None = None) -> list[RuleAlert]:
        """The alerts these rules raise on one call, in the rules' order."""
        call = Call(features, segments, metadata)
        alerts = []
        for rule in self.rules:
            if not features.split and _names_a_role(rule.condition):
                continue  # whose speech it is is unknown (a mixed call): a rule about a role does not apply
            outcome = rule.condition.test(call)
            if outcome.fired:
                triggers = tuple(dict.fromkeys(sorted(outcome.triggers, key=lambda t: (t.start_s, t.end_s))))
                alerts.append(RuleAlert(rule.id, rule.severity, _message(rule, triggers, call.metadata),
                                        triggers, self.version))
        return alerts


GREETING_RULE = "agent_greeting_missing"


def greets(ruleset: Ruleset, text: str) -> bool:
    """Whether ``text`` holds a greeting the rule ``agent_greeting_missing`` listens for: how a
    diarized call tells which voice is the agent's."""
    said = (n := normalize(text), n.replace(" ", ""))
    return any(p.found_in(said) for rule in ruleset.rules if rule.id == GREETING_RULE
               for phrases in _conditions(rule.condition) if isinstance(phrases, Phrases) for p in phrases.phrases)


def _conditions(condition: Any) -> list[Any]:
    """A condition and every condition inside it."""
    inner = getattr(condition, "conditions", None) or ([condition.condition] if isinstance(condition, Not) else [])
    return [condition, *(c for i in inner for c in _conditions(i))]


def _names_a_role(condition: Any) -> bool:
    """Whether a condition looks at one role's speech (an agent's, a customer's, interruptions by one)."""
    return any(getattr(c, "role", None) not in (None, ALL) or getattr(c, "by", None) is not None
               for c in _conditions(condition))


def _message(rule: Rule, triggers: tuple[Trigger, ...], metadata: dict[str, Any]) -> str:
    first = triggers[0] if triggers else None
    values = {
        "rule": rule.id, "severity": rule.severity, "count": str(len(triggers)),
        "time": _clock(first.start_s) if first else "", "end": _clock(first.end_s) if first else "",
        "role": (first.role or "") if first else "", "text": first.text if first else "",
    }
    return _render(rule.message, values, metadata)


# -- message templates ------------------------------------------------------------------------
# A tiny language of our own, not str.format: format follows attributes and indexes
# ({meta.__class__.__init__.__globals__} reads the process) and obeys format specs ({count:>50000000}
# is a 50 MB message). Here `{field}` is a plain field, `{meta[KEY]}` a call metadata value,
# `{{` and `}}` are braces, and anything else is refused when the file is loaded.

MESSAGE_MAX = 500  # characters of a rendered message
VALUE_MAX = 200  # characters of one substituted value (a segment's text can be long)
ELLIPSIS = "…"


@dataclass(frozen=True)
class Field:
    """One ``{...}`` of a template: a plain field of MESSAGE_FIELDS, or ``meta`` with its key."""

    name: str
    key: str | None = None


Template = tuple["str | Field", ...]  # literal text and fields, in order

_TOKEN = re.compile(r"\{\{|\}\}|\{[^{}]*\}|[^{}]+|[{}]")
_META_KEY = re.compile(r"\[([A-Za-z0-9_.-]+)\]")
_FIELDS_HELP = " ".join("{meta[KEY]}" if f == "meta" else "{" + f + "}" for f in MESSAGE_FIELDS)


class _TemplateError(ValueError):
    """A message template that does not compile: where (0-based offset in the text), and why."""

    def __init__(self, offset: int, reason: str):
        self.offset, self.reason = offset, reason
        super().__init__(reason)


def _compile(text: str) -> Template:
    """Parse a message template into its parts.

    Raises:
        _TemplateError: a lone brace, or a ``{...}`` that is not a plain field or ``{meta[KEY]}``.
    """
    parts: list[str | Field] = []
    for token in _TOKEN.finditer(text):
        t = token.group()
        if t in ("{{", "}}"):
            part: str | Field = t[0]
        elif t in ("{", "}"):
            raise _TemplateError(token.start(), f"a lone {t} (write {t}{t} for a brace)")
        elif t[0] == "{":
            part = _field(t[1:-1], token.start())
        else:
            part = t
        if isinstance(part, str) and parts and isinstance(parts[-1], str):
            parts[-1] += part
        else:
            parts.append(part)
    return tuple(parts)


def _field(inside: str, at: int) -> Field:
    name = re.match(r"\w*", inside).group()  # type: ignore[union-attr]  # \w* always matches
    rest = inside[len(name):]
    if name == "meta" and (key := _META_KEY.match(rest)):
        rest = rest[key.end():]
        if not rest:
            return Field("meta", key.group(1))
    elif name in MESSAGE_FIELDS and name != "meta" and not rest:
        return Field(name)
    shown = _bounded("{" + inside + "}", 80)
    if not name or name.isdigit():
        why = "positional fields are not allowed; name a field"
    elif name not in MESSAGE_FIELDS:
        why = "unknown field"
    elif name == "meta" and not rest:
        why = "meta needs a key: {meta[KEY]}"
    elif rest[0] == ":":
        why = "format specs are not allowed"
    elif rest[0] == "!":
        why = "conversions are not allowed"
    elif rest[0] == ".":
        why = "attribute access is not allowed"
    elif rest[0] == "[":
        why = ("only meta takes an index" if name != "meta" else
               "a metadata key is letters, digits, _ - . and nothing may follow it")
    else:
        why = "not a field"
    raise _TemplateError(at, f"message template field {shown}: {why} (a message may use {_FIELDS_HELP}, "
                            "and {{ }} for braces)")


def _render(template: Template, values: Mapping[str, str], metadata: Mapping[str, Any]) -> str:
    """The message: each value cut to VALUE_MAX characters, the whole to MESSAGE_MAX."""
    out = []
    for part in template:
        if isinstance(part, str):
            out.append(part)
        elif part.key is not None:
            value = metadata.get(part.key)
            out.append(_bounded("" if value is None else str(value), VALUE_MAX))
        else:
            out.append(_bounded(values[part.name], VALUE_MAX))
    return _bounded("".join(out), MESSAGE_MAX)


def _bounded(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - len(ELLIPSIS)] + ELLIPSIS


def _clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes):02d}:{rest:05.2f}"


def load(path: str | Path) -> Ruleset:
    """Read and validate a rules file.

    Raises:
        RulesError: with the file, the line and the reason.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RulesError(str(path), None, f"cannot read the rules file ({exc.strerror})") from exc
    return parse(data, str(path))


def parse(data: bytes | str, file: str = "<rules>") -> Ruleset:
    raw = data.encode() if isinstance(data, str) else data
    try:
        loader = yaml.SafeLoader(raw.decode("utf-8"))
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except UnicodeDecodeError as exc:
        raise RulesError(file, None, f"not UTF-8 text ({exc.reason})") from exc
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise RulesError(file, line, f"invalid YAML: {exc.problem}") from exc
    except yaml.YAMLError as exc:  # unmarked: a character YAML does not allow, at the reader
        raise RulesError(file, None, f"invalid YAML: {exc}") from exc
    p = _Parser(file, loader)
    if root is None:
        raise RulesError(file, None, "the file is empty: it needs a `rules:` list")
    top = p.mapping(root, required=("rules",), optional=())
    items = p.sequence(top["rules"])
    rules, seen = [], {}
    for node in items:
        rule = p.rule(node)
        if rule.id in seen:
            raise RulesError(file, rule.line, f"rule id {rule.id!r} is used twice (first on line {seen[rule.id]})")
        seen[rule.id] = rule.line
        rules.append(rule)
    return Ruleset(tuple(rules), hashlib.sha256(raw).hexdigest()[:12], file)


class _Parser:
    """Walks the YAML nodes, which carry line numbers, into conditions."""

    def __init__(self, file: str, loader: yaml.SafeLoader):
        self.file, self.loader = file, loader

    def fail(self, node: yaml.Node, reason: str) -> RulesError:
        return RulesError(self.file, node.start_mark.line + 1, reason)

    def mapping(self, node: yaml.Node, required: Sequence[str], optional: Sequence[str]) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, "expected a mapping")
        found: dict[str, yaml.Node] = {}
        for key, value in node.value:
            name = self.scalar(key, str)
            if name not in (*required, *optional):
                raise self.fail(key, f"unknown key {name!r} (expected {', '.join((*required, *optional))})")
            if name in found:
                raise self.fail(key, f"key {name!r} given twice")
            found[name] = value
        missing = [k for k in required if k not in found]
        if missing:
            raise self.fail(node, f"missing {', '.join(missing)}")
        return found

    def sequence(self, node: yaml.Node) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            raise self.fail(node, "expected a non-empty list")
        return node.value

    def scalar(self, node: yaml.Node, kind: type | tuple[type, ...]) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, f"expected a {_kind_name(kind)}")
        value = self.loader.construct_object(node)
        if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
            raise self.fail(node, f"expected a {_kind_name(kind)}, got {value!r}")
        return value

    def number(self, node: yaml.Node, low: float = 0.0, high: float | None = None) -> float:
        value = float(self.scalar(node, (int, float)))
        if value < low or (high is not None and value > high):
            raise self.fail(node, f"{value} is out of range [{low}, {high if high is not None else '∞'}]")
        return value

    def choice(self, node: yaml.Node, choices: Sequence[str]) -> str:
        value = self.scalar(node, str)
        if value not in choices:
            raise self.fail(node, f"{value!r} is not one of {', '.join(choices)}")
        return value

    def names(self, node: yaml.Node, choices: Sequence[str]) -> frozenset[str]:
        if isinstance(node, yaml.ScalarNode):
            return frozenset({self.choice(node, choices)})
        return frozenset(self.choice(n, choices) for n in self.sequence(node))

    def rule(self, node: yaml.Node) -> Rule:
        m = self.mapping(node, required=("id", "severity", "message", "when"), optional=("description",))
        rule_id = self.scalar(m["id"], str)
        if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", rule_id):
            raise self.fail(m["id"], f"rule id {rule_id!r}: use lower-case letters, digits, _ . -")
        message = self.template(m["message"])
        return Rule(rule_id, self.choice(m["severity"], SEVERITIES), message, self.condition(m["when"]),
                    node.start_mark.line + 1)

    def template(self, node: yaml.Node) -> Template:
        text = self.scalar(node, str)
        try:
            return _compile(text)
        except _TemplateError as exc:
            column = _column(node, text, exc.offset)
            reason = exc.reason if column else f"{exc.reason}, at character {exc.offset + 1} of the message"
            raise RulesError(self.file, node.start_mark.line + 1, reason, column) from exc

    def condition(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.MappingNode) or len(node.value) != 1:
            raise self.fail(node, f"a condition is a mapping with one key, one of {', '.join(_CONDITIONS)}")
        key, body = node.value[0]
        kind = self.scalar(key, str)
        if kind not in _CONDITIONS:
            raise self.fail(key, f"unknown condition {kind!r} (expected one of {', '.join(_CONDITIONS)})")
        return _CONDITIONS[kind](self, body)

    def role(self, m: dict[str, yaml.Node]) -> str | None:
        return self.scalar(m["role"], str) if "role" in m else None

    def phrases(self, node: yaml.Node) -> tuple[Phrase, ...]:
        m = self.mapping(node, required=(), optional=LANGUAGES)
        if not m:
            raise self.fail(node, f"phrases: give a list for at least one language ({', '.join(LANGUAGES)})")
        found = []
        for items in m.values():
            for item in self.sequence(items):
                text = self.scalar(item, (str, int))
                if not normalize(str(text)):
                    raise self.fail(item, f"phrase {text!r} is empty once punctuation is removed")
                found.append(Phrase(str(text)))
        return tuple(found)


def _column(node: yaml.Node, value: str, offset: int) -> int | None:
    """The file column (1-based) of ``value[offset]``, when the scalar is written on one line with
    no escapes (so the text in the file is the value); else None."""
    start, end = node.start_mark, node.end_mark
    if start.buffer is None or start.line != end.line:
        return None
    quote = 1 if node.style in ("'", '"') else 0
    written = start.buffer[start.index + quote:end.index - quote]
    return start.column + quote + offset + 1 if written == value else None


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join({"str": "string", "int": "number", "float": "number", "bool": "boolean"}[k.__name__]
                       for k in kinds)


def _all(p: _Parser, node: yaml.Node) -> AllOf:
    return AllOf(tuple(p.condition(n) for n in p.sequence(node)))


def _any(p: _Parser, node: yaml.Node) -> AnyOf:
    return AnyOf(tuple(p.condition(n) for n in p.sequence(node)))


def _emotion(p: _Parser, node: yaml.Node) -> Emotion:
    m = p.mapping(node, required=("emotions",), optional=("role", "min_seconds", "min_share"))
    return Emotion(p.names(m["emotions"], EMOTIONS), p.role(m),
                   p.number(m["min_seconds"]) if "min_seconds" in m else None,
                   p.number(m["min_share"], 0, 1) if "min_share" in m else None)


def _threshold(measure: str, low: float) -> Callable[[_Parser, yaml.Node], Threshold]:
    def build(p: _Parser, node: yaml.Node) -> Threshold:
        m = p.mapping(node, required=("min",), optional=("role",))
        return Threshold(measure, p.number(m["min"], low, 1), p.role(m))
    return build


def _event(p: _Parser, node: yaml.Node) -> Event:
    m = p.mapping(node, required=("event",), optional=("role", "min_count", "min_seconds"))
    return Event(p.choice(m["event"], EVENTS), p.role(m),
                 int(p.number(m["min_count"])) if "min_count" in m else 1,
                 p.number(m["min_seconds"]) if "min_seconds" in m else 0.0)


def _phrases(required: bool) -> Callable[[_Parser, yaml.Node], Phrases]:
    def build(p: _Parser, node: yaml.Node) -> Phrases:
        m = p.mapping(node, required=("phrases",), optional=("role", "within_first_s", "within_last_s"))
        return Phrases(p.phrases(m["phrases"]), p.role(m),
                       p.number(m["within_first_s"]) if "within_first_s" in m else None,
                       p.number(m["within_last_s"]) if "within_last_s" in m else None, required)
    return build


def _silence(p: _Parser, node: yaml.Node) -> Silence:
    return Silence(p.number(p.mapping(node, required=("min_s",), optional=())["min_s"]))


def _overtalk(p: _Parser, node: yaml.Node) -> Overtalk:
    m = p.mapping(node, required=(), optional=("min_s", "min_share"))
    return Overtalk(p.number(m["min_s"]) if "min_s" in m else None,
                    p.number(m["min_share"], 0, 1) if "min_share" in m else None)


def _interruptions(p: _Parser, node: yaml.Node) -> Interruptions:
    m = p.mapping(node, required=("min_count",), optional=("by",))
    return Interruptions(int(p.number(m["min_count"])), p.scalar(m["by"], str) if "by" in m else None)


def _talk_speed(p: _Parser, node: yaml.Node) -> TalkSpeed:
    m = p.mapping(node, required=(), optional=("role", "min_wpm", "max_wpm"))
    return TalkSpeed(p.role(m), p.number(m["min_wpm"]) if "min_wpm" in m else None,
                     p.number(m["max_wpm"]) if "max_wpm" in m else None)


def _personal_data(p: _Parser, node: yaml.Node) -> PersonalData:
    m = p.mapping(node, required=(), optional=("types", "role"))
    return PersonalData(p.names(m["types"], REDACTION_TYPES) if "types" in m else frozenset(REDACTION_TYPES),
                        p.role(m))


def _voices(p: _Parser, node: yaml.Node) -> Voices:
    return Voices(int(p.number(p.mapping(node, required=("min",), optional=())["min"], 2)))


def _agent_voice_mismatch(p: _Parser, node: yaml.Node) -> AgentVoiceMismatch:
    m = p.mapping(node, required=(), optional=("max_distance",))
    return AgentVoiceMismatch(p.number(m["max_distance"], 0, 2)) if "max_distance" in m else AgentVoiceMismatch()


def _metadata(p: _Parser, node: yaml.Node) -> Metadata:
    m = p.mapping(node, required=("key", "in"), optional=())
    values = m["in"]
    items = [values] if isinstance(values, yaml.ScalarNode) else p.sequence(values)
    return Metadata(p.scalar(m["key"], str), frozenset(str(p.scalar(v, (str, int, float))) for v in items))


_CONDITIONS: dict[str, Callable[[_Parser, yaml.Node], Any]] = {
    "all": _all,
    "any": _any,
    "not": lambda p, node: Not(p.condition(node)),
    "emotion": _emotion,
    "negative_share": _threshold("negative_share", 0),
    "escalation": _threshold("escalation", -1),
    "event": _event,
    "phrase": _phrases(required=False),
    "missing_phrase": _phrases(required=True),
    "silence": _silence,
    "overtalk": _overtalk,
    "interruptions": _interruptions,
    "talk_speed": _talk_speed,
    "metadata": _metadata,
    "personal_data": _personal_data,
    "voices": _voices,
    "agent_voice_mismatch": _agent_voice_mismatch,
}


@dataclass
class RulesWatcher:
    """The rules in force, re-read when the file changes (checked before every use).

    A worker keeps one for its whole life: editing ``configs/rules.yaml`` takes effect at its next
    call, and a broken edit is logged with its line and ignored, the previous rules staying in force.
    """

    path: Path
    _ruleset: Ruleset | None = field(default=None, init=False)
    _stamp: tuple[int, int] | None = field(default=None, init=False)
    last_error: RulesError | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        self.current()
        if self._ruleset is None:
            raise self.last_error  # no rules to fall back on

    def current(self) -> Ruleset:
        try:
            stat = os.stat(self.path)
            stamp = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            stamp = None
        if stamp is not None and stamp == self._stamp and self._ruleset is not None:
            return self._ruleset
        try:
            ruleset = load(self.path)
        except RulesError as exc:
            if self.last_error is None or str(exc) != str(self.last_error):
                log.error("rules not reloaded, the rules in force (%s) stay: %s",
                          self._ruleset.version if self._ruleset else "none", exc)
            self.last_error = exc
        else:
            if self._ruleset is not None and ruleset.version != self._ruleset.version:
                log.warning("rules reloaded from %s: version %s", self.path, ruleset.version)
            self._ruleset, self.last_error = ruleset, None
        self._stamp = stamp
        return self._ruleset  # type: ignore[return-value]
