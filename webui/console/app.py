"""The console as one Gradio app: the top bar, the pages' tabs (``pages``), what loading it shows,
and mounting it in the API's server behind the sign-in pages.

Nothing here reads the store itself. Every handler first resolves who is calling from the
request's session (``access.caller``: a signed-out or disabled user is refused at once); the page
function it calls checks the role again. Tabs a role may not use are hidden when the page loads
(``access.pages_for``), which is a convenience, not the protection.

Timers poll for what changes on its own (jobs, alerts, workers) and only for the tab in view;
they answer ``gr.skip()`` when nothing changed, so an idle console costs a few indexed reads.
"""

from __future__ import annotations

from pathlib import Path

import gradio as gr
from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware

from voxsight.results import SYNTHETIC_WARNING
from voxsight.site import Site
from voxsight.webui.console import access, alerts, files, render, signin
from voxsight.webui.console.handlers import Shell, handler
from voxsight.webui.console.pages import admin, alerts as alerts_page, analytics, analyze, call, calls
from voxsight.operations.machinery import describe_models

PAGES = {"analyze": analyze, "calls": calls, "call": call, "alerts": alerts_page, "analytics": analytics,
         "admin": admin}  # in the order of the tabs
WIRED = ("call", "analyze", "calls", "alerts", "analytics", "admin")  # as ever: Gradio names events in this order
STATIC = Path(__file__).parent / "static"


def build(site: Site) -> gr.Blocks:
    with gr.Blocks(title="Voxsight", analytics_enabled=False, fill_width=True, delete_cache=(files.SWEEP_EVERY_S, files.KEEP_S)) as blocks:
        with gr.Row(elem_id="vx-topbar", equal_height=True):
            gr.HTML('<div class="vx-brand">Vox<span>sight</span><small>speech analytics</small></div>')
            user = gr.HTML(elem_id="vx-user")
            gr.Button("Sign out", link="/sign-out", size="sm", scale=0, min_width=100, elem_id="vx-sign-out")
        site_banner = gr.HTML()
        with gr.Tabs(selected="calls", elem_id="vx-tabs") as tabs:
            laid_out = {name: module.layout() for name, module in PAGES.items()}
        shell = Shell(tabs, gr.State("calls"), laid_out["call"])
        _wire_load(site, blocks, user, site_banner, laid_out)
        for name in WIRED:
            PAGES[name].wire(site, laid_out[name], shell)
    blocks.queue(default_concurrency_limit=8)
    return blocks


def _wire_load(site: Site, blocks: gr.Blocks, user: gr.HTML, site_banner: gr.HTML, laid_out: dict) -> None:
    """Loading the page: who is signed in decides which tabs exist; the Calls page opens filled in."""
    @handler
    def load(request: gr.Request):
        who = access.caller(site, request)
        pages = access.pages_for(who.user.role)
        visible = [gr.Tab(visible=name in pages) for name in ("analyze", "calls")]
        visible += [gr.Tab(visible="calls" in pages)]  # a call's detail is part of Calls
        visible += [alerts_page.label(alerts.watch(site, who)) if "alerts" in pages else gr.Tab(visible=False)]
        visible += [gr.Tab(visible=name in pages) for name in ("analytics", "admin")]
        models = describe_models(site)
        warning = render.banner(SYNTHETIC_WARNING) if models["sensevoice"].get("synthetic") else ""
        return [render.whoami_html(who.user), warning, *visible, *calls.first_page(site, who)]

    blocks.load(load, None, [user, site_banner, *(page.tab for page in laid_out.values()), *laid_out["calls"].outputs])


def mount(app: FastAPI, site: Site) -> None:
    """Serve the console at ``/console/`` in ``app``, with the sign-in pages in front of it, its
    files in the site's own folder (``files``) and no answer to any other site's scripts."""
    root = files.prepare(site.config)  # before Gradio's Blocks and app read where their folder is
    app.include_router(signin.router)
    app.add_middleware(files.UploadedOnly, prefix="/console", root=root)
    app.add_middleware(signin.SignInFirst)
    # Gradio answers cross-origin requests (with credentials) unless the app it is mounted in has a
    # CORSMiddleware of its own: this one allows no other origin. The console's own pages are
    # same-origin and need no CORS header.
    app.add_middleware(CORSMiddleware, allow_origins=[])

    async def signed_in(request: Request) -> str | None:
        return await run_in_threadpool(access.session_user, site, request)

    blocks = build(site)
    gr.mount_gradio_app(
        app, blocks, path="/console", auth_dependency=signed_in, ssr_mode=False, footer_links=[],
        max_file_size=site.config.web.max_upload_bytes, show_error=False,  # gr.Error messages only, not internals
        theme=gr.themes.Default(primary_hue="blue", neutral_hue="slate"),  # its fonts are served locally
        css=render.css_variables() + (STATIC / "console.css").read_text(encoding="utf-8"),
        head=f"<script>{(STATIC / 'console.js').read_text(encoding='utf-8')}</script>")
    # Gradio's own check that an event's files were uploaded runs only in a launched app.
    blocks.has_launched = True
