"""``models``: bring SenseVoiceSmall and Whisper models in, check them, or build a synthetic one."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from voxsight import config as config_module, models, recipe


def add_commands(commands) -> None:
    model_commands = commands.add_parser("models", help="import, verify, synthesize or download models")
    model_sub = model_commands.add_subparsers(required=True, metavar="ACTION")
    imp = model_sub.add_parser("import", help="copy and validate a SenseVoiceSmall directory or bundle, or a "
                                              "faster-whisper (CTranslate2) directory")
    imp.add_argument("source")
    imp.set_defaults(run=_import)
    model_sub.add_parser("verify", help="re-check the configured model directories").set_defaults(run=_verify)
    synth = model_sub.add_parser("synth", help="build a synthetic SenseVoiceSmall (random weights)")
    synth.add_argument("directory", nargs="?", help="default: the configured models.sensevoice_dir")
    synth.add_argument("--size", choices=("tiny", "full"), default="full")
    synth.set_defaults(run=_synth)
    download = model_sub.add_parser("download", help="fetch the real models into a bundle (needs internet)")
    download.add_argument("directory")
    download.add_argument("--whisper", metavar="NAME",
                          help="fetch a faster-whisper model instead (small, medium, large-v3, large-v3-turbo…)")
    download.set_defaults(run=_download)


def _import(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight import whisper

    if whisper.is_whisper_directory(args.source):
        manifest, dest = whisper.import_model(args.source, config.models.whisper_dir), config.models.whisper_dir
    else:
        manifest, dest = models.import_model(args.source, config.models.sensevoice_dir), config.models.sensevoice_dir
    print(f"imported {manifest.model_id} into {Path(dest).resolve()}")
    return 0


def _verify(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight import whisper

    manifest = models.verify(config.models.sensevoice_dir)
    kind = "SYNTHETIC (random weights)" if manifest.synthetic else "real"
    print(f"ok: {manifest.model_id}, {kind}, {len(manifest.files)} files match their sha256")
    if Path(config.models.whisper_dir).exists():
        manifest = whisper.verify(config.models.whisper_dir)
        print(f"ok: {manifest.model_id}, real, {len(manifest.files)} files match their sha256")
    elif recipe.uses_whisper(config.engine):
        print(f"whisper: {config.models.whisper_dir} not there yet: the embedded base model is unpacked "
              "(and checked against its pinned sha256) on first use")
    _verify_speaker_model(config)
    return 0


def _verify_speaker_model(config: config_module.Config) -> None:
    """CAM++ (diarization, voiceprints): its checkpoint against its SHA256SUMS; a site that does not
    diarize may go without it."""
    from voxsight import speakers
    from voxsight.errors import ModelError

    try:
        directory = config.models.speaker_dir or speakers.packaged_dir()
    except ModelError as exc:
        if config.audio.channels == "diarize":
            raise
        print(f"speakers: {exc} (only audio.channels: diarize and voiceprints need it)")
        return
    speakers.verified_checkpoint(directory)
    print(f"ok: {speakers.model_id(directory)}, real, {speakers.CHECKPOINT} matches its sha256")


def _synth(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight import synthetic

    directory = synthetic.build_model_dir(args.directory or config.models.sensevoice_dir, size=args.size)
    print(f"built a SYNTHETIC {args.size} SenseVoiceSmall in {directory}: its text is meaningless", file=sys.stderr)
    return 0


def _download(args: argparse.Namespace, config: config_module.Config) -> int:
    if args.whisper:
        from voxsight import whisper

        bundle = whisper.download(args.whisper, args.directory)
    else:
        bundle = models.download(args.directory)
    print(f"downloaded into {bundle}; carry it to the site and run `voxsight models import {bundle}`")
    return 0
