"""The Calls page: the stored calls, filtered and a page at a time, or (for analysts) the segments
that said some words; a click opens the call, at the match when there is one.
"""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr

from voxsight.site import Site
from voxsight.store.accounts import Role
from voxsight.tags import EMOTIONS
from voxsight.webui.console import access, calls
from voxsight.webui.console.handlers import ANY, Shell, choice, day, frame, handler
from voxsight.webui.console.pages import call as call_page
from voxsight.webui.console.render import alert_counts, call_when, clock, emotion_chip, escaped, marked, model_flag


def layout() -> SimpleNamespace:
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


def first_page(site: Site, who) -> list:
    """Updates for the page's ``outputs`` when the console loads: filter choices and the newest calls."""
    if not who.user.role.allows(access.PAGES["calls"]):
        return [gr.skip()] * 13
    c = calls.choices(site, who)
    searching = who.user.role.allows(Role.ANALYST)
    found = calls.find(site, who, calls.CallQuery())
    table, rows = _table(found)
    return [gr.Textbox(visible=searching), gr.Button(visible=searching),
            gr.Dropdown([ANY, *c.emotions]), gr.Dropdown([ANY, *c.events]), gr.Dropdown([ANY, *c.languages]),
            gr.Dropdown([ANY, *c.agents]), gr.Dropdown([ANY, *c.queues]), gr.Dropdown([ANY, *c.alert_states]),
            gr.Dropdown(list(c.sorts)), found.describe(), table, 0, rows]


def _table(found: calls.CallsPage):
    """The table of a page (every cell HTML, escaped here), and what each row opens."""
    if found.hits:
        table = frame([{"#": h.recording_id, "call": escaped(h.filename), "at": clock(h.start_s),
                        "role": escaped(h.role or "mixed"), "emotion": emotion_chip(h.emotion),
                        "what was said": marked(h.text, h.highlights), "language": escaped(h.language)}
                       for h in found.hits], ["#", "call", "at", "role", "emotion", "what was said", "language"])
        return table, [(h.recording_id, h.start_s) for h in found.hits]
    table = frame([{"#": r.id, "call": escaped(r.filename), "when": call_when(r),
                    "agent": escaped(r.call_metadata.get("agent", "")), "queue": escaped(r.call_metadata.get("queue", "")),
                    "length": clock(r.duration_s), "language": escaped(r.language),
                    "emotion": emotion_chip(r.dominant_emotion) if r.analysis_id else
                    '<span class="vx-muted">not analyzed yet</span>',
                    "alerts": alert_counts(r), "model": model_flag(r)}
                   for r in found.calls],
                  ["#", "call", "when", "agent", "queue", "length", "language", "emotion", "alerts", "model"])
    return table, [(r.id, None) for r in found.calls]


def wire(site: Site, page: SimpleNamespace, shell: Shell) -> None:
    c = page

    def find(filters: list, page: int, request: gr.Request):
        who = access.caller(site, request)
        words, since, until, emotion, event, language, agent, queue, alert_state, sort = filters
        query = calls.CallQuery(words or "", day(since), day(until), choice(emotion), choice(event),
                                choice(language), choice(agent), choice(queue), choice(alert_state),
                                sort or "newest", max(page, 0))
        found = calls.find(site, who, query)
        if not (found.calls or found.hits) and query.page > 0:  # past the end: stay on the last page
            raise gr.Error("There is no further page.")
        table, rows = _table(found)
        return found.describe(), table, query.page, rows

    @handler
    def first(words, since, until, emotion, event, language, agent, queue, alert_state, sort, page,
              request: gr.Request):
        return find([words, since, until, emotion, event, language, agent, queue, alert_state, sort], 0, request)

    @handler
    def back(words, since, until, emotion, event, language, agent, queue, alert_state, sort, page,
             request: gr.Request):
        return find([words, since, until, emotion, event, language, agent, queue, alert_state, sort],
                    int(page or 0) - 1, request)

    @handler
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

    @handler
    def open_row(rows, evt: gr.SelectData, request: gr.Request):
        who = access.caller(site, request)
        if not rows or evt.index[0] >= len(rows):
            raise gr.Error("Nothing to open there.")
        recording_id, at = rows[evt.index[0]]
        return call_page.show(site, who, recording_id, at)

    c.table.select(open_row, [c.rows], call_page.outputs(shell))
    c.tab.select(lambda: "calls", None, shell.active)
