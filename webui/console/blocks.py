"""The console's Gradio page: its layout, and events that call the page modules' functions.

Nothing here reads the store itself. Every handler first resolves who is calling from the
request's session (``access.caller``: a signed-out or disabled user is refused at once); the page
function it calls checks the role again. Tabs a role may not use are hidden when the page loads
(``access.pages_for``), which is a convenience, not the protection.

Timers poll for what changes on its own (jobs, alerts, workers) and only for the tab in view;
they answer ``gr.skip()`` when nothing changed, so an idle console costs a few indexed reads.
"""

import functools
import logging
from html import escape
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pandas as pd
from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool

from voxsight.errors import QueueError, StoreError, VoxsightError
from voxsight.store.accounts import Role
from voxsight.tags import EMOTIONS
from voxsight.webui.console import access, admin, alerts, analytics, analyze, call, calls, signin
from voxsight.webui.console.access import Forbidden
from voxsight.webui.console.render import (EMOTION_COLORS, banner, clock, emotion_chip, job_status, notice,
                                           severity_chip, status_chip)
from voxsight.site import Site
from voxsight.operations.machinery import describe_models

log = logging.getLogger(__name__)

ANY = "any"
TAB_LABELS = {"analyze": "Analyze", "calls": "Calls", "call": "Call", "alerts": "Alerts", "analytics": "Analytics",
              "admin": "Admin"}
JOBS_EVERY_S, ALERTS_EVERY_S, ADMIN_EVERY_S = 2.0, 4.0, 5.0


def build(site: Site) -> gr.Blocks:
    with gr.Blocks(title="Voxsight", analytics_enabled=False, fill_width=True, delete_cache=(3600, 3600)) as blocks:
        with gr.Row(elem_id="vx-topbar", equal_height=True):
            gr.HTML('<div class="vx-brand">Vox<span>sight</span><small>speech analytics</small></div>')
            user = gr.HTML(elem_id="vx-user")
            gr.Button("Sign out", link="/sign-out", size="sm", scale=0, min_width=100, elem_id="vx-sign-out")
        site_banner = gr.HTML()
        with gr.Tabs(selected="calls", elem_id="vx-tabs") as tabs:
            ui = SimpleNamespace(
                tabs=tabs, user=user, site_banner=site_banner,
                analyze=_analyze_layout(), calls=_calls_layout(), call=_call_layout(),
                alerts=_alerts_layout(), analytics=_analytics_layout(), admin=_admin_layout())
        ui.active = gr.State("calls")
        _wire_load(site, ui, blocks)
        _wire_call(site, ui)
        _wire_analyze(site, ui)
        _wire_calls(site, ui)
        _wire_alerts(site, ui)
        _wire_analytics(site, ui)
        _wire_admin(site, ui)
    blocks.queue(default_concurrency_limit=8)
    return blocks


def _handler(fn):
    """Library refusals become messages on the page, not tracebacks."""
    @functools.wraps(fn)
    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Forbidden as exc:
            raise gr.Error(str(exc), title="Not allowed") from None
        except (StoreError, QueueError) as exc:
            log.warning("console: %s", exc)
            raise gr.Error(f"the site's database or queue is unavailable: {exc}", title="Unavailable") from None
        except (VoxsightError, ValueError) as exc:  # refused on purpose (not found, taken, invalid...)
            raise gr.Error(str(exc), title="Cannot do that") from None
    return run


def _choice(value):
    return None if value in (None, "", ANY) else value


def _day(value) -> date | None:
    if value in (None, ""):
        return None
    return date.fromisoformat(str(value)[:10])


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


# -- loading the page: who is signed in decides which tabs exist

def _wire_load(site: Site, ui, blocks: gr.Blocks) -> None:
    tab_components = [ui.analyze.tab, ui.calls.tab, ui.call.tab, ui.alerts.tab, ui.analytics.tab, ui.admin.tab]

    @_handler
    def load(request: gr.Request):
        who = access.caller(site, request)
        pages = access.pages_for(who.user.role)
        visible = [gr.Tab(visible=name in pages) for name in ("analyze", "calls")]
        visible += [gr.Tab(visible="calls" in pages)]  # a call's detail is part of Calls
        visible += [_alerts_label(alerts.watch(site, who)) if "alerts" in pages else gr.Tab(visible=False)]
        visible += [gr.Tab(visible=name in pages) for name in ("analytics", "admin")]
        models = describe_models(site)
        warning = banner("This site's SenseVoice model is SYNTHETIC (random weights): every emotion and event "
                         "shown here is meaningless. Import the real model (README, Models).") \
            if models["sensevoice"].get("synthetic") else ""
        user = (f'<div class="vx-whoami"><b>{who.user.name}</b> <span class="vx-role">{who.user.role.value}</span>'
                '</div>')
        return [user, warning, *visible, *_calls_first_page(site, who)]

    blocks.load(load, None, [ui.user, ui.site_banner, *tab_components, *ui.calls.outputs])


# -- Call detail (other pages open calls into it)

def _call_layout():
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


def _call_outputs(ui) -> list:
    c = ui.call
    return [ui.tabs, ui.active, c.number, c.banner, c.header, c.transcript, c.features, c.alerts, c.plot]


