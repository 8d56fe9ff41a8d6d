"""What the benchmarks share: synthetic models, short distinct calls, fresh databases."""

from __future__ import annotations

import sys
import uuid
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def synthetic_model(size: str) -> Path:
    """A synthetic SenseVoiceSmall of this size, built once in data/models/bench-<size>."""
    from voxsight import synthetic

    directory = ROOT / "data" / "models" / f"bench-{size}"
    if not directory.exists():
        print(f"building a {size} synthetic model in {directory} ...", file=sys.stderr)
        synthetic.build_model_dir(directory, size=size)
    return directory


def fresh_database(server_url: str) -> str:
    """A new, empty database on this PostgreSQL server; returns its URL."""
    from sqlalchemy import create_engine, text

    name = f"voxsight_bench_{uuid.uuid4().hex[:8]}"
    with create_engine(server_url, isolation_level="AUTOCOMMIT").connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    return server_url.rsplit("/", 1)[0] + "/" + name


def short_calls(count: int, directory: Path, min_s: float = 5.0, max_s: float = 20.0, seed: int = 7) -> list[Path]:
    """Windows of ``min_s``-``max_s`` cut from the sample calls. Each starts elsewhere and carries
    its own tiny dither, so every file has its own sha256 and none is answered from a stored result."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    pieces = []
    for path in sorted((ROOT / "samples" / "calls").glob("*.wav")):
        with wave.open(str(path)) as w:
            rate, channels = w.getframerate(), w.getnchannels()
            pieces.append(np.frombuffer(w.readframes(w.getnframes()), np.int16).reshape(-1, channels))
    source = np.concatenate(pieces * 2)
    files = []
    for i in range(count):
        length = int(rng.uniform(min_s, max_s) * rate)
        start = int(rng.integers(0, len(source) - length))
        window = source[start:start + length].astype(np.int32) + rng.integers(-1, 2, (length, channels))
        path = directory / f"call{i:03d}.wav"
        with wave.open(str(path), "wb") as w:
            w.setnchannels(channels)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(np.clip(window, -32768, 32767).astype(np.int16).tobytes())
        files.append(path)
    return files


def seconds(files: list[Path]) -> float:
    total = 0.0
    for path in files:
        with wave.open(str(path)) as w:
            total += w.getnframes() / w.getframerate()
    return total
