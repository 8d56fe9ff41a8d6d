"""Decode any recording to 16 kHz float32, one array per channel.

We use PyAV: it bundles the FFmpeg libraries, so WAV (PCM, float, mu-law, A-law), MP3, M4A/AAC,
FLAC, OGG/Vorbis/Opus, AMR-NB, WebM and the audio track of MP4 all decode with no system
dependency. FunASR's own loader shells out to an ``ffmpeg`` binary for some of these, so the
engine is only ever given arrays.

Call centres record stereo: agent on one channel, customer on the other. FunASR averages channels
silently; here the caller chooses ``mix`` (average) or ``split`` (each channel analyzed alone).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import av
import numpy as np

SAMPLE_RATE = 16000

AUDIO_EXTENSIONS = frozenset(
    ".wav .wave .mp3 .m4a .aac .mp4 .flac .ogg .oga .opus .amr .webm .mpeg .mka .3gp .wma".split()
)

# A container that declares a duration but decodes to less than this fraction of it is truncated.
_TRUNCATION_TOLERANCE = 0.9
# More undecodable packets than this fraction means the file is corrupt, not merely imperfect.
_MAX_DAMAGED_FRACTION = 0.05


class AudioError(ValueError):
    """The input cannot be analyzed as audio. The message says why, in words a user understands."""


def hash_file(path: Path, copy_to: BinaryIO | None = None) -> tuple[str, int]:
    """The sha256 and size of a file's bytes, copying them to ``copy_to`` on the way if given."""
    digest, size = hashlib.sha256(), 0
    try:
        with path.open("rb") as f:
            while block := f.read(1 << 20):
                digest.update(block)
                size += len(block)
                if copy_to is not None:
                    copy_to.write(block)
    except OSError as exc:
        raise AudioError(f"{path.name}: cannot read the file ({exc.strerror})") from exc
    return digest.hexdigest(), size


@dataclass(frozen=True)
class Audio:
    """A decoded recording.

    Attributes:
        samples: float32 array of shape (channels, frames) at 16 kHz, values in [-1, 1].
        format: container format as FFmpeg names it (``wav``, ``mp3``, ``mov,mp4,m4a,...``).
        codec: the audio codec (``pcm_s16le``, ``mp3``, ``amrnb``...).
        source_sample_rate: sample rate before resampling.
    """

    samples: np.ndarray
    format: str
    codec: str
    source_sample_rate: int

    @property
    def channels(self) -> int:
        return self.samples.shape[0]

    @property
    def duration_s(self) -> float:
        return self.samples.shape[1] / SAMPLE_RATE