def _show_call(site: Site, who, recording_id: int, seek_s: float | None = None) -> list:
    """Updates for ``_call_outputs``: the Call tab selected and filled in."""
    view = call.open_call(site, who, int(recording_id))
    if view is None:
        raise gr.Error(f"There is no recording {recording_id}.")
    transcript = call.transcript_html(view)
    if seek_s is not None:  # the console's script cues the player there and shows the segment
        transcript = transcript.replace('<div class="vx-lanes"', f'<div class="vx-lanes" data-seek="{seek_s:.2f}"', 1)
    timeline = call.emotion_timeline(view)
    points = gr.ScatterPlot(_frame(timeline, ["time_s", "emotion", "role", "text"]), visible=bool(timeline))
    return [gr.Tabs(selected="call"), "call", view.recording.id, call.banner_html(view), call.header_html(view),
            transcript, call.features_html(view), call.alerts_html(view), points]


def _wire_call(site: Site, ui) -> None:
    @_handler
    def open_number(number, request: gr.Request):
        who = access.caller(site, request)
        if not number:
            raise gr.Error("Enter a recording number.")
        return _show_call(site, who, int(number))

    for event in (ui.call.open_button.click, ui.call.number.submit):
        event(open_number, [ui.call.number], _call_outputs(ui))
    ui.call.tab.select(lambda: "call", None, ui.active)


# -- Analyze

def _analyze_layout():
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
    return _frame([{"job": r.job_id, "file": r.filename, "progress": job_status(r.status, r.done, r.total),
                    "reason": r.reason or "", "recording": r.recording_id} for r in rows],
                  ["job", "file", "progress", "reason", "recording"])


def _wire_analyze(site: Site, ui) -> None:
    a = ui.analyze

    @_handler
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
            who = access.caller(site, request)
            rows = [vars(r) for r in analyze.jobs(site, who, [analyze.Submitted(**s) for s in submitted])]
        except (Forbidden, StoreError):
            return gr.skip(), gr.skip()
        if rows == shown:
            return gr.skip(), gr.skip()
        return _jobs_table([analyze.JobRow(**r) for r in rows]), rows

    a.timer.tick(refresh, [ui.active, a.submitted, a.rows], [a.table, a.rows], show_progress="hidden")

    @_handler
    def show(active, submitted, request: gr.Request):
        who = access.caller(site, request)
        rows = analyze.jobs(site, who, [analyze.Submitted(**s) for s in submitted])
        return "analyze", _jobs_table(rows), [vars(r) for r in rows]

    a.tab.select(show, [ui.active, a.submitted], [ui.active, a.table, a.rows])

    @_handler
    def open_job(rows, evt: gr.SelectData, request: gr.Request):
        who = access.caller(site, request)
        row = rows[evt.index[0]] if rows and evt.index[0] < len(rows) else None
        if not row or row["status"] != "done" or not row["recording_id"]:
            raise gr.Error("Only a finished job has a call to open.")
        return _show_call(site, who, row["recording_id"])

    a.table.select(open_job, [a.rows], _call_outputs(ui))


def _original_name(path: str) -> str:
    # Gradio keeps an upload's own name as the last part of the path it stores it under.
    return str(path).replace("\\", "/").rsplit("/", 1)[-1]


# -- Calls: browse and search

def _calls_layout():
    with gr.Tab("Calls", id="calls", visible=False) as tab:
        with gr.Row(elem_classes="vx-toolbar"):
            words = gr.Textbox(label="Find words", placeholder="what was said, in any language: cancel my account, 投诉 …",
                               scale=5, elem_id="vx-words", visible=False)
            find = gr.Button("Search", variant="primary", size="md", scale=0, min_width=120, visible=False,
                             elem_id="vx-find")
        with gr.Row():
            since = gr.DateTime(label="Stored from", include_time=False, type="string", scale=2, min_width=230)
            until = gr.DateTime(label="to", include_time=False, type="string", scale=2, min_width=230)
            emotion = gr.Dropdown([ANY, *EMOTIONS], value=ANY, label="Emotion", elem_id="vx-emotion", min_width=130)
            event = gr.Dropdown([ANY], value=ANY, label="Event", min_width=130)
            language = gr.Dropdown([ANY], value=ANY, label="Language", allow_custom_value=True, min_width=110)
            agent = gr.Dropdown([ANY], value=ANY, label="Agent", allow_custom_value=True, min_width=130)
            queue = gr.Dropdown([ANY], value=ANY, label="Queue", allow_custom_value=True, min_width=130)
            alert_state = gr.Dropdown([ANY], value=ANY, label="Alerts", min_width=130)
            sort = gr.Dropdown(["newest"], value="newest", label="Sort", min_width=110)
        with gr.Row(elem_classes="vx-toolbar"):
            summary = gr.Markdown(elem_id="vx-calls-summary")
            previous = gr.Button("‹ Previous", size="sm", scale=0, min_width=110)
            following = gr.Button("Next ›", size="sm", scale=0, min_width=110)
        table = gr.Dataframe(interactive=False, datatype="html", elem_id="vx-calls", wrap=True, max_height=640)
        gr.HTML('<div class="vx-hint">Click a call (or a match) to open it.</div>')
        page = gr.State(0)
        rows = gr.State([])  # (recording id, seconds into the call or None) per row shown
    filters = [words, since, until, emotion, event, language, agent, queue, alert_state, sort]
    outputs = [words, find, emotion, event, language, agent, queue, alert_state, sort, summary, table, page, rows]
    return SimpleNamespace(tab=tab, words=words, find=find, since=since, until=until, emotion=emotion, event=event,
                           language=language, agent=agent, queue=queue, alert_state=alert_state, sort=sort,
                           summary=summary, previous=previous, following=following, table=table, page=page,
                           rows=rows, filters=filters, outputs=outputs)


