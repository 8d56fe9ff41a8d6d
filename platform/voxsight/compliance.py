"""What is stored, under the policy: redacted again (``voxsight redact --backfill``), erased on
request (``voxsight erase``), and purged when its time is up (``voxsight retention run``, and each
worker every ``retention.every_minutes``).

**Backfill.**
Analyses stored before the policy (or before a kind of entity was added to it) are read again in
bounded batches, each analysis in its own transaction (``Store.redact_stored``): the segments'
text, raw output, words and translation, the search index, what each segment masked and when; the
texts their alerts, alert comments and notifications hold. Cached pages are keyed by the store's
change mark, which an analysis redacted again moves. The stored audio of each call then gets its
redacted copy (from the original, or from the copy itself when only it is left), and the original
goes unless the policy keeps it. Running it again changes nothing more: masks are not personal data.

The audit log is not rewritten: the database refuses any change to it (migration 0007). Search
queries are stored redacted since redaction landed; those logged before stay until the log's own
retention removes them.

**Erasure.** Each recording named is erased in its own transaction (``ComplianceStore.erase``:
refused while a legal hold names it or a worker is analyzing it), then its stored audio, every copy,
is deleted from the storage directory (never a file outside it).

**Retention.** Each kind expires ``retention.<kind>_days`` after its call was stored: the call
itself (erased as above), its alerts, every audio of it, or only its original audio. Held calls are
passed over, and counted. The audit log expires last, and only where calls do (it outlives them).
Expired rows are found a batch at a time and each is removed in its own
transaction, so workers keep running: a call a worker is analyzing is left for the next run. The
audio kinds stat every expired call's files each run (the rows do not say the files are gone).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from voxsight import audio, redacted_audio, redaction
from voxsight.config import Config
from voxsight.errors import AudioError
from voxsight.records import Record
from voxsight.store import Store
from voxsight.store.compliance import Erased, Refused
from voxsight.store.repository import RedactedAgain

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BackfillSummary(Record):
    analyses: int  # read
    segments: int  # whose text changed
    alerts: int  # whose message, triggers, comments or notifications changed
    audio: int  # redacted copies written
    originals_deleted: int
    audio_failed: int = 0  # stored audio that could not be decoded (its text is redacted all the same)


def backfill(config: Config, store: Store, since: datetime | None = None, batch: int = 100,
             progress: Callable[[int], None] | None = None) -> BackfillSummary:
    """Redact every finished analysis (finished since ``since``) and its audio under
    ``config.redaction``; ``progress`` is told how many analyses were read."""
    policy = config.redaction
    totals = dict.fromkeys(("analyses", "segments", "alerts", "audio", "originals_deleted", "audio_failed"), 0)
    after = 0
    while ids := store.alerts.analyses(since, after, batch):
        for analysis_id in ids:
            done = store.redact_stored(analysis_id,
                                       lambda segments: redaction.redact_call(segments, policy.entities, policy.mask),
                                       lambda value: redaction.scrub(value, policy.entities, policy.mask))
            if done is None:  # replaced by a newer analysis meanwhile
                continue
            totals["analyses"] += 1
            totals["segments"] += done.segments_changed
            totals["alerts"] += done.alerts_changed
            if policy.entities:
                _redact_audio(config, store, done, totals)
        after = ids[-1]
        if progress:
            progress(totals["analyses"])
    return BackfillSummary(**totals)


def _redact_audio(config: Config, store: Store, done: RedactedAgain, totals: dict[str, int]) -> None:
    """The call's redacted copy from its newest analysis (an older one's ranges may be fewer)."""
    summary = store.recordings.get(done.recording_id)
    stored = store.recordings.audio_path(done.recording_id)
    if not stored or summary is None or summary.analysis_id != done.analysis_id:  # no audio stored, or not the newest
        return
    copy, source = redacted_audio.copy_of(stored), redacted_audio.readable(stored)
    if source is not None and (not copy.is_file() or done.segments_changed):
        limits = config.audio
        try:
            decoded = audio.decode(source, limits.max_bytes, limits.max_duration_s, timeout_s=limits.decode_timeout_s,
                                   memory_mb=limits.decode_memory_mb)
        except AudioError as exc:
            log.warning("recording %s: its stored audio cannot be redacted: %s", done.recording_id, exc)
            totals["audio_failed"] += 1
            return
        redacted_audio.write(decoded.samples, done.segments, config.redaction, stored)
        totals["audio"] += 1
    totals["originals_deleted"] += redacted_audio.settle(stored, config.redaction)


@dataclass(frozen=True)
class ErasureSummary(Record):
    erased: tuple[Erased, ...]
    refused: tuple[Refused, ...]  # held, or being analyzed: nothing of them was touched
    audio_files: int  # removed from the storage directory


def erase(config: Config, store: Store, recording_ids: list[int], dry_run: bool = False) -> ErasureSummary:
    """Erase these recordings, everything stored of them in SQL and their audio files; ``dry_run``:
    what that would erase and refuse, counted by the same checks, with nothing removed."""
    erased, refused, files = [], [], 0
    for recording_id in recording_ids:
        outcome = store.compliance.erase(recording_id, dry_run)
        if isinstance(outcome, Refused):
            refused.append(outcome)
        elif outcome is not None:
            erased.append(outcome)
            files += _remove_audio(config.storage_dir, outcome.audio_paths, dry_run)
    return ErasureSummary(tuple(erased), tuple(refused), files)


def _remove_audio(storage_dir: Path, paths: tuple[str, ...], dry_run: bool = False) -> int:
    """Remove the content-addressed folders these files lie in: the original, its redacted copy and
    any name it was stored under before; only inside the storage directory. The files counted."""
    removed = 0
    for folder in {Path(p).resolve().parent for p in paths}:
        if not _in_storage(folder, storage_dir) or not folder.is_dir():
            continue
        for file in folder.iterdir():
            if not dry_run:
                file.unlink()
            removed += 1
        if not dry_run:
            folder.rmdir()
    return removed


def _in_storage(path: Path, storage_dir: Path) -> bool:
    """Whether ``path`` lies in the storage directory: nothing outside it is ever deleted."""
    return path.resolve().is_relative_to(storage_dir.resolve())


@dataclass(frozen=True)
class RetentionSummary(Record):
    recordings: int  # erased whole
    alerts: int
    redacted_audio: int  # calls whose every audio file went
    original_audio: int  # calls whose original went (their redacted copy stays)
    held: int  # expired calls a hold kept (each counted once per kind)
    audit_entries: int = 0  # older than retention.audit_days

    @property
    def removed(self) -> bool:
        return bool(self.recordings or self.alerts or self.redacted_audio or self.original_audio or self.audit_entries)


def retention(config: Config, store: Store, now: datetime | None = None) -> RetentionSummary:
    """Remove what ``config.retention`` says has expired, held calls aside."""
    r, now = config.retention, now or datetime.now(timezone.utc)
    totals = dict.fromkeys(("recordings", "alerts", "redacted_audio", "original_audio", "held"), 0)
    for kind, days in r.kinds().items():
        if days:
            _expire[kind](config, store, now - timedelta(days=days), totals)
    if r.audit_days:
        totals["audit_entries"] = store.accounts.expire_audit(now - timedelta(days=r.audit_days), r.batch)
    return RetentionSummary(**totals)


def _expire_recordings(config: Config, store: Store, cutoff: datetime, totals: dict[str, int]) -> None:
    after = 0
    while ids := store.compliance.stored_before(cutoff, after, config.retention.batch):
        done = erase(config, store, ids)
        totals["recordings"] += len(done.erased)
        totals["held"] += sum(r.reason.startswith("held") for r in done.refused)
        after = ids[-1]


def _expire_alerts(config: Config, store: Store, cutoff: datetime, totals: dict[str, int]) -> None:
    after, held = 0, {}
    while found := store.compliance.alerts_before(cutoff, after, config.retention.batch):
        for recording_id in {rid for _, rid in found} - held.keys():
            held[recording_id] = store.compliance.holding(recording_id) is not None
        totals["held"] += len({rid for _, rid in found if held[rid]})
        totals["alerts"] += store.compliance.delete_alerts([aid for aid, rid in found if not held[rid]])
        after = found[-1][0]


def _expire_audio(every: bool) -> Callable[[Config, Store, datetime, dict[str, int]], None]:
    kind = "redacted_audio" if every else "original_audio"

    def expire(config: Config, store: Store, cutoff: datetime, totals: dict[str, int]) -> None:
        after = 0
        while ids := store.compliance.stored_before(cutoff, after, config.retention.batch):
            for recording_id in ids:
                files = [f for p in store.compliance.audio_paths(recording_id)
                         for f in ((Path(p), redacted_audio.copy_of(p)) if every else (redacted_audio.original_of(p),))
                         if f is not None and f.is_file() and _in_storage(f, config.storage_dir)]
                if not files:
                    continue
                if store.compliance.holding(recording_id) is not None:
                    totals["held"] += 1
                    continue
                for f in files:
                    f.unlink(missing_ok=True)
                totals[kind] += 1
            after = ids[-1]
    return expire


_expire = {"recordings": _expire_recordings, "alerts": _expire_alerts,
           "redacted_audio": _expire_audio(every=True), "original_audio": _expire_audio(every=False)}
