"""The console's visual vocabulary, in one place: emotion and severity colours, chips, badges,
times, banners. Page modules build their HTML from these; the plots use the same colours.

Everything that comes from a call or a user (text, names, metadata, messages) is escaped here or
by the caller before it reaches a page.
"""

from __future__ import annotations

from html import escape

from voxsight.tags import EMOTION_EMOJI, EVENT_EMOJI

# Chosen to be told apart at a glance and by colour-blind readers (hue and lightness both differ).
EMOTION_COLORS = {
    "ANGRY": "#d64545", "DISGUSTED": "#8d6e1e", "FEARFUL": "#8e4ec6", "SAD": "#2f6fdb",
    "NEUTRAL": "#7b8494", "SURPRISED": "#e07b00", "HAPPY": "#1f9d55", "UNKNOWN": "#b8bec9",
}
SEVERITY_COLORS = {"critical": "#b42318", "high": "#e07b00", "medium": "#c99a00", "low": "#7b8494"}
STATUS_COLORS = {"open": "#b42318", "acknowledged": "#c99a00", "resolved": "#1f9d55"}
JOB_COLORS = {"queued": "#7b8494", "running": "#2f6fdb", "done": "#1f9d55", "failed": "#b42318", "dead": "#b42318",
              "refused": "#b42318"}
_FINISHED = ("done", "failed", "dead", "refused")


def clock(seconds: float | None) -> str:
    """``mm:ss.s`` (``h:mm:ss`` past an hour): how call centres read a position in a call."""
    if seconds is None:
        return "–"
    minutes, secs = divmod(max(seconds, 0.0), 60)
    hours, minutes = divmod(int(minutes), 60)
    return f"{hours}:{minutes:02d}:{int(secs):02d}" if hours else f"{minutes:02d}:{secs:04.1f}"


def emotion_chip(emotion: str | None) -> str:
    name = emotion or "UNKNOWN"
    color = EMOTION_COLORS.get(name, EMOTION_COLORS["UNKNOWN"])
    return (f'<span class="vx-chip" style="--c:{color}">{EMOTION_EMOJI.get(emotion, "")}'
            f' {escape(name.lower())}</span>')


def event_badges(events) -> str:
    return "".join(f'<span class="vx-event" title="{escape(e)}">{EVENT_EMOJI.get(e, "")} {escape(e.replace("_", " "))}</span>'
                   for e in events)


def severity_chip(severity: str) -> str:
    return f'<span class="vx-chip vx-strong" style="--c:{SEVERITY_COLORS.get(severity, "#7b8494")}">{escape(severity)}</span>'


def status_chip(status: str) -> str:
    return f'<span class="vx-chip vx-outline" style="--c:{STATUS_COLORS.get(status, "#7b8494")}">{escape(status)}</span>'


def job_status(status: str, done: int, total: int) -> str:
    """A job's state with its progress bar (segments done of total)."""
    percent = 100 if status in _FINISHED else (round(100 * done / total) if total else 0)
    label = f"{done}/{total} segments" if total and status not in _FINISHED else status
    color = JOB_COLORS.get(status, "#7b8494")
    return (f'<div class="vx-progress" role="progressbar" aria-valuenow="{percent}" aria-valuemin="0" '
            f'aria-valuemax="100" data-status="{escape(status)}"><div style="width:{percent}%;background:{color}">'
            f'</div></div><span class="vx-progress-label">{escape(label)}</span>')


def banner(message: str, kind: str = "danger") -> str:
    """A strip across the page. ``danger`` is for what makes results meaningless (a synthetic model)."""
    return f'<div class="vx-banner vx-{kind}" role="alert">{escape(message)}</div>'


def notice(message: str) -> str:
    return f'<div class="vx-notice">{escape(message)}</div>'