def _calls_first_page(site: Site, who) -> list:
    """Updates for the Calls page's ``outputs`` on load: filter choices and the newest calls."""
    if not who.user.role.allows(access.PAGES["calls"]):
        return [gr.skip()] * 13
    c = calls.choices(site, who)
    searching = who.user.role.allows(Role.ANALYST)
    page = calls.find(site, who, calls.CallQuery())
    table, rows = _calls_table(page)
    return [gr.Textbox(visible=searching), gr.Button(visible=searching),
            gr.Dropdown([ANY, *c.emotions]), gr.Dropdown([ANY, *c.events]), gr.Dropdown([ANY, *c.languages]),
            gr.Dropdown([ANY, *c.agents]), gr.Dropdown([ANY, *c.queues]), gr.Dropdown([ANY, *c.alert_states]),
            gr.Dropdown(list(c.sorts)), page.describe(), table, 0, rows]


def _calls_table(page: calls.CallsPage):
    if page.hits:
        frame = _frame([{"#": h.recording_id, "call": _escape(h.filename), "at": clock(h.start_s),
                         "role": h.role or "mixed", "emotion": emotion_chip(h.emotion),
                         "what was said": _marked(h.text, h.highlights), "language": h.language or ""}
                        for h in page.hits], ["#", "call", "at", "role", "emotion", "what was said", "language"])
        return frame, [(h.recording_id, h.start_s) for h in page.hits]
    frame = _frame([{"#": r.id, "call": _escape(r.filename), "when": _when(r), "agent": _escape(r.call_metadata.get("agent", "")),
                     "queue": _escape(r.call_metadata.get("queue", "")), "length": clock(r.duration_s),
                     "language": r.language or "", "emotion": emotion_chip(r.dominant_emotion) if r.analysis_id else
                     '<span class="vx-muted">not analyzed yet</span>',
                     "alerts": _alert_counts(r), "model": _model_flag(r)}
                    for r in page.calls],
                   ["#", "call", "when", "agent", "queue", "length", "language", "emotion", "alerts", "model"])
    return frame, [(r.id, None) for r in page.calls]


def _wire_calls(site: Site, ui) -> None:
    c = ui.calls

    def find(filters: list, page: int, request: gr.Request):
        who = access.caller(site, request)
        words, since, until, emotion, event, language, agent, queue, alert_state, sort = filters
        query = calls.CallQuery(words or "", _day(since), _day(until), _choice(emotion), _choice(event),
                                _choice(language), _choice(agent), _choice(queue), _choice(alert_state),
                                sort or "newest", max(page, 0))
        found = calls.find(site, who, query)
        if not (found.calls or found.hits) and query.page > 0:  # past the end: stay on the last page
            raise gr.Error("There is no further page.")
        table, rows = _calls_table(found)
        return found.describe(), table, query.page, rows

    @_handler
    def first(words, since, until, emotion, event, language, agent, queue, alert_state, sort, page,
              request: gr.Request):
        return find([words, since, until, emotion, event, language, agent, queue, alert_state, sort], 0, request)

    @_handler
    def back(words, since, until, emotion, event, language, agent, queue, alert_state, sort, page,
             request: gr.Request):
        return find([words, since, until, emotion, event, language, agent, queue, alert_state, sort],
                    int(page or 0) - 1, request)

    @_handler
    def on(words, since, until, emotion, event, language, agent, queue, alert_state, sort, page,
           request: gr.Request):
        return find([words, since, until, emotion, event, language, agent, queue, alert_state, sort],
                    int(page or 0) + 1, request)

    shown = [c.summary, c.table, c.page, c.rows]
    for control in (c.emotion, c.event, c.language, c.agent, c.queue, c.alert_state, c.sort):
        control.input(first, [*c.filters, c.page], shown)
    for control in (c.since, c.until):
        control.change(first, [*c.filters, c.page], shown)
    c.find.click(first, [*c.filters, c.page], shown)
    c.words.submit(first, [*c.filters, c.page], shown)
    c.previous.click(back, [*c.filters, c.page], shown)
    c.following.click(on, [*c.filters, c.page], shown)

    @_handler
    def open_row(rows, evt: gr.SelectData, request: gr.Request):
        who = access.caller(site, request)
        if not rows or evt.index[0] >= len(rows):
            raise gr.Error("Nothing to open there.")
        recording_id, at = rows[evt.index[0]]
        return _show_call(site, who, recording_id, at)

    c.table.select(open_row, [c.rows], _call_outputs(ui))
    c.tab.select(lambda: "calls", None, ui.active)


# -- Alerts

