"""How the commands show what the library returns: text for a person, JSON for a program.

Results go to standard output; notes, warnings and progress to standard error, each note prefixed
with ``voxsight:``, so that a pipe or a ``--json`` reader sees results only.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from typing import TYPE_CHECKING, Any, Sequence

from voxsight.results import SYNTHETIC_WARNING, AnalysisResult, Segment
from voxsight.tags import EMOTION_EMOJI, EVENT_EMOJI

if TYPE_CHECKING:
    from voxsight.audio import FoundFiles
    from voxsight.queue import QueueDepth, WorkerInfo
    from voxsight.store.search import Hit, SearchPage
    from voxsight.store.accounts import AuditEntry, TokenInfo, UserInfo
    from voxsight.store.alerts import AlertInfo
    from voxsight.store.compliance import HoldInfo
    from voxsight.store.jobs import JobInfo
    from voxsight.store.schema import Priority
    from voxsight.store.voiceprints import VoiceprintInfo

# A single recording with this many speech segments (a few minutes) gets a progress bar of its own.
LONG_RECORDING_SEGMENTS = 40


def note(text: object) -> None:
    """A line for the person at the terminal (an error, a warning, what is happening), on stderr."""
    print(f"voxsight: {text}", file=sys.stderr)


def as_json(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False)


def banner(message: str = SYNTHETIC_WARNING) -> str:
    rule = "!" * 100
    return f"{rule}\n!! {message}\n{rule}"


def found_files(found: FoundFiles, paths: Sequence[str]) -> None:
    """Every path passed over, with why; and a note if nothing was found."""
    for skipped in found.skipped:
        note(f"skipped {skipped.path}: {skipped.reason}")
    if found.skipped:
        note(f"{len(found.skipped)} path(s) skipped")
    if not found.files:
        note("no audio files found in " + " ".join(map(str, paths)))


# -- analyses


def analysis(result: AnalysisResult) -> str:
    r = result.recording
    whisper_words = any(s.words_engine == "whisper" for s in result.segments)
    model = result.model_id
    if result.synthetic:
        model += " [SYNTHETIC: emotions and events are meaningless]" if whisper_words else \
            " [SYNTHETIC: text is meaningless]"
    if result.words_model_id:
        model += f", words {result.words_model_id}"
    stored = "stored result" if result.reused else f"analysis {result.analysis_id}"
    lines = [f"== {r.filename}  {r.duration_s:.1f} s  {r.channels} ch  {r.format}  sha256 {r.sha256[:12]}  "
             f"model {model}  ({stored})"]
    lines += [segment_line(s) for s in result.segments]
    summary = result.summary
    by_role = ", ".join(f"{role} {s:.1f} s" for role, s in summary.speech_s_by_role.items())
    events = ", ".join(f"{e}×{n}" for e, n in summary.event_counts.items()) or "none"
    lines.append(f"   {len(result.segments)} segments; dominant emotion {summary.dominant_emotion or 'unknown'}; "
                 f"speech {by_role or 'none'}; events {events}")
    return "\n".join(lines)


def segment_line(s: Segment) -> str:
    emotion = f"{EMOTION_EMOJI.get(s.emotion, '❔')} {s.emotion or 'UNKNOWN'}"
    events = " ".join(EVENT_EMOJI[e] + e for e in s.events)
    line = f"[{clock(s.start_s)}–{clock(s.end_s)}] {s.role or 'mix'} {emotion} {events}  {s.text}".rstrip()
    if s.translation and s.translation != s.text:
        line += f"\n{' ' * 16}→ {s.translation}"
    return line


def clock(seconds: float) -> str:
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(int(minutes), 60)
    return (f"{hours}:" if hours else "") + f"{minutes:02d}:{seconds:05.2f}"


class Progress:
    """A progress bar on stderr for several files or a long one; silent otherwise."""

    def __init__(self, files: int):
        from tqdm import tqdm

        self._tqdm = tqdm
        # Only on a terminal: in a log or a pipe a bar is a stream of carriage returns.
        self._interactive = sys.stderr.isatty()
        self._files = tqdm(total=files, unit="file", file=sys.stderr, disable=files < 2 or not self._interactive,
                           leave=False)
        self._segments = None

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        if self._segments is not None:
            self._segments.close()
        self._files.close()

    def segments(self, done: int, total: int) -> None:
        if self._segments is None and total >= LONG_RECORDING_SEGMENTS and self._interactive:
            self._segments = self._tqdm(total=total, unit="segment", file=sys.stderr, leave=False)
        if self._segments is not None:
            self._segments.update(done - self._segments.n)

    def file_done(self) -> None:
        if self._segments is not None:
            self._segments.close()
            self._segments = None
        self._files.update(1)

    def write(self, text: str, file=None) -> None:
        self._tqdm.write(text, file=file or sys.stdout)


# -- jobs and workers


def job_line(j: JobInfo) -> str:
    progress = f"{j.progress_done}/{j.progress_total} segments" if j.progress_total else ""
    outcome = f"analysis {j.analysis_id}" if j.analysis_id else (j.error or "")
    return (f"{j.id:>6}  {j.status.value:<8} {j.priority.value:<6} attempts {j.attempts}  {j.filename}  {progress}  "
            f"{outcome}").rstrip()


def job(j: JobInfo) -> str:
    """One job in full: its line, then when it was created, started and finished, timings, error."""
    document = j.to_json()
    lines = [job_line(j)]
    lines += [f"  {key.replace('_', ' ')}: {document[key] or '-'}"
              for key in ("created_at", "started_at", "finished_at")]
    if j.timings:
        lines.append("  timings: " + ", ".join(f"{k} {v}" for k, v in j.timings.items()))
    if j.error:
        lines.append(f"  error: {j.error}")
    return "\n".join(lines)


def workers_json(live: list[WorkerInfo], depth: dict[Priority, QueueDepth]) -> str:
    return json.dumps({"workers": [w.to_json() for w in live],
                       "queue": {p.value: d.to_json() for p, d in depth.items()}})


def worker_line(w: WorkerInfo) -> str:
    models = w.model_id + (f" + {w.speaker_model_id}" if w.speaker_model_id else "")
    return (f"{w.id}  {w.device}  {models}  jobs in hand {len(w.jobs_in_hand)}  "
            f"processed {w.processed}  since {w.started_at.isoformat()}")


def workers_summary(live: list[WorkerInfo], depth: dict[Priority, QueueDepth]) -> str:
    return f"{len(live)} live worker(s); queue: " + ", ".join(
        f"{p.value} {d.waiting} waiting, {d.in_hand} in hand" for p, d in depth.items())


# -- voiceprints


def voiceprint_line(v: VoiceprintInfo) -> str:
    return (f"{v.agent:24} {v.source:8} from {v.made_from} {'file(s)' if v.source == 'enrolled' else 'call(s)'}, "
            f"{v.speech_s:.0f} s of speech, {v.model_id}, by {v.updated_by} {v.updated_at:%Y-%m-%d %H:%M}")


# -- search


def search_json(page: SearchPage) -> str:
    return as_json({"hits": [asdict(h) for h in page.hits], "next_offset": page.next_offset})


def search_hit(h: Hit) -> str:
    marked, last = "", 0
    for start, end in h.highlights:  # the matched words in brackets
        marked += h.text[last:start] + "[" + h.text[start:end] + "]"
        last = end
    return (f"{h.filename}  [{clock(h.start_s)}–{clock(h.end_s)}] {h.role or 'mix'} "
            f"{EMOTION_EMOJI.get(h.emotion, '❔')} {h.emotion or 'UNKNOWN'}  {marked + h.text[last:]}")


# -- accounts


def user_line(u: UserInfo) -> str:
    return f"{u.name:24} {u.role.value:10} {'disabled' if u.disabled else 'enabled':8} since {u.created_at:%Y-%m-%d}"


def token_line(t: TokenInfo) -> str:
    state = f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else (
        f"expires {t.expires_at:%Y-%m-%d}" if t.expires_at else "no expiry")
    return (f"{t.id:>5}  {t.name:24} as {t.user:16} {state:20} last used "
            f"{f'{t.last_used_at:%Y-%m-%d %H:%M}' if t.last_used_at else 'never'}")


def audit_line(e: AuditEntry) -> str:
    what = f" recording {e.recording_id}" if e.recording_id else ""
    return (f"{e.at:%Y-%m-%d %H:%M:%S}  {e.actor:20} {e.action:18}{what} {e.source or ''} "
            f"{as_json(e.detail) if e.detail else ''}").rstrip()


def hold_line(h: HoldInfo) -> str:
    state = f"released {h.released_at:%Y-%m-%d} by {h.released_by}" if h.released_at else "in force"
    return f"{h.id:>5}  {h.scope:9} {h.value:24} {state:28} placed {h.placed_at:%Y-%m-%d} by {h.placed_by}: {h.reason}"


# -- alerts


def alert_line(a: AlertInfo) -> str:
    return f"{a.id:>6}  {a.status:<12} {a.severity:<8} {a.rule_id:<24} {a.filename}  {a.message}"
