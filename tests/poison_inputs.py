"""Adversarial inputs made from real audio: what a telephony export can hand the platform on a bad day.

``make(dest, count, seed)`` writes a folder of files (and links) and returns what each one is. The
same seed gives the same bytes. Used by the suite's fuzz test (a few dozen) and by
``bench/poison_fuzz.py`` (hundreds, through ``analyze`` and a worker).

Every input is one of: ``good`` (real audio, however oddly named, sampled or shaped: it must be
analyzed), or ``bad`` (damaged, lying, not audio, not a file: it may be analyzed if enough of it is
audio, and must otherwise fail with a reason). Nothing may crash, hang or take another file down.
"""

from __future__ import annotations

import io
import os
import random
import struct
import wave
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "calls"
SHARED_AUDIO = ROOT.parent / "shared" / "data" / "audio"


@dataclass(frozen=True)
class PoisonInput:
    path: Path
    kind: str  # how it was made, e.g. "truncated mp3"
    good: bool  # real audio that must be analyzed


def sources(clip_s: float = 6.0) -> dict[str, bytes]:
    """Real recordings in the containers telephony systems export, cut short so fuzzing stays quick."""
    found: dict[str, bytes] = {}
    call = _clip_wav(SAMPLES / "billing_dispute.wav", clip_s)
    found["wav"] = call
    for fmt, codec, rate, suffix in (("ipod", "aac", 16000, "m4a"), ("flac", "flac", 16000, "flac"),
                                     ("ogg", "libopus", 48000, "ogg"), ("mp3", "libmp3lame", 16000, "mp3")):
        found[suffix] = _transcode(call, fmt, codec, rate)
    if SHARED_AUDIO.is_dir():
        for path in sorted(SHARED_AUDIO.rglob("*")):
            if path.suffix in (".amr", ".mpeg") and path.suffix[1:] not in found:
                found[path.suffix[1:]] = path.read_bytes()
    return found