def _alerts_layout():
    with gr.Tab("Alerts", id="alerts", visible=False) as tab:
        with gr.Row():
            status = gr.Dropdown([ANY, *alerts.STATES], value="open", label="State", elem_id="vx-alert-state")
            severity = gr.Dropdown([ANY, "critical", "high", "medium", "low"], value=ANY, label="Severity")
            rule = gr.Dropdown([ANY], value=ANY, label="Rule")
        with gr.Row(elem_classes="vx-toolbar"):
            summary = gr.Markdown()
            previous = gr.Button("‹ Previous", size="sm", scale=0, min_width=110)
            following = gr.Button("Next ›", size="sm", scale=0, min_width=110)
        table = gr.Dataframe(interactive=False, datatype="html", elem_id="vx-alerts", wrap=True, max_height=420,
                             column_widths=["5%", "12%", "8%", "10%", "14%", "13%", "38%"])
        with gr.Row():
            with gr.Column(scale=3):
                detail = gr.HTML(notice("Click an alert to see it, acknowledge or resolve it."), elem_id="vx-alert-detail")
            with gr.Column(scale=2):
                comment = gr.Textbox(label="Comment", lines=2, placeholder="what was done, or why", elem_id="vx-comment")
                with gr.Row():
                    acknowledge = gr.Button("Acknowledge", variant="primary", interactive=False, elem_id="vx-ack")
                    resolve = gr.Button("Resolve", interactive=False, elem_id="vx-resolve")
                open_call = gr.Button("Open the call", interactive=False, elem_id="vx-alert-call")
        page = gr.State(0)
        ids = gr.State([])
        selected = gr.State(None)
        seen = gr.State(None)
        timer = gr.Timer(ALERTS_EVERY_S)
    return SimpleNamespace(tab=tab, status=status, severity=severity, rule=rule, summary=summary, previous=previous,
                           following=following, table=table, detail=detail, comment=comment, acknowledge=acknowledge,
                           resolve=resolve, open_call=open_call, page=page, ids=ids, selected=selected, seen=seen,
                           timer=timer)


def _inbox(site: Site, who, status, severity, rule, page: int):
    query = alerts.AlertQuery(_choice(status), _choice(severity), _choice(rule), page)
    found = alerts.inbox(site, who, query)
    first = page * query.page_size + 1
    summary = (f"Alerts {first:,}–{first + len(found.items) - 1:,} of {found.total:,}" if found.items
               else "No alert matches.")
    frame = _frame([{"#": a.id, "raised": a.created_at.strftime("%Y-%m-%d %H:%M"), "severity": severity_chip(a.severity),
                     "state": status_chip(a.status), "rule": _escape(a.rule_id), "call": _escape(a.filename),
                     "message": _escape(a.message)} for a in found.items],
                   ["#", "raised", "severity", "state", "rule", "call", "message"])
    return summary, frame, [a.id for a in found.items]


def _alerts_label(now: alerts.Watch):
    return gr.Tab(label=f"Alerts ({now.open} open)" if now.open else "Alerts", visible=True)


def _alert_detail(info) -> str:
    triggers = "".join(f"<li>{clock(t.start_s)}–{clock(t.end_s)} {_escape(t.role or '')} “{_escape(t.text)}”</li>"
                       for t in info.triggers)
    history = "".join(f"<li><b>{_escape(h.action)}</b> {h.at:%Y-%m-%d %H:%M} {_escape(h.actor or '')}"
                      f"{' — ' + _escape(h.comment) if h.comment else ''}</li>" for h in info.history)
    return (f'<div class="vx-alert-full" data-alert-id="{info.id}"><div>{severity_chip(info.severity)} '
            f'{status_chip(info.status)} <b>{_escape(info.rule_id)}</b> · alert {info.id} · {_escape(info.filename)} '
            f'(recording {info.recording_id})</div><p class="vx-alert-message">{_escape(info.message)}</p>'
            f'<h4>Triggers</h4><ul>{triggers or "<li>none recorded</li>"}</ul><h4>History</h4><ul>{history}</ul>'
            f'<div class="vx-hint">rules version {_escape(info.ruleset_version)}</div></div>')


