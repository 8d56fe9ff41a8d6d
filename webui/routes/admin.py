"""Administration: users, tokens, the audit log, alert rules; and, for everyone who works the
queue, the live workers and models in use."""

from __future__ import annotations

import csv
import json
import io
import os
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from voxsight import models, rules
from voxsight.store.accounts import AuditPage, TokenInfo, UserInfo
from voxsight.webui import schemas
from voxsight.site import Site
from voxsight.webui.deps import Admin, Analyst, Id, OptionalId, SiteDep, Supervisor, Viewer
from voxsight.webui.errors import problems

router = APIRouter(tags=["admin"])


# -- users and tokens

@router.get("/users", response_model=list[UserInfo])
def users(who: Admin, site: SiteDep):
    return site.store.accounts.users()


@router.post("/users", response_model=UserInfo, status_code=201, responses=problems(409))
def add_user(body: schemas.UserCreate, who: Admin, site: SiteDep):
    user = site.store.accounts.add_user(body.name, body.role, body.password)
    who.audit(site, "user_add", user=body.name, role=body.role)
    return user


@router.post("/users/{name}/disable", status_code=204, responses=problems(404))
def disable_user(name: str, who: Admin, site: SiteDep):
    """Stop the user's sign-ins, sessions and tokens at once."""
    site.store.accounts.disable_user(name)
    who.audit(site, "user_disable", user=name)
    return Response(status_code=204)


@router.get("/tokens", response_model=list[TokenInfo])
def tokens(who: Admin, site: SiteDep):
    return site.store.accounts.tokens()


@router.post("/tokens", response_model=schemas.TokenCreated, status_code=201, responses=problems(404))
def create_token(body: schemas.TokenCreate, who: Admin, site: SiteDep):
    """A bearer token acting as ``user``; its secret is in this answer only."""
    secret, info = site.store.accounts.create_token(
        body.user, body.name, body.expires_in_days * 86400 if body.expires_in_days else None)
    who.audit(site, "token_create", user=body.user, token=body.name, token_id=info.id)
    return {"token": secret, "info": info}


@router.delete("/tokens/{token_id}", status_code=204, responses=problems(404))
def revoke_token(token_id: Id, who: Admin, site: SiteDep):
    site.store.accounts.revoke_token(token_id)
    who.audit(site, "token_revoke", token_id=token_id)
    return Response(status_code=204)


@router.get("/audit", response_model=AuditPage, responses={200: {"content": {"text/csv": {}}}})
def audit(who: Admin, site: SiteDep,
          actor: Annotated[str | None, Query(max_length=128)] = None,
          action: Annotated[str | None, Query(max_length=64)] = None,
          before_id: OptionalId = None, limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
          format: Annotated[str, Query(pattern="^(json|csv)$")] = "json"):
    """The audit log, newest first: who did what, to which recording, when, from where."""
    page = site.store.accounts.audit_log(limit, before_id, actor, action)
    if format == "csv":
        who.audit(site, "audit_export", entries=len(page.entries))
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["id", "at", "actor", "action", "recording_id", "source", "detail"])
        for e in page.entries:
            writer.writerow([e.id, e.at.isoformat(), e.actor, e.action, e.recording_id or "", e.source or "",
                             e.detail])
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="audit.csv"'})
    return page


# -- rules

@router.get("/rules", response_model=schemas.RulesCheck)
def current_rules(who: Supervisor, site: SiteDep):
    """The rules in force (the file workers read), checked."""
    return check_rules_text(lambda: rules.load(site.config.alerts.rules_file))


@router.get("/rules/text", response_class=Response, responses={200: {"content": {"text/yaml": {}}}})
def rules_text(who: Supervisor, site: SiteDep):
    return Response(Path(site.config.alerts.rules_file).read_text(encoding="utf-8"), media_type="text/yaml")


@router.post("/rules/check", response_model=schemas.RulesCheck)
def check_rules(body: schemas.RulesText, who: Admin):
    """Validate a rules file without putting it in force."""
    return check_rules_text(lambda: rules.parse(body.text))


@router.put("/rules", response_model=schemas.RulesCheck, responses=problems(422))
def replace_rules(body: schemas.RulesText, who: Admin, site: SiteDep):
    """Put new rules in force: validated first (a broken file is refused, the old rules stay), then
    written in one rename; workers re-read the file when it changes."""
    ruleset = write_rules(site, body.text)
    who.audit(site, "rules_update", version=ruleset.version, rules=[r.id for r in ruleset.rules])
    return {"ok": True, "version": ruleset.version, "rules": [r.id for r in ruleset.rules]}


def write_rules(site: Site, text: str) -> rules.Ruleset:
    """Validate ``text`` and make it the rules file workers read, in one rename.

    Raises:
        rules.RulesError: it does not validate; the rules in force stay.
    """
    ruleset = rules.parse(text, site.config.alerts.rules_file)
    target = Path(site.config.alerts.rules_file)
    fd, staged = tempfile.mkstemp(dir=target.parent, prefix=".rules-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(staged, target)
    return ruleset


def check_rules_text(load) -> dict:
    try:
        ruleset = load()
    except rules.RulesError as exc:
        return {"ok": False, "error": str(exc)}
    return {"ok": True, "version": ruleset.version, "rules": [r.id for r in ruleset.rules]}


# -- the machinery

@router.get("/workers", response_model=schemas.Workers)
def workers(who: Analyst, site: SiteDep):
    """Live workers, the queue's depth per priority and the jobs in SQL by state."""
    return describe_workers(site)


@router.get("/models", response_model=schemas.Models)
def models_in_use(who: Viewer, site: SiteDep):
    """The models results come from. A synthetic SenseVoice (random weights) is flagged: its
    emotions, events and SenseVoice words mean nothing."""
    return describe_models(site)


def describe_workers(site: Site) -> dict:
    counts = site.store.jobs.counts()
    if site.queue is None:
        return {"mode": "embedded", "workers": [], "queue": {}, "jobs": counts}
    return {"mode": "redis", "workers": [w.to_json() for w in site.queue.workers()],
            "queue": {p.value: d.to_json() for p, d in site.queue.depth().items()}, "jobs": counts}


def describe_models(site: Site) -> dict:
    """The models this site's configuration names, read from their manifests (none is loaded)."""
    m = site.config.models
    try:
        sense = models.check_directory(m.sensevoice_dir)
        sensevoice = {"model_id": sense.model_id, "synthetic": sense.synthetic, "directory": str(m.sensevoice_dir)}
    except models.ModelError as exc:
        sensevoice = {"model_id": None, "synthetic": None, "directory": str(m.sensevoice_dir), "error": str(exc)}
    whisper = None
    manifest = Path(m.whisper_dir) / models.MANIFEST_FILE
    if manifest.is_file():
        whisper = {**json.loads(manifest.read_text()), "directory": str(m.whisper_dir)}
    return {"sensevoice": sensevoice, "whisper": whisper, "words": site.config.engine.words}
