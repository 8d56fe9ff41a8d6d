"""Specification of voxsight.audio: any recording a call centre sends becomes 16 kHz float32,
one array per channel, or an AudioError that names the file and says why.

Every format is decoded from a real file: the shipped sample calls, re-encoded here with PyAV
into each container and codec, and the shared real recordings (48 kHz WAV, MP3 misnamed .mpeg,
8 kHz AMR-NB) when the shared data folder is present.
"""

import json
import shutil
import subprocess
import wave
from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np
import pytest

from voxsight.audio import SAMPLE_RATE, AudioError, channel_signals, decode, find_audio_files

REPO = Path(__file__).resolve().parents[1]
SAMPLE_CALLS = REPO / "samples" / "calls"
MANIFEST = json.loads((REPO / "samples" / "calls.json").read_text())
SHARED_AUDIO = Path(__file__).resolve().parents[2] / "shared" / "data" / "audio"

CALL = "billing_dispute.wav"
CLIP_S = 8.0  # long enough to hold the first agent and customer turns, short enough to encode fast
AGENT, CUSTOMER = 0, 1


@dataclass(frozen=True)
class Format:
    """How to re-encode the sample call: container suffix, encoder candidates and their settings."""

    name: str
    suffix: str
    encoders: tuple[str, ...]
    rate: int
    channels: int = 2
    container: str | None = None  # None: guessed from the suffix
    options: dict = field(default_factory=dict)
    lossless: bool = False
    separate_channels: bool = False  # each channel coded on its own: a silent side stays silent
    with_video: bool = False


FORMATS = [
    Format("wav-pcm16", ".wav", ("pcm_s16le",), 16000, lossless=True, separate_channels=True),
    Format("wav-pcm24", ".wav", ("pcm_s24le",), 16000, lossless=True, separate_channels=True),
    Format("wav-pcm32", ".wav", ("pcm_s32le",), 16000, lossless=True, separate_channels=True),
    Format("wav-float32", ".wav", ("pcm_f32le",), 16000, lossless=True, separate_channels=True),
    Format("wav-mulaw-8k", ".wav", ("pcm_mulaw",), 8000, separate_channels=True),
    Format("wav-alaw-8k", ".wav", ("pcm_alaw",), 8000, separate_channels=True),
    Format("mp3", ".mp3", ("libmp3lame", "mp3"), 44100),
    Format("m4a-aac", ".m4a", ("aac",), 48000),
    Format("flac", ".flac", ("flac",), 16000, lossless=True, separate_channels=True),
    # FFmpeg's own Vorbis encoder is marked experimental; libvorbis needs no such permission.
    Format("ogg-vorbis", ".ogg", ("libvorbis", "vorbis"), 44100, options={"strict": "experimental"}),
    Format("ogg-opus", ".ogg", ("libopus",), 48000),
    Format("webm-opus", ".webm", ("libopus",), 48000),
    Format("amr-nb-8k", ".amr", ("libopencore_amrnb",), 8000, channels=1, options={"b": "12200"}),
    Format("mp4-aac-with-video", ".mp4", ("aac",), 44100, with_video=True),
]
BY_NAME = {f.name: f for f in FORMATS}
LOSSLESS = [f for f in FORMATS if f.lossless]
SEPARATE = [f for f in FORMATS if f.separate_channels]
MONO_WAV = Format("wav-mono", ".wav", ("pcm_s16le",), 16000, channels=1)


def _encoder(fmt: Format) -> str:
    for name in fmt.encoders:
        try:
            av.Codec(name, "w")
            return name
        except av.codec.codec.UnknownCodecError:
            continue
    if fmt.suffix == ".amr":
        pytest.skip("no AMR-NB encoder in this PyAV build; the shared .amr recordings cover AMR-NB")
    pytest.skip(f"no encoder for {fmt.name} in this PyAV build (tried {', '.join(fmt.encoders)})")


