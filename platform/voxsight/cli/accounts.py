"""``users``, ``tokens`` and ``audit``: who may sign in, with what role, and what they did.

Each command is a call into ``voxsight.operations`` as ``cli:<login name>`` (an admin: whoever runs
these holds the database), audited through the door ``cli``; the rules (the password's length, no
disabling yourself) are the operations' and the store's, the same as the API's and the console's.
"""

from __future__ import annotations

import argparse
import sys

from voxsight import config as config_module
from voxsight.cli import render
from voxsight.cli.db import open_site


def add_commands(commands) -> None:
    users = commands.add_parser("users", help="people and systems that sign in, and their roles")
    users_sub = users.add_subparsers(required=True, metavar="ACTION")
    add = users_sub.add_parser("add", help="add a user; the password is read from standard input")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=("viewer", "analyst", "supervisor", "admin"))
    add.add_argument("--no-password", action="store_true", help="a system account that signs in with tokens only")
    add.set_defaults(run=_users_add)
    users_sub.add_parser("list", help="every user, role and state").set_defaults(run=_users_list)
    disable = users_sub.add_parser("disable", help="stop a user's sign-ins, and end their sessions and tokens, at once")
    disable.add_argument("name")
    disable.set_defaults(run=_users_disable)
    password = users_sub.add_parser("password", help="set a user's password, read from standard input; "
                                                     "their sessions and tokens end")
    password.add_argument("name")
    password.set_defaults(run=_users_password)
    sign_out = users_sub.add_parser("sign-out", help="end every console session of a user (tokens stay)")
    sign_out.add_argument("name")
    sign_out.set_defaults(run=_users_sign_out)

    tokens = commands.add_parser("tokens", help="bearer tokens for systems (CRM, ticketing)")
    tokens_sub = tokens.add_subparsers(required=True, metavar="ACTION")
    create = tokens_sub.add_parser("create", help="print a new token acting as user NAME (stored only as a hash)")
    create.add_argument("name", help="the user the token acts as")
    create.add_argument("--label", help="what the token is for (default: the user's name)")
    expiry = create.add_mutually_exclusive_group()
    expiry.add_argument("--expires", type=float, metavar="DAYS",
                        help="days until it stops working (default: web.token_days, 90)")
    expiry.add_argument("--never-expires", action="store_true", help="a token that does not expire")
    create.set_defaults(run=_tokens_create)
    tokens_sub.add_parser("list", help="every token, without its secret").set_defaults(run=_tokens_list)
    revoke = tokens_sub.add_parser("revoke", help="stop a token at once")
    revoke.add_argument("id", type=int)
    revoke.set_defaults(run=_tokens_revoke)

    audit = commands.add_parser("audit", help="the audit log, newest first")
    audit.add_argument("--actor")
    audit.add_argument("--action")
    audit.add_argument("--limit", type=int, default=100)
    audit.add_argument("--json", action="store_true")
    audit.set_defaults(run=_audit)


def _actor():
    from voxsight.operations import Actor, Door

    return Actor.local(Door.CLI)


def _users_password(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight.operations import accounts

    password = sys.stdin.readline().rstrip("\n")
    ended = accounts.set_password(open_site(args, config), _actor(), args.name, password)
    print(f"{args.name}'s password is set; {ended} session(s) and token(s) of theirs ended")
    return 0


def _users_sign_out(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight.operations import accounts

    ended = accounts.sign_out_everywhere(open_site(args, config), _actor(), args.name)
    print(f"{args.name} is signed out everywhere: {ended} session(s) ended (tokens stay)")
    return 0


def _users_add(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight.operations import accounts

    password = None if args.no_password else sys.stdin.readline().rstrip("\n")
    user = accounts.add_user(open_site(args, config), _actor(), args.name, args.role, password)
    print(f"added {user.name} ({user.role.value})")
    return 0


def _users_list(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight.operations import accounts

    for u in accounts.users(open_site(args, config), _actor()):
        print(render.user_line(u))
    return 0


def _users_disable(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight.operations import accounts

    ended = accounts.disable_user(open_site(args, config), _actor(), args.name)
    print(f"disabled {args.name}: its sign-ins stop now, and {ended} session(s) and token(s) ended")
    return 0


def _tokens_create(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight.operations import accounts

    expires_in_s = accounts.NEVER if args.never_expires else args.expires and args.expires * 86400
    secret, token = accounts.create_token(open_site(args, config), _actor(), args.name, args.label, expires_in_s)
    print(secret)
    print(f"token {token.id} acts as {token.user}"
          f"{f', expires {token.expires_at:%Y-%m-%d %H:%M} UTC' if token.expires_at else ''}: "
          "keep it now, it is not shown again", file=sys.stderr)
    return 0


def _tokens_list(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight.operations import accounts

    for t in accounts.tokens(open_site(args, config), _actor()):
        print(render.token_line(t))
    return 0


def _tokens_revoke(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight.operations import accounts

    accounts.revoke_token(open_site(args, config), _actor(), args.id)
    print(f"revoked token {args.id}")
    return 0


def _audit(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight.operations import audit

    page = audit.log(open_site(args, config), _actor(), args.limit, by=args.actor, action=args.action)
    for e in page.entries:
        print(render.as_json(e.to_json()) if args.json else render.audit_line(e))
    return 0
