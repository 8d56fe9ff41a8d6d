"""The ``voxsight`` command: a thin shell over the library.

    voxsight analyze PATH... [--meta KEY=VALUE ...] [--json] [--channels mix|split]
                     [--language auto|zh|en|yue|ja|ko] [--words auto|sensevoice|whisper] [--translate] [--db URL]
    voxsight demo [PATH...]
    voxsight models import SRC | verify | synth DIR --size tiny|full | download DIR [--whisper NAME]
    voxsight db upgrade
    voxsight serve [--host H] [--port P]
    voxsight site [--host H] [--port P] [--channels mix|split]
    voxsight submit PATH... [--meta KEY=VALUE ...] [--priority high|normal] [--json]
    voxsight jobs [--status S] [--json] | job ID [--json] | workers [--json]
    voxsight recording ID --meta KEY=VALUE ... [--json]
    voxsight worker [--device cuda:0|cpu] [--concurrency N]
    voxsight redact [--language auto|zh|en] [--json] TEXT...
    voxsight redact --backfill [--since WHEN] [--batch N]
    voxsight hold place --recording ID|--customer ID|--agent NAME --reason TEXT | hold release ID | hold list [--all]
    voxsight erase --recording ID | --customer ID | --meta KEY=VALUE [--json]
    voxsight retention run [--json]
    voxsight agents enroll NAME FILE... | agents learn NAME [--calls N] | agents list | agents forget NAME
    voxsight search QUERY [--emotion E] [--language L] [--role R] [--event E] [--agent A] [--queue Q] [--json]
    voxsight users add|list|disable|password | tokens create|list|revoke | audit [--json]
    voxsight rules check FILE | rules backfill [--since WHEN]
    voxsight alerts [--status S] [--severity S] [--json] | alerts ack|resolve ID --comment TEXT [--by NAME]
    voxsight alerts deliver
    voxsight report --from DAY --to DAY [--by day|week|agent|queue|language] [--format table|csv|json]

One module per group of commands (``analyze``, ``models``, ``db``, ``jobs``, ``search``,
``accounts``, ``alerts``, ``redaction``, ``compliance``, ``agents``): each adds its parsers, and each command parses its arguments, calls the
library and hands the result to ``render``. Anything a command does, code can do with the same
library calls. Errors become exit codes here, in one place. Model libraries (torch, funasr,
faster-whisper) and the worker are imported inside the commands that run them: importing this
package, and running the commands that only read the store, loads none of them.
"""

from __future__ import annotations

import argparse
import logging
import sys

from voxsight import audio, config as config_module
from voxsight.cli import (accounts, agents, alerts, analyze, compliance, db, jobs, models, redaction, render,
                          search, serve, site)
from voxsight.errors import AlertError, NotFound, RulesError, VoxsightError


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    _quiet_logging()
    audio.preload_in_decoder(__name__)
    try:
        config = config_module.load(args.config)
        return args.run(args, config)
    except VoxsightError as exc:
        render.note(exc)
        return exit_code(exc, args)
    except KeyboardInterrupt:
        return 130


def exit_code(exc: Exception, args: argparse.Namespace) -> int:
    """The one place an error becomes an exit status.

    1: the command ran and its answer is no: a rules file that does not validate (``rules check``),
    a job or an alert that does not exist, an alert that cannot take the step asked.
    2: the command could not run as asked: configuration, models, database, queue, a user or token
    request the store refuses (an unknown name included), rules that cannot be applied.
    """
    if isinstance(exc, AlertError) or (isinstance(exc, NotFound) and args.command in ("job", "alerts", "hold", "agents")):
        return 1
    if isinstance(exc, RulesError) and args.command == "rules" and args.action == "check":
        return 1
    return 2


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="voxsight", description="Offline speech analytics for calls.")
    parser.add_argument("--config", help="YAML configuration (default: configs/voxsight.yaml or $VOXSIGHT_CONFIG)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # In the order `voxsight --help` lists them.
    analyze.add_commands(commands)  # analyze, demo
    models.add_commands(commands)
    jobs.add_commands(commands)  # submit, jobs, job
    search.add_commands(commands)
    redaction.add_commands(commands)
    compliance.add_commands(commands)  # hold, erase, retention
    agents.add_commands(commands)  # agents enroll, learn, list, forget
    jobs.add_worker_commands(commands)  # workers, worker
    accounts.add_commands(commands)  # users, tokens, audit
    alerts.add_commands(commands)  # rules, alerts, report
    serve.add_commands(commands)
    site.add_commands(commands)
    db.add_commands(commands)
    return parser


def _quiet_logging() -> None:
    """Warnings and errors only, and none of funasr's chatter (it logs on the root logger)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("voxsight: %(levelname)s: %(message)s"))
    handler.addFilter(lambda record: record.levelno >= logging.ERROR or "/funasr/" not in record.pathname)
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
