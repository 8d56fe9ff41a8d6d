"""``site``: the embedded site ``./run.sh`` starts (``voxsight.webui.embedded``)."""

from __future__ import annotations

import argparse

from voxsight import config as config_module


def add_commands(commands) -> None:
    site = commands.add_parser("site", help="what ./run.sh starts: the models, the sample calls analyzed, an "
                                            "admin, then the console and the API (SQLite, a worker beside them)")
    site.add_argument("--host", help="address to listen on (default: web.host, 127.0.0.1)")
    site.add_argument("--port", type=int, help="port (default: web.port, 7860)")
    site.add_argument("--channels", choices=config_module.CHANNEL_MODES, default="split",
                      help="split (default): each channel alone, agent and customer; mix: averaged; "
                           "diarize: the voices told apart on the mixed channel")
    site.set_defaults(run=_site)


def _site(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight.webui.embedded import run

    return run(config.with_overrides(audio={"channels": args.channels}), args.config, args.host, args.port)