def _wire_alerts(site: Site, ui) -> None:
    a = ui.alerts
    listing = [a.summary, a.table, a.ids, a.page]

    @_handler
    def show(status, severity, rule, page, request: gr.Request):
        who = access.caller(site, request)
        page = max(int(page or 0), 0)
        return (*_inbox(site, who, status, severity, rule, page), page)

    @_handler
    def enter(status, severity, rule, request: gr.Request):
        who = access.caller(site, request)
        rules_known = alerts.rule_choices(site, who)
        now = alerts.watch(site, who)
        return ("alerts", gr.Dropdown([ANY, *rules_known]), *_inbox(site, who, status, severity, rule, 0), 0, now,
                _alerts_label(now))

    def first(status, severity, rule, page, request: gr.Request):
        return show(status, severity, rule, 0, request)

    def back(status, severity, rule, page, request: gr.Request):
        return show(status, severity, rule, int(page or 0) - 1, request)

    def on(status, severity, rule, page, request: gr.Request):
        return show(status, severity, rule, int(page or 0) + 1, request)

    a.tab.select(enter, [a.status, a.severity, a.rule], [ui.active, a.rule, *listing, a.seen, a.tab])
    filters = [a.status, a.severity, a.rule, a.page]
    for control in (a.status, a.severity, a.rule):
        control.input(first, filters, listing)
    a.previous.click(back, filters, listing)
    a.following.click(on, filters, listing)

    buttons = [a.acknowledge, a.resolve, a.open_call]

    def _buttons(info):
        return [gr.Button(interactive=info.status == "open"), gr.Button(interactive=info.status != "resolved"),
                gr.Button(interactive=True)]

    @_handler
    def pick(ids, evt: gr.SelectData, request: gr.Request):
        who = access.caller(site, request)
        if not ids or evt.index[0] >= len(ids):
            raise gr.Error("Nothing to open there.")
        info = alerts.alert(site, who, ids[evt.index[0]])
        if info is None:
            raise gr.Error("That alert is gone.")
        return info.id, _alert_detail(info), *_buttons(info)

    a.table.select(pick, [a.ids], [a.selected, a.detail, *buttons])

    def step(action):
        @_handler
        def run(alert_id, comment, status, severity, rule, page, request: gr.Request):
            who = access.caller(site, request)
            if not alert_id:
                raise gr.Error("Choose an alert first.")
            info = alerts.act(site, who, alert_id, action, comment or "")
            gr.Info(f"Alert {info.id} {info.status}.", duration=4)
            now = alerts.watch(site, who)
            return (_alert_detail(info), "", *_buttons(info),
                    *_inbox(site, who, status, severity, rule, int(page or 0)), now, _alerts_label(now))
        return run

    for button, action in ((a.acknowledge, "acknowledge"), (a.resolve, "resolve")):
        button.click(step(action), [a.selected, a.comment, a.status, a.severity, a.rule, a.page],
                     [a.detail, a.comment, *buttons, a.summary, a.table, a.ids, a.seen, a.tab])

    @_handler
    def open_alert_call(alert_id, request: gr.Request):
        who = access.caller(site, request)
        info = alerts.alert(site, who, alert_id) if alert_id else None
        if info is None:
            raise gr.Error("Choose an alert first.")
        return _show_call(site, who, info.recording_id, info.triggers[0].start_s if info.triggers else None)

    a.open_call.click(open_alert_call, [a.selected], _call_outputs(ui))

    def poll(active, seen, status, severity, rule, page, request: gr.Request):
        """New alerts appear without a reload: the tab's label counts open alerts on every page;
        the inbox refreshes while it is in view."""
        try:
            who = access.caller(site, request)
            if not who.user.role.allows(Role.SUPERVISOR):
                return [gr.skip()] * 6
            now = alerts.watch(site, who)
            if seen is not None and now == seen:
                return [gr.skip()] * 6
            fresh = alerts.new_since(site, who, seen, now)
            if fresh:
                gr.Info(f"{len(fresh)} new alert(s): " + ", ".join(f"{f.severity} {f.rule_id}" for f in fresh[:3]),
                        duration=6)
            label = _alerts_label(now)
            if active != "alerts":
                return [now, label, gr.skip(), gr.skip(), gr.skip(), gr.skip()]
            return [now, label, *_inbox(site, who, status, severity, rule, int(page or 0)), int(page or 0)]
        except (Forbidden, StoreError):
            return [gr.skip()] * 6

    a.timer.tick(poll, [ui.active, a.seen, a.status, a.severity, a.rule, a.page],
                 [a.seen, a.tab, a.summary, a.table, a.ids, a.page], show_progress="hidden")


# -- Analytics

def _analytics_layout():
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


def _wire_analytics(site: Site, ui) -> None:
    n = ui.analytics
    shown = [n.start, n.end, n.summary, n.mix, n.rates, n.events, n.compared, n.table, n.escalating]

    @_handler
    def show(start, end, compare, request: gr.Request):
        who = access.caller(site, request)
        end_day = _day(end) or date.today()
        start_day = _day(start) or end_day - timedelta(days=29)
        built = analytics.build(site, who, start_day, end_day, compare or "agent")
        key = built.compared.by
        top = [{"call": c.filename, "day": c.call_day, "agent": c.agent or "", "queue": c.queue or "",
                "escalation": c.escalation, "negative share": c.negative_share} for c in built.by_day.top_escalating]
        return (start_day.isoformat(), end_day.isoformat(),
                f"**{built.calls:,} calls** from {start_day:%d %b %Y} to {end_day:%d %b %Y}.",
                _frame(analytics.emotion_mix(built), ["day", "emotion", "share"]),
                _frame(analytics.alert_rates(built), ["rule", "share"]),
                gr.BarPlot(_frame(analytics.events(built), ["event", "segments"]),
                           title="Audio events" if analytics.events(built) else "Audio events: none in this period"),
                gr.BarPlot(_frame(analytics.comparison(built), [key, "calls", "minutes", "talk minutes",
                                                                "negative share", "alerts per call"]),
                           x=key, title=f"Negative share by {key}"),
                _frame(analytics.comparison(built), [key, "calls", "minutes", "talk minutes", "negative share",
                                                     "alerts per call"]),
                _frame(top, ["call", "day", "agent", "queue", "escalation", "negative share"]))

    def enter(start, end, compare, request: gr.Request):
        return ("analytics", *show(start, end, compare, request))

    n.tab.select(enter, [n.start, n.end, n.compare], [ui.active, *shown])
    n.refresh.click(show, [n.start, n.end, n.compare], shown)
    n.compare.input(show, [n.start, n.end, n.compare], shown)

    @_handler
    def export(start, end, by, request: gr.Request):
        who = access.caller(site, request)
        end_day = _day(end) or date.today()
        path = analytics.export_csv(site, who, _day(start) or end_day - timedelta(days=29), end_day, by or "day")
        return gr.File(value=str(path), visible=True)

    n.export.click(export, [n.start, n.end, n.by], n.exported)


