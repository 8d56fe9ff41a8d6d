"""Decode any recording to 16 kHz float32, one array per channel, without trusting the file.

We use PyAV: it bundles the FFmpeg libraries, so WAV (PCM, float, mu-law, A-law), MP3, M4A/AAC,
FLAC, OGG/Vorbis/Opus, AMR-NB, AIFF, AU, CAF, GSM, WebM and the audio track of MP4 all decode with
no system dependency. FunASR's own loader shells out to an ``ffmpeg`` binary for some of these, so
the engine is only ever given arrays.

Telephony systems export damaged files every day, and FFmpeg's decoders are C: a hostile or broken
file can crash the process (a segmentation fault in ``AudioFrame.to_ndarray`` was seen on a
corrupt M4A), allocate without bound, or loop. So every file is decoded in a child process forked
from a small, clean server process (``multiprocessing``'s forkserver: no torch, no threads), under
an address-space limit and a time limit. The child streams each channel's samples into a scratch
file; the parent reads them straight into one array (no pickled audio on a pipe, one copy).
Whatever happens in the child, the caller gets the audio or an ``AudioError`` that says, in words a
user can act on, what is wrong with the file; FFmpeg's own words are kept as detail.

Call centres record stereo: agent on one channel, customer on the other. FunASR averages channels
silently; here the caller chooses ``mix`` (average) or ``split`` (each channel analyzed alone).
"""

from __future__ import annotations

import errno
import hashlib
import multiprocessing
import os
import resource
import signal
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np

from voxsight.errors import AudioError

SAMPLE_RATE = 16000

AUDIO_EXTENSIONS = frozenset(
    (".wav .wave .w64 .rf64 .mp3 .m4a .aac .mp4 .flac .ogg .oga .opus .amr .webm .mpeg .mka .3gp .wma "
     ".aif .aiff .aifc .au .snd .caf .gsm .ac3 .spx").split()
)
# Headerless formats: FFmpeg can only know them by their name.
_RAW_FORMATS = {".gsm": "gsm"}
# Real recordings are sampled at 8 kHz or more; a header outside this range is damaged, and
# resampling a "1 Hz" file to 16 kHz would multiply its size 16,000-fold before any limit applies.
_MIN_RATE, _MAX_RATE = 4000, 768000

# A container that declares a duration but decodes to less than this fraction of it is truncated.
_TRUNCATION_TOLERANCE = 0.9
# More undecodable packets than this fraction means the file is corrupt, not merely imperfect.
_MAX_DAMAGED_FRACTION = 0.05


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
        raise AudioError(f"{path.name}: cannot read the file ({_reason(exc)})") from exc
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


@dataclass(frozen=True)
class DecodeLimits:
    """What one file may cost. ``None`` or 0: no limit."""

    max_bytes: int | None = None
    max_duration_s: float | None = None
    timeout_s: float = 600.0  # wall time of the child decoding one file
    memory_mb: int = 1536  # address space of that child


