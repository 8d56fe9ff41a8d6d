"""Administration: users, tokens, the audit log, alert rules; and, for everyone who works the
queue, the live workers and models in use. Each route is a call into ``voxsight.operations``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from voxsight.operations import Action, accounts, audit as audit_log, machinery, rules
from voxsight.store.accounts import AuditPage, TokenInfo, UserInfo
from voxsight.webui import files, schemas
from voxsight.webui.deps import Admin, Analyst, Id, OptionalId, SiteDep, Supervisor, Viewer
from voxsight.webui.errors import problems

router = APIRouter(tags=["admin"])


# -- users and tokens

@router.get("/users", response_model=list[UserInfo])
def users(who: Admin, site: SiteDep):
    return accounts.users(site, who.actor)


@router.post("/users", response_model=UserInfo, status_code=201, responses=problems(409))
def add_user(body: schemas.UserCreate, who: Admin, site: SiteDep):
    return accounts.add_user(site, who.actor, body.name, body.role, body.password)


@router.post("/users/{name}/disable", status_code=204, responses=problems(404))
def disable_user(name: str, who: Admin, site: SiteDep):
    """Stop the user's sign-ins, and end every session and token of theirs, at once. An admin cannot
    disable themselves (403)."""
    accounts.disable_user(site, who.actor, name)
    return Response(status_code=204)


@router.post("/users/{name}/password", status_code=204, responses=problems(404))
def reset_password(name: str, body: schemas.PasswordReset, who: Admin, site: SiteDep):
    """Set the user's password; every session and token of theirs ends."""
    accounts.set_password(site, who.actor, name, body.password)
    return Response(status_code=204)


@router.post("/users/{name}/sign-out", status_code=204, responses=problems(404))
def sign_out_everywhere(name: str, who: Admin, site: SiteDep):
    """End every console session of the user (their tokens stay: revoke them through /tokens)."""
    accounts.sign_out_everywhere(site, who.actor, name)
    return Response(status_code=204)


@router.get("/tokens", response_model=list[TokenInfo])
def tokens(who: Admin, site: SiteDep):
    return accounts.tokens(site, who.actor)


@router.post("/tokens", response_model=schemas.TokenCreated, status_code=201, responses=problems(404))
def create_token(body: schemas.TokenCreate, who: Admin, site: SiteDep):
    """A bearer token acting as ``user``; its secret is in this answer only. It expires after
    ``expires_in_days``, by default the site's ``web.token_days``, or never with ``never_expires``."""
    expires_in_s = accounts.NEVER if body.never_expires else body.expires_in_days and body.expires_in_days * 86400
    secret, info = accounts.create_token(site, who.actor, body.user, body.name, expires_in_s)
    return {"token": secret, "info": info}


@router.delete("/tokens/{token_id}", status_code=204, responses=problems(404))
def revoke_token(token_id: Id, who: Admin, site: SiteDep):
    accounts.revoke_token(site, who.actor, token_id)
    return Response(status_code=204)


@router.get("/audit", response_model=AuditPage, responses={200: {"content": {"text/csv": {}}}})
def audit(who: Admin, site: SiteDep,
          actor: Annotated[str | None, Query(max_length=128)] = None,
          action: Annotated[str | None, Query(max_length=64)] = None,
          before_id: OptionalId = None, limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
          format: Annotated[str, Query(pattern="^(json|csv)$")] = "json"):
    """The audit log, newest first: who did what, through which door, to which recording, when, from where."""
    page = audit_log.log(site, who.actor, limit, before_id, actor, action)
    if format == "csv":
        written = files.download(audit_log.csv(page), "text/csv; charset=utf-8", "audit.csv")
        who.audit(site, Action.AUDIT_EXPORT, entries=len(page.entries))  # once it is written
        return written
    return page


# -- rules

@router.get("/rules", response_model=schemas.RulesCheck)
def current_rules(who: Supervisor, site: SiteDep):
    """The rules in force (the file workers read), checked."""
    return rules.in_force(site, who.actor)


@router.get("/rules/text", response_class=Response, responses={200: {"content": {"text/yaml": {}}}})
def rules_text(who: Supervisor, site: SiteDep):
    return Response(rules.text(site, who.actor), media_type="text/yaml")


@router.post("/rules/check", response_model=schemas.RulesCheck)
def check_rules(body: schemas.RulesText, who: Admin, site: SiteDep):
    """Validate a rules file without putting it in force."""
    return rules.check(site, who.actor, body.text)


@router.put("/rules", response_model=schemas.RulesCheck, responses=problems(422))
def replace_rules(body: schemas.RulesText, who: Admin, site: SiteDep):
    """Put new rules in force: validated first (a broken file is refused, the old rules stay), then
    written in one rename; workers re-read the file when it changes."""
    return rules.put_in_force(site, who.actor, body.text)


# -- the machinery

@router.get("/workers", response_model=schemas.Workers)
def workers(who: Analyst, site: SiteDep):
    """Live workers, the queue's depth per priority and the jobs in SQL by state."""
    return machinery.workers(site, who.actor)


@router.get("/models", response_model=schemas.Models)
def models_in_use(who: Viewer, site: SiteDep):
    """The models results come from. A synthetic SenseVoice (random weights) is flagged: its
    emotions, events and SenseVoice words mean nothing."""
    return machinery.models_in_use(site, who.actor)
