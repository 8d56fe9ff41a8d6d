"""The Analyze page: upload recordings with their call's metadata, and follow their jobs (a timer
refreshes the table while the page is in view) until a finished one is clicked open.
"""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr
import pandas as pd

from voxsight.errors import StoreError
from voxsight.site import Site
from voxsight.webui.console import access, analyze
from voxsight.webui.console.access import Forbidden
from voxsight.webui.console.handlers import Shell, frame, handler
from voxsight.webui.console.pages import call as call_page
from voxsight.webui.console.render import job_status

JOBS_EVERY_S = 2.0


def layout() -> SimpleNamespace:
    with gr.Tab("Analyze", id="analyze", visible=False) as tab:
        with gr.Row():
            with gr.Column(scale=2):
                files = gr.File(label="Recordings (one or many)", file_count="multiple", type="filepath",
                                elem_id="vx-upload", height=190)
            with gr.Column(scale=3):
                with gr.Row():
                    agent = gr.Textbox(label="Agent", elem_id="vx-agent")
                    customer = gr.Textbox(label="Customer")
                    queue = gr.Textbox(label="Queue", elem_id="vx-queue")
                with gr.Row():
                    call_time = gr.DateTime(label="Call time", include_time=True, type="string")
                    priority = gr.Radio(["normal", "high"], value="normal", label="Priority")
                submit = gr.Button("Analyze", variant="primary", elem_id="vx-analyze")
        gr.HTML('<div class="vx-hint">Every file becomes a job; the table follows them until they are done. '
                'Click a finished job to open its call.</div>')
        table = gr.Dataframe(headers=["job", "file", "progress", "reason", "recording"],
                             datatype=["number", "str", "html", "str", "number"], interactive=False,
                             elem_id="vx-jobs", wrap=True, column_widths=["8%", "26%", "26%", "30%", "10%"])
        submitted = gr.State([])
        rows = gr.State([])
        timer = gr.Timer(JOBS_EVERY_S)
    return SimpleNamespace(tab=tab, files=files, agent=agent, customer=customer, queue=queue, call_time=call_time,
                           priority=priority, submit=submit, table=table, submitted=submitted, rows=rows, timer=timer)


def _jobs_table(rows: list[analyze.JobRow]) -> pd.DataFrame:
    return frame([{"job": r.job_id, "file": r.filename, "progress": job_status(r.status, r.done, r.total),
                   "reason": r.reason or "", "recording": r.recording_id} for r in rows],
                 ["job", "file", "progress", "reason", "recording"])


def _original_name(path: str) -> str:
    # Gradio keeps an upload's own name as the last part of the path it stores it under.
    return str(path).replace("\\", "/").rsplit("/", 1)[-1]


def wire(site: Site, page: SimpleNamespace, shell: Shell) -> None:
    a = page

    @handler
    def submit(files, agent, customer, queue, call_time, priority, submitted, request: gr.Request):
        who = access.caller(site, request)
        if not files:
            raise gr.Error("Choose one or more recordings first.")
        details = analyze.CallDetails(agent or "", customer or "", queue or "", call_time or "", priority or "normal")
        offered = [(path, _original_name(path)) for path in files]
        done = analyze.submit(site, who, offered, details)
        refused = [s for s in done if s.job_id is None]
        if refused:
            gr.Warning(f"{len(refused)} of {len(done)} file(s) refused: see the reason in the table.")
        else:
            gr.Info(f"{len(done)} job(s) submitted.", duration=4)
        submitted = [*[analyze.Submitted(**s) for s in submitted], *done]
        rows = analyze.jobs(site, who, submitted)
        return None, [vars(s) for s in submitted], _jobs_table(rows), [vars(r) for r in rows]

    a.submit.click(submit, [a.files, a.agent, a.customer, a.queue, a.call_time, a.priority, a.submitted],
                   [a.files, a.submitted, a.table, a.rows], concurrency_limit=2)

    def refresh(active, submitted, shown, request: gr.Request):
        if active != "analyze":
            return gr.skip(), gr.skip()
        try:
            who = access.caller(site, request, touch=False)
            rows = [vars(r) for r in analyze.jobs(site, who, [analyze.Submitted(**s) for s in submitted], refresh=True)]
        except (Forbidden, StoreError):
            return gr.skip(), gr.skip()
        if rows == shown:
            return gr.skip(), gr.skip()
        return _jobs_table([analyze.JobRow(**r) for r in rows]), rows

    a.timer.tick(refresh, [shell.active, a.submitted, a.rows], [a.table, a.rows], show_progress="hidden")

    @handler
    def show(active, submitted, request: gr.Request):
        who = access.caller(site, request)
        rows = analyze.jobs(site, who, [analyze.Submitted(**s) for s in submitted])
        return "analyze", _jobs_table(rows), [vars(r) for r in rows]

    a.tab.select(show, [shell.active, a.submitted], [shell.active, a.table, a.rows])

    @handler
    def open_job(rows, evt: gr.SelectData, request: gr.Request):
        who = access.caller(site, request)
        row = rows[evt.index[0]] if rows and evt.index[0] < len(rows) else None
        if not row or row["status"] != "done" or not row["recording_id"]:
            raise gr.Error("Only a finished job has a call to open.")
        return call_page.show(site, who, row["recording_id"])

    a.table.select(open_job, [a.rows], call_page.outputs(shell))