def decode(path: str | Path, max_bytes: int | None = None, max_duration_s: float | None = None, *,
           name: str | None = None, timeout_s: float = 600.0, memory_mb: int = 1536) -> Audio:
    """Decode a file to 16 kHz float32 in a child process, keeping mono as one channel and anything
    wider as two.

    Args:
        path: the file.
        max_bytes, max_duration_s: refuse larger or longer files (checked before decoding where the
            file declares its length, and while decoding where it does not).
        name: the name to use in errors (the name a user knows; stored copies have another).
        timeout_s, memory_mb: limits of the decoding child.

    Raises:
        AudioError: the file is missing, empty, too large or long, not audio, damaged, truncated, or
            crashed or exhausted the decoder.
    """
    path = Path(path)
    limits = DecodeLimits(max_bytes, max_duration_s, timeout_s, memory_mb)
    name = name or path.name
    try:
        size = path.stat().st_size
    except (OSError, RuntimeError) as exc:
        raise AudioError(f"{name}: cannot read the file ({_reason(exc)})") from exc
    if size == 0:
        raise AudioError(f"{name}: the file is empty")
    if limits.max_bytes and size > limits.max_bytes:
        raise AudioError(f"{name}: {size:,} bytes is over the limit of {limits.max_bytes:,} bytes")

    context = _decoder_context()
    with tempfile.TemporaryDirectory(prefix="voxsight-decode-") as scratch:
        receive, send = context.Pipe(duplex=False)
        child = context.Process(target=_decode_child, args=(str(path), name, limits, scratch, send),
                                name=f"voxsight-decode {name}", daemon=True)
        child.start()
        send.close()
        try:
            if not receive.poll(limits.timeout_s):
                child.kill()
                raise AudioError(f"{name}: decoding took longer than {limits.timeout_s:g} s and was stopped: "
                                 "the file is damaged or far longer than it looks")
            outcome = receive.recv()
        except EOFError:  # the child died without a word: a crash inside FFmpeg
            outcome = None
        finally:
            receive.close()
            child.join(5.0)
            if child.is_alive():
                child.kill()
                child.join()
        if outcome is None:
            raise AudioError(f"{name}: the decoder crashed on this file ({_exit_reason(child.exitcode)}): "
                             "it is damaged, or uses a feature FFmpeg cannot decode safely")
        if isinstance(outcome, str):
            raise AudioError(outcome)
        return _read_channels(Path(scratch), outcome)


def write_flac(samples: np.ndarray, path: str | Path) -> None:
    """Write (channels, frames) float32 samples at 16 kHz as 16-bit FLAC: lossless at what was
    analyzed, and played by every browser."""
    import av

    pcm = np.clip(np.round(samples * 32767), -32768, 32767).astype(np.int16)
    with av.open(str(path), "w", format="flac") as out:
        stream = out.add_stream("flac", rate=SAMPLE_RATE, layout="mono" if pcm.shape[0] == 1 else "stereo")
        stream.format = "s16"
        for at in range(0, pcm.shape[1], 10 * SAMPLE_RATE):  # ten seconds at a time
            interleaved = np.ascontiguousarray(pcm[:, at:at + 10 * SAMPLE_RATE].T).reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(interleaved, format="s16", layout=stream.layout.name)
            frame.sample_rate = SAMPLE_RATE
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def channel_signals(audio: Audio, mode: str) -> list[np.ndarray]:
    """The signals to analyze: one mixed-down signal (``mix``, and ``diarize``, which tells the
    voices apart on it) or one per channel (``split``)."""
    if mode in ("mix", "diarize") or audio.channels == 1:
        return [audio.samples.mean(axis=0, dtype=np.float32) if audio.channels > 1 else audio.samples[0]]
    if mode == "split":
        return [audio.samples[c] for c in range(audio.channels)]
    raise ValueError(f"channel mode must be mix, split or diarize, not {mode!r}")


@dataclass(frozen=True, eq=False)
class Span:
    """A stretch of a 16 kHz mono signal, decoded on its own by SenseVoice and by Whisper."""

    signal: np.ndarray
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Skipped:
    path: Path
    reason: str


@dataclass(frozen=True)
class FoundFiles:
    """What ``find_audio_files`` found: files to analyze, and every path it passed over, with why."""

    files: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def find_audio_files(paths: list[str | Path]) -> FoundFiles:
    """Expand files and folders (recursively) into the audio files to analyze, sorted, no repeats.

    A file named explicitly is always kept: decoding it says whether it is audio. Inside folders,
    files are recognised by their extension or, failing that, by their content (a recording
    exported as ``.dat`` is still a recording); everything else, and every broken link, is skipped
    with its reason. Symbolic links to folders are not followed (they can loop).
    """
    found: dict[str, Path] = {}  # resolved -> as given, so one file named two ways counts once
    skipped: list[Skipped] = []
    for p in map(Path, paths):
        if p.is_dir():
            for f, problem in sorted(_walk(p), key=lambda item: item[0]):
                if problem:
                    skipped.append(Skipped(f, problem))
                else:
                    found.setdefault(_identity(f), f)
        else:
            found.setdefault(_identity(p), p)  # named explicitly: let decode() say what is wrong
    return FoundFiles(list(found.values()), skipped)


