"""``agents``: agents' voiceprints, to tell the agent on mono calls (``audio.channels: diarize``):
enrolled from recordings of the agent, learned from the agent channel of their stored stereo
calls, listed and erased. Admin actions (``voxsight.operations.voiceprints``), run on a machine
with the models as ``cli:<login>``."""

from __future__ import annotations

import argparse
from pathlib import Path

from voxsight import config as config_module
from voxsight.cli import render
from voxsight.cli.db import open_site


def add_commands(commands) -> None:
    agents = commands.add_parser("agents", help="agents' voiceprints: enroll, learn, list, forget")
    sub = agents.add_subparsers(dest="action", required=True, metavar="ACTION")
    enroll = sub.add_parser("enroll", help="make an agent's voiceprint from recordings of them speaking alone")
    enroll.add_argument("name", help="the agent, as the calls' metadata names them (--meta agent=NAME)")
    enroll.add_argument("paths", nargs="+", metavar="FILE", type=Path)
    learn = sub.add_parser("learn", help="make an agent's voiceprint from the agent channel of their stored stereo calls")
    learn.add_argument("name")
    learn.add_argument("--calls", type=int, default=20, help="how many of their latest calls (default 20)")
    forget = sub.add_parser("forget", help="erase an agent's voiceprint")
    forget.add_argument("name")
    listed = sub.add_parser("list", help="whose voiceprints are kept (never the prints)")
    for p in (enroll, learn, forget, listed):
        p.add_argument("--json", action="store_true")
        p.add_argument("--db", help="database URL (default: from configuration)")
        p.set_defaults(run=_agents)


def _agents(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight.operations import Actor, Door, voiceprints

    site, actor = open_site(args, config), Actor.local(Door.CLI)
    if args.action == "list":
        found = voiceprints.listed(site, actor)
    elif args.action == "forget":
        voiceprints.forget(site, actor, args.name)
        print(render.as_json({"agent": args.name, "erased": True}) if args.json else f"{args.name}: voiceprint erased")
        return 0
    else:
        from voxsight.analysis import Analyzer

        analyzer = Analyzer(config, site.store)
        found = [voiceprints.enroll(site, actor, args.name, args.paths, analyzer) if args.action == "enroll"
                 else voiceprints.learn(site, actor, args.name, analyzer, args.calls)]
    for v in found:
        print(render.as_json(v.to_json()) if args.json else render.voiceprint_line(v))
    if not found and not args.json:
        print("no voiceprint is kept")
    return 0