# -- Admin

def _admin_layout():
    with gr.Tab("Admin", id="admin", visible=False) as tab:
        with gr.Tabs():
            with gr.Tab("Workers and queue"):
                machinery = gr.HTML(elem_id="vx-machinery")
                timer = gr.Timer(ADMIN_EVERY_S)
            with gr.Tab("Models"):
                models = gr.HTML(elem_id="vx-models")
            with gr.Tab("Rules"):
                rules_status = gr.HTML()
                rules_text = gr.Code(language="yaml", label="configs/rules.yaml", lines=18, max_lines=40,
                                     interactive=True)
                with gr.Row():
                    validate = gr.Button("Validate")
                    put = gr.Button("Put in force", variant="primary")
                    reload = gr.Button("Reload from disk")
            with gr.Tab("Users"):
                users = gr.Dataframe(interactive=False)
                with gr.Row(elem_classes="vx-toolbar"):
                    name = gr.Textbox(label="Name")
                    role = gr.Dropdown([r.value for r in Role], value="analyst", label="Role")
                    password = gr.Textbox(label="Password (8 or more characters)", type="password")
                    add = gr.Button("Add user", variant="primary", size="md", scale=0, min_width=120)
                with gr.Row(elem_classes="vx-toolbar"):
                    someone = gr.Dropdown([], label="User", allow_custom_value=True)
                    new_password = gr.Textbox(label="New password", type="password")
                    set_password = gr.Button("Set password", size="md", scale=0, min_width=130)
                    disable = gr.Button("Disable", variant="stop", size="md", scale=0, min_width=110)
            with gr.Tab("Tokens"):
                tokens = gr.Dataframe(interactive=False)
                with gr.Row(elem_classes="vx-toolbar"):
                    token_user = gr.Dropdown([], label="Acts as user", allow_custom_value=True)
                    token_label = gr.Textbox(label="What it is for", placeholder="CRM, ticketing…")
                    token_days = gr.Number(None, label="Expires in days (0: never)", precision=0)
                    create = gr.Button("Create token", variant="primary", size="md", scale=0, min_width=140)
                secret = gr.Textbox(label="The new token (shown once: copy it now)", interactive=False, visible=False,
                                    buttons=["copy"])
                with gr.Row(elem_classes="vx-toolbar"):
                    token_id = gr.Number(None, label="Token #", precision=0, scale=0, min_width=140)
                    revoke = gr.Button("Revoke", variant="stop", size="md", scale=0, min_width=110)
            with gr.Tab("Audit log"):
                with gr.Row(elem_classes="vx-toolbar"):
                    actor = gr.Textbox(label="Who")
                    action = gr.Textbox(label="Action", placeholder="view, search, upload, alert_acknowledge…")
                    show_audit = gr.Button("Show", size="md", scale=0, min_width=100)
                    older = gr.Button("Older ›", size="md", scale=0, min_width=100)
                audit = gr.Dataframe(interactive=False, wrap=True, max_height=520, elem_id="vx-audit",
                                     column_widths=["6%", "15%", "11%", "13%", "9%", "10%", "36%"])
                gr.HTML('<div class="vx-hint">The whole log as CSV: <a href="/api/v1/audit?format=csv&limit=10000" '
                        'download>audit.csv</a> (audited too).</div>')
                before = gr.State(None)
    return SimpleNamespace(tab=tab, machinery=machinery, timer=timer, models=models, rules_status=rules_status,
                           rules_text=rules_text, validate=validate, put=put, reload=reload, users=users, name=name,
                           role=role, password=password, add=add, someone=someone, new_password=new_password,
                           set_password=set_password, disable=disable, tokens=tokens, token_user=token_user,
                           token_label=token_label, token_days=token_days, create=create, secret=secret,
                           token_id=token_id, revoke=revoke, actor=actor, action=action, show_audit=show_audit,
                           older=older, audit=audit, before=before)


