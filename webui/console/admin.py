"""Admin: the machinery (live workers, the queue, jobs by state), the models results come from
(a synthetic one flagged loudly), the alert rules (view, validate, put in force), users and their
tokens, and the audit log. The same library calls and checks as the API's admin routes; every
change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from voxsight import rules
from voxsight.results import SYNTHETIC_WARNING
from voxsight.store.accounts import AuditPage, Role, TokenInfo, UserInfo
from voxsight.webui import schemas
from voxsight.webui.console.access import require
from voxsight.site import Site
from voxsight.webui.deps import Caller
from voxsight.webui.routes.admin import check_rules_text, describe_models, describe_workers, write_rules

AUDIT_PAGE = 100


@dataclass(frozen=True)
class Machinery:
    mode: str  # "redis" (a shared queue and its workers) or "embedded" (SQL only, a worker beside the server)
    workers: list[dict[str, Any]]
    queue: dict[str, dict[str, int]]  # per priority: waiting, in_hand
    jobs: dict[str, int]  # jobs in SQL by state
    running: list[dict[str, Any]]  # running jobs, with the worker holding each


@dataclass(frozen=True)
class ModelsInUse:
    sensevoice: dict[str, Any]
    whisper: dict[str, Any] | None
    words: str
    worker_models: tuple[str, ...]  # what the live workers report they loaded

    @property
    def synthetic(self) -> bool:
        return bool(self.sensevoice.get("synthetic")) or any("synthetic" in m for m in self.worker_models)

    @property
    def warning(self) -> str | None:
        return SYNTHETIC_WARNING if self.synthetic else None


def machinery(site: Site, who: Caller) -> Machinery:
    require(who, Role.ADMIN)
    now = describe_workers(site)
    running = [j.to_json() for j in site.store.jobs.list("running", 50)]
    return Machinery(now["mode"], now["workers"], now["queue"], now["jobs"], running)


def models_in_use(site: Site, who: Caller) -> ModelsInUse:
    require(who, Role.ADMIN)
    m = describe_models(site)
    workers = describe_workers(site)["workers"]
    return ModelsInUse(m["sensevoice"], m["whisper"], m["words"],
                       tuple(dict.fromkeys(w.get("model_id", "") for w in workers if w.get("model_id"))))


# -- rules

def rules_text(site: Site, who: Caller) -> str:
    require(who, Role.ADMIN)
    return Path(site.config.alerts.rules_file).read_text(encoding="utf-8")


def rules_in_force(site: Site, who: Caller) -> dict[str, Any]:
    """The rules file workers read, checked: ok, version and rule ids, or the error."""
    require(who, Role.ADMIN)
    return check_rules_text(lambda: rules.load(site.config.alerts.rules_file))


def check_rules(site: Site, who: Caller, text: str) -> dict[str, Any]:
    """Validate rules without putting them in force: ok, version and rule ids, or ``FILE:LINE: reason``."""
    require(who, Role.ADMIN)
    return check_rules_text(lambda: rules.parse(text, site.config.alerts.rules_file))


def put_rules_in_force(site: Site, who: Caller, text: str) -> dict[str, Any]:
    """Validate and write the rules workers read (they reload a changed file before each evaluation).

    Raises:
        rules.RulesError: they do not validate; the rules in force stay.
    """
    require(who, Role.ADMIN)
    ruleset = write_rules(site, text)
    who.audit(site, "rules_update", version=ruleset.version, rules=[r.id for r in ruleset.rules], via="console")
    return {"ok": True, "version": ruleset.version, "rules": [r.id for r in ruleset.rules], "error": None}


# -- users and tokens

def users(site: Site, who: Caller) -> list[UserInfo]:
    require(who, Role.ADMIN)
    return site.store.accounts.users()


def add_user(site: Site, who: Caller, name: str, role: str, password: str) -> UserInfo:
    """Raises ValueError for a name, role or password the API would refuse too (AccountError: taken)."""
    require(who, Role.ADMIN)
    try:
        body = schemas.UserCreate(name=name.strip(), role=role, password=password or None)
    except ValidationError as exc:
        raise ValueError("; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in exc.errors())) from None
    user = site.store.accounts.add_user(body.name, body.role, body.password)
    who.audit(site, "user_add", user=body.name, role=body.role, via="console")
    return user


def disable_user(site: Site, who: Caller, name: str) -> None:
    require(who, Role.ADMIN)
    if name == who.user.name:
        raise ValueError("you cannot disable yourself: another admin can")
    site.store.accounts.disable_user(name)
    who.audit(site, "user_disable", user=name, via="console")


def set_password(site: Site, who: Caller, name: str, password: str) -> None:
    require(who, Role.ADMIN)
    try:
        schemas.UserCreate(name=name, role="viewer", password=password)
    except ValidationError as exc:
        raise ValueError("; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in exc.errors())) from None
    site.store.accounts.set_password(name, password)
    who.audit(site, "user_password", user=name, via="console")


def tokens(site: Site, who: Caller) -> list[TokenInfo]:
    require(who, Role.ADMIN)
    return site.store.accounts.tokens()


def create_token(site: Site, who: Caller, user: str, label: str, expires_in_days: float | None) -> tuple[str, TokenInfo]:
    """A bearer token acting as ``user``; the secret is returned here only."""
    require(who, Role.ADMIN)
    try:
        body = schemas.TokenCreate(user=user, name=label.strip() or user, expires_in_days=expires_in_days or None)
    except ValidationError as exc:
        raise ValueError("; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in exc.errors())) from None
    secret, info = site.store.accounts.create_token(
        body.user, body.name, body.expires_in_days * 86400 if body.expires_in_days else None)
    who.audit(site, "token_create", user=body.user, token=body.name, token_id=info.id, via="console")
    return secret, info


def revoke_token(site: Site, who: Caller, token_id: int) -> None:
    require(who, Role.ADMIN)
    site.store.accounts.revoke_token(token_id)
    who.audit(site, "token_revoke", token_id=token_id, via="console")


def audit_log(site: Site, who: Caller, actor: str = "", action: str = "", before_id: int | None = None) -> AuditPage:
    require(who, Role.ADMIN)
    return site.store.accounts.audit_log(AUDIT_PAGE, before_id, actor.strip() or None, action.strip() or None)
