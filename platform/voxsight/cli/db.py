"""``db upgrade``, and the store every command that reads or writes the database opens."""

from __future__ import annotations

import argparse

from voxsight import config as config_module


def add_commands(commands) -> None:
    db = commands.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(required=True, metavar="ACTION")
    up = db_sub.add_parser("upgrade", help="apply Alembic migrations up to the newest")
    up.add_argument("--db", help="database URL (default: from configuration)")
    up.set_defaults(run=_upgrade)


def open_store(args: argparse.Namespace, config: config_module.Config):
    """The store at ``--db`` where the command has that option and it is given, else the configured one."""
    from voxsight.store import Store

    return Store(getattr(args, "db", None) or config.store_url)


def moment(text: str):
    """A ``--since`` option: an ISO 8601 date or time, UTC unless it says otherwise."""
    from datetime import datetime, timezone

    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date or time: {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def open_site(args: argparse.Namespace, config: config_module.Config, cache: bool = False):
    """A site over ``open_store``'s store, for commands that act through ``voxsight.operations`` on
    the store alone: no queue is opened (Redis away must not stop an admin managing accounts). With
    ``cache``, the site's result cache too, for commands that must remove pages from it."""
    from voxsight.cache import ResultCache
    from voxsight.site import Site

    q = config.queue
    return Site(config, open_store(args, config), None,
                ResultCache(q.redis_url or None, q.prefix) if cache else ResultCache(None))


def _upgrade(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight.store import upgrade

    print(f"database at revision {upgrade(args.db or config.store_url)}")
    return 0
