"""What decoding in a child process costs, against the same decoding in this process.

    .venv/bin/python bench/decode_isolation.py [--repeat 5] [FILE...]

Both sides run ``voxsight.audio``'s own decoding (PyAV, streamed to per-channel scratch files, read
back into one array); the isolated side adds what isolation adds: a child forked from the decoding
server, its limits, the pipe for the outcome. Default files: the sample calls, the shared real
recordings, and a 10-minute stereo call. Prints seconds per side and the ratio.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import wave
from pathlib import Path

from voxsight import audio

ROOT = Path(__file__).resolve().parent.parent


def in_this_process(path: Path) -> audio.Audio:
    with tempfile.TemporaryDirectory(prefix="voxsight-decode-") as scratch:
        decoded = audio._decode_to_files(path, path.name, None, Path(scratch))
        return audio._read_channels(Path(scratch), decoded)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    files = args.files or default_files()
    audio.decode(files[0])  # start the decoding server once, as a worker does
    seconds = sum(audio.decode(f).duration_s for f in files)
    timings = {"in process": 0.0, "isolated": 0.0}
    for _ in range(args.repeat):  # interleaved, so both sides see the same machine
        for name, decode in (("in process", in_this_process), ("isolated", audio.decode)):
            started = time.perf_counter()
            for f in files:
                decode(f)
            timings[name] += time.perf_counter() - started
    print(f"{len(files)} files, {seconds:.0f} s of audio, {args.repeat} rounds")
    for name, t in timings.items():
        print(f"  {name:10} {t / args.repeat:.3f} s per round ({t / args.repeat / len(files) * 1000:.1f} ms per file)")
    print(f"  isolated / in process: {timings['isolated'] / timings['in process']:.2f}x")


def default_files() -> list[Path]:
    files = sorted((ROOT / "samples" / "calls").glob("*.wav"))
    shared = ROOT.parent / "shared" / "data" / "audio"
    files += sorted(p for p in shared.rglob("*") if p.suffix in (".wav", ".mpeg", ".amr", ".mp3"))
    long_call = Path(tempfile.gettempdir()) / "voxsight-bench-10min.wav"
    if not long_call.exists():
        with wave.open(str(files[0])) as w:
            params, frames = w.getparams(), w.readframes(w.getnframes())
        with wave.open(str(long_call), "wb") as w:
            w.setparams(params)
            for _ in range(int(600 / (len(frames) / params.framerate / params.sampwidth / params.nchannels)) + 1):
                w.writeframes(frames)
    return files + [long_call]


if __name__ == "__main__":
    sys.exit(main())