def _reencode(samples: np.ndarray, path: Path, fmt: Format) -> Path:
    """Write 16 kHz float samples (channels, frames) to path in fmt, through PyAV."""
    layout = "mono" if fmt.channels == 1 else "stereo"
    with av.open(str(path), "w", format=fmt.container) as out:
        stream = out.add_stream(_encoder(fmt), rate=fmt.rate, options=dict(fmt.options))
        stream.layout = layout
        video = _add_tiny_video(out) if fmt.with_video else None  # every stream before the first packet
        source = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples, dtype=np.float32),
            format="fltp",
            layout="mono" if samples.shape[0] == 1 else "stereo",
        )
        source.sample_rate = SAMPLE_RATE
        resampler = av.AudioResampler(
            format=stream.codec_context.codec.audio_formats[0].name, layout=layout, rate=fmt.rate
        )
        fifo = av.AudioFifo()  # most encoders take fixed-size frames
        for frame in resampler.resample(source) + resampler.resample(None):
            fifo.write(frame)
        pts = 0
        for frame in fifo.read_many(stream.codec_context.frame_size or 1024, partial=True):
            frame.pts, pts = pts, pts + frame.samples
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
        if video:
            _write_tiny_video(out, video, seconds=int(samples.shape[1] / SAMPLE_RATE))
    return path


def _add_tiny_video(out: av.container.OutputContainer) -> av.video.stream.VideoStream:
    try:
        av.Codec("mpeg4", "w")
    except av.codec.codec.UnknownCodecError:
        pytest.skip("no mpeg4 video encoder in this PyAV build")
    video = out.add_stream("mpeg4", rate=1)
    video.width = video.height = 16
    video.pix_fmt = "yuv420p"
    return video


def _write_tiny_video(out: av.container.OutputContainer, video: av.video.stream.VideoStream, seconds: int) -> None:
    """One black 16x16 picture a second: a video track at almost no cost."""
    for second in range(seconds):
        picture = av.VideoFrame.from_ndarray(np.zeros((16, 16, 3), np.uint8), format="rgb24")
        picture.pts = second
        out.mux(video.encode(picture))
    out.mux(video.encode(None))


def _turn(channel: int) -> tuple[float, float]:
    """(start_s, end_s) of the first turn on channel inside the clip, from the manifest."""
    call = next(c for c in MANIFEST if Path(c["file"]).name == CALL)
    turn = next(t for t in call["turns"] if t["channel"] == channel and t["end_s"] <= CLIP_S)
    return turn["start_s"], turn["end_s"]


def _rms(signal: np.ndarray, span: tuple[float, float]) -> float:
    start, end = (int(s * SAMPLE_RATE) for s in span)
    return float(np.sqrt(np.mean(np.square(signal[start:end], dtype=np.float64))))


@pytest.fixture(scope="module")
def clip() -> np.ndarray:
    """The first seconds of a real stereo sample call: agent on channel 0, customer on channel 1."""
    return decode(SAMPLE_CALLS / CALL).samples[:, : int(CLIP_S * SAMPLE_RATE)]


@pytest.fixture(scope="module")
def transcoded(clip, tmp_path_factory):
    """fmt -> the clip re-encoded in fmt and decoded by voxsight (each format encoded once)."""
    decoded = {}

    def get(fmt: Format):
        if fmt.name not in decoded:
            path = _reencode(clip, tmp_path_factory.mktemp(fmt.name) / f"call{fmt.suffix}", fmt)
            decoded[fmt.name] = decode(path)
        return decoded[fmt.name]

    return get


@pytest.fixture
def shared_audio() -> Path:
    if not SHARED_AUDIO.is_dir():
        pytest.skip(f"shared real recordings not present at {SHARED_AUDIO}")
    return SHARED_AUDIO