def decode(path: str | Path, max_bytes: int | None = None, max_duration_s: float | None = None) -> Audio:
    """Decode a file to 16 kHz float32, keeping mono as one channel and anything wider as two.

    Raises:
        AudioError: the file is missing, empty, too large or long, not audio, undecodable or truncated.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise AudioError(f"{path.name}: cannot read the file ({exc.strerror})") from exc
    if size == 0:
        raise AudioError(f"{path.name}: the file is empty")
    if max_bytes and size > max_bytes:
        raise AudioError(f"{path.name}: {size:,} bytes is over the limit of {max_bytes:,} bytes")

    try:
        # A file object makes FFmpeg probe the content instead of trusting the extension
        # (an MP3 named .mpeg otherwise goes to the MPEG-PS demuxer and fails).
        with path.open("rb") as file, av.open(file, metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise AudioError(f"{path.name}: the file has no audio track")
            stream = container.streams.audio[0]
            layout = "mono" if (stream.codec_context.channels or 1) == 1 else "stereo"
            resampler = av.AudioResampler(format="fltp", layout=layout, rate=SAMPLE_RATE)
            limit = int(max_duration_s * SAMPLE_RATE) if max_duration_s else None
            chunks, decoded, packets, damaged = [], 0, 0, 0
            for packet in container.demux(stream):
                packets += 1
                try:
                    frames = packet.decode()
                except av.error.InvalidDataError:
                    damaged += 1  # skipped like ffmpeg does: real files carry the odd bad frame
                    continue
                for frame in frames:
                    for out in resampler.resample(frame):
                        decoded += _append(chunks, out, limit, decoded, path)
            for out in resampler.resample(None):
                decoded += _append(chunks, out, limit, decoded, path)
            if damaged > _MAX_DAMAGED_FRACTION * packets:
                raise AudioError(f"{path.name}: the audio is corrupt ({damaged} of {packets} packets undecodable)")
            declared_s = _declared_duration(container, stream)
            audio = Audio(
                samples=np.concatenate(chunks, axis=1) if chunks else np.zeros((1, 0), np.float32),
                format=container.format.name,
                codec=stream.codec_context.name,
                source_sample_rate=stream.codec_context.sample_rate or 0,
            )
    except AudioError:
        raise
    except (av.error.FFmpegError, ValueError, UnicodeDecodeError) as exc:
        raise AudioError(f"{path.name}: not a readable audio file ({_reason(exc)})") from exc
    except OSError as exc:  # a folder, no permission, a vanished file
        raise AudioError(f"{path.name}: cannot read the file ({_reason(exc)})") from exc

    if audio.samples.shape[1] == 0:
        raise AudioError(f"{path.name}: the file contains no audio samples")
    declared_s = max(declared_s or 0.0, _wav_declared_duration(path, audio) or 0.0)
    if declared_s and audio.duration_s < _TRUNCATION_TOLERANCE * declared_s:
        raise AudioError(
            f"{path.name}: the file is truncated: it declares {declared_s:.1f} s "
            f"but only {audio.duration_s:.1f} s can be decoded"
        )
    return audio


def channel_signals(audio: Audio, mode: str) -> list[np.ndarray]:
    """The signals to analyze: one mixed-down signal (``mix``) or one per channel (``split``)."""
    if mode == "mix" or audio.channels == 1:
        return [audio.samples.mean(axis=0, dtype=np.float32) if audio.channels > 1 else audio.samples[0]]
    if mode == "split":
        return [audio.samples[c] for c in range(audio.channels)]
    raise ValueError(f"channel mode must be mix or split, not {mode!r}")


def find_audio_files(paths: list[str | Path]) -> list[Path]:
    """Expand files and folders (recursively) into the audio files to analyze, sorted, no repeats."""
    found: dict[Path, Path] = {}  # resolved -> as given, so one file named two ways counts once
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() in AUDIO_EXTENSIONS:
                    found.setdefault(f.resolve(), f)
        else:
            found.setdefault(p.resolve(), p)  # named explicitly: let decode() say whether it is audio
    return list(found.values())


def _append(chunks: list, frame: av.AudioFrame, limit: int | None, decoded: int, path: Path) -> int:
    array = frame.to_ndarray()
    if limit is not None and decoded + array.shape[1] > limit:
        raise AudioError(f"{path.name}: longer than the limit of {limit / SAMPLE_RATE:,.0f} s")
    chunks.append(array)
    return array.shape[1]


def _declared_duration(container: av.container.InputContainer, stream: av.audio.AudioStream) -> float | None:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / av.time_base
    return None


def _wav_declared_duration(path: Path, decoded: Audio) -> float | None:
    """The duration a WAV header promises. FFmpeg caps it at the bytes present, hiding truncation."""
    with path.open("rb") as f:
        header = f.read(4096)
    if decoded.format != "wav" or header[:4] != b"RIFF" or header[8:12] != b"WAVE":
        return None
    offset, fmt = 12, None
    while offset + 8 <= len(header):
        chunk, size = header[offset:offset + 4], int.from_bytes(header[offset + 4:offset + 8], "little")
        if chunk == b"fmt ":
            fmt = header[offset + 8:offset + 24]
        elif chunk == b"data" and fmt and len(fmt) == 16:
            tag = int.from_bytes(fmt[0:2], "little")
            rate, block = int.from_bytes(fmt[4:8], "little"), int.from_bytes(fmt[12:14], "little")
            # Only for sample-per-block codecs (PCM, float, A-law, mu-law, extensible), from the block
            # size as FFmpeg does: real files carry wrong byte rates. 0 and 0xFFFFFFFF mean "unknown".
            if tag not in (1, 3, 6, 7, 0xFFFE) or not rate or not block or not 0 < size < 0xFFFFFFFF:
                return None
            return size / block / rate
        offset += 8 + size + (size & 1)
    return None


def _reason(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
