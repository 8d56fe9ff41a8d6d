"""Call detail: one call as a supervisor reviews it.

The audio plays in the browser from the API's ``/api/v1/recordings/{id}/audio`` (same origin: the
session cookie authorises it, and range requests let the player seek). The transcript is a timeline
of segments in one lane per role (agent and customer when the channels were split or the voices
told apart on one channel, with how the roles were told; one ``mixed`` lane otherwise), each coloured by its emotion, with its audio events and times; any element with
``data-start`` plays the call from there (the console's script). Beside it: the call's features
(``voxsight.features``, as stored when it was analyzed) and its alerts. A synthetic model's output
says so at the top of the page, in the words of ``AnalysisResult.warning``.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from voxsight.store.alerts import AlertInfo
from voxsight.features import AGENT_VOICE_MATCH, ALL, CallFeatures
from voxsight.results import AnalysisResult, Segment
from voxsight.store.accounts import Role
from voxsight.store.recordings import RecordingSummary
from voxsight.operations import recordings
from voxsight.webui.console.access import require
from voxsight.webui.console.render import (EMOTION_COLORS, SYNTHETIC_FLAG, banner, clock, emotion_chip, event_badges,
                                           notice, severity_chip, status_chip, synthetic_chip)
from voxsight.site import Site
from voxsight.webui.deps import Caller

MIXED = "mixed"
METADATA_SHOWN = ("agent", "customer", "queue", "call_time", "direction", "reference")


@dataclass(frozen=True)
class CallView:
    recording: RecordingSummary
    result: AnalysisResult | None  # None while no analysis of it has finished
    features: CallFeatures | None
    alerts: list[AlertInfo]
    audio_url: str | None  # its redacted copy; None: nothing to play (see header_html)
    can_export: bool
    original_url: str | None = None  # admins, where the policy keeps the original: every read audited

    @property
    def warning(self) -> str | None:
        return self.result.warning if self.result else None

    @property
    def lanes(self) -> list[str]:
        """One lane per role, in the configured order of channels, or one mixed lane."""
        if self.result is None:
            return []
        roles = [s.role for s in self.result.segments if s.role]
        if not roles:
            return [MIXED]
        return list(dict.fromkeys(sorted(roles, key=lambda r: (r != "agent", r != "customer", r))))

    @property
    def duration_s(self) -> float:
        ends = [s.end_s for s in self.result.segments] if self.result else []
        return max([self.recording.duration_s or 0.0, *ends]) or 1.0


def open_call(site: Site, who: Caller, recording_id: int) -> CallView | None:
    """The call with its newest analysis, features and alerts; None if there is no such recording.
    Audited as a view of the call."""
    call = recordings.recording(site, require(who, Role.VIEWER), recording_id)
    if call is None:
        return None
    return CallView(call.recording, call.result, call.features, call.alerts,
                    f"/api/v1/recordings/{recording_id}/audio" if call.audio_stored else None,
                    who.user.role.allows(Role.ANALYST),
                    f"/api/v1/recordings/{recording_id}/audio/original"
                    if call.original_kept and who.user.role.allows(Role.ADMIN) else None)


def banner_html(view: CallView) -> str:
    """The page's top strip: empty unless the model behind this call's tags is synthetic."""
    return banner(view.warning) if view.warning else ""


def header_html(view: CallView) -> str:
    """Name, call metadata, recording facts, the player and (for analysts) the exports."""
    r = view.recording
    meta = "".join(f"<div><dt>{escape(k.replace('_', ' '))}</dt><dd>{escape(_shown(k, r.call_metadata[k]))}</dd></div>"
                   for k in METADATA_SHOWN if r.call_metadata.get(k))
    facts = [f"{clock(r.duration_s)}" if r.duration_s else None,
             f"{r.channels} channel{'s' if r.channels != 1 else ''}" if r.channels else None,
             r.format, r.language, f"recording {r.id}",
             f"analysis {r.analysis_id}" if r.analysis_id else "not analyzed yet"]
    model = ""
    if view.result:
        flag = " " + synthetic_chip() if view.result.synthetic else ""
        words = f", words {escape(view.result.words_model_id)}" if view.result.words_model_id else ""
        model = f'<div class="vx-model">model {escape(view.result.model_id)}{words}{flag}</div>'
    player = (f'<audio id="vx-player" controls preload="metadata" src="{escape(view.audio_url)}"></audio>'
              if view.audio_url else notice("No audio of this call can be played here: it was analyzed from a file "
                                            "on the command line, or its redacted copy is written when its analysis "
                                            "finishes."))
    if view.original_url:
        player += (f'<div class="vx-original"><a href="{escape(view.original_url)}" target="_blank" rel="noopener">'
                   "Listen to the original</a> (unredacted; every listening is audited)</div>")
    exports = ""
    if view.can_export and view.result:
        base = f"/api/v1/recordings/{r.id}/export"
        exports = (f'<div class="vx-exports">Export transcript: <a href="{base}?format=csv" download>CSV</a> · '
                   f'<a href="{base}?format=json" download>JSON</a></div>')
    return (f'<div class="vx-call-head"><h2>{escape(r.filename)}</h2>'
            f'<div class="vx-facts">{" · ".join(escape(f) for f in facts if f)}</div>'
            f'<dl class="vx-meta">{meta}</dl>{model}<div class="vx-player">{player}</div>{exports}</div>')


def transcript_html(view: CallView) -> str:
    """An overview strip per lane (the whole call at a glance, coloured by emotion), then every
    segment in time order, each in its role's column. Anything with ``data-start`` plays from there."""
    if view.result is None:
        return notice("No finished analysis yet: the transcript appears when its job is done.")
    lanes, duration = view.lanes, view.duration_s
    segments = sorted(view.result.segments, key=lambda s: (s.start_s, s.end_s))
    if not segments:
        return notice("No speech was found in this call.")
    strips = []
    for lane in lanes:
        blocks = "".join(
            f'<span class="vx-block" data-start="{s.start_s:.2f}" title="{clock(s.start_s)} {escape(s.emotion or "unknown")}" '
            f'style="left:{100 * s.start_s / duration:.3f}%;width:{max(100 * (s.end_s - s.start_s) / duration, 0.4):.3f}%;'
            f'background:{EMOTION_COLORS.get(s.emotion or "UNKNOWN", EMOTION_COLORS["UNKNOWN"])}"></span>'
            for s in segments if _lane(s) == lane)
        strips.append(f'<div class="vx-strip"><span class="vx-strip-name">{escape(lane)}</span>'
                      f'<div class="vx-strip-track">{blocks}</div></div>')
    ticks = "".join(f'<span style="left:{100 * t / duration:.3f}%">{clock(t)}</span>' for t in _ticks(duration))
    overview = f'<div class="vx-overview">{"".join(strips)}<div class="vx-ruler">{ticks}</div></div>'

    column = {lane: n + 1 for n, lane in enumerate(lanes)}
    heads = "".join(f'<div class="vx-lane-head" style="grid-column:{column[lane]}">{escape(lane)}</div>' for lane in lanes)
    rows = "".join(_segment_html(s, column[_lane(s)]) for s in segments)
    synthetic = synthetic_chip(SYNTHETIC_FLAG, view.warning) if view.warning else ""
    return (f'<div class="vx-transcript-head"><h3>Transcript</h3>{synthetic}'
            f'<span class="vx-hint">click a segment to play from there</span></div>{_roles_told(segments)}{overview}'
            f'<div class="vx-lanes" style="grid-template-columns:repeat({len(lanes)}, minmax(0, 1fr))">{heads}{rows}</div>')