def _machinery_html(m: admin.Machinery) -> str:
    counts = "".join(f'<div class="vx-card"><div class="vx-card-label">{_escape(state)}</div>'
                     f'<div class="vx-card-value">{m.jobs.get(state, 0):,}</div></div>'
                     for state in ("queued", "running", "done", "failed", "dead"))
    if m.mode == "embedded":
        mode = notice("Embedded mode (no Redis): jobs wait in SQL and the worker started beside this server "
                      "takes them. Workers on other hosts need a shared Redis (queue.redis_url).")
        depth = ""
    else:
        mode = notice(f"{len(m.workers)} live worker(s) on the shared Redis queue.")
        depth = "".join(f'<div class="vx-card"><div class="vx-card-label">{_escape(p)} priority</div>'
                        f'<div class="vx-card-value">{d.get("waiting", 0):,}</div>'
                        f'<div class="vx-card-note">waiting; {d.get("in_hand", 0):,} in workers\' hands</div></div>'
                        for p, d in m.queue.items())
    workers = "".join(f"<tr><td>{_escape(w.get('id', ''))}</td><td>{_escape(w.get('host', ''))}</td>"
                      f"<td>{_escape(w.get('device', ''))}</td><td>{_escape(w.get('model_id', ''))}</td>"
                      f"<td>{len(w.get('jobs_in_hand', []))}</td><td>{w.get('processed', 0)}</td>"
                      f"<td>{_escape(str(w.get('seen_at', ''))[:19])}</td></tr>" for w in m.workers)
    running = "".join(f"<tr><td>{j['id']}</td><td>{_escape(j['recording']['filename'])}</td>"
                      f"<td>{job_status(j['status'], j['progress']['done'], j['progress']['total'])}</td>"
                      f"<td>{_escape(j['worker'] or '')}</td></tr>" for j in m.running)
    return (f'{mode}<h3>Jobs</h3><div class="vx-cards">{counts}{depth}</div>'
            + (f'<h3>Live workers</h3><table class="vx-table"><thead><tr><th>worker</th><th>host</th><th>device</th>'
               f'<th>model</th><th>in hand</th><th>processed</th><th>last seen</th></tr></thead><tbody>{workers}'
               '</tbody></table>' if m.workers else "")
            + (f'<h3>Running now</h3><table class="vx-table"><thead><tr><th>job</th><th>file</th><th>progress</th>'
               f'<th>worker</th></tr></thead><tbody>{running}</tbody></table>' if m.running else ""))


def _models_html(m: admin.ModelsInUse) -> str:
    s = m.sensevoice
    rows = [("SenseVoice (emotion, events, words)", s.get("model_id") or f"not usable: {s.get('error', '')}",
             "SYNTHETIC — random weights" if s.get("synthetic") else ("real" if s.get("model_id") else "–"),
             s.get("directory", "")),
            ("Whisper (words)", (m.whisper or {}).get("model_id", "not unpacked yet"), "real" if m.whisper else "–",
             (m.whisper or {}).get("directory", ""))]
    body = "".join(f"<tr><th>{_escape(a)}</th><td>{_escape(str(b))}</td><td>{_escape(c)}</td><td>{_escape(str(d))}</td></tr>"
                   for a, b, c, d in rows)
    workers = "".join(f"<li>{_escape(w)}</li>" for w in m.worker_models)
    return ((banner(m.warning) if m.warning else "")
            + f'<table class="vx-table"><thead><tr><th>model</th><th>id</th><th>weights</th><th>directory</th></tr>'
            f"</thead><tbody>{body}</tbody></table><p>Words engine: <b>{_escape(m.words)}</b></p>"
            + (f"<h4>Loaded by live workers</h4><ul>{workers}</ul>" if workers else ""))


def _rules_status(check: dict) -> str:
    if check.get("ok"):
        return (f'<div class="vx-ok">Valid: version <b>{_escape(check["version"])}</b>, '
                f'{len(check["rules"])} rule(s): {_escape(", ".join(check["rules"]))}</div>')
    return f'<div class="vx-banner vx-danger">{_escape(check.get("error") or "invalid")}</div>'


