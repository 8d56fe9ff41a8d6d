"""Accuracy harness (not a test): WER/CER per words engine and language, SenseVoice's emotion
agreement, and the same files as 8 kHz μ-law telephone audio beside the originals.

    .venv/bin/python bench/accuracy.py [--manifest bench/accuracy_manifest.csv] [--data ../shared/data]
                                       [--sensevoice DIR] [--whisper DIR] [--threads 2] [--json OUT]

Each row of the manifest is (audio path relative to ``--data``, reference text, language, emotion
label or empty). Every file goes once through ``Analyzer`` with ``engine.words: whisper``: each
segment then carries Whisper's words and, in ``raw``, SenseVoice's own words and tags, so both
engines are scored on the same segments. Rates use ``voxsight.scoring`` (its docstring is the
normaliser). Emotion agreement is the unweighted accuracy (mean per-label recall) of the
recording's dominant emotion over the labels SenseVoice can express; with a synthetic SenseVoice
it is chance, and the report says so.

The shipped manifest covers ``../shared/data/audio``: the acted emotion corpus (the sentence read,
from its CSV; styles euphoric and joyfully → HAPPY, sad → SAD, surprised → SURPRISED) and the five
SenseVoice example clips, whose reference texts are the transcripts published with the SenseVoice
model card's examples (quoted alike in sherpa-onnx's and several SenseVoice ports' READMEs).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import helpers  # noqa: E402

from voxsight import config, models, scoring, tags  # noqa: E402
from voxsight.analysis import Analyzer, Request  # noqa: E402
from voxsight.tags import EMOTIONS  # noqa: E402

ENGINES = ("whisper", "sensevoice")


@dataclass(frozen=True)
class Row:
    audio: Path
    text: str
    language: str
    emotion: str | None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--manifest", type=Path, default=helpers.ROOT / "bench" / "accuracy_manifest.csv")
    parser.add_argument("--data", type=Path, default=helpers.ROOT.parent / "shared" / "data")
    parser.add_argument("--sensevoice", help="SenseVoiceSmall directory (default: the full synthetic bench model)")
    parser.add_argument("--whisper", default=config.ModelsConfig().whisper_dir, help="Whisper directory")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    rows = [Row(args.data / r["audio"], r["text"], r["language"], r["emotion"] or None)
            for r in csv.DictReader(args.manifest.open(encoding="utf-8"))]
    sensevoice = args.sensevoice or str(helpers.synthetic_model("full"))
    cfg = config.Config().with_overrides(
        data_dir=tempfile.mkdtemp(prefix="voxsight-accuracy-"),
        models={"sensevoice_dir": sensevoice, "whisper_dir": args.whisper},
        engine={"threads": args.threads, "words": "whisper"})
    analyzer = Analyzer(cfg)  # no store: nothing is kept
    synthetic = models.read_manifest(sensevoice).synthetic
    print(f"SenseVoice {analyzer.model.model_id}{' (SYNTHETIC: its words and emotions are chance)' if synthetic else ''}"
          f"; Whisper {analyzer.words_model_id}; {len(rows)} files; {args.threads} threads")

    with tempfile.TemporaryDirectory() as telephone:
        variants = {"16k": [r.audio for r in rows], "8k-mulaw": [_mulaw_8k(r.audio, Path(telephone), i)
                                                                 for i, r in enumerate(rows)]}
        figures = {name: _score(analyzer, rows, files) for name, files in variants.items()}
    _print(figures, synthetic)
    if args.json:
        args.json.write_text(json.dumps({"sensevoice": analyzer.model.model_id, "synthetic": synthetic,
                                         "whisper": analyzer.words_model_id, "figures": figures}, indent=2))


def _score(analyzer: Analyzer, rows: list[Row], files: list[Path]) -> dict:
    counts: dict[str, dict[str, scoring.ErrorCount]] = {e: defaultdict(lambda: scoring.ErrorCount(0, 0))
                                                        for e in ENGINES}
    hits, totals = defaultdict(int), defaultdict(int)
    identified = defaultdict(lambda: [0, 0])  # per language: segments Whisper identified as it, segments
    for row, outcome in zip(rows, analyzer.analyze_many([Request(f) for f in files])):
        if isinstance(outcome, Exception):
            print(f"  {row.audio.name}: {outcome}", file=sys.stderr)
            continue
        heard = {"whisper": " ".join(s.text for s in outcome.segments),
                 "sensevoice": " ".join(tags.parse(s.raw).text for s in outcome.segments)}
        for engine in ENGINES:
            counts[engine][row.language] += scoring.errors(row.text, heard[engine], row.language)
        identified[row.language][0] += sum(s.language == row.language for s in outcome.segments)
        identified[row.language][1] += len(outcome.segments)
        if row.emotion in EMOTIONS:
            totals[row.emotion] += 1
            hits[row.emotion] += outcome.summary.dominant_emotion == row.emotion
    recalls = {label: hits[label] / totals[label] for label in totals}
    return {
        "error_rates": {e: {lang: {"metric": scoring.metric(lang), "rate": round(c.rate, 3), "errors": c.errors,
                                   "reference_length": c.reference_length}
                            for lang, c in sorted(by_language.items())}
                        for e, by_language in counts.items()},
        "whisper_language_id": {lang: round(right / (total or 1), 3) for lang, (right, total) in identified.items()},
        "emotion": {"unweighted_accuracy": round(sum(recalls.values()) / len(recalls), 3) if recalls else None,
                    "recall": recalls, "files": sum(totals.values()),
                    "chance": round(1 / len(EMOTIONS), 3)},
    }


def _mulaw_8k(source: Path, directory: Path, index: int) -> Path:
    """The file as a telephone line carries it: 8 kHz, mono, G.711 μ-law (encoded with PyAV from
    what Voxsight decodes, so damaged packets are skipped as in analysis)."""
    import av
    import numpy as np

    from voxsight import audio

    mono = audio.channel_signals(audio.decode(source), "mix")[0]
    pcm = (np.clip(mono, -1, 1) * 32767).astype(np.int16)
    target = directory / f"{index:03d}-{source.stem}.wav"
    with av.open(str(target), "w", format="wav") as out:
        stream = out.add_stream("pcm_mulaw", rate=8000, layout="mono")
        resampler = av.AudioResampler(format="s16", layout="mono", rate=8000)
        frame = av.AudioFrame.from_ndarray(pcm[None, :], format="s16", layout="mono")
        frame.sample_rate = audio.SAMPLE_RATE
        for resampled in [*resampler.resample(frame), *resampler.resample(None)]:
            out.mux(stream.encode(resampled))
        out.mux(stream.encode(None))
    return target


def _print(figures: dict, synthetic: bool) -> None:
    languages = sorted({lang for f in figures.values() for e in f["error_rates"].values() for lang in e})
    print(f"\n{'engine':<11} {'language':<9} {'metric':<6} " + " ".join(f"{name:>17}" for name in figures))
    for engine in ENGINES:
        for lang in languages:
            cells = []
            for f in figures.values():
                c = f["error_rates"][engine].get(lang)
                cells.append(f"{c['rate']:>6.3f} ({c['errors']:>3}/{c['reference_length']:<3})" if c else " " * 17)
            print(f"{engine:<11} {lang:<9} {scoring.metric(lang):<6} " + " ".join(f"{c:>17}" for c in cells))
    print()
    for name, f in figures.items():
        print(f"Whisper language ID {name} (share of segments identified as the reference language): "
              + ", ".join(f"{lang} {share}" for lang, share in sorted(f["whisper_language_id"].items())))
    for name, f in figures.items():
        e = f["emotion"]
        note = " — CHANCE: the SenseVoice model is synthetic" if synthetic else ""
        print(f"emotion agreement {name}: unweighted accuracy {e['unweighted_accuracy']} over {e['files']} files "
              f"(recall {e['recall']}; 1/7 = {e['chance']}){note}")


if __name__ == "__main__":
    main()