def _walk(folder: Path):
    """(path, None) for each audio file under ``folder``, (path, reason) for everything passed over."""
    for root, dirs, files in os.walk(folder, onerror=None):
        dirs.sort()
        base = Path(root)
        for d in dirs:
            if (base / d).is_symlink():
                yield base / d, "a link to a folder (not followed: links can loop)"
        for name in sorted(files):
            f = base / name
            if f.is_symlink() and not f.exists():
                yield f, "a broken symbolic link (or a link loop)"
            elif not f.is_file():
                yield f, "not a regular file"
            elif f.suffix.lower() in AUDIO_EXTENSIONS:
                yield f, None
            else:
                try:
                    with f.open("rb") as stream:
                        head = stream.read(HEAD_BYTES)
                except OSError as exc:
                    yield f, f"cannot read the file ({_reason(exc)})"
                    continue
                yield (f, None) if looks_like_audio(head) else (f, "not audio (by its extension and content)")


def looks_like_audio(head: bytes) -> bool:
    """Whether a file's first bytes are the signature of an audio or media container FFmpeg reads:
    one Voxsight serves as audio (``media_type``), or another it decodes but serves as bytes."""
    return (media_type(head) is not OCTET_STREAM
            or head[:4] in (b"RIFF", b"RF64", b"riff",  # RIFF of any kind, not only WAVE
                            b"MThd", b"wvpk", b"MAC ", b"\x30\x26\xb2\x75")  # MIDI, WavPack, APE, ASF / WMA
            or head[:2] == b"\x0b\x77")  # AC-3


# What a stored recording is served as, by its content, never by the name it came with (a WAV named
# poc.html is still a WAV): the media type, the extension Voxsight stores and offers it under, and
# whether browsers play it (the others are only downloaded).
@dataclass(frozen=True)
class MediaType:
    mime: str
    extension: str
    playable: bool


OCTET_STREAM = MediaType("application/octet-stream", "bin", False)
_WAV, _MP3, _AAC = MediaType("audio/wav", "wav", True), MediaType("audio/mpeg", "mp3", True), MediaType("audio/aac", "aac", True)
_SIGNATURES: tuple[tuple[int, bytes, MediaType], ...] = (  # (offset, bytes there, type)
    (0, b"fLaC", MediaType("audio/flac", "flac", True)),
    (0, b"OggS", MediaType("audio/ogg", "ogg", True)),
    (0, b"ID3", _MP3),
    (0, b"#!AMR", MediaType("audio/amr", "amr", False)),
    (4, b"ftyp", MediaType("audio/mp4", "m4a", True)),
    (0, b"\x1a\x45\xdf\xa3", MediaType("audio/webm", "webm", True)),  # Matroska / WebM
    (0, b".snd", MediaType("audio/basic", "au", False)),
    (0, b"caff", MediaType("audio/x-caf", "caf", False)),
)
HEAD_BYTES = 64  # enough of a file for looks_like_audio and media_type


def media_type(head: bytes) -> MediaType:
    """What a file whose first bytes are ``head`` is served as: an audio type for the containers
    this table knows, ``application/octet-stream`` for anything else."""
    if head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WAVE":
        return _WAV
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return MediaType("audio/aiff", "aiff", False)
    for offset, signature, kind in _SIGNATURES:
        if head[offset:offset + len(signature)] == signature:
            return kind
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:  # an MPEG audio or ADTS frame
        return _AAC if head[1] & 0x06 == 0 else _MP3  # layer bits 00: ADTS (AAC)
    return OCTET_STREAM


