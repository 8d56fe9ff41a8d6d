"""One function per action a person can take, under every door: the CLI, the API, the console and
the embedded site call these and only translate arguments in and results out.

Each function takes the ``Site`` and an ``Actor`` (who, with what role, from where, through which
door), checks the role (``actor.require``), applies the one policy, does the action, writes the
audit entry from ``Action``, and returns typed records. A refusal is ``voxsight.errors.Forbidden``
at every door (exit 2, HTTP 403, a console notice).

    actor.py      Actor, require: who acts, and the one role check
    audit.py      record (the one place an entry is written) and the log, for admins
    accounts.py   users, passwords, tokens; signing in and out
    alerts.py     the inbox, one alert, acknowledge and resolve
    rules.py      the rules in force: read, check, put in force
    recordings.py submit (an upload, or files here), the list, a call, its audio, its export, search
    reports.py    call analytics over a period: read, or exported
    machinery.py  the workers, the queue and the models in use
    compliance.py stored analyses and their audio brought under the redaction policy in force
    voiceprints.py agents' voiceprints: enrolled, learned from stereo calls, listed, erased

Nothing here imports the web tier or the CLI; the package imports no model library.
"""

from voxsight.operations.actor import Actor, require
from voxsight.store.accounts import Action, Door

__all__ = ["Action", "Actor", "Door", "require"]
