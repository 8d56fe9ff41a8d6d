"""The ``voxsight`` command: a thin shell over the library.

    voxsight analyze PATH... [--json] [--channels mix|split] [--language auto|zh|en|yue|ja|ko] [--db URL]
    voxsight demo [PATH...]
    voxsight models import SRC | verify | synth DIR --size tiny|full | download DIR
    voxsight db upgrade
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from voxsight import audio, config as config_module, models
from voxsight.results import SYNTHETIC_WARNING, AnalysisResult, Segment
from voxsight.tags import EMOTION_EMOJI, EVENT_EMOJI

DEMO_SAMPLES = Path("samples/calls")
# A single recording longer than this gets a progress bar of its own.
LONG_RECORDING_S = 120.0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _quiet_logging()
    from voxsight.store import StoreError

    try:
        config = config_module.load(args.config)
        return args.run(args, config)
    except (config_module.ConfigError, models.ModelError, StoreError) as exc:
        print(f"voxsight: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="voxsight", description="Offline speech analytics for calls.")
    parser.add_argument("--config", help="YAML configuration (default: configs/voxsight.yaml or $VOXSIGHT_CONFIG)")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

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
    imp = model_sub.add_parser("import", help="copy and validate a real SenseVoiceSmall directory or bundle")
    imp.add_argument("source")
    imp.set_defaults(run=_models_import)
    model_sub.add_parser("verify", help="re-check the configured model directory").set_defaults(run=_models_verify)
    synth = model_sub.add_parser("synth", help="build a synthetic SenseVoiceSmall (random weights)")
    synth.add_argument("directory", nargs="?", help="default: the configured models.sensevoice_dir")
    synth.add_argument("--size", choices=("tiny", "full"), default="full")
    synth.set_defaults(run=_models_synth)
    download = model_sub.add_parser("download", help="fetch the real models into a bundle (needs internet)")
    download.add_argument("directory")
    download.set_defaults(run=_models_download)

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
    parser.add_argument("--db", help="database URL (default: SQLite in the data directory)")


def _analyze(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight.analysis import AnalysisError, Analyzer
    from voxsight.store import Store

    config = config.with_overrides(
        audio={"channels": args.channels} if args.channels else {},
        engine={"language": args.language} if args.language else {},
        store={"url": args.db} if args.db else {},
    )
    files = audio.find_audio_files(args.paths)
    if not files:
        print("voxsight: no audio files found in " + " ".join(args.paths), file=sys.stderr)
        return 1
    synthetic = models.check_directory(config.models.sensevoice_dir).synthetic
    analyzer = Analyzer(config, Store(config.store_url))
    if synthetic:
        print(_banner(), file=sys.stderr)

    failures = 0
    with _Progress(len(files)) as progress:
        for path in files:
            try:
                result = analyzer.analyze_file(path, progress=progress.seconds)
            except (audio.AudioError, AnalysisError) as exc:
                failures += 1
                progress.write(f"voxsight: {exc}", sys.stderr)
            else:
                progress.write(json.dumps(result.to_json(), ensure_ascii=False) if args.json else _human(result))
            progress.file_done()
    if synthetic:
        print(_banner(), file=sys.stderr)
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
    args.paths = args.paths or [str(DEMO_SAMPLES)]
    return _analyze(args, config)


def _models_import(args: argparse.Namespace, config: config_module.Config) -> int:
    manifest = models.import_model(args.source, config.models.sensevoice_dir)
    print(f"imported {manifest.model_id} into {Path(config.models.sensevoice_dir).resolve()}")
    return 0


def _models_verify(args: argparse.Namespace, config: config_module.Config) -> int:
    manifest = models.verify(config.models.sensevoice_dir)
    kind = "SYNTHETIC (random weights)" if manifest.synthetic else "real"
    print(f"ok: {manifest.model_id}, {kind}, {len(manifest.files)} files match their sha256")
    return 0


def _models_synth(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight import synthetic

    directory = synthetic.build_model_dir(args.directory or config.models.sensevoice_dir, size=args.size)
    print(f"built a SYNTHETIC {args.size} SenseVoiceSmall in {directory}: its text is meaningless", file=sys.stderr)
    return 0


def _models_download(args: argparse.Namespace, config: config_module.Config) -> int:
    bundle = models.download(args.directory)
    print(f"downloaded into {bundle}; carry it to the site and run `voxsight models import {bundle}`")
    return 0


def _db_upgrade(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight.store import upgrade

    print(f"database at revision {upgrade(args.db or config.store_url)}")
    return 0


def _quiet_logging() -> None:
    """Warnings and errors only, and none of funasr's chatter (it logs on the root logger)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("voxsight: %(levelname)s: %(message)s"))
    handler.addFilter(lambda record: record.levelno >= logging.ERROR or "/funasr/" not in record.pathname)
    logging.basicConfig(level=logging.WARNING, handlers=[handler])


def _human(result: AnalysisResult) -> str:
    r = result.recording
    model = f"{result.model_id}{' [SYNTHETIC: text is meaningless]' if result.synthetic else ''}"
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
    return f"[{_clock(s.start_s)}–{_clock(s.end_s)}] {s.role or 'mix'} {emotion} {events}  {s.text}".rstrip()


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
        self._files = tqdm(total=files, unit="file", file=sys.stderr, disable=files < 2, leave=False)
        self._seconds = None

    def __enter__(self) -> "_Progress":
        return self

    def __exit__(self, *exc) -> None:
        if self._seconds is not None:
            self._seconds.close()
        self._files.close()

    def seconds(self, done_s: float, total_s: float) -> None:
        if self._seconds is None and total_s >= LONG_RECORDING_S:
            self._seconds = self._tqdm(total=round(total_s), unit="s", file=sys.stderr, leave=False)
        if self._seconds is not None:
            self._seconds.update(round(done_s) - self._seconds.n)

    def file_done(self) -> None:
        if self._seconds is not None:
            self._seconds.close()
            self._seconds = None
        self._files.update(1)

    def write(self, text: str, file=None) -> None:
        self._tqdm.write(text, file=file or sys.stdout)