def stored_name(head: bytes, sender_name: str = "") -> str:
    """The name Voxsight stores a recording under: ``audio.<extension of its type>``. A file whose
    type the content does not tell keeps the sender's extension only where it is a known audio one
    (headerless GSM is known to FFmpeg by its extension alone), else ``audio.bin``."""
    kind = media_type(head)
    if kind is OCTET_STREAM:
        suffix = Path(sender_name.replace("\\", "/")).suffix.lower()
        return f"audio{suffix}" if suffix in AUDIO_EXTENSIONS else "audio.bin"
    return f"audio.{kind.extension}"


def read_head(path: str | Path) -> bytes:
    """A file's first ``HEAD_BYTES``."""
    with open(path, "rb") as f:
        return f.read(HEAD_BYTES)


def _identity(path: Path) -> str:
    try:
        return str(path.resolve())
    except (OSError, RuntimeError):  # a link loop: decode() reports it for this path alone
        return os.path.abspath(path)


# -- the decoding child


_decoder_preload = ["av", "numpy", "voxsight.audio"]


def preload_in_decoder(module: str) -> None:
    """Have the decoder's server import ``module`` once, before any child forks from it.

    Children re-run the parent's ``__main__`` script, as multiprocessing always does (guarded
    scripts and ``python -m`` modules are safe): an entry point names the package its script
    imports (the ``voxsight`` command names its CLI), so that re-run imports nothing in a child.
    """
    if module not in _decoder_preload:
        _decoder_preload.append(module)


