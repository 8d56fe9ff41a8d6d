"""The Admin page: the machinery (refreshed while in view), the models, the alert rules, users,
tokens, legal holds and erasure, agents' voiceprints, and the audit log.
"""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr

from voxsight.errors import QueueError, StoreError
from voxsight.site import Site
from voxsight.store.accounts import Role
from voxsight.webui.console import access, admin
from voxsight.webui.console.access import Forbidden
from voxsight.webui.console.handlers import Shell, frame, handler
from voxsight.webui.console.render import erasure_html, machinery_html, models_html, rules_html

ADMIN_EVERY_S = 5.0


def layout() -> SimpleNamespace:
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
                    password = gr.Textbox(label="Password (12 or more characters)", type="password")
                    add = gr.Button("Add user", variant="primary", size="md", scale=0, min_width=120)
                with gr.Row(elem_classes="vx-toolbar"):
                    someone = gr.Dropdown([], label="User", allow_custom_value=True)
                    new_password = gr.Textbox(label="New password", type="password")
                    set_password = gr.Button("Set password", size="md", scale=0, min_width=130)
                    sign_out = gr.Button("Sign out everywhere", size="md", scale=0, min_width=170)
                    disable = gr.Button("Disable", variant="stop", size="md", scale=0, min_width=110)
            with gr.Tab("Tokens"):
                tokens = gr.Dataframe(interactive=False)
                with gr.Row(elem_classes="vx-toolbar"):
                    token_user = gr.Dropdown([], label="Acts as user", allow_custom_value=True)
                    token_label = gr.Textbox(label="What it is for", placeholder="CRM, ticketing…")
                    token_days = gr.Number(None, label="Expires in days (empty: the site's default; 0: never)",
                                           precision=0)
                    create = gr.Button("Create token", variant="primary", size="md", scale=0, min_width=140)
                secret = gr.Textbox(label="The new token (shown once: copy it now)", interactive=False, visible=False,
                                    buttons=["copy"])
                with gr.Row(elem_classes="vx-toolbar"):
                    token_id = gr.Number(None, label="Token #", precision=0, scale=0, min_width=140)
                    revoke = gr.Button("Revoke", variant="stop", size="md", scale=0, min_width=110)
            with gr.Tab("Holds and erasure"):
                holds = gr.Dataframe(interactive=False, wrap=True, elem_id="vx-holds")
                with gr.Row(elem_classes="vx-toolbar"):
                    hold_scope = gr.Dropdown(["recording", "customer", "agent"], value="customer", label="Hold")
                    hold_value = gr.Textbox(label="Recording number, customer or agent")
                    hold_reason = gr.Textbox(label="Reason (a case, a request)")
                    place = gr.Button("Place hold", variant="primary", size="md", scale=0, min_width=130)
                with gr.Row(elem_classes="vx-toolbar"):
                    hold_id = gr.Number(None, label="Hold #", precision=0, scale=0, min_width=140)
                    release = gr.Button("Release", size="md", scale=0, min_width=110)
                gr.HTML('<div class="vx-hint">Erasure removes the audio (every copy), transcripts, index entries, '
                        'alerts, notifications and jobs of the calls named, and every cached page; a held call is '
                        'refused with its hold\'s reason. It cannot be undone: Preview shows what it would remove.</div>')
                with gr.Row(elem_classes="vx-toolbar"):
                    erase_by = gr.Dropdown(list(admin.ERASE_BY), value="customer", label="Erase by")
                    erase_value = gr.Textbox(label="Recording number, customer, or KEY=VALUE")
                    preview = gr.Button("Preview", size="md", scale=0, min_width=110)
                    erase = gr.Button("Erase", variant="stop", size="md", scale=0, min_width=110)
                erased = gr.HTML(elem_id="vx-erased")
            with gr.Tab("Voiceprints"):
                gr.HTML('<div class="vx-hint">Agents\' voiceprints tell the agent on mono calls. They are biometric '
                        'data: each listing and each erasure is audited. Prints are made on a machine with the '
                        'models: <code>voxsight agents enroll NAME FILE...</code> or <code>voxsight agents learn '
                        'NAME</code>.</div>')
                with gr.Row(elem_classes="vx-toolbar"):
                    show_prints = gr.Button("Show", size="md", scale=0, min_width=100)
                    print_agent = gr.Textbox(label="Agent")
                    forget = gr.Button("Erase print", variant="stop", size="md", scale=0, min_width=120)
                prints = gr.Dataframe(interactive=False, wrap=True, elem_id="vx-voiceprints")
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
                           set_password=set_password, sign_out=sign_out, disable=disable, tokens=tokens, token_user=token_user,
                           token_label=token_label, token_days=token_days, create=create, secret=secret,
                           token_id=token_id, revoke=revoke, actor=actor, action=action, show_audit=show_audit,
                           older=older, audit=audit, before=before, holds=holds, hold_scope=hold_scope,
                           hold_value=hold_value, hold_reason=hold_reason, place=place, hold_id=hold_id,
                           release=release, erase_by=erase_by, erase_value=erase_value, preview=preview, erase=erase,
                           erased=erased, show_prints=show_prints, print_agent=print_agent, forget=forget,
                           prints=prints)


