"""The audit log: ``record`` is the one place an action's entry is written, and ``log`` reads it."""

from __future__ import annotations

from typing import Any

from voxsight.operations.actor import Actor, require
from voxsight.site import Site
from voxsight.store.accounts import Action, AuditPage, Role


def record(site: Site, actor: Actor, action: Action, recording_id: int | None = None, **detail: Any) -> None:
    """Append what ``actor`` did, through which door and from where."""
    site.store.accounts.audit(actor.name, Action(action), recording_id, actor.source, detail, actor.door)


def log(site: Site, actor: Actor, limit: int = 100, before_id: int | None = None, by: str | None = None,
        action: str | None = None) -> AuditPage:
    """The audit log, newest first, filtered by who acted (``by``) and by action; admins only."""
    require(actor, Role.ADMIN)
    return site.store.accounts.audit_log(limit, before_id, by or None, action or None)
