"""``redact``: the redaction policy in force tried on text, before it is in force on calls."""

from __future__ import annotations

import argparse
from dataclasses import asdict

from voxsight import config as config_module
from voxsight.cli import render


def add_commands(commands) -> None:
    redact = commands.add_parser("redact", help="print text as the redaction policy (redaction.*) stores it")
    redact.add_argument("texts", nargs="+", metavar="TEXT")
    redact.add_argument("--language", choices=("auto", "zh", "en"), default="auto",
                        help="which numerals and words to read (default: both)")
    redact.add_argument("--json", action="store_true",
                        help='one {"text", "redacted", "entities": [{"type", "start", "end"}]} per TEXT')
    redact.set_defaults(run=_redact)


def _redact(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight import redaction

    policy = config.redaction
    for text in args.texts:
        done = redaction.redact(text, args.language, policy.entities, policy.mask)
        if args.json:
            print(render.as_json({"text": text, "redacted": done.text, "entities": [asdict(e) for e in done.entities]}))
        else:
            print(done.text)
    return 0
