"""Speed of the words engines, side by side in one run: Whisper's words + SenseVoice's tags (our
pipeline), SenseVoice alone (our pipeline), and faster-whisper's own ``transcribe()``.

    .venv/bin/python bench/words.py [--threads 2] [--repeat 1] [--device cpu] [FILE...]

Same files, same thread count, models loaded before timing, no store. Prints the real-time factor
(seconds of processing per second of audio) of each of our stages and the ratios between the three.
Default files: the sample calls and the five SenseVoice example clips (mixed to mono, as
``transcribe()`` reads them). On a GPU pass ``--device cuda`` (Whisper in float16).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import helpers  # noqa: E402

from voxsight import audio, config  # noqa: E402
from voxsight.analysis import Analyzer, Request  # noqa: E402

STAGES = ("decode_s", "vad_s", "asr_s", "words_s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--sensevoice", help="SenseVoiceSmall directory (default: the full synthetic bench model)")
    parser.add_argument("--whisper", default=config.ModelsConfig().whisper_dir)
    args = parser.parse_args()

    files = args.files or [*sorted((helpers.ROOT / "samples" / "calls").glob("*.wav")),
                           *sorted((helpers.ROOT.parent / "shared" / "data" / "audio" / "multilingual").glob("*.mp3"))]
    audio_s = sum(audio.decode(f).duration_s for f in files) * args.repeat
    base = config.Config().with_overrides(
        data_dir=tempfile.mkdtemp(prefix="voxsight-bench-"),
        models={"sensevoice_dir": args.sensevoice or str(helpers.synthetic_model("full")), "whisper_dir": args.whisper},
        engine={"threads": args.threads, "device": args.device})
    ours = {"whisper words + sensevoice tags": base.with_overrides(engine={"words": "whisper"}),
            "sensevoice alone": base.with_overrides(engine={"words": "sensevoice"})}
    print(f"{len(files)} files, {audio_s:.1f} s of audio x{args.repeat}, {args.threads} threads, {args.device}")

    totals: dict[str, float] = {}
    shared_engine = None
    for name, cfg in ours.items():
        analyzer = Analyzer(cfg, engine=shared_engine)
        shared_engine = analyzer.engine  # loaded once, before timing
        if cfg.engine.words == "whisper":
            analyzer.whisper
        stages = dict.fromkeys(STAGES, 0.0)
        started = time.perf_counter()
        for _ in range(args.repeat):
            for result in analyzer.analyze_many([Request(f) for f in files]):
                if isinstance(result, Exception):
                    raise result
                for stage in STAGES:
                    stages[stage] += result.timings_s.get(stage, 0.0)
        totals[name] = time.perf_counter() - started
        print(f"{name:<34} RTF {totals[name] / audio_s:.3f}  (" +
              ", ".join(f"{s.removesuffix('_s')} {v / audio_s:.3f}" for s, v in stages.items()) + ")")

    from faster_whisper import WhisperModel

    model = WhisperModel(str(Path(args.whisper).resolve()), device=args.device.split(":")[0],
                         compute_type="float16" if args.device.startswith("cuda") else "int8",
                         cpu_threads=args.threads, local_files_only=True)
    started = time.perf_counter()
    for _ in range(args.repeat):
        for f in files:
            segments, _ = model.transcribe(str(f), beam_size=1, word_timestamps=True)
            list(segments)  # a generator: decoding happens here
    totals["faster-whisper transcribe()"] = time.perf_counter() - started
    print(f"{'faster-whisper transcribe()':<34} RTF {totals['faster-whisper transcribe()'] / audio_s:.3f}  "
          "(its own decode and 30 s windows, no VAD, no emotion or events)")

    ours_total = totals["whisper words + sensevoice tags"]
    print(f"\nwhisper words + sensevoice tags vs sensevoice alone: {ours_total / totals['sensevoice alone']:.2f}x "
          f"the time; vs faster-whisper transcribe(): {ours_total / totals['faster-whisper transcribe()']:.2f}x")


if __name__ == "__main__":
    main()
