"""The application: ``create_app(config)`` joins the routes under ``/api/v1``, opens the store,
the queue and the result cache once, answers every error as problem details, mounts the console
(``/console/``, with its sign-in pages) on the same site, and wraps it all in the security
headers and the same-origin check of state-changing requests (``security``)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, FastAPI

from voxsight.config import Config
from voxsight.queue import RedisQueue
from voxsight.site import Site
from voxsight.store import Store
from voxsight.webui import errors, schemas, security
from voxsight.webui.deps import SiteDep
from voxsight.webui.console import app as console
from voxsight.webui.routes import (admin, alerts, auth, compliance, docs, jobs as job_routes, recordings, reports,
                                   search, voiceprints)

log = logging.getLogger(__name__)

API = "/api/v1"


def create_app(config: Config, store: Store | None = None, queue: RedisQueue | None = None) -> FastAPI:
    """The API for one site. ``store`` and ``queue`` default to the configured ones (no Redis
    configured: the embedded mode, jobs wait in SQL)."""
    # The documents are routes of ours (``routes.docs``): for signed-in users, with no CDN.
    app = FastAPI(title="Voxsight", version="0.1.0", docs_url=None, redoc_url=None, openapi_url=None,
                  description="Offline speech analytics: recordings, tagged transcripts, search, alerts, reports. "
                              "Sign in with a bearer token (`Authorization: Bearer vxs_…`) or a console session.")
    app.state.site = Site.open(config, store, queue)
    errors.install(app)

    # Every route may refuse who is asking (401, 403), what was sent (400: unreadable, 422: invalid)
    # or be unable to reach the database or Redis (503); routes add their own (404, 409...).
    api = APIRouter(prefix=API, responses=errors.problems(400, 401, 403, 422, 503))
    for module in (auth, recordings, job_routes, search, alerts, reports, admin, compliance, voiceprints):
        api.include_router(module.router)
    app.include_router(api)
    app.include_router(docs.router)
    app.add_api_route("/api/health", health, methods=["GET"], response_model=schemas.Health, tags=["health"])
    console.mount(app, app.state.site)
    app.add_middleware(security.SameOriginWrites)
    app.add_middleware(security.SecurityHeaders, policies=((docs.DOCS, security.docs_csp(docs.inline_script())),))
    return app


def health(site: SiteDep) -> dict:
    """Whether the database (and Redis, when configured) answer. The only anonymous route, so it
    says no more than that: why one does not answer (an address, a user name) goes to the log."""
    try:
        site.store.revision()
        database = "ok"
    except Exception:  # reported, not raised: a health check answers
        log.exception("health: the database does not answer")
        database = "unavailable"
    redis = "not configured"
    if site.queue is not None:
        try:
            site.queue.ping()
            redis = "ok"
        except Exception:
            log.exception("health: Redis does not answer")
            redis = "unavailable"
    ok = database == "ok" and redis in ("ok", "not configured")
    return {"status": "ok" if ok else "degraded", "database": database, "redis": redis}
