"""The audit log: ``record`` is the one place an action's entry is written, ``denied`` the one
place a refusal is, and ``log`` reads it (``csv`` writes a page of it for a spreadsheet).

An entry is one INSERT. Reads are recorded after what they read was built (an export that fails to
be written is not logged as exported), refusals with what was refused and why.
"""

from __future__ import annotations

from typing import Any

from voxsight import csvcells
from voxsight.errors import Forbidden
from voxsight.operations.actor import Actor, require
from voxsight.site import Site
from voxsight.store.accounts import Action, AuditPage, Door, Role

CSV_HEADER = ("id", "at", "actor", "action", "door", "recording_id", "source", "detail")


def record(site: Site, actor: Actor, action: Action, recording_id: int | None = None, **detail: Any) -> None:
    """Append what ``actor`` did, through which door and from where."""
    site.store.accounts.audit(actor.name, Action(action), recording_id, actor.source, detail, actor.door)


def denied(site: Site, refusal: Forbidden, actor: Actor | None, door: Door, source: str | None,
           **detail: Any) -> None:
    """Append a request the role or a policy refused: who (or ``-`` when the door could not tell),
    what they asked (``detail``: the door's path and method), the role it needed and why."""
    site.store.accounts.audit(actor.name if actor else "-", Action.DENIED, None, source,
                              {**detail, "needed": refusal.needed, "reason": str(refusal)},
                              actor.door if actor else door)


def log(site: Site, actor: Actor, limit: int = 100, before_id: int | None = None, by: str | None = None,
        action: str | None = None) -> AuditPage:
    """The audit log, newest first, filtered by who acted (``by``) and by action; admins only."""
    require(actor, Role.ADMIN)
    return site.store.accounts.audit_log(limit, before_id, by or None, action or None)


def csv(page: AuditPage) -> str:
    """A page of the log as CSV. Its actors are any name someone tried to sign in with, so every
    cell is one a spreadsheet shows as data (``csvcells``)."""
    return csvcells.dumps(CSV_HEADER, ([e.id, e.at.isoformat(), e.actor, e.action, e.door, e.recording_id, e.source,
                                        e.detail] for e in page.entries))
