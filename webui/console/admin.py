"""Admin: the machinery (live workers, the queue, jobs by state), the models results come from
(a synthetic one flagged loudly), the alert rules (view, validate, put in force), users and their
tokens, legal holds and erasure, agents' voiceprints, and the audit log. Each function checks the page's role (admin) and calls the operation
the API's admin routes call (``voxsight.operations``), which checks, applies the policy and audits.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from voxsight.operations import accounts, audit, compliance, machinery as machines, rules, voiceprints as prints
from voxsight.results import SYNTHETIC_WARNING
from voxsight.site import Site
from voxsight.compliance import ErasureSummary
from voxsight.store.accounts import AuditPage, Role, TokenInfo, UserInfo
from voxsight.store.compliance import HoldInfo
from voxsight.store.voiceprints import VoiceprintInfo
from voxsight.webui.console.access import require
from voxsight.webui.deps import Caller

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
    now = machines.workers(site, require(who, Role.ADMIN))
    running = [j.to_json() for j in site.store.jobs.list("running", 50)]
    return Machinery(now["mode"], now["workers"], now["queue"], now["jobs"], running)


def models_in_use(site: Site, who: Caller) -> ModelsInUse:
    actor = require(who, Role.ADMIN)
    m = machines.models_in_use(site, actor)
    workers = machines.workers(site, actor)["workers"]
    return ModelsInUse(m["sensevoice"], m["whisper"], m["words"],
                       tuple(dict.fromkeys(w.get("model_id", "") for w in workers if w.get("model_id"))))


# -- rules

def rules_text(site: Site, who: Caller) -> str:
    return rules.text(site, require(who, Role.ADMIN))


def rules_in_force(site: Site, who: Caller) -> dict[str, Any]:
    """The rules file workers read, checked: ok, version and rule ids, or the error."""
    return _check(rules.in_force(site, require(who, Role.ADMIN)))


def check_rules(site: Site, who: Caller, text: str) -> dict[str, Any]:
    """Validate rules without putting them in force: ok, version and rule ids, or ``FILE:LINE: reason``."""
    return _check(rules.check(site, require(who, Role.ADMIN), text))


def put_rules_in_force(site: Site, who: Caller, text: str) -> dict[str, Any]:
    """Validate and write the rules workers read (they reload a changed file before each evaluation).

    Raises:
        rules.RulesError: they do not validate; the rules in force stay.
    """
    return _check(rules.put_in_force(site, require(who, Role.ADMIN), text))


def _check(check: rules.RulesCheck) -> dict[str, Any]:
    return {**asdict(check), "rules": list(check.rules)}


# -- users and tokens

def users(site: Site, who: Caller) -> list[UserInfo]:
    return accounts.users(site, require(who, Role.ADMIN))


def add_user(site: Site, who: Caller, name: str, role: str, password: str) -> UserInfo:
    """Raises AccountError (a ValueError) for a taken name, or a name, role or password the store refuses."""
    return accounts.add_user(site, require(who, Role.ADMIN), name.strip(), role, password or None)


def disable_user(site: Site, who: Caller, name: str) -> int:
    """Every session and token of the user ends; returns how many. Raises Forbidden for the admin themselves."""
    return accounts.disable_user(site, require(who, Role.ADMIN), name)


def set_password(site: Site, who: Caller, name: str, password: str) -> int:
    """Every session and token of the user ends; returns how many."""
    return accounts.set_password(site, require(who, Role.ADMIN), name, password)


def sign_out_everywhere(site: Site, who: Caller, name: str) -> int:
    """Every console session of the user ends (tokens stay); returns how many."""
    return accounts.sign_out_everywhere(site, require(who, Role.ADMIN), name)


def tokens(site: Site, who: Caller) -> list[TokenInfo]:
    return accounts.tokens(site, require(who, Role.ADMIN))


def create_token(site: Site, who: Caller, user: str, label: str, expires_in_days: float | None) -> tuple[str, TokenInfo]:
    """A bearer token acting as ``user``; the secret is returned here only. ``expires_in_days``
    None: the site's ``web.token_days``; 0: never."""
    actor = require(who, Role.ADMIN)
    if expires_in_days is not None and not 0 <= expires_in_days <= 3650:
        raise ValueError("expires_in_days: a token expires within 3650 days (0: never)")
    expires_in_s = None if expires_in_days is None else expires_in_days * 86400 or accounts.NEVER
    return accounts.create_token(site, actor, user, label.strip() or user, expires_in_s)


def revoke_token(site: Site, who: Caller, token_id: int) -> None:
    accounts.revoke_token(site, require(who, Role.ADMIN), token_id)


def holds(site: Site, who: Caller) -> list[HoldInfo]:
    return compliance.holds(site, require(who, Role.ADMIN), include_released=True)


def place_hold(site: Site, who: Caller, scope: str, value: str, reason: str) -> HoldInfo:
    return compliance.place_hold(site, require(who, Role.ADMIN), scope, value, reason)


def release_hold(site: Site, who: Caller, hold_id: int) -> HoldInfo:
    return compliance.release_hold(site, require(who, Role.ADMIN), hold_id)


ERASE_BY = ("recording", "customer", "metadata KEY=VALUE")


def erase(site: Site, who: Caller, by: str, value: str, dry_run: bool = False) -> ErasureSummary:
    """Erase what the form names: a recording by its number, a customer's calls, or the calls whose
    metadata has KEY=VALUE; ``dry_run`` (the Preview button): what would go, with nothing removed."""
    actor, value = require(who, Role.ADMIN), value.strip()
    if by == "recording":
        if not value.isdigit():
            raise ValueError("a recording is named by its number")
        return compliance.erase(site, actor, recording_id=int(value), dry_run=dry_run)
    if by == "customer":
        return compliance.erase(site, actor, customer=value or None, dry_run=dry_run)
    key, sep, wanted = value.partition("=")
    if not sep or not key.strip():
        raise ValueError("metadata is named as KEY=VALUE")
    return compliance.erase(site, actor, meta=(key.strip(), wanted.strip()), dry_run=dry_run)


def voiceprints(site: Site, who: Caller) -> list[VoiceprintInfo]:
    """Whose voiceprints are kept (never the prints); shown on request, since each listing is audited."""
    return prints.listed(site, require(who, Role.ADMIN))


def forget_voiceprint(site: Site, who: Caller, agent: str) -> None:
    prints.forget(site, require(who, Role.ADMIN), agent)


def audit_log(site: Site, who: Caller, actor: str = "", action: str = "", before_id: int | None = None) -> AuditPage:
    return audit.log(site, require(who, Role.ADMIN), AUDIT_PAGE, before_id, actor.strip(), action.strip())