# Every format the issue names


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_decodes_to_float32_array_of_channels_by_frames(fmt, transcoded):
    samples = transcoded(fmt).samples
    assert samples.dtype == np.float32
    assert samples.ndim == 2 and samples.shape[1] > 0
    assert -1.0 <= samples.min() and samples.max() <= 1.0


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_resamples_to_16k_keeping_the_duration(fmt, transcoded):
    audio = transcoded(fmt)
    assert audio.source_sample_rate == fmt.rate
    # samples are at 16 kHz, so the frame count gives the duration; lossy codecs add priming
    assert audio.duration_s == pytest.approx(CLIP_S, abs=0.15)


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_keeps_the_channel_count(fmt, transcoded):
    assert transcoded(fmt).channels == fmt.channels


@pytest.mark.parametrize("fmt", LOSSLESS, ids=lambda f: f.name)
def test_lossless_formats_decode_to_the_source_samples(fmt, transcoded, clip):
    np.testing.assert_array_equal(transcoded(fmt).samples, clip)


@pytest.mark.parametrize("fmt", SEPARATE, ids=lambda f: f.name)
def test_customer_turn_stays_on_the_customer_channel(fmt, transcoded):
    samples, turn = transcoded(fmt).samples, _turn(CUSTOMER)
    assert _rms(samples[CUSTOMER], turn) > 100 * _rms(samples[AGENT], turn)


@pytest.mark.parametrize("fmt", SEPARATE, ids=lambda f: f.name)
def test_agent_turn_stays_on_the_agent_channel(fmt, transcoded):
    samples, turn = transcoded(fmt).samples, _turn(AGENT)
    assert _rms(samples[AGENT], turn) > 100 * _rms(samples[CUSTOMER], turn)


def test_every_shipped_sample_call_decodes_to_its_manifest_duration():
    for call in MANIFEST:
        audio = decode(REPO / "samples" / call["file"])
        assert (audio.channels, audio.source_sample_rate) == (2, 16000), call["file"]
        assert audio.duration_s == pytest.approx(call["duration_s"], abs=0.01), call["file"]


# Shared real recordings


def test_real_48k_wav_recordings_decode_at_their_header_length(shared_audio):
    files = sorted(shared_audio.rglob("*.wav"))
    assert files
    for path in files:
        with wave.open(str(path)) as header:
            rate, frames, channels = header.getframerate(), header.getnframes(), header.getnchannels()
        audio = decode(path)
        assert audio.source_sample_rate == rate == 48000, path.name
        assert audio.channels == channels, path.name
        assert audio.duration_s == pytest.approx(frames / rate, abs=0.01), path.name


def test_mp3_misnamed_mpeg_is_decoded_by_its_content(shared_audio):
    files = sorted(shared_audio.rglob("*.mpeg"))
    assert files
    for path in files:
        audio = decode(path)
        assert (audio.format, audio.source_sample_rate, audio.channels) == ("mp3", 48000, 2), path.name


def test_a_damaged_packet_is_skipped_not_fatal(shared_audio):
    files = sorted(shared_audio.rglob("*.mpeg"))
    assert files
    for path in files:
        with path.open("rb") as file, av.open(file) as container:
            declared_s = container.duration / av.time_base
            undecodable = 0
            for packet in container.demux(container.streams.audio[0]):
                try:
                    packet.decode()
                except av.error.InvalidDataError:
                    undecodable += 1
        assert undecodable >= 1, f"{path.name} no longer carries a damaged packet"
        assert decode(path).duration_s == pytest.approx(declared_s, abs=0.15), path.name


def test_amr_nb_telephony_recordings_decode_to_mono_16k(shared_audio):
    files = sorted(shared_audio.rglob("*.amr"))
    assert files
    for path in files:
        audio = decode(path)
        assert (audio.codec, audio.source_sample_rate, audio.channels) == ("amrnb", 8000, 1), path.name
        assert audio.duration_s > 1.0, path.name