def make(dest: Path, count: int = 40, seed: int = 0, long_silence_s: float = 600.0) -> list[PoisonInput]:
    """Write ``count`` mutated inputs plus the fixed cases (odd headers, names, links, non-audio)."""
    rng = random.Random(seed)
    dest.mkdir(parents=True, exist_ok=True)
    made: list[PoisonInput] = []

    def put(name: str, data: bytes, kind: str, good: bool) -> None:
        path = dest / name
        path.write_bytes(data)
        made.append(PoisonInput(path, kind, good))

    src = sources()
    wav = src["wav"]
    # Good files, oddly presented: they must all be analyzed.
    put("good_wav.wav", wav, "good wav", True)
    put("-dash-first.wav", wav, "same bytes, a name starting with a dash", True)
    put("good copy with spaces & 'quotes'.wav", wav, "same bytes, spaces and quotes in the name", True)
    put("通话录音 日本語 통화.wav", wav, "same bytes, a CJK name", True)
    put("recording.txt", src["m4a"], "m4a named .txt", True)
    put("export.dat", src["flac"], "flac named .dat", True)
    put("really_mp3.wav", src["mp3"], "mp3 named .wav", True)
    put("8k_mono.wav", _tone_wav(8000, 1, 4.0, speech_from=wav), "8 kHz mono wav", True)
    put("96k_6ch.wav", _tone_wav(96000, 6, 3.0, speech_from=wav), "96 kHz 6-channel wav", True)
    put("long_silence.wav", silence_wav(long_silence_s), f"{long_silence_s:.0f} s of silence", True)
    for suffix, data in src.items():
        put(f"good.{suffix}", data, f"good {suffix}", True)

    # Headers that lie or name what cannot be decoded.
    for name, kind, patch in (
        ("tag_0x1234.wav", "unknown WAV format tag", dict(tag=0x1234)),
        ("zero_bits.wav", "0 bits per sample", dict(bits=0)),
        ("zero_channels.wav", "0 channels", dict(channels=0)),
        ("rate_1hz.wav", "1 Hz sample rate", dict(rate=1)),
        ("rate_0hz.wav", "0 Hz sample rate", dict(rate=0)),
        ("block_0.wav", "block align 0", dict(block=0)),
        ("huge_data.wav", "data chunk declares 4 GB", dict(data_size=0xFFFFFFF0)),
        ("huge_riff.wav", "RIFF declares 4 GB", dict(riff_size=0xFFFFFFF0)),
    ):
        put(name, _patch_wav(wav, **patch), kind, False)

    # Not audio at all, or not a file.
    put("empty.wav", b"", "empty file", False)
    put("notes.wav", b"call notes, not audio\n" * 50, "text named .wav", False)
    put("random.mp3", rng.randbytes(20000), "random bytes named .mp3", False)
    put("image.png", b"\x89PNG\r\n\x1a\n" + rng.randbytes(3000), "a PNG", False)
    put("header_only.wav", wav[:44], "WAV header, no data", False)
    (dest / "folder.wav").mkdir()
    (dest / "loop.wav").symlink_to(dest / "loop.wav")
    (dest / "broken.wav").symlink_to(dest / "deleted.wav")

    # Random damage to real files of every container: truncations, header flips, payload flips,
    # a third of the bytes replaced by noise.
    names = sorted(src)
    for i in range(count):
        suffix = names[i % len(names)]
        data = bytearray(src[suffix])
        how = ("truncated", "header flips", "payload flips", "noise third")[rng.randrange(4)]
        if how == "truncated":
            data = data[: rng.randrange(1, len(data))]
        elif how == "header flips":
            for _ in range(rng.randrange(1, 6)):
                data[rng.randrange(min(64, len(data)))] = rng.randrange(256)
        elif how == "payload flips":
            for _ in range(rng.randrange(1, 200)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        else:
            start = rng.randrange(len(data) * 2 // 3)
            data[start:start + len(data) // 3] = rng.randbytes(len(data) // 3)
        put(f"fuzz{i:04d}_{how.replace(' ', '_')}.{suffix}", bytes(data), f"{how} {suffix}", False)
    return made


def _clip_wav(path: Path, seconds: float) -> bytes:
    with wave.open(str(path)) as w:
        params, frames = w.getparams(), w.readframes(int(seconds * w.getframerate()))
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setparams(params)
        w.writeframes(frames)
    return out.getvalue()


def _transcode(wav: bytes, container: str, codec: str, rate: int) -> bytes:
    out = io.BytesIO()
    with av.open(io.BytesIO(wav)) as src, av.open(out, "w", format=container) as dst:
        stream = dst.add_stream(codec, rate=rate, layout="stereo")
        resampler = av.AudioResampler(format=stream.codec_context.codec.audio_formats[0].name, layout="stereo",
                                      rate=rate)
        for frame in src.decode(audio=0):
            for piece in resampler.resample(frame):
                for packet in stream.encode(piece):
                    dst.mux(packet)
        for piece in resampler.resample(None):
            for packet in stream.encode(piece):
                dst.mux(packet)
        for packet in stream.encode(None):
            dst.mux(packet)
    return out.getvalue()


def _tone_wav(rate: int, channels: int, seconds: float, speech_from: bytes) -> bytes:
    """The start of a real call resampled to ``rate`` on every channel (speech, so VAD finds it)."""
    with av.open(io.BytesIO(speech_from)) as src:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)
        pcm = np.concatenate([f.to_ndarray().reshape(-1) for frame in src.decode(audio=0)
                              for f in resampler.resample(frame)])[: int(rate * seconds)]
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.repeat(pcm[:, None], channels, axis=1).astype("<i2").tobytes())
    return out.getvalue()


def silence_wav(seconds: float, rate: int = 8000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(2 * int(rate * seconds)))
    return out.getvalue()


def _patch_wav(wav: bytes, tag=None, channels=None, rate=None, block=None, bits=None, data_size=None,
               riff_size=None) -> bytes:
    data = bytearray(wav)
    fmt = data.find(b"fmt ") + 8
    for offset, fmt_code, value in ((0, "<H", tag), (2, "<H", channels), (4, "<I", rate), (12, "<H", block),
                                    (14, "<H", bits)):
        if value is not None:
            data[fmt + offset: fmt + offset + struct.calcsize(fmt_code)] = struct.pack(fmt_code, value)
    if data_size is not None:
        at = data.find(b"data") + 4
        data[at:at + 4] = struct.pack("<I", data_size)
    if riff_size is not None:
        data[4:8] = struct.pack("<I", riff_size)
    return bytes(data)


if __name__ == "__main__":  # python tests/poison_inputs.py DEST [COUNT]: look at them by hand
    import sys

    for item in make(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 40):
        print(f"{'good' if item.good else 'bad ':5} {item.kind:40} {os.fsdecode(item.path.name)}")
