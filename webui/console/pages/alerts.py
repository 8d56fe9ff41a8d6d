"""The Alerts page: the supervisors' inbox, one alert's detail, acknowledge and resolve with a
comment. Its timer keeps the tab's label counting open alerts on every page, and refreshes the
inbox (announcing new alerts) while it is in view.
"""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr

from voxsight.errors import StoreError
from voxsight.site import Site
from voxsight.store.accounts import Role
from voxsight.webui.console import access, alerts
from voxsight.webui.console.access import Forbidden
from voxsight.webui.console.handlers import ANY, Shell, choice, frame, handler
from voxsight.webui.console.pages import call as call_page
from voxsight.webui.console.render import alert_detail_html, escaped, notice, severity_chip, status_chip

ALERTS_EVERY_S = 4.0


def layout() -> SimpleNamespace:
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


def label(now: alerts.Watch):
    """The tab, labelled with the open alerts' count."""
    return gr.Tab(label=f"Alerts ({now.open} open)" if now.open else "Alerts", visible=True)


def _inbox(site: Site, who, status, severity, rule, page: int, refresh: bool = False):
    query = alerts.AlertQuery(choice(status), choice(severity), choice(rule), page)
    found = alerts.inbox(site, who, query, refresh)
    first = page * query.page_size + 1
    summary = (f"Alerts {first:,}–{first + len(found.items) - 1:,} of {found.total:,}" if found.items
               else "No alert matches.")
    table = frame([{"#": a.id, "raised": a.created_at.strftime("%Y-%m-%d %H:%M"), "severity": severity_chip(a.severity),
                    "state": status_chip(a.status), "rule": escaped(a.rule_id), "call": escaped(a.filename),
                    "message": escaped(a.message)} for a in found.items],
                  ["#", "raised", "severity", "state", "rule", "call", "message"])
    return summary, table, [a.id for a in found.items]


def _buttons(info):
    return [gr.Button(interactive=info.status == "open"), gr.Button(interactive=info.status != "resolved"),
            gr.Button(interactive=True)]


def wire(site: Site, page: SimpleNamespace, shell: Shell) -> None:
    a = page
    listing = [a.summary, a.table, a.ids, a.page]

    @handler
    def show(status, severity, rule, page, request: gr.Request):
        who = access.caller(site, request)
        page = max(int(page or 0), 0)
        return (*_inbox(site, who, status, severity, rule, page), page)

    @handler
    def enter(status, severity, rule, request: gr.Request):
        who = access.caller(site, request)
        rules_known = alerts.rule_choices(site, who)
        now = alerts.watch(site, who)
        return ("alerts", gr.Dropdown([ANY, *rules_known]), *_inbox(site, who, status, severity, rule, 0), 0, now,
                label(now))

    def first(status, severity, rule, page, request: gr.Request):
        return show(status, severity, rule, 0, request)

    def back(status, severity, rule, page, request: gr.Request):
        return show(status, severity, rule, int(page or 0) - 1, request)

    def on(status, severity, rule, page, request: gr.Request):
        return show(status, severity, rule, int(page or 0) + 1, request)

    a.tab.select(enter, [a.status, a.severity, a.rule], [shell.active, a.rule, *listing, a.seen, a.tab])
    filters = [a.status, a.severity, a.rule, a.page]
    for control in (a.status, a.severity, a.rule):
        control.input(first, filters, listing)
    a.previous.click(back, filters, listing)
    a.following.click(on, filters, listing)

    buttons = [a.acknowledge, a.resolve, a.open_call]

    @handler
    def pick(ids, evt: gr.SelectData, request: gr.Request):
        who = access.caller(site, request)
        if not ids or evt.index[0] >= len(ids):
            raise gr.Error("Nothing to open there.")
        info = alerts.alert(site, who, ids[evt.index[0]])
        if info is None:
            raise gr.Error("That alert is gone.")
        return info.id, alert_detail_html(info), *_buttons(info)

    a.table.select(pick, [a.ids], [a.selected, a.detail, *buttons])

    def step(action):
        @handler
        def run(alert_id, comment, status, severity, rule, page, request: gr.Request):
            who = access.caller(site, request)
            if not alert_id:
                raise gr.Error("Choose an alert first.")
            info = alerts.act(site, who, alert_id, action, comment or "")
            gr.Info(f"Alert {info.id} {info.status}.", duration=4)
            now = alerts.watch(site, who)
            return (alert_detail_html(info), "", *_buttons(info),
                    *_inbox(site, who, status, severity, rule, int(page or 0)), now, label(now))
        return run

    for button, action in ((a.acknowledge, "acknowledge"), (a.resolve, "resolve")):
        button.click(step(action), [a.selected, a.comment, a.status, a.severity, a.rule, a.page],
                     [a.detail, a.comment, *buttons, a.summary, a.table, a.ids, a.seen, a.tab])

    @handler
    def open_alert_call(alert_id, request: gr.Request):
        who = access.caller(site, request)
        info = alerts.alert(site, who, alert_id) if alert_id else None
        if info is None:
            raise gr.Error("Choose an alert first.")
        return call_page.show(site, who, info.recording_id, info.triggers[0].start_s if info.triggers else None)

    a.open_call.click(open_alert_call, [a.selected], call_page.outputs(shell))

    def poll(active, seen, status, severity, rule, page, request: gr.Request):
        """New alerts appear without a reload: the tab's label counts open alerts on every page;
        the inbox refreshes while it is in view."""
        try:
            who = access.caller(site, request, touch=False)
            if not who.user.role.allows(Role.SUPERVISOR):
                return [gr.skip()] * 6
            now = alerts.watch(site, who)
            if seen is not None and now == seen:
                return [gr.skip()] * 6
            fresh = alerts.new_since(site, who, seen, now)
            if fresh:
                gr.Info(f"{len(fresh)} new alert(s): " + ", ".join(f"{f.severity} {f.rule_id}" for f in fresh[:3]),
                        duration=6)
            if active != "alerts":
                return [now, label(now), gr.skip(), gr.skip(), gr.skip(), gr.skip()]
            return [now, label(now), *_inbox(site, who, status, severity, rule, int(page or 0), refresh=True),
                    int(page or 0)]
        except (Forbidden, StoreError):
            return [gr.skip()] * 6

    a.timer.tick(poll, [shell.active, a.seen, a.status, a.severity, a.rule, a.page],
                 [a.seen, a.tab, a.summary, a.table, a.ids, a.page], show_progress="hidden")
