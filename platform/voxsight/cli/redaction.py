"""``redact``: the redaction policy in force tried on text, before it is in force on calls; and
``redact --backfill``: stored analyses and their audio brought under it."""

from __future__ import annotations

import argparse
from dataclasses import asdict

from voxsight import config as config_module
from voxsight.cli import render
from voxsight.cli.db import moment, open_site


def add_commands(commands) -> None:
    redact = commands.add_parser("redact", help="print text as the redaction policy (redaction.*) stores it; "
                                                "--backfill: redact what is stored")
    redact.add_argument("texts", nargs="*", metavar="TEXT")
    redact.add_argument("--language", choices=("auto", "zh", "en"), default="auto",
                        help="which numerals and words to read (default: both)")
    redact.add_argument("--json", action="store_true",
                        help='one {"text", "redacted", "entities": [{"type", "start", "end"}]} per TEXT')
    redact.add_argument("--backfill", action="store_true",
                        help="redact stored analyses (text, index, alerts, notifications) and their audio, in batches")
    redact.add_argument("--since", type=moment, help="with --backfill: only analyses finished since (ISO 8601)")
    redact.add_argument("--batch", type=int, default=100, help="with --backfill: analyses per batch (default 100)")
    redact.add_argument("--db", help="database URL (default: from configuration)")
    redact.set_defaults(run=_redact)


def _redact(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight import redaction

    if args.backfill:
        return _backfill(args, config)
    if not args.texts:
        render.note("redact: give TEXT to try the policy on, or --backfill to redact what is stored")
        return 2
    policy = config.redaction
    for text in args.texts:
        done = redaction.redact(text, args.language, policy.entities, policy.mask)
        if args.json:
            print(render.as_json({"text": text, "redacted": done.text, "entities": [asdict(e) for e in done.entities]}))
        else:
            print(done.text)
    return 0


def _backfill(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight.operations import Actor, Door, compliance

    if args.texts or args.batch < 1:
        render.note("redact --backfill takes no TEXT, and --batch is at least 1")
        return 2
    done = compliance.redact_backfill(open_site(args, config, cache=True), Actor.local(Door.CLI), args.since, args.batch,
                                      lambda n: render.note(f"{n} analyses read"))
    print(f"{done.analyses} analyses read: {done.segments} segments and {done.alerts} alerts redacted again; "
          f"{done.audio} redacted audio copies written, {done.originals_deleted} originals deleted"
          + (f"; {done.audio_failed} stored recordings could not be decoded" if done.audio_failed else ""))
    return 0
