"""The alert rules in force (the file workers read): read them, check a text, put one in force.

Putting rules in force validates them first (a broken file is refused and the rules in force
stay), then writes them in one rename; workers re-read the file when it changes.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from voxsight import rules
from voxsight.operations.actor import Actor, require
from voxsight.operations.audit import record
from voxsight.site import Site
from voxsight.store.accounts import Action, Role


@dataclass(frozen=True)
class RulesCheck:
    """A rules file checked: its version and rule ids when it validates, else ``FILE:LINE: reason``."""

    ok: bool
    version: str | None = None
    rules: tuple[str, ...] = ()
    error: str | None = None


def in_force(site: Site, actor: Actor) -> RulesCheck:
    """The rules workers read, checked."""
    require(actor, Role.SUPERVISOR)
    return check_text(lambda: rules.load(site.config.alerts.rules_file))


def text(site: Site, actor: Actor) -> str:
    """The rules file workers read, as written."""
    require(actor, Role.SUPERVISOR)
    return Path(site.config.alerts.rules_file).read_text(encoding="utf-8")


def check(site: Site, actor: Actor, text: str) -> RulesCheck:
    """Validate rules without putting them in force."""
    require(actor, Role.ADMIN)
    return check_text(lambda: rules.parse(text, site.config.alerts.rules_file))


def put_in_force(site: Site, actor: Actor, text: str) -> RulesCheck:
    """Validate ``text`` and make it the rules file workers read, in one rename.

    Raises:
        RulesError: it does not validate; the rules in force stay.
    """
    require(actor, Role.ADMIN)
    ruleset = rules.parse(text, site.config.alerts.rules_file)
    target = Path(site.config.alerts.rules_file)
    fd, staged = tempfile.mkstemp(dir=target.parent, prefix=".rules-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(staged, target)
    ids = [r.id for r in ruleset.rules]
    record(site, actor, Action.RULES_UPDATE, version=ruleset.version, rules=ids)
    return RulesCheck(True, ruleset.version, tuple(ids))


def check_text(load: Callable[[], rules.Ruleset]) -> RulesCheck:
    """What ``load`` makes of a rules file: a ``RulesError`` is the answer "no", not an error."""
    try:
        ruleset = load()
    except rules.RulesError as exc:
        return RulesCheck(False, error=str(exc))
    return RulesCheck(True, ruleset.version, tuple(r.id for r in ruleset.rules))
