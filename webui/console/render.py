"""The console's visual vocabulary, in one place: the palette, emotion and severity colours, chips,
badges, times, banners, and the HTML of the pages' lists, cards and tables. Pages build their HTML
from these; the plots use the same colours and the stylesheet reads the palette as CSS variables.

Everything that comes from a call or a user (text, names, metadata, messages) is escaped here or
by the caller before it reaches a page. A synthetic model is worded once, by the core
(``voxsight.results``); here it is only flagged, in those words.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from voxsight.tags import EMOTION_EMOJI, EVENT_EMOJI

if TYPE_CHECKING:
    from voxsight.store.accounts import UserInfo
    from voxsight.store.alerts import AlertInfo
    from voxsight.store.recordings import RecordingSummary
    from voxsight.compliance import ErasureSummary
    from voxsight.webui.console.admin import Machinery, ModelsInUse

# The palette. Chosen to be told apart at a glance and by colour-blind readers (hue and lightness
# both differ); each colour keeps one meaning wherever it appears.
BLUE = "#2f6fdb"  # the brand, running, focus, the segment playing; SAD
GREEN = "#1f9d55"  # done, resolved, valid; HAPPY
AMBER = "#c99a00"  # medium, acknowledged, a search hit
ORANGE = "#e07b00"  # high; SURPRISED
RED = "#b42318"  # critical, open, failed, a synthetic model
GREY = "#7b8494"  # low, queued, unknown; NEUTRAL
HIGHLIGHT = "#ffe58a"  # words that matched a search
ON_COLOUR = "#fff"  # text on a filled chip or banner
PALETTE = {"blue": BLUE, "green": GREEN, "amber": AMBER, "orange": ORANGE, "red": RED, "grey": GREY,
           "highlight": HIGHLIGHT, "on-colour": ON_COLOUR}

EMOTION_COLORS = {
    "ANGRY": "#d64545", "DISGUSTED": "#8d6e1e", "FEARFUL": "#8e4ec6", "SAD": BLUE,
    "NEUTRAL": GREY, "SURPRISED": ORANGE, "HAPPY": GREEN, "UNKNOWN": "#b8bec9",
}
SEVERITY_COLORS = {"critical": RED, "high": ORANGE, "medium": AMBER, "low": GREY}
STATUS_COLORS = {"open": RED, "acknowledged": AMBER, "resolved": GREEN}
JOB_COLORS = {"queued": GREY, "running": BLUE, "done": GREEN, "failed": RED, "dead": RED, "refused": RED}
_FINISHED = ("done", "failed", "dead", "refused")
SYNTHETIC_FLAG = "synthetic model: tags are meaningless"  # the short form, beside what it flags


def css_variables() -> str:
    """The palette as CSS custom properties (``--vx-blue``...), for the stylesheet."""
    return ":root { " + " ".join(f"--vx-{name}: {color};" for name, color in PALETTE.items()) + " }\n"


def escaped(value) -> str:
    return escape(str(value)) if value is not None else ""


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
    return f'<span class="vx-chip vx-strong" style="--c:{SEVERITY_COLORS.get(severity, GREY)}">{escape(severity)}</span>'


def status_chip(status: str) -> str:
    return f'<span class="vx-chip vx-outline" style="--c:{STATUS_COLORS.get(status, GREY)}">{escape(status)}</span>'


def synthetic_chip(label: str = "synthetic", title: str | None = None) -> str:
    """The flag on whatever a synthetic model tagged; ``title`` (the result's own warning) on hover."""
    hover = f' title="{escape(title)}"' if title else ""
    return f'<span class="vx-chip vx-strong" style="--c:{RED}"{hover}>{escape(label)}</span>'


def job_status(status: str, done: int, total: int) -> str:
    """A job's state with its progress bar (segments done of total)."""
    percent = 100 if status in _FINISHED else (round(100 * done / total) if total else 0)
    label = f"{done}/{total} segments" if total and status not in _FINISHED else status
    color = JOB_COLORS.get(status, GREY)
    return (f'<div class="vx-progress" role="progressbar" aria-valuenow="{percent}" aria-valuemin="0" '
            f'aria-valuemax="100" data-status="{escape(status)}"><div style="width:{percent}%;background:{color}">'
            f'</div></div><span class="vx-progress-label">{escape(label)}</span>')


def banner(message: str, kind: str = "danger") -> str:
    """A strip across the page. ``danger`` is for what makes results meaningless (a synthetic model)."""
    return f'<div class="vx-banner vx-{kind}" role="alert">{escape(message)}</div>'


def notice(message: str) -> str:
    return f'<div class="vx-notice">{escape(message)}</div>'


def whoami_html(user: UserInfo) -> str:
    """The top bar's signed-in user and role."""
    return f'<div class="vx-whoami"><b>{escape(user.name)}</b> <span class="vx-role">{escape(user.role.value)}</span></div>'


# -- the Calls list

def marked(text: str, highlights) -> str:
    """The segment's text with the matched words marked."""
    out, last = "", 0
    for start, end in highlights:
        out += escaped(text[last:start]) + "<mark>" + escaped(text[start:end]) + "</mark>"
        last = end
    return out + escaped(text[last:])


def call_when(r: RecordingSummary) -> str:
    """When the call took place (its call time, else when it was stored)."""
    call_time = r.call_metadata.get("call_time")
    return escaped(str(call_time)[:16].replace("T", " ")) if call_time else f"{r.created_at:%Y-%m-%d %H:%M}"


def alert_counts(r: RecordingSummary) -> str:
    if not r.alerts:
        return ""
    if r.open_alerts:
        return f'<span class="vx-chip vx-strong" style="--c:{STATUS_COLORS["open"]}">{r.open_alerts} open</span> of {r.alerts}'
    return f"{r.alerts} (none open)"


def model_flag(r: RecordingSummary) -> str:
    return synthetic_chip(title=SYNTHETIC_FLAG) if r.synthetic else ""


# -- Alerts

def alert_detail_html(info: AlertInfo) -> str:
    triggers = "".join(f"<li>{clock(t.start_s)}–{clock(t.end_s)} {escaped(t.role or '')} “{escaped(t.text)}”</li>"
                       for t in info.triggers)
    history = "".join(f"<li><b>{escaped(h.action)}</b> {h.at:%Y-%m-%d %H:%M} {escaped(h.actor or '')}"
                      f"{' — ' + escaped(h.comment) if h.comment else ''}</li>" for h in info.history)
    return (f'<div class="vx-alert-full" data-alert-id="{info.id}"><div>{severity_chip(info.severity)} '
            f'{status_chip(info.status)} <b>{escaped(info.rule_id)}</b> · alert {info.id} · {escaped(info.filename)} '
            f'(recording {info.recording_id})</div><p class="vx-alert-message">{escaped(info.message)}</p>'
            f'<h4>Triggers</h4><ul>{triggers or "<li>none recorded</li>"}</ul><h4>History</h4><ul>{history}</ul>'
            f'<div class="vx-hint">rules version {escaped(info.ruleset_version)}</div></div>')


# -- Admin

def machinery_html(m: Machinery) -> str:
    counts = "".join(f'<div class="vx-card"><div class="vx-card-label">{escaped(state)}</div>'
                     f'<div class="vx-card-value">{m.jobs.get(state, 0):,}</div></div>'
                     for state in ("queued", "running", "done", "failed", "dead"))
    if m.mode == "embedded":
        mode = notice("Embedded mode (no Redis): jobs wait in SQL and the worker started beside this server "
                      "takes them. Workers on other hosts need a shared Redis (queue.redis_url).")
        depth = ""
    else:
        mode = notice(f"{len(m.workers)} live worker(s) on the shared Redis queue.")
        depth = "".join(f'<div class="vx-card"><div class="vx-card-label">{escaped(p)} priority</div>'
                        f'<div class="vx-card-value">{d.get("waiting", 0):,}</div>'
                        f'<div class="vx-card-note">waiting; {d.get("in_hand", 0):,} in workers\' hands</div></div>'
                        for p, d in m.queue.items())
    workers = "".join(f"<tr><td>{escaped(w.get('id', ''))}</td><td>{escaped(w.get('host', ''))}</td>"
                      f"<td>{escaped(w.get('device', ''))}</td><td>{escaped(w.get('model_id', ''))}</td>"
                      f"<td>{len(w.get('jobs_in_hand', []))}</td><td>{escaped(w.get('processed', 0))}</td>"
                      f"<td>{escaped(str(w.get('seen_at', ''))[:19])}</td></tr>" for w in m.workers)
    running = "".join(f"<tr><td>{j['id']}</td><td>{escaped(j['recording']['filename'])}</td>"
                      f"<td>{job_status(j['status'], j['progress']['done'], j['progress']['total'])}</td>"
                      f"<td>{escaped(j['worker'] or '')}</td></tr>" for j in m.running)
    return (f'{mode}<h3>Jobs</h3><div class="vx-cards">{counts}{depth}</div>'
            + (f'<h3>Live workers</h3><table class="vx-table"><thead><tr><th>worker</th><th>host</th><th>device</th>'
               f'<th>model</th><th>in hand</th><th>processed</th><th>last seen</th></tr></thead><tbody>{workers}'
               '</tbody></table>' if m.workers else "")
            + (f'<h3>Running now</h3><table class="vx-table"><thead><tr><th>job</th><th>file</th><th>progress</th>'
               f'<th>worker</th></tr></thead><tbody>{running}</tbody></table>' if m.running else ""))


def models_html(m: ModelsInUse) -> str:
    s = m.sensevoice
    rows = [("SenseVoice (emotion, events, words)", s.get("model_id") or f"not usable: {s.get('error', '')}",
             "SYNTHETIC — random weights" if s.get("synthetic") else ("real" if s.get("model_id") else "–"),
             s.get("directory", "")),
            ("Whisper (words)", (m.whisper or {}).get("model_id", "not unpacked yet"), "real" if m.whisper else "–",
             (m.whisper or {}).get("directory", ""))]
    body = "".join(f"<tr><th>{escaped(a)}</th><td>{escaped(b)}</td><td>{escaped(c)}</td><td>{escaped(d)}</td></tr>"
                   for a, b, c, d in rows)
    workers = "".join(f"<li>{escaped(w)}</li>" for w in m.worker_models)
    return ((banner(m.warning) if m.warning else "")
            + f'<table class="vx-table"><thead><tr><th>model</th><th>id</th><th>weights</th><th>directory</th></tr>'
            f"</thead><tbody>{body}</tbody></table><p>Words engine: <b>{escaped(m.words)}</b></p>"
            + (f"<h4>Loaded by live workers</h4><ul>{workers}</ul>" if workers else ""))


def erasure_html(done: ErasureSummary, dry_run: bool = False) -> str:
    """What an erasure removed, and what it refused and why; or, previewed, what it would."""
    if not done.erased and not done.refused:
        return '<div class="vx-hint">No recording matches: nothing was erased.</div>'
    would = "would be " if dry_run else ""
    lines = [f'<li>Recording {e.recording_id} {would}erased: {e.analyses} analyses, {e.segments} segments, '
             f'{e.alerts} alerts, {e.notifications} notifications, {e.jobs} jobs</li>' for e in done.erased]
    lines += [f'<li class="vx-danger">Recording {r.recording_id} {would}refused: {escaped(r.reason)}</li>'
              for r in done.refused]
    return (f'<div class="{"vx-hint" if dry_run else "vx-ok"}">{"Preview, nothing removed: " if dry_run else ""}'
            f'{len(done.erased)} recording(s) {would}erased, {done.audio_files} audio file(s) {would}removed'
            f'{f", {len(done.refused)} {would}refused" if done.refused else ""}.</div><ul>{"".join(lines)}</ul>')


def rules_html(check: dict) -> str:
    """The rules checked: valid (version and rule ids) or the error."""
    if check.get("ok"):
        return (f'<div class="vx-ok">Valid: version <b>{escaped(check["version"])}</b>, '
                f'{len(check["rules"])} rule(s): {escaped(", ".join(check["rules"]))}</div>')
    return f'<div class="vx-banner vx-danger">{escaped(check.get("error") or "invalid")}</div>'