def test_multilingual_mp3_examples_decode(shared_audio):
    files = sorted((shared_audio / "multilingual").glob("*.mp3"))
    assert files
    for path in files:
        audio = decode(path)
        assert audio.format == "mp3", path.name
        assert audio.duration_s > 1.0, path.name


# channel_signals


def test_mix_returns_one_signal_that_is_the_channel_average(clip, transcoded):
    audio = transcoded(BY_NAME["wav-pcm16"])
    signals = channel_signals(audio, "mix")
    assert len(signals) == 1
    assert signals[0].dtype == np.float32
    np.testing.assert_allclose(signals[0], (clip[AGENT] + clip[CUSTOMER]) / 2, atol=1e-7)


def test_split_returns_one_signal_per_channel(clip, transcoded):
    signals = channel_signals(transcoded(BY_NAME["wav-pcm16"]), "split")
    assert len(signals) == 2
    np.testing.assert_array_equal(signals[AGENT], clip[AGENT])
    np.testing.assert_array_equal(signals[CUSTOMER], clip[CUSTOMER])


@pytest.mark.parametrize("mode", ["mix", "split"])
def test_mono_file_gives_one_signal_in_either_mode(mode, transcoded):
    audio = transcoded(MONO_WAV)
    assert audio.channels == 1
    signals = channel_signals(audio, mode)
    assert len(signals) == 1
    np.testing.assert_array_equal(signals[0], audio.samples[0])


def test_unknown_channel_mode_is_refused(transcoded):
    with pytest.raises(ValueError, match="mix, split or diarize"):
        channel_signals(transcoded(BY_NAME["wav-pcm16"]), "left")


# find_audio_files


@pytest.fixture
def call_folder(tmp_path) -> Path:
    """calls/ with two real calls (one in a subfolder, one with an upper-case suffix) and a note."""
    folder = tmp_path / "calls"
    (folder / "2024" / "march").mkdir(parents=True)
    shutil.copy(SAMPLE_CALLS / "lost_card.wav", folder / "lost_card.wav")
    shutil.copy(SAMPLE_CALLS / "happy_upgrade.wav", folder / "2024" / "march" / "HAPPY_UPGRADE.WAV")
    (folder / "notes.txt").write_text("call notes, not audio\n")
    return folder


def test_a_folder_expands_recursively_to_its_audio_files(call_folder):
    assert find_audio_files([call_folder]).files == [
        call_folder / "2024" / "march" / "HAPPY_UPGRADE.WAV",
        call_folder / "lost_card.wav",
    ]


def test_non_audio_files_found_in_folders_are_skipped_with_a_reason(call_folder):
    found = find_audio_files([call_folder])
    assert call_folder / "notes.txt" not in found.files
    assert [(s.path, s.reason) for s in found.skipped] == [
        (call_folder / "notes.txt", "not audio (by its extension and content)")]


def test_explicitly_named_non_audio_paths_are_kept_for_decode_to_judge(call_folder):
    assert find_audio_files([call_folder / "notes.txt"]).files == [call_folder / "notes.txt"]


def test_a_file_named_and_found_in_a_folder_is_listed_once(call_folder):
    found = find_audio_files([call_folder / "lost_card.wav", call_folder, call_folder / "lost_card.wav"]).files
    assert found.count(call_folder / "lost_card.wav") == 1
    assert len(found) == 2


def test_the_same_file_spelt_relative_and_absolute_is_listed_once(call_folder, monkeypatch):
    monkeypatch.chdir(call_folder)
    assert len(find_audio_files([call_folder, "lost_card.wav"]).files) == 2


