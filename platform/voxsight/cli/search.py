"""``search``: find segments by their words, in any language; a call into
``voxsight.operations.recordings`` as ``cli:<login name>``, audited with its words like the API's
and the console's searches."""

from __future__ import annotations

import argparse
import sys

from voxsight import config as config_module
from voxsight.cli import render
from voxsight.cli.db import open_site

FILTERS = ("emotion", "language", "role", "event", "agent", "queue")


def add_commands(commands) -> None:
    find = commands.add_parser("search", help="find segments by their words, in any language")
    find.add_argument("query", help='words or characters, e.g. "cancel my account" or 投诉')
    for name in FILTERS:
        find.add_argument(f"--{name}")
    find.add_argument("--limit", type=int, default=20)
    find.add_argument("--offset", type=int, default=0)
    find.add_argument("--json", action="store_true")
    find.set_defaults(run=_search)


def _search(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight.operations import Actor, Door, recordings
    from voxsight.store.filters import Filters

    filters = Filters(**{k: getattr(args, k) for k in FILTERS})
    page = recordings.search(open_site(args, config), Actor.local(Door.CLI), args.query, filters, args.limit,
                             args.offset)
    if args.json:
        print(render.search_json(page))
        return 0
    for h in page.hits:
        print(render.search_hit(h))
    if page.next_offset is not None:
        print(f"… more: --offset {page.next_offset}", file=sys.stderr)
    return 0
