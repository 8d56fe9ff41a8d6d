"""What makes the results: the live workers, the queue's depth, the jobs by state, and the models
this site's configuration names (read from their manifests: none is loaded)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from voxsight import models
from voxsight.operations.actor import Actor, require
from voxsight.site import Site
from voxsight.store.accounts import Role


def workers(site: Site, actor: Actor) -> dict[str, Any]:
    """Live workers, the queue's depth per priority and the jobs in SQL by state."""
    require(actor, Role.ANALYST)
    return describe_workers(site)


def models_in_use(site: Site, actor: Actor) -> dict[str, Any]:
    """The models results come from; a synthetic SenseVoice (random weights) says so."""
    require(actor, Role.VIEWER)
    return describe_models(site)


def describe_workers(site: Site) -> dict[str, Any]:
    counts = site.store.jobs.counts()
    if site.queue is None:
        return {"mode": "embedded", "workers": [], "queue": {}, "jobs": counts}
    return {"mode": "redis", "workers": [w.to_json() for w in site.queue.workers()],
            "queue": {p.value: d.to_json() for p, d in site.queue.depth().items()}, "jobs": counts}


def describe_models(site: Site) -> dict[str, Any]:
    """The models this site's configuration names: what every signed-in page may show."""
    m = site.config.models
    try:
        sense = models.check_directory(m.sensevoice_dir)
        sensevoice = {"model_id": sense.model_id, "synthetic": sense.synthetic, "directory": str(m.sensevoice_dir)}
    except models.ModelError as exc:
        sensevoice = {"model_id": None, "synthetic": None, "directory": str(m.sensevoice_dir), "error": str(exc)}
    whisper = None
    manifest = Path(m.whisper_dir) / models.MANIFEST_FILE
    if manifest.is_file():
        whisper = {**json.loads(manifest.read_text()), "directory": str(m.whisper_dir)}
    return {"sensevoice": sensevoice, "whisper": whisper, "words": site.config.engine.words}