@pytest.mark.parametrize("suffix,container,codec,rate", [
    (".aiff", "aiff", "pcm_s16be", 16000), (".au", "au", "pcm_s16be", 16000), (".caf", "caf", "pcm_s16le", 16000),
    (".gsm", "gsm", "gsm", 8000), (".dat", "wav", "pcm_s16le", 16000),
])
def test_folders_find_audio_in_every_format_ffmpeg_reads_whatever_its_name(tmp_path, clip, suffix, container,
                                                                          codec, rate):
    folder = tmp_path / "export"
    folder.mkdir()
    path = folder / f"call{suffix}"
    if codec == "gsm":  # FFmpeg decodes GSM but has no encoder for it; sox has
        source = tmp_path / "clip.wav"
        _encode_mono(clip[0], source, "wav", "pcm_s16le", SAMPLE_RATE)
        subprocess.run(["sox", source, "-r", "8000", "-t", "gsm", path], check=True)
    else:
        _encode_mono(clip[0], path, container, codec, rate)
    found = find_audio_files([folder])
    assert found.files == [path] and found.skipped == []
    assert decode(path).duration_s == pytest.approx(CLIP_S, abs=0.1)


def test_links_that_go_nowhere_or_loop_are_skipped_with_a_reason(call_folder):
    (call_folder / "gone.wav").symlink_to(call_folder / "deleted.wav")
    (call_folder / "loop.wav").symlink_to(call_folder / "loop.wav")
    (call_folder / "back_up").symlink_to(call_folder, target_is_directory=True)
    found = find_audio_files([call_folder])
    reasons = {s.path.name: s.reason for s in found.skipped}
    assert reasons["gone.wav"].startswith("a broken symbolic link")
    assert reasons["loop.wav"].startswith("a broken symbolic link")
    assert reasons["back_up"].startswith("a link to a folder")
    assert len(found.files) == 2


def test_a_link_loop_named_explicitly_fails_alone_when_decoded(call_folder):
    loop = call_folder / "loop.wav"
    loop.symlink_to(loop)
    found = find_audio_files([loop, call_folder / "lost_card.wav"])
    assert found.files == [loop, call_folder / "lost_card.wav"]
    with pytest.raises(AudioError, match=r"^loop\.wav: cannot read the file \(Too many levels of symbolic links\)"):
        decode(loop)


def _encode_mono(samples: np.ndarray, path: Path, container: str, codec: str, rate: int) -> None:
    with av.open(str(path), "w", format=container) as out:
        stream = out.add_stream(codec, rate=rate, layout="mono")
        resampler = av.AudioResampler(format=stream.codec_context.codec.audio_formats[0].name, layout="mono",
                                      rate=rate)
        frame = av.AudioFrame.from_ndarray((samples[None, :] * 32767).astype(np.int16), format="s16", layout="mono")
        frame.sample_rate = SAMPLE_RATE
        for resampled in resampler.resample(frame) + resampler.resample(None):
            for packet in stream.encode(resampled):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


# Errors: AudioError naming the file and saying why


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty_call.wav"
    path.touch()
    with pytest.raises(AudioError, match=r"^empty_call\.wav: the file is empty$"):
        decode(path)


def test_text_file_renamed_wav_is_refused_as_not_audio(tmp_path):
    path = tmp_path / "minutes.wav"
    path.write_text("Meeting minutes: the customer called about a double charge.\n" * 20)
    with pytest.raises(AudioError, match=r"^minutes\.wav: not a readable audio file"):
        decode(path)


