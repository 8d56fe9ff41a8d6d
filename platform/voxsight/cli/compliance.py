"""``hold``: legal holds placed, released and listed; ``erase``: a recording, or every call of a
customer or of a metadata value, erased on request; ``retention run``: what expired, removed. Admin actions (``voxsight.operations.compliance``),
run on the site's machine as ``cli:<login>``."""

from __future__ import annotations

import argparse

from voxsight import config as config_module
from voxsight.cli import render
from voxsight.cli.db import open_site


def add_commands(commands) -> None:
    hold = commands.add_parser("hold", help="legal holds: exempt calls from erasure and retention")
    hold_sub = hold.add_subparsers(dest="action", required=True, metavar="ACTION")
    place = hold_sub.add_parser("place", help="hold a recording, or every call of a customer or an agent")
    named = place.add_mutually_exclusive_group(required=True)
    named.add_argument("--recording", type=int, metavar="ID")
    named.add_argument("--customer", metavar="ID", help="the call metadata's customer")
    named.add_argument("--agent", metavar="NAME", help="the call metadata's agent")
    place.add_argument("--reason", required=True, help="why (a case, a request): shown wherever the hold refuses")
    release = hold_sub.add_parser("release", help="release a hold")
    release.add_argument("id", type=int)
    listed = hold_sub.add_parser("list", help="the holds in force (--all: released ones too)")
    listed.add_argument("--all", action="store_true")
    for p in (place, release, listed):
        p.add_argument("--json", action="store_true")
        p.add_argument("--db", help="database URL (default: from configuration)")
        p.set_defaults(run=_hold)

    erase = commands.add_parser("erase", help="erase a recording, or every call of a customer, everywhere")
    named = erase.add_mutually_exclusive_group(required=True)
    named.add_argument("--recording", type=int, metavar="ID")
    named.add_argument("--customer", metavar="ID", help="every call whose metadata names this customer")
    named.add_argument("--meta", metavar="KEY=VALUE", help="every call whose metadata has KEY = VALUE")
    erase.add_argument("--dry-run", action="store_true", help="print what it would erase and refuse; remove nothing")
    erase.add_argument("--json", action="store_true")
    erase.add_argument("--db", help="database URL (default: from configuration)")
    erase.set_defaults(run=_erase)

    retention = commands.add_parser("retention", help="remove what the retention policy (retention.*) says expired")
    retention_sub = retention.add_subparsers(dest="action", required=True, metavar="ACTION")
    run = retention_sub.add_parser("run", help="once, now (workers also run it every retention.every_minutes)")
    run.add_argument("--json", action="store_true")
    run.add_argument("--db", help="database URL (default: from configuration)")
    run.set_defaults(run=_retention)


def _actor():
    from voxsight.operations import Actor, Door

    return Actor.local(Door.CLI)


def _hold(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight.operations import compliance

    site = open_site(args, config)
    if args.action == "list":
        found = compliance.holds(site, _actor(), args.all)
    elif args.action == "release":
        found = [compliance.release_hold(site, _actor(), args.id)]
    else:
        scope, value = next((s, v) for s, v in (("recording", args.recording), ("customer", args.customer),
                                                ("agent", args.agent)) if v is not None)
        try:
            found = [compliance.place_hold(site, _actor(), scope, str(value), args.reason)]
        except ValueError as exc:
            render.note(exc)
            return 2
    for hold in found:
        print(render.as_json(hold.to_json()) if args.json else render.hold_line(hold))
    return 0


def _erase(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight.cli.jobs import key_values
    from voxsight.operations import compliance

    meta = None
    if args.meta is not None:
        if (pairs := key_values([args.meta])) is None:
            return 2
        [meta] = pairs.items()
    done = compliance.erase(open_site(args, config, cache=True), _actor(), args.recording, args.customer, meta,
                            args.dry_run)
    if args.json:
        print(render.as_json({**done.to_json(), "dry_run": args.dry_run}))
    else:
        erased, would = ("would erase", "would be ") if args.dry_run else ("erased", "")
        for e in done.erased:
            print(f"{erased} recording {e.recording_id}: {e.analyses} analyses, {e.segments} segments, "
                  f"{e.alerts} alerts, {e.notifications} notifications, {e.jobs} jobs")
        for r in done.refused:
            print(f"{'would refuse' if args.dry_run else 'refused'} recording {r.recording_id}: {r.reason}")
        print(f"{len(done.erased)} recordings {would}erased, {done.audio_files} audio files {would}removed, "
              f"{len(done.refused)} {would}refused" if done.erased or done.refused else "no recording matches")
        if args.dry_run:
            print("dry run: nothing was removed")
    return 1 if done.refused else 0


def _retention(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight.operations import compliance

    done = compliance.retention_run(open_site(args, config, cache=True), _actor())
    if args.json:
        print(render.as_json(done.to_json()))
    elif not any(config.retention.kinds().values()):
        print("nothing expires: every retention.*_days is 0")
    else:
        print(f"{done.recordings} recordings erased, {done.alerts} alerts removed, {done.redacted_audio} calls' audio "
              f"removed, {done.original_audio} originals removed; {done.held} held")
    return 0
