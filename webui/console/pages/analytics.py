"""The Analytics page: a period's calls in plots and tables (the last 30 days unless told), and the
report as CSV.
"""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import gradio as gr

from voxsight.site import Site
from voxsight.webui.console import access, analytics
from voxsight.webui.console.handlers import Shell, day, frame, handler
from voxsight.webui.console.render import EMOTION_COLORS

COMPARED = ["calls", "minutes", "talk minutes", "negative share", "alerts per call"]


def layout() -> SimpleNamespace:
    with gr.Tab("Analytics", id="analytics", visible=False) as tab:
        with gr.Row(elem_classes="vx-toolbar"):
            start = gr.DateTime(label="From (call day)", include_time=False, type="string")
            end = gr.DateTime(label="To", include_time=False, type="string")
            compare = gr.Radio(list(analytics.COMPARISONS), value="agent", label="Compare")
            refresh = gr.Button("Show", variant="primary", size="md", scale=0, min_width=100)
        summary = gr.Markdown()
        with gr.Row():
            mix = gr.BarPlot(x="day", y="share", color="emotion", color_map=EMOTION_COLORS, title="Emotion mix by day",
                             y_title="share of emotional speech", y_lim=[0, 1], height=300)
            rates = gr.BarPlot(x="rule", y="share", title="Alert rate by rule", y_title="share of calls",
                               y_lim=[0, 1], x_label_angle=-30, height=300)
        with gr.Row():
            events = gr.BarPlot(x="event", y="segments", title="Audio events", height=280)
            compared = gr.BarPlot(x="agent", y="negative share", title="Negative share by agent", height=280)
        table = gr.Dataframe(interactive=False, label="Side by side")
        escalating = gr.Dataframe(interactive=False, label="Calls that escalated most")
        with gr.Row(elem_classes="vx-toolbar"):
            by = gr.Dropdown(["day", "week", "agent", "queue", "language"], value="day", label="CSV grouped by",
                             scale=0, min_width=180)
            export = gr.Button("Export CSV", size="md", scale=0, min_width=140, elem_id="vx-export")
            exported = gr.File(label="Report", visible=False, scale=1)
    return SimpleNamespace(tab=tab, start=start, end=end, compare=compare, refresh=refresh, summary=summary, mix=mix,
                           rates=rates, events=events, compared=compared, table=table, escalating=escalating, by=by,
                           export=export, exported=exported)


def wire(site: Site, page: SimpleNamespace, shell: Shell) -> None:
    n = page
    shown = [n.start, n.end, n.summary, n.mix, n.rates, n.events, n.compared, n.table, n.escalating]

    @handler
    def show(start, end, compare, request: gr.Request):
        who = access.caller(site, request)
        end_day = day(end) or date.today()
        start_day = day(start) or end_day - timedelta(days=29)
        built = analytics.build(site, who, start_day, end_day, compare or "agent")
        key = built.compared.by
        top = [{"call": c.filename, "day": c.call_day, "agent": c.agent or "", "queue": c.queue or "",
                "escalation": c.escalation, "negative share": c.negative_share} for c in built.by_day.top_escalating]
        return (start_day.isoformat(), end_day.isoformat(),
                f"**{built.calls:,} calls** from {start_day:%d %b %Y} to {end_day:%d %b %Y}.",
                frame(analytics.emotion_mix(built), ["day", "emotion", "share"]),
                frame(analytics.alert_rates(built), ["rule", "share"]),
                gr.BarPlot(frame(analytics.events(built), ["event", "segments"]),
                           title="Audio events" if analytics.events(built) else "Audio events: none in this period"),
                gr.BarPlot(frame(analytics.comparison(built), [key, *COMPARED]), x=key, title=f"Negative share by {key}"),
                frame(analytics.comparison(built), [key, *COMPARED]),
                frame(top, ["call", "day", "agent", "queue", "escalation", "negative share"]))

    def enter(start, end, compare, request: gr.Request):
        return ("analytics", *show(start, end, compare, request))

    n.tab.select(enter, [n.start, n.end, n.compare], [shell.active, *shown])
    n.refresh.click(show, [n.start, n.end, n.compare], shown)
    n.compare.input(show, [n.start, n.end, n.compare], shown)

    @handler
    def export(start, end, by, request: gr.Request):
        who = access.caller(site, request)
        end_day = day(end) or date.today()
        path = analytics.export_csv(site, who, day(start) or end_day - timedelta(days=29), end_day, by or "day")
        return gr.File(value=str(path), visible=True)

    n.export.click(export, [n.start, n.end, n.by], n.exported)
