"""Peak memory of analyzing long recordings: it must grow with the audio, not with its features.

Each length runs in a fresh process (peak RSS is per process): a stereo call of N minutes made by
repeating the sample calls, analyzed split, stored in SQLite. The decoded audio itself is
2 channels x 16 kHz x 4 bytes = 7.7 MB a minute; everything else should stay flat.

    python bench/long_recording.py [--model DIR] [--minutes 10 120]

Without --model, a tiny synthetic model is built (memory of the full model's weights is a
constant ~3.3 GB on top; see bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", help="SenseVoiceSmall directory (default: a tiny synthetic one)")
    parser.add_argument("--minutes", type=float, nargs="+", default=[10, 120])
    parser.add_argument("--one", nargs=2, metavar=("MODEL", "WAV"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_measure(*args.one)))
        return

    from voxsight import synthetic

    model = args.model or str(synthetic.build_model_dir(Path(tempfile.mkdtemp()) / "tiny", size="tiny"))
    print(f"{'minutes':>8}{'segments':>10}{'audio MB':>10}{'peak RSS MB':>13}{'RTF':>8}")
    for minutes in args.minutes:
        wav = _long_stereo_call(minutes)
        done = subprocess.run([sys.executable, __file__, "--one", model, str(wav)],
                              capture_output=True, text=True, check=True)
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"{minutes:>8g}{r['segments']:>10}{r['audio_mb']:>10.0f}{r['peak_rss_mb']:>13.0f}{r['rtf']:>8.3f}")
        wav.unlink()


def _measure(model: str, wav: str) -> dict:
    from voxsight import config
    from voxsight.analysis import Analyzer
    from voxsight.store import Store

    cfg = config.Config().with_overrides(data_dir=tempfile.mkdtemp(), models={"sensevoice_dir": model},
                                         engine={"words": "sensevoice"},
                                         audio={"channels": "split"})
    started = time.perf_counter()
    result = Analyzer(cfg, Store(cfg.store_url)).analyze_file(wav)
    elapsed = time.perf_counter() - started
    return {
        "segments": len(result.segments),
        "audio_mb": result.recording.duration_s * 16000 * 4 * result.recording.channels / 1e6,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rtf": elapsed / result.recording.duration_s,
    }


def _long_stereo_call(minutes: float) -> Path:
    calls = sorted((ROOT / "samples/calls").glob("*.wav"))
    frames = b"".join(wave.open(str(c)).readframes(10**9) for c in calls)
    one = np.frombuffer(frames, dtype="<i2")
    target = int(minutes * 60 * 16000) * 2
    data = np.tile(one, -(-target // len(one)))[:target]
    path = Path(tempfile.mkdtemp(prefix="voxsight-bench-")) / f"call_{minutes:g}min.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(data.tobytes())
    return path


if __name__ == "__main__":
    main()