def _decoder_context():
    """A forkserver context: children fork from a clean server holding only PyAV and numpy, so a
    worker's torch threads and sockets are never forked, and a child starts in milliseconds."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(_decoder_preload))
    return context


def _decode_child(path: str, name: str, limits: DecodeLimits, scratch: str, send) -> None:
    if limits.memory_mb:
        cap = limits.memory_mb << 20
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    try:
        outcome: _Decoded | str = _decode_to_files(Path(path), name, limits.max_duration_s, Path(scratch))
    except AudioError as exc:
        outcome = str(exc)
    except MemoryError:
        outcome = f"{name}: decoding needs more than {limits.memory_mb:,} MB: the file is damaged or far too long"
    except Exception as exc:  # anything else FFmpeg or PyAV throws: still this file's fault
        outcome = f"{name}: not a readable audio file ({type(exc).__name__}: {exc})"
    try:
        send.send(outcome)
    except OSError:  # the parent gave up waiting (timeout) and is gone
        pass


@dataclass(frozen=True)
class _Decoded:
    channels: int
    frames: int
    format: str
    codec: str
    source_sample_rate: int


def _decode_to_files(path: Path, name: str, max_duration_s: float | None, scratch: Path) -> _Decoded:
    import av

    header = _wav_header(path)
    try:
        with path.open("rb") as file, _open_container(av, file, path) as container:
            if not container.streams.audio:
                raise AudioError(f"{name}: the file has no audio track")
            stream = container.streams.audio[0]
            codec = stream.codec_context
            if codec is None:  # PyAV found no decoder for what the header names
                what = f" (WAV format tag 0x{header.tag:04X}, {header.bits} bits per sample)" if header else ""
                raise AudioError(f"{name}: the header names an audio encoding that cannot be decoded{what}: "
                                 "the file is damaged or uses an unsupported codec")
            if not codec.channels:
                raise AudioError(f"{name}: the header declares 0 channels: the file is damaged")
            if codec.sample_rate and not _MIN_RATE <= codec.sample_rate <= _MAX_RATE:
                raise AudioError(f"{name}: the header declares a sample rate of {codec.sample_rate:,} Hz, which no "
                                 "recording has: the file is damaged")
            declared_s = max(_declared_duration(container, stream) or 0.0, (header and header.duration_s) or 0.0)
            if max_duration_s and declared_s > max_duration_s:
                raise AudioError(f"{name}: it declares {_clock(declared_s)}, over the limit of {max_duration_s:,.0f} s")
            channels = 1 if codec.channels == 1 else 2
            writer = _ChannelWriter(scratch, channels, int(max_duration_s * SAMPLE_RATE) if max_duration_s else None,
                                    name)
            resampler = _Resampler(av, channels)
            packets = damaged = 0
            try:
                for packet in container.demux(stream):
                    packets += 1
                    try:
                        frames = packet.decode()
                    except av.error.InvalidDataError:
                        damaged += 1  # skipped like ffmpeg does: real files carry the odd bad frame
                        continue
                    for frame in frames:
                        for planes in resampler.resample(frame):
                            writer.write(planes)
                for planes in resampler.resample(None):
                    writer.write(planes)
            except av.error.FFmpegError as exc:
                if writer.frames == 0:
                    raise
                raise AudioError(f"{name}: the file is damaged at {_clock(writer.frames / SAMPLE_RATE)} "
                                 f"({_ffmpeg_words(exc)})") from exc
            finally:
                writer.close()
            if damaged > _MAX_DAMAGED_FRACTION * packets:
                raise AudioError(f"{name}: the audio is corrupt ({damaged} of {packets} packets undecodable)")
            decoded = _Decoded(channels, writer.frames, container.format.name, codec.name, codec.sample_rate or 0)
    except AudioError:
        raise
    except av.error.FFmpegError as exc:
        raise AudioError(f"{name}: {_explain(exc)}") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise AudioError(f"{name}: not a readable audio file ({_reason(exc)})") from exc
    except OSError as exc:  # a folder, no permission, a vanished file
        raise AudioError(f"{name}: cannot read the file ({_reason(exc)})") from exc

    if decoded.frames == 0:
        raise AudioError(f"{name}: the file contains no audio samples")
    duration_s = decoded.frames / SAMPLE_RATE
    if declared_s and duration_s < _TRUNCATION_TOLERANCE * declared_s:
        raise AudioError(
            f"{name}: the file is truncated: it declares {declared_s:.1f} s but only {duration_s:.1f} s can be decoded"
        )
    return decoded


def _open_container(av, file, path: Path):
    # A file object makes FFmpeg probe the content instead of trusting the extension
    # (an MP3 named .mpeg otherwise goes to the MPEG-PS demuxer and fails).
    raw_format = _RAW_FORMATS.get(path.suffix.lower())
    return av.open(file, format=raw_format, metadata_errors="ignore")


class _Resampler:
    """To 16 kHz float planes. Streams that change rate or layout mid-way (concatenated MP3s,
    some damaged files) get a fresh resampler at each change instead of an error."""

    def __init__(self, av, channels: int):
        self._av, self._layout, self._resampler, self._source = av, "mono" if channels == 1 else "stereo", None, None

    def resample(self, frame):
        source = None if frame is None else (frame.format.name, frame.layout.name, frame.sample_rate)
        outputs = []
        if self._resampler is not None and frame is not None and source != self._source:
            outputs += self._resampler.resample(None)
            self._resampler = None
        if self._resampler is None:
            if frame is None:
                return []
            self._resampler = self._av.AudioResampler(format="fltp", layout=self._layout, rate=SAMPLE_RATE)
            self._source = source
        outputs += self._resampler.resample(frame)
        return [out.to_ndarray() for out in outputs]


class _ChannelWriter:
    """Appends each channel's samples to its own scratch file, so nothing is held in memory."""

    def __init__(self, scratch: Path, channels: int, limit: int | None, name: str):
        self.files = [(scratch / f"channel{c}.f32").open("wb") for c in range(channels)]
        self.frames, self.limit, self.name = 0, limit, name

    def write(self, planes: np.ndarray) -> None:
        if self.limit is not None and self.frames + planes.shape[1] > self.limit:
            raise AudioError(f"{self.name}: longer than the limit of {self.limit / SAMPLE_RATE:,.0f} s")
        for f, plane in zip(self.files, planes):
            f.write(np.ascontiguousarray(plane, dtype=np.float32).tobytes())
        self.frames += planes.shape[1]

    def close(self) -> None:
        for f in self.files:
            f.close()


