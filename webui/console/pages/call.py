"""The Call page: one call's header, transcript, features, alerts and emotion plot. Other pages
open calls into it (``show`` with ``outputs``): a job, a call in the list, a match, an alert.
"""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr

from voxsight.site import Site
from voxsight.webui.console import access, call
from voxsight.webui.console.handlers import Shell, frame, handler


def layout() -> SimpleNamespace:
    with gr.Tab("Call", id="call", visible=False) as tab:
        with gr.Row(elem_classes="vx-toolbar"):
            number = gr.Number(None, label="Recording #", precision=0, scale=0, min_width=140)
            open_button = gr.Button("Open", size="md", scale=0, min_width=90)
            gr.HTML('<div class="vx-hint">Open a call from the Calls page, a job or an alert; or by its number.</div>')
        call_banner = gr.HTML(elem_id="vx-call-banner")
        with gr.Row():
            with gr.Column(scale=3):
                header = gr.HTML(elem_id="vx-call-header")
                transcript = gr.HTML(elem_id="vx-transcript")
            with gr.Column(scale=2, min_width=320):
                features = gr.HTML(elem_id="vx-features")
                alerts_box = gr.HTML(elem_id="vx-call-alerts")
                plot = gr.ScatterPlot(x="time_s", y="emotion", color="role", title="Emotion over time, by role",
                                      x_title="seconds", y_title="", tooltip=["time_s", "role", "emotion", "text"],
                                      height=260, elem_id="vx-emotion-plot")
    return SimpleNamespace(tab=tab, number=number, open_button=open_button, banner=call_banner, header=header,
                           transcript=transcript, features=features, alerts=alerts_box, plot=plot)


def outputs(shell: Shell) -> list:
    """What ``show`` updates: the tabs (the Call tab selected), the page in view and the Call page."""
    c = shell.call
    return [shell.tabs, shell.active, c.number, c.banner, c.header, c.transcript, c.features, c.alerts, c.plot]


def show(site: Site, who, recording_id: int, seek_s: float | None = None) -> list:
    """Updates for ``outputs``: the Call tab selected and filled in."""
    view = call.open_call(site, who, int(recording_id))
    if view is None:
        raise gr.Error(f"There is no recording {recording_id}.")
    transcript = call.transcript_html(view)
    if seek_s is not None:  # the console's script cues the player there and shows the segment
        transcript = transcript.replace('<div class="vx-lanes"', f'<div class="vx-lanes" data-seek="{seek_s:.2f}"', 1)
    timeline = call.emotion_timeline(view)
    points = gr.ScatterPlot(frame(timeline, ["time_s", "emotion", "role", "text"]), visible=bool(timeline))
    return [gr.Tabs(selected="call"), "call", view.recording.id, call.banner_html(view), call.header_html(view),
            transcript, call.features_html(view), call.alerts_html(view), points]


def wire(site: Site, page: SimpleNamespace, shell: Shell) -> None:
    @handler
    def open_number(number, request: gr.Request):
        who = access.caller(site, request)
        if not number:
            raise gr.Error("Enter a recording number.")
        return show(site, who, int(number))

    for event in (page.open_button.click, page.number.submit):
        event(open_number, [page.number], outputs(shell))
    page.tab.select(lambda: "call", None, shell.active)
