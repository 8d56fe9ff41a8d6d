"""``serve``: the REST API (and the console) for analysts, supervisors and systems."""

from __future__ import annotations

import argparse

from voxsight import config as config_module


def add_commands(commands) -> None:
    serve = commands.add_parser("serve", help="run the REST API (and console) for analysts, supervisors and systems")
    serve.add_argument("--host", help="address to listen on (default: web.host, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default: web.port, 7860)")
    serve.set_defaults(run=_serve)


def _serve(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight.webui.server import serve

    return serve(config, args.host, args.port, args.config)
