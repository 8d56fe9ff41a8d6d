"""Compliance actions on what is stored: bringing stored analyses under the redaction policy in
force. Admins only, at every door; each run is one audit entry with its counts, never content."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Callable

from voxsight import compliance
from voxsight.compliance import BackfillSummary
from voxsight.operations.actor import Actor, require
from voxsight.operations.audit import record
from voxsight.site import Site
from voxsight.store.accounts import Action, Role


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