def test_truncated_wav_is_refused(tmp_path):
    whole = (SAMPLE_CALLS / CALL).read_bytes()
    path = tmp_path / "cut_off.wav"
    path.write_bytes(whole[: len(whole) // 2])  # the header still declares the whole call
    with pytest.raises(AudioError, match=r"^cut_off\.wav: the file is truncated"):
        decode(path)


def test_truncated_flac_is_refused(clip, tmp_path):
    whole = _reencode(clip, tmp_path / "whole.flac", BY_NAME["flac"]).read_bytes()
    path = tmp_path / "cut_off.flac"
    path.write_bytes(whole[: len(whole) // 2])  # STREAMINFO still declares all 8 s
    with pytest.raises(AudioError, match=r"^cut_off\.flac: the file is truncated: it declares 8\.0 s"):
        decode(path)


def test_mostly_undecodable_audio_is_refused_as_corrupt(clip, tmp_path):
    damaged = bytearray(_reencode(clip, tmp_path / "whole.mp3", BY_NAME["mp3"]).read_bytes())
    for i in range(2000, len(damaged), 7):
        damaged[i] ^= 0xFF
    path = tmp_path / "garbled.mp3"
    path.write_bytes(damaged)
    with pytest.raises(AudioError, match=r"^garbled\.mp3: the audio is corrupt \(\d+ of \d+ packets undecodable\)"):
        decode(path)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(AudioError, match=r"^nowhere\.wav: cannot read the file \(No such file or directory\)"):
        decode(tmp_path / "nowhere.wav")


def test_a_folder_given_as_a_file_is_refused(tmp_path):
    folder = tmp_path / "calls.wav"
    folder.mkdir()
    with pytest.raises(AudioError, match=r"^calls\.wav: cannot read the file"):
        decode(folder)


def test_file_over_max_bytes_is_refused():
    with pytest.raises(AudioError, match=r"^lost_card\.wav: [\d,]+ bytes is over the limit of 1,000 bytes$"):
        decode(SAMPLE_CALLS / "lost_card.wav", max_bytes=1000)


def test_recording_declaring_more_than_max_duration_is_refused_before_decoding():
    with pytest.raises(AudioError, match=r"^lost_card\.wav: it declares 00:20, over the limit of 5 s$"):
        decode(SAMPLE_CALLS / "lost_card.wav", max_duration_s=5)


def test_container_without_an_audio_track_is_refused(tmp_path):
    path = tmp_path / "screen_recording.mp4"
    with av.open(str(path), "w") as out:
        _write_tiny_video(out, _add_tiny_video(out), seconds=3)
    with pytest.raises(AudioError, match=r"^screen_recording\.mp4: the file has no audio track$"):
        decode(path)


def test_a_failed_decode_does_not_affect_the_next_file(tmp_path):
    bad = tmp_path / "bad.wav"
    bad.write_text("not audio")
    with pytest.raises(AudioError):
        decode(bad)
    audio = decode(SAMPLE_CALLS / CALL)
    assert audio.channels == 2
    assert audio.duration_s == pytest.approx(20.32, abs=0.01)


def test_a_recording_is_served_as_the_type_its_bytes_are_never_its_name(tmp_path):
    from voxsight.audio import media_type, stored_name

    wav = (Path(__file__).parent.parent / "samples" / "calls" / "billing_dispute.wav").read_bytes()[:64]
    assert (media_type(wav).mime, media_type(wav).playable) == ("audio/wav", True)
    assert stored_name(wav, "poc.html") == "audio.wav"  # the sender's name does not count
    for head, mime in ((b"ID3\x04", "audio/mpeg"), (b"\xff\xfb\x90", "audio/mpeg"), (b"\xff\xf1\x50", "audio/aac"),
                       (b"fLaC", "audio/flac"), (b"OggS", "audio/ogg"), (b"\0\0\0\x20ftypM4A ", "audio/mp4"),
                       (b"\x1a\x45\xdf\xa3", "audio/webm"), (b"#!AMR\n", "audio/amr")):
        assert media_type(head).mime == mime, head
    assert not media_type(b"#!AMR\n").playable  # browsers do not play AMR: downloaded, not inline
    page = b"<!doctype html><script>alert(1)</script>"
    assert media_type(page).mime == "application/octet-stream" and stored_name(page, "x.html") == "audio.bin"
    assert stored_name(b"RIFF\0\0\0\0AVI ", "call.wav") == "audio.wav"  # a known audio extension, for FFmpeg
    assert stored_name(page, "call.gsm") == "audio.gsm"  # headerless GSM: FFmpeg knows it by its extension