def _read_channels(scratch: Path, decoded: _Decoded) -> Audio:
    samples = np.empty((decoded.channels, decoded.frames), np.float32)
    for c in range(decoded.channels):
        with (scratch / f"channel{c}.f32").open("rb") as f:
            if f.readinto(memoryview(samples[c]).cast("B")) != decoded.frames * 4:
                raise AudioError("decoded audio went missing from the scratch directory")
    return Audio(samples, decoded.format, decoded.codec, decoded.source_sample_rate)


@dataclass(frozen=True)
class _WavHeader:
    tag: int
    channels: int
    rate: int
    bits: int
    duration_s: float | None  # what the data chunk promises, for sample-per-block codecs


def _wav_header(path: Path) -> _WavHeader | None:
    """A WAV file's format chunk. FFmpeg caps the duration at the bytes present, hiding truncation,
    and says nothing about a format tag it has no decoder for."""
    try:
        with path.open("rb") as f:
            header = f.read(4096)
    except OSError:
        return None
    if header[:4] != b"RIFF" or header[8:12] != b"WAVE":
        return None
    offset, fmt = 12, None
    while offset + 8 <= len(header):
        chunk, size = header[offset:offset + 4], int.from_bytes(header[offset + 4:offset + 8], "little")
        if chunk == b"fmt ":
            fmt = header[offset + 8:offset + 24]
        elif chunk == b"data" and fmt and len(fmt) == 16:
            tag, channels = int.from_bytes(fmt[0:2], "little"), int.from_bytes(fmt[2:4], "little")
            rate, block = int.from_bytes(fmt[4:8], "little"), int.from_bytes(fmt[12:14], "little")
            bits = int.from_bytes(fmt[14:16], "little")
            # Only for sample-per-block codecs (PCM, float, A-law, mu-law, extensible), from the block
            # size as FFmpeg does: real files carry wrong byte rates. 0 and 0xFFFFFFFF mean "unknown".
            known = tag in (1, 3, 6, 7, 0xFFFE) and rate and block and 0 < size < 0xFFFFFFFF
            return _WavHeader(tag, channels, rate, bits, size / block / rate if known else None)
        offset += 8 + size + (size & 1)
    return None


def _declared_duration(container, stream) -> float | None:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / 1_000_000  # AV_TIME_BASE
    return None


# FFmpeg's errors say what failed inside FFmpeg; users need to hear what is wrong with their file.
_EXPLANATIONS = {
    errno.EPERM: "the file is damaged (its structure is inconsistent)",
    errno.EINVAL: "the file is damaged or not audio (its header makes no sense)",
    errno.ENOSYS: "the file uses a codec feature FFmpeg does not implement, or is damaged",
    errno.ENOMEM: "the file needs more memory to decode than is allowed: it is damaged or far too long",
}


def _explain(exc: Exception) -> str:
    import av

    words = _ffmpeg_words(exc)
    if isinstance(exc, av.error.EOFError):
        return f"the file ends before its audio begins: it is truncated or damaged ({words})"
    if isinstance(exc, (av.error.InvalidDataError,)) or "Invalid data" in words:
        return f"not a readable audio file ({words})"
    if explanation := _EXPLANATIONS.get(getattr(exc, "errno", None)):
        return f"{explanation} ({words})"
    if "patches welcome" in words or "Not yet implemented" in words:
        return f"{_EXPLANATIONS[errno.ENOSYS]} ({words})"
    return f"not a readable audio file ({words})"


def _ffmpeg_words(exc: Exception) -> str:
    return f"FFmpeg: {_reason(exc)}"


def _exit_reason(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit status {exitcode}"


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"


def _reason(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
