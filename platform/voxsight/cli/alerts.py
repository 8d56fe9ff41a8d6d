"""``rules``, ``alerts`` and ``report``: what the stored calls raise, and what they add up to.

None of these loads a model: rules are evaluated over stored segments. Alert steps and reports are
calls into ``voxsight.operations`` (``alerts``, ``reports``) as ``cli:<login name>``, audited through
the door ``cli`` like the API's and the console's (a report as CSV is an export).
"""

from __future__ import annotations

import argparse
import sys

from voxsight import config as config_module
from voxsight.cli import render
from voxsight.cli.db import moment, open_site, open_store


def add_commands(commands) -> None:
    from voxsight.rules import SEVERITIES
    from voxsight.store.schema import AlertStatus

    rules = commands.add_parser("rules", help="check alert rules, or apply them again to stored analyses")
    rules_sub = rules.add_subparsers(dest="action", required=True, metavar="ACTION")
    check = rules_sub.add_parser("check", help="validate a rules file (exit 1 with file:line: reason)")
    check.add_argument("file")
    check.set_defaults(run=_rules_check)
    backfill = rules_sub.add_parser("backfill", help="evaluate the rules over stored analyses (no model needed)")
    backfill.add_argument("--since", type=moment, help="only analyses finished since (ISO 8601 date or time)")
    backfill.add_argument("--db", help="database URL (default: from configuration)")
    backfill.set_defaults(run=_rules_backfill)

    alerts = commands.add_parser("alerts", help="list alerts (newest first), acknowledge or resolve one")
    alerts.add_argument("--status", choices=[s.value for s in AlertStatus])
    alerts.add_argument("--severity", choices=SEVERITIES)
    alerts.add_argument("--limit", type=int, default=50)
    alerts.add_argument("--json", action="store_true")
    alerts.add_argument("--db", help="database URL (default: from configuration)")
    alerts.set_defaults(run=_alerts)
    alerts_sub = alerts.add_subparsers(metavar="ACTION")
    for action, verb in (("ack", "acknowledge"), ("resolve", "resolve")):
        step = alerts_sub.add_parser(action, help=f"{verb} an alert")
        step.add_argument("id", type=int)
        step.add_argument("--comment", required=True)
        step.add_argument("--by", help="who (default: the login name)")
        step.add_argument("--json", action="store_true")
        step.set_defaults(run=_alerts_step, action=verb)
    deliver = alerts_sub.add_parser("deliver", help="send the alert notifications waiting in the outbox, now")
    deliver.set_defaults(run=_alerts_deliver)
    for sub in alerts_sub.choices.values():  # --db after the action too; SUPPRESS keeps one given before
        sub.add_argument("--db", default=argparse.SUPPRESS, help="database URL (default: from configuration)")

    report = commands.add_parser("report", help="call analytics over a period")
    report.add_argument("--from", dest="start", type=_day, required=True, help="first day (YYYY-MM-DD)")
    report.add_argument("--to", dest="end", type=_day, required=True, help="last day, included")
    report.add_argument("--by", default="day", choices=("day", "week", "agent", "queue", "language"))
    report.add_argument("--format", default="table", choices=("table", "csv", "json"))
    report.add_argument("--db", help="database URL (default: from configuration)")
    report.set_defaults(run=_report)


def _day(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _rules_check(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight import rules

    ruleset = rules.load(args.file)  # a RulesError, with file:line, is this command's "no" (exit 1)
    print(f"ok: {len(ruleset.rules)} rules, version {ruleset.version}: " + ", ".join(r.id for r in ruleset.rules))
    return 0


def _rules_backfill(args: argparse.Namespace, config: config_module.Config) -> int:
    from datetime import datetime, timedelta, timezone

    from voxsight.alerts import Alerting

    days = config.retention.alerts_days  # a call older than that has had its alerts expire: not raised again
    stored_since = datetime.now(timezone.utc) - timedelta(days=days) if days else None
    done = Alerting(config.alerts, open_store(args, config)).backfill(args.since, stored_since=stored_since)
    print(f"{done.calls} calls evaluated with rules {done.ruleset_version}: {done.opened} alerts opened, "
          f"{done.updated} updated, {done.unchanged} unchanged"
          + (f" (calls stored more than retention.alerts_days = {days} days ago passed over)" if days else ""))
    return 0


def _alerts(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight.operations import Actor, Door, alerts

    page = alerts.inbox(open_site(args, config), Actor.local(Door.CLI), args.status, args.severity, args.limit)
    if args.json:
        print(render.as_json(page.to_json()))
        return 0
    for a in page.items:
        print(render.alert_line(a))
    print(f"{len(page.items)} of {page.total} alert(s)", file=sys.stderr)
    return 0


def _alerts_step(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight.operations import Actor, Door, alerts

    me = Actor.local(Door.CLI)
    by = args.by or me.login
    alert = alerts.take_step(open_site(args, config), me, args.id, args.action, args.comment, by)
    print(render.as_json(alert.to_json()) if args.json else f"alert {alert.id} {alert.status} by {by}")
    return 0


def _alerts_deliver(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight import jobs
    from voxsight.notifications import Dispatcher

    store = open_store(args, config)
    queue = jobs.open_queue(config, store)
    done = Dispatcher(config.alerts, store, queue.redis if queue else None, config.queue.prefix).deliver()
    print(f"{done.delivered} delivered, {done.failed} failed (retried later), {done.published} published")
    return 1 if done.failed else 0


def _report(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight import reports
    from voxsight.operations import Actor, Door, reports as report_operations

    # As at the API and the console: a report read is audited as one; one written out as CSV is an
    # export, audited once it is written.
    site, me = open_site(args, config), Actor.local(Door.CLI)
    if args.format == "csv":
        report_operations.export(site, me, args.start, args.end, args.by,
                                 deliver=lambda built: print(reports.render(built, "csv"), end=""))
    else:
        print(reports.render(report_operations.report(site, me, args.start, args.end, args.by), args.format), end="")
    return 0
