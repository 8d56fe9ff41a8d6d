"""Compliance actions on what is stored: stored analyses brought under the redaction policy in
force, legal holds, erasure on request, and retention. Admins only, at every door; each action is one audit
entry with ids and counts, never content. Erasing what a hold names is refused with its reason."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Callable

from voxsight import compliance
from voxsight.compliance import BackfillSummary, ErasureSummary, RetentionSummary
from voxsight.errors import NotFound
from voxsight.operations.actor import Actor, require
from voxsight.operations.audit import record
from voxsight.site import Site
from voxsight.store.accounts import Action, Role
from voxsight.store.compliance import HOLD_SCOPES, HoldInfo


def redact_backfill(site: Site, actor: Actor, since: datetime | None = None, batch: int = 100,
                    progress: Callable[[int], None] | None = None) -> BackfillSummary:
    """Redact stored analyses (finished since ``since``) and their audio under the policy in force
    (``voxsight.compliance.backfill``), then remove every cached page (one cached before may hold a
    value); audited with what it changed."""
    require(actor, Role.ADMIN)
    done = compliance.backfill(site.config, site.store, since, batch, progress)
    purged = site.cache.purge()
    record(site, actor, Action.REDACTION_BACKFILL, since=since.isoformat() if since else None,
           entities=list(site.config.redaction.entities), cached_pages_removed=purged, **asdict(done))
    return done


def holds(site: Site, actor: Actor, include_released: bool = False) -> list[HoldInfo]:
    """The legal holds in force (or all), newest first."""
    require(actor, Role.ADMIN)
    return site.store.compliance.holds(include_released)


def place_hold(site: Site, actor: Actor, scope: str, value: str, reason: str) -> HoldInfo:
    """Hold one recording, or every call of a customer or an agent, until released.

    Raises:
        ValueError: no such scope, an empty value or reason.
        NotFound: a recording hold names no recording.
    """
    require(actor, Role.ADMIN)
    value, reason = str(value).strip(), reason.strip()
    if scope not in HOLD_SCOPES or not value or not reason:
        raise ValueError(f"a hold names a {' or '.join(HOLD_SCOPES)} and gives a reason")
    if scope == "recording" and (not value.isdigit() or site.store.recordings.get(int(value)) is None):
        raise NotFound(f"no recording {value}")
    hold = site.store.compliance.place_hold(scope, value, reason, actor.login)
    record(site, actor, Action.HOLD_PLACE, int(value) if scope == "recording" else None,
           hold_id=hold.id, scope=scope, value=value, reason=reason)
    return hold


def release_hold(site: Site, actor: Actor, hold_id: int) -> HoldInfo:
    """Release a hold: what it named may be erased again (and expire).

    Raises:
        NotFound: no such hold.
    """
    require(actor, Role.ADMIN)
    hold = site.store.compliance.release_hold(hold_id, actor.login)
    if hold is None:
        raise NotFound(f"no hold {hold_id}")
    record(site, actor, Action.HOLD_RELEASE, int(hold.value) if hold.scope == "recording" else None, hold_id=hold_id)
    return hold


def erase(site: Site, actor: Actor, recording_id: int | None = None, customer: str | None = None,
          meta: tuple[str, str] | None = None, dry_run: bool = False) -> ErasureSummary:
    """Erase one recording, every call of a customer, or every call whose metadata has KEY = VALUE:
    audio (every copy), transcripts, index entries, alerts, notifications and jobs, then every cached
    page. Held recordings, and those a worker is analyzing, are refused and left whole. Audited with
    the request, the ids and counts erased and the refusals, never content. ``dry_run``: what it
    would erase and refuse, with nothing removed; audited as a preview.

    Raises:
        ValueError: not exactly one of ``recording_id``, ``customer``, ``meta``.
    """
    require(actor, Role.ADMIN)
    if sum(x is not None for x in (recording_id, customer, meta)) != 1:
        raise ValueError("erase names exactly one of: a recording, a customer, a metadata KEY=VALUE")
    asked = {"recording": recording_id} if recording_id is not None else \
        {"customer": customer} if customer is not None else {"meta": dict([meta])}
    named = site.store.compliance.matching(recording_id, ("customer", customer) if customer is not None else meta)
    done = compliance.erase(site.config, site.store, named, dry_run)
    purged = site.cache.purge() if done.erased and not dry_run else 0
    record(site, actor, Action.ERASE_PREVIEW if dry_run else Action.ERASE, None, **asked,
           erased=[{k: v for k, v in asdict(e).items() if k != "audio_paths"} for e in done.erased],
           refused=[asdict(r) for r in done.refused], audio_files=done.audio_files, cached_pages_removed=purged)
    return done


def retention_run(site: Site, actor: Actor) -> RetentionSummary:
    """Remove what the retention policy says has expired (``voxsight.compliance.retention``), held
    calls aside; when anything went, every cached page too, and one audit entry with the counts."""
    require(actor, Role.ADMIN)
    done = compliance.retention(site.config, site.store)
    if done.removed:
        purged = site.cache.purge() if done.recordings or done.alerts else 0
        record(site, actor, Action.RETENTION_PURGE, None, **asdict(done), cached_pages_removed=purged,
               days={k: d for k, d in site.config.retention.kinds().items() if d})
    return done