def _wire_admin(site: Site, ui) -> None:
    d = ui.admin

    def _users(who):
        listed = admin.users(site, who)
        frame = _frame([{"name": u.name, "role": u.role.value, "state": "disabled" if u.disabled else "enabled",
                         "since": f"{u.created_at:%Y-%m-%d}"} for u in listed], ["name", "role", "state", "since"])
        names = [u.name for u in listed]
        return frame, gr.Dropdown(names), gr.Dropdown(names)

    def _tokens(who):
        return _frame([{"#": t.id, "name": t.name, "acts as": t.user, "created": f"{t.created_at:%Y-%m-%d}",
                        "expires": f"{t.expires_at:%Y-%m-%d}" if t.expires_at else "never",
                        "state": "revoked" if t.revoked_at else "live",
                        "last used": f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"}
                       for t in admin.tokens(site, who)],
                      ["#", "name", "acts as", "created", "expires", "state", "last used"])

    def _audit(who, actor, action, before_id):
        page = admin.audit_log(site, who, actor or "", action or "", before_id)
        frame = _frame([{"#": e.id, "when": f"{e.at:%Y-%m-%d %H:%M:%S}", "who": e.actor, "action": e.action,
                         "recording": e.recording_id or "", "from": e.source or "",
                         "detail": ", ".join(f"{k}={v}" for k, v in e.detail.items())} for e in page.entries],
                       ["#", "when", "who", "action", "recording", "from", "detail"])
        return frame, page.next_before_id

    everything = [d.machinery, d.models, d.rules_status, d.rules_text, d.users, d.someone, d.token_user, d.tokens,
                  d.audit, d.before]

    @_handler
    def enter(request: gr.Request):
        who = access.caller(site, request)
        return ("admin", _machinery_html(admin.machinery(site, who)), _models_html(admin.models_in_use(site, who)),
                _rules_status(admin.rules_in_force(site, who)), admin.rules_text(site, who), *_users(who),
                _tokens(who), *_audit(who, "", "", None))

    d.tab.select(enter, None, [ui.active, *everything])

    def poll(active, request: gr.Request):
        if active != "admin":
            return gr.skip()
        try:
            return _machinery_html(admin.machinery(site, access.caller(site, request)))
        except (Forbidden, StoreError, QueueError):
            return gr.skip()

    d.timer.tick(poll, [ui.active], d.machinery, show_progress="hidden")

    @_handler
    def validate(text, request: gr.Request):
        return _rules_status(admin.check_rules(site, access.caller(site, request), text or ""))

    @_handler
    def put(text, request: gr.Request):
        who = access.caller(site, request)
        check = admin.check_rules(site, who, text or "")
        if not check["ok"]:
            return _rules_status(check)  # shown, and the rules in force stay
        done = admin.put_rules_in_force(site, who, text)
        gr.Info(f"Rules version {done['version']} in force: workers use them from their next call.")
        return _rules_status(done)

    @_handler
    def reload(request: gr.Request):
        who = access.caller(site, request)
        return _rules_status(admin.rules_in_force(site, who)), admin.rules_text(site, who)

    d.validate.click(validate, d.rules_text, d.rules_status)
    d.put.click(put, d.rules_text, d.rules_status)
    d.reload.click(reload, None, [d.rules_status, d.rules_text])

    @_handler
    def add_user(name, role, password, request: gr.Request):
        who = access.caller(site, request)
        made = admin.add_user(site, who, name or "", role or "", password or "")
        gr.Info(f"Added {made.name} ({made.role.value}).")
        return "", "", *_users(who)

    d.add.click(add_user, [d.name, d.role, d.password], [d.name, d.password, d.users, d.someone, d.token_user])

    @_handler
    def set_password(name, password, request: gr.Request):
        who = access.caller(site, request)
        admin.set_password(site, who, name or "", password or "")
        gr.Info(f"Password of {name} changed.")
        return ""

    d.set_password.click(set_password, [d.someone, d.new_password], d.new_password)

    @_handler
    def disable(name, request: gr.Request):
        who = access.caller(site, request)
        admin.disable_user(site, who, name or "")
        gr.Info(f"{name} is disabled: sign-ins, sessions and tokens stop now.")
        return _users(who)

    d.disable.click(disable, d.someone, [d.users, d.someone, d.token_user])

    @_handler
    def create(user, label, days, request: gr.Request):
        who = access.caller(site, request)
        secret, info = admin.create_token(site, who, user or "", label or "", float(days) if days else None)
        return gr.Textbox(value=secret, visible=True), _tokens(who)

    d.create.click(create, [d.token_user, d.token_label, d.token_days], [d.secret, d.tokens])

    @_handler
    def revoke(token_id, request: gr.Request):
        who = access.caller(site, request)
        if not token_id:
            raise gr.Error("Enter the token's number.")
        admin.revoke_token(site, who, int(token_id))
        gr.Info(f"Token {int(token_id)} revoked.")
        return _tokens(who)

    d.revoke.click(revoke, d.token_id, d.tokens)

    @_handler
    def audit(actor, action, request: gr.Request):
        return _audit(access.caller(site, request), actor, action, None)

    @_handler
    def older(actor, action, before_id, request: gr.Request):
        if before_id is None:
            raise gr.Error("That was the oldest page.")
        return _audit(access.caller(site, request), actor, action, before_id)

    d.show_audit.click(audit, [d.actor, d.action], [d.audit, d.before])
    d.older.click(older, [d.actor, d.action, d.before], [d.audit, d.before])


# -- small renderings

def _escape(value) -> str:
    return escape(str(value)) if value is not None else ""


def _marked(text: str, highlights) -> str:
    """The segment's text with the matched words marked."""
    out, last = "", 0
    for start, end in highlights:
        out += _escape(text[last:start]) + "<mark>" + _escape(text[start:end]) + "</mark>"
        last = end
    return out + _escape(text[last:])


def _when(r) -> str:
    call_time = r.call_metadata.get("call_time")
    return _escape(str(call_time)[:16].replace("T", " ")) if call_time else f"{r.created_at:%Y-%m-%d %H:%M}"


def _alert_counts(r) -> str:
    if not r.alerts:
        return ""
    if r.open_alerts:
        return f'<span class="vx-chip vx-strong" style="--c:#b42318">{r.open_alerts} open</span> of {r.alerts}'
    return f"{r.alerts} (none open)"


def _model_flag(r) -> str:
    if r.synthetic:
        return '<span class="vx-chip vx-strong" style="--c:#b42318" title="random weights: tags are meaningless">synthetic</span>'
    return ""


# -- serving it

STATIC = Path(__file__).parent / "static"


def mount(app: FastAPI, site: Site) -> None:
    """Serve the console at ``/console/`` in ``app``, with the sign-in pages in front of it."""
    app.include_router(signin.router)
    app.add_middleware(signin.SignInFirst)

    async def signed_in(request: Request) -> str | None:
        return await run_in_threadpool(access.session_user, site, request)

    gr.mount_gradio_app(
        app, build(site), path="/console", auth_dependency=signed_in, ssr_mode=False, footer_links=[],
        max_file_size=site.config.web.max_upload_bytes, show_error=False,  # gr.Error messages only, not internals
        theme=gr.themes.Default(primary_hue="blue", neutral_hue="slate"),  # its fonts are served locally
        css=(STATIC / "console.css").read_text(encoding="utf-8"),
        head=f"<script>{(STATIC / 'console.js').read_text(encoding='utf-8')}</script>")