def features_html(view: CallView) -> str:
    f = view.features
    if f is None:
        return notice("No features yet.")
    by_role = {name: r for name, r in f.roles.items() if name != ALL}
    cards = [
        ("Talk time", f"{clock(f.talk_s)}", f"{_share(f.talk_s, f.duration_s)} of {clock(f.duration_s)}; "
                                             f"non-talk {clock(f.non_talk_s)}"),
        ("Overtalk", f"{f.overtalk_s:.1f} s", f"{len(f.interruptions)} interruption(s)" if f.split else "mixed channels: unknown"),
        ("Escalation", f"{f.call.escalation:+.2f}", "negative share, last third minus first"),
        ("Dominant emotion", emotion_chip(f.call.dominant_emotion), f"negative share {f.call.negative_share:.0%}"),
        ("Longest silence", f"{f.longest_silence_s:.1f} s",
         f'<span data-start="{f.longest_silence_at_s:.2f}" class="vx-link">at {clock(f.longest_silence_at_s)}</span>'
         if f.longest_silence_at_s is not None else "none"),
    ]
    html = '<div class="vx-cards">' + "".join(
        f'<div class="vx-card"><div class="vx-card-label">{label}</div><div class="vx-card-value">{value}</div>'
        f'<div class="vx-card-note">{note}</div></div>' for label, value, note in cards) + "</div>"
    if by_role:
        rows = "".join(
            f"<tr><th>{escape(name)}</th><td>{clock(r.talk_s)}</td><td>{emotion_chip(r.dominant_emotion)}</td>"
            f"<td>{r.negative_share:.0%}</td><td>{r.escalation:+.2f}</td>"
            f"<td>{f'{r.words_per_minute:.0f}' if r.words_per_minute else '–'}</td></tr>"
            for name, r in by_role.items())
        html += ('<table class="vx-roles"><thead><tr><th>role</th><th>talk</th><th>dominant</th><th>negative</th>'
                 f'<th>escalation</th><th>words/min</th></tr></thead><tbody>{rows}</tbody></table>')
    return f'<div class="vx-features"><h3>Features</h3>{html}</div>'


