"""Per-stage real-time factor of Voxsight's pipeline against the SenseVoice tutorial pipeline.

Both run in one process on the same files with the same full-size model and thread count:

- voxsight: PyAV decode, our block-wise FSMN-VAD, each segment decoded on its own in batches of
  ``batch_size_s`` padded seconds, tags parsed, results stored in SQLite;
- baseline: ``AutoModel(model, vad_model).generate(path, merge_vad=True, merge_length_s=15,
  batch_size_s=60)`` per file, as the SenseVoice README does it.

RTF = processing seconds / audio seconds (lower is faster). Absolute times are only meaningful on
the machine that printed them; the ratio is the claim.

    python bench/pipeline.py [--model DIR] [--threads N] [--repeat N] [FILES...]

Without --model, a full-size synthetic model is built once in data/models/bench-full.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import helpers

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    args = _arguments()
    from voxsight import audio, config, models
    from voxsight.analysis import Analyzer
    from voxsight.engine import Engine
    from voxsight.store import Store

    model_dir = Path(args.model) if args.model else helpers.synthetic_model("full")
    manifest = models.check_directory(model_dir)
    files = [Path(f) for f in args.files] or _default_files()
    threads = args.threads or config.EngineConfig().resolved_threads()
    cfg = config.Config().with_overrides(
        data_dir=tempfile.mkdtemp(prefix="voxsight-bench-"),
        models={"sensevoice_dir": str(model_dir)}, engine={"threads": threads, "words": "sensevoice"})
    durations = {f: audio.decode(f).duration_s for f in files}
    total_audio = sum(durations.values()) * args.repeat
    print(f"model {manifest.model_id} ({'synthetic' if manifest.synthetic else 'real'}), {threads} threads, "
          f"{len(files)} files, {total_audio:.1f} s of audio x{args.repeat}", file=sys.stderr)

    engine = Engine(cfg.engine, cfg.models)
    variants = {"voxsight": cfg, "voxsight, no word timestamps": cfg.with_overrides(engine={"word_timestamps": False})}
    stages = {name: {"decode_s": 0.0, "vad_s": 0.0, "asr_s": 0.0, "store_s": 0.0} for name in variants}
    our_segments = 0
    for name, variant in variants.items():
        engine.config = variant.engine  # same loaded models, other decoding options
        for _ in range(args.repeat):
            analyzer = Analyzer(variant, Store(f"sqlite:///{tempfile.mkdtemp()}/bench.db"), engine=engine)
            for f in files:
                result = analyzer.analyze_file(f)
                our_segments += len(result.segments)
                for stage in stages[name]:
                    stages[name][stage] += result.timings_s.get(stage, 0.0)

    baseline = _baseline_model(cfg, model_dir)
    baseline_total, baseline_segments = 0.0, 0
    for _ in range(args.repeat):
        for f in files:
            started = time.perf_counter()
            with contextlib.redirect_stdout(sys.stderr):
                res = baseline.generate(input=str(f), cache={}, language="auto", use_itn=True,
                                        batch_size_s=60, merge_vad=True, merge_length_s=15)
            baseline_total += time.perf_counter() - started
            baseline_segments += len(res)

    print(f"\nreal-time factor (processing s / audio s), {total_audio:.0f} s of audio")
    print(f"{'':<32}" + "".join(f"{stage[:-2]:>9}" for stage in stages["voxsight"]) + f"{'total':>9}{'speed-up':>10}")
    for name, times in stages.items():
        total = sum(times.values())
        print(f"{name:<32}" + "".join(f"{t / total_audio:>9.4f}" for t in times.values())
              + f"{total / total_audio:>9.4f}{baseline_total / total:>9.2f}x")
    print(f"{'baseline (tutorial generate)':<32}{'':>36}{baseline_total / total_audio:>9.4f}{1:>9.2f}x")
    print(f"\nsegments kept per run: voxsight {our_segments // (len(variants) * args.repeat)}, "
          f"baseline {baseline_segments // args.repeat} (merged into blocks of up to 15 s)")


def _baseline_model(cfg, model_dir: Path):
    from voxsight import models

    auto_model = models.import_funasr().AutoModel
    with contextlib.redirect_stdout(sys.stderr):
        return auto_model(model=str(model_dir), vad_model=str(models.packaged_vad_dir()),
                          vad_kwargs={"max_single_segment_time": 30000}, disable_update=True,
                          device=cfg.engine.device, ncpu=cfg.engine.resolved_threads(), disable_log=True)


def _default_files() -> list[Path]:
    """The sample calls, the shared real recordings when present, and one 5-minute call."""
    files = sorted((ROOT / "samples/calls").glob("*.wav"))
    shared = ROOT.parent / "shared/data/audio"
    files += sorted(shared.glob("multilingual/*.mp3")) + sorted(shared.glob("emotion/*/*.wav"))[:4]
    files.append(_long_call(files[:3], minutes=5))
    return files


def _long_call(calls: list[Path], minutes: float) -> Path:
    """A call of realistic length: the sample calls back to back, mixed to mono, as 16-bit WAV."""
    import wave

    from voxsight import audio

    signals = [audio.channel_signals(audio.decode(c), "mix")[0] for c in calls]
    target = int(minutes * 60 * audio.SAMPLE_RATE)
    signal = np.tile(np.concatenate(signals), -(-target // sum(map(len, signals))))[:target]
    path = Path(tempfile.mkdtemp(prefix="voxsight-bench-")) / f"long_call_{minutes:g}min.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(audio.SAMPLE_RATE)
        w.writeframes((np.clip(signal, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", help="audio files (default: samples, shared recordings, a 5-min call)")
    parser.add_argument("--model", help="SenseVoiceSmall directory (default: a full synthetic one)")
    parser.add_argument("--threads", type=int, default=0, help="torch threads for both (default: all cores)")
    parser.add_argument("--repeat", type=int, default=1)
    return parser.parse_args()


if __name__ == "__main__":
    main()