def wire(site: Site, page: SimpleNamespace, shell: Shell) -> None:
    d = page

    def _users(who):
        listed = admin.users(site, who)
        table = frame([{"name": u.name, "role": u.role.value, "state": "disabled" if u.disabled else "enabled",
                        "since": f"{u.created_at:%Y-%m-%d}"} for u in listed], ["name", "role", "state", "since"])
        names = [u.name for u in listed]
        return table, gr.Dropdown(names), gr.Dropdown(names)

    def _tokens(who):
        return frame([{"#": t.id, "name": t.name, "acts as": t.user, "created": f"{t.created_at:%Y-%m-%d}",
                       "expires": f"{t.expires_at:%Y-%m-%d}" if t.expires_at else "never",
                       "kind": "session" if t.session else "token",
                       "state": "revoked" if t.revoked_at else "live",
                       "last used": f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"}
                      for t in admin.tokens(site, who)],
                     ["#", "name", "kind", "acts as", "created", "expires", "state", "last used"])

    def _audit(who, actor, action, before_id):
        found = admin.audit_log(site, who, actor or "", action or "", before_id)
        table = frame([{"#": e.id, "when": f"{e.at:%Y-%m-%d %H:%M:%S}", "who": e.actor, "action": e.action,
                        "recording": e.recording_id or "", "from": e.source or "",
                        "detail": ", ".join(f"{k}={v}" for k, v in e.detail.items())} for e in found.entries],
                      ["#", "when", "who", "action", "recording", "from", "detail"])
        return table, found.next_before_id

    def _holds(who):
        return frame([{"#": h.id, "holds": f"{h.scope} {h.value}", "reason": h.reason,
                       "placed": f"{h.placed_at:%Y-%m-%d} by {h.placed_by}",
                       "state": f"released {h.released_at:%Y-%m-%d} by {h.released_by}" if h.released_at
                       else "in force"}
                      for h in admin.holds(site, who)], ["#", "holds", "reason", "placed", "state"])

    everything = [d.machinery, d.models, d.rules_status, d.rules_text, d.users, d.someone, d.token_user, d.tokens,
                  d.audit, d.before, d.holds]

    @handler
    def enter(request: gr.Request):
        who = access.caller(site, request)
        return ("admin", machinery_html(admin.machinery(site, who)), models_html(admin.models_in_use(site, who)),
                rules_html(admin.rules_in_force(site, who)), admin.rules_text(site, who), *_users(who),
                _tokens(who), *_audit(who, "", "", None), _holds(who))

    d.tab.select(enter, None, [shell.active, *everything])

    def poll(active, request: gr.Request):
        if active != "admin":
            return gr.skip()
        try:
            return machinery_html(admin.machinery(site, access.caller(site, request, touch=False)))
        except (Forbidden, StoreError, QueueError):
            return gr.skip()

    d.timer.tick(poll, [shell.active], d.machinery, show_progress="hidden")

    @handler
    def validate(text, request: gr.Request):
        return rules_html(admin.check_rules(site, access.caller(site, request), text or ""))

    @handler
    def put(text, request: gr.Request):
        who = access.caller(site, request)
        check = admin.check_rules(site, who, text or "")
        if not check["ok"]:
            return rules_html(check)  # shown, and the rules in force stay
        done = admin.put_rules_in_force(site, who, text)
        gr.Info(f"Rules version {done['version']} in force: workers use them from their next call.")
        return rules_html(done)

    @handler
    def reload(request: gr.Request):
        who = access.caller(site, request)
        return rules_html(admin.rules_in_force(site, who)), admin.rules_text(site, who)

    d.validate.click(validate, d.rules_text, d.rules_status)
    d.put.click(put, d.rules_text, d.rules_status)
    d.reload.click(reload, None, [d.rules_status, d.rules_text])

    @handler
    def add_user(name, role, password, request: gr.Request):
        who = access.caller(site, request)
        made = admin.add_user(site, who, name or "", role or "", password or "")
        gr.Info(f"Added {made.name} ({made.role.value}).")
        return "", "", *_users(who)

    d.add.click(add_user, [d.name, d.role, d.password], [d.name, d.password, d.users, d.someone, d.token_user])

    @handler
    def set_password(name, password, request: gr.Request):
        who = access.caller(site, request)
        ended = admin.set_password(site, who, name or "", password or "")
        gr.Info(f"Password of {name} changed; {ended} session(s) and token(s) of theirs ended.")
        return "", _tokens(who)

    d.set_password.click(set_password, [d.someone, d.new_password], [d.new_password, d.tokens])

    @handler
    def sign_out(name, request: gr.Request):
        who = access.caller(site, request)
        ended = admin.sign_out_everywhere(site, who, name or "")
        gr.Info(f"{name} is signed out everywhere: {ended} session(s) ended; tokens stay.")
        return _tokens(who)

    d.sign_out.click(sign_out, d.someone, d.tokens)

    @handler
    def disable(name, request: gr.Request):
        who = access.caller(site, request)
        ended = admin.disable_user(site, who, name or "")
        gr.Info(f"{name} is disabled: sign-ins stop now, and {ended} session(s) and token(s) ended.")
        return *_users(who), _tokens(who)

    d.disable.click(disable, d.someone, [d.users, d.someone, d.token_user, d.tokens])

    @handler
    def create(user, label, days, request: gr.Request):
        who = access.caller(site, request)
        secret, info = admin.create_token(site, who, user or "", label or "", None if days is None else float(days))
        return gr.Textbox(value=secret, visible=True), _tokens(who)

    d.create.click(create, [d.token_user, d.token_label, d.token_days], [d.secret, d.tokens])

    @handler
    def revoke(token_id, request: gr.Request):
        who = access.caller(site, request)
        if not token_id:
            raise gr.Error("Enter the token's number.")
        admin.revoke_token(site, who, int(token_id))
        gr.Info(f"Token {int(token_id)} revoked.")
        return _tokens(who)

    d.revoke.click(revoke, d.token_id, d.tokens)

    @handler
    def audit(actor, action, request: gr.Request):
        return _audit(access.caller(site, request), actor, action, None)

    @handler
    def older(actor, action, before_id, request: gr.Request):
        if before_id is None:
            raise gr.Error("That was the oldest page.")
        return _audit(access.caller(site, request), actor, action, before_id)

    @handler
    def place(scope, value, reason, request: gr.Request):
        who = access.caller(site, request)
        hold = admin.place_hold(site, who, scope or "", value or "", reason or "")
        gr.Info(f"Hold {hold.id} on {hold.scope} {hold.value} is in force.")
        return "", "", _holds(who)

    d.place.click(place, [d.hold_scope, d.hold_value, d.hold_reason], [d.hold_value, d.hold_reason, d.holds])

    @handler
    def release(hold_id, request: gr.Request):
        who = access.caller(site, request)
        if not hold_id:
            raise gr.Error("Enter the hold's number.")
        admin.release_hold(site, who, int(hold_id))
        gr.Info(f"Hold {int(hold_id)} released.")
        return _holds(who)

    d.release.click(release, d.hold_id, d.holds)

    @handler
    def erase(by, value, request: gr.Request):
        done = admin.erase(site, access.caller(site, request), by or "", value or "")
        return erasure_html(done)

    @handler
    def preview(by, value, request: gr.Request):
        done = admin.erase(site, access.caller(site, request), by or "", value or "", dry_run=True)
        return erasure_html(done, dry_run=True)

    d.preview.click(preview, [d.erase_by, d.erase_value], d.erased)
    d.erase.click(erase, [d.erase_by, d.erase_value], d.erased)

    def _prints(who):
        return frame([{"agent": v.agent, "made": f"{v.source} from {v.made_from}", "speech": f"{v.speech_s:.0f} s",
                       "model": v.model_id, "when": f"{v.updated_at:%Y-%m-%d %H:%M} by {v.updated_by}"}
                      for v in admin.voiceprints(site, who)], ["agent", "made", "speech", "model", "when"])

    @handler
    def show_prints(request: gr.Request):
        return _prints(access.caller(site, request))

    @handler
    def forget(agent, request: gr.Request):
        who = access.caller(site, request)
        if not (agent or "").strip():
            raise gr.Error("Enter the agent whose print to erase.")
        admin.forget_voiceprint(site, who, agent)
        gr.Info(f"{agent.strip()}'s voiceprint is erased.")
        return "", _prints(who)

    d.show_prints.click(show_prints, None, d.prints)
    d.forget.click(forget, d.print_agent, [d.print_agent, d.prints])

    d.show_audit.click(audit, [d.actor, d.action], [d.audit, d.before])
    d.older.click(older, [d.actor, d.action, d.before], [d.audit, d.before])