def alerts_html(view: CallView) -> str:
    if not view.alerts:
        return '<div class="vx-alerts"><h3>Alerts</h3>' + notice("No alert rule fired on this call.") + "</div>"
    cards = []
    for a in view.alerts:
        triggers = "".join(f'<li data-start="{t.start_s:.2f}" class="vx-link">{clock(t.start_s)} '
                           f'{escape(t.role or "")} “{escape(t.text[:120])}”</li>' for t in a.triggers[:5])
        cards.append(f'<div class="vx-alert" data-alert-id="{a.id}">{severity_chip(a.severity)} {status_chip(a.status)} '
                     f'<b>{escape(a.rule_id)}</b><div class="vx-alert-message">{escape(a.message)}</div>'
                     f'<ul class="vx-triggers">{triggers}</ul></div>')
    return f'<div class="vx-alerts"><h3>Alerts</h3>{"".join(cards)}</div>'


def emotion_timeline(view: CallView) -> list[dict]:
    """Points for the emotion-over-time plot: one per segment with an emotion, per role."""
    if view.result is None:
        return []
    return [{"time_s": round(s.start_s, 2), "emotion": s.emotion, "role": _lane(s), "text": s.text[:80]}
            for s in sorted(view.result.segments, key=lambda s: s.start_s) if s.emotion]


def _segment_html(s: Segment, column: int) -> str:
    color = EMOTION_COLORS.get(s.emotion or "UNKNOWN", EMOTION_COLORS["UNKNOWN"])
    text = escape(s.text) if s.text else '<em class="vx-muted">(no words)</em>'
    translation = (f'<div class="vx-translation">→ {escape(s.translation)}</div>'
                   if s.translation and s.translation != s.text else "")
    language = f'<span class="vx-lang">{escape(s.language)}</span>' if s.language else ""
    return (f'<div class="vx-seg" role="button" tabindex="0" data-start="{s.start_s:.2f}" data-end="{s.end_s:.2f}" '
            f'style="grid-column:{column};--c:{color}" title="play from {clock(s.start_s)}">'
            f'<div class="vx-seg-meta"><span class="vx-time">{clock(s.start_s)}–{clock(s.end_s)}</span>'
            f'{emotion_chip(s.emotion)}{event_badges(s.events)}{language}</div>'
            f'<div class="vx-seg-text">{text}</div>{translation}</div>')


def _shown(key: str, value) -> str:
    text = str(value)
    return text[:16].replace("T", " ") if key == "call_time" else text


ROLES_TOLD = {
    "greeting": "the agent is the voice that greeted in the first 20 s",
    "first_speaker": "no greeting was heard, so the agent is taken to be the first voice: check it by ear",
}


def _roles_told(segments: list[Segment]) -> str:
    """For a call told apart by voice (one mixed channel), how its roles were told, so a reviewer
    knows how far to trust the lanes."""
    told = next((s.role_source for s in segments if s.role_source), None)
    if told is None:
        return ""
    voices = len({s.speaker for s in segments if s.speaker is not None})
    distance = min((s.voice_distance for s in segments if s.voice_distance is not None), default=None)
    how = ROLES_TOLD.get(told, told)
    if told == "voiceprint":
        how = (f"the agent is the voice nearest the voiceprint enrolled for this agent (distance {distance:.2f}; "
               f"the same voice is within {AGENT_VOICE_MATCH})")
    elif distance is not None:
        how = (f"no voice matches the voiceprint enrolled for this agent (the nearest is {distance:.2f} away): "
               f"someone else may have taken the call; {how}")
    more = "; someone else came on the call" if voices > 2 else ""
    return (f'<div class="vx-hint vx-roles-told">One mixed channel, {voices} voice{"s" if voices != 1 else ""} '
            f'told apart by CAM++{more}; {escape(how)}.</div>')


def _lane(s: Segment) -> str:
    return s.role or MIXED


def _ticks(duration: float) -> list[float]:
    step = next((step for step in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600) if duration / step <= 8),
                7200)
    return [t for t in range(0, int(duration) + 1, step)]


def _share(part: float, whole: float) -> str:
    return f"{part / whole:.0%}" if whole else "–"
