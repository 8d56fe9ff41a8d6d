"""Who spoke when on mono calls: speaker error, missed and false speech, speakers found, role
accuracy, and diarization's extra cost over ``--channels mix`` on the same files.

    .venv/bin/python bench/diarization.py [--calls 12] [--model DIR] [--threads 2]

The calls are built from real recordings of four real speakers (``../shared/data/audio/emotion``:
acted sentences in WAV, MP3 and AMR): two of them take turns of 2-8 s with pauses of 0.2-1.0 s
(and some turns with none), so the truth is known to the sample. Each call is written at 16 kHz,
and again as a telephone sends it (8 kHz G.711 mu-law). Half the calls start with the customer.

Scored on 10 ms frames: speaker error is the share of the truth's speech given to the wrong
speaker after the best mapping of labels; missed speech is speech left out of every segment,
false speech is a segment over silence; role accuracy is the share of speech whose segment has the
right role. Without an enrolled voiceprint the agent is the voice that greets, else the first
voice heard: on these calls (no greeting words) it is right exactly when the agent speaks first.

Each speaker is also enrolled from clips the calls are not cut from: every call is analyzed again
with its agent's print (role accuracy with enrolment) and with a stranger's print under the
agent's name (the mismatch flagged), and calls of three voices on a call configured for two count
the voices found.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import tempfile
import time
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "data" / "audio" / "emotion"
RATE = 16000
FRAME_S = 0.01
# Each speaker's four clips: calls are cut from the first two, agents enrolled from the other two,
# so that a print never hears the words it is then compared with.
CALL_CLIPS, ENROL_CLIPS = (0, 1), (2, 3)


@dataclass(frozen=True)
class Mix:
    path: Path
    truth: list[tuple[float, float, int]]  # (start_s, end_s, speaker): speaker 0 speaks first
    agent: int  # which truth speaker is the agent


def speakers_recordings() -> list[list[np.ndarray]]:
    """Each speaker's recordings, decoded to 16 kHz mono and levelled to one loudness."""
    from voxsight import audio

    out = []
    for folder in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        clips = []
        for f in sorted(folder.iterdir()):
            x = audio.decode(f).samples.mean(axis=0)
            clips.append((x / max(1e-6, float(np.sqrt(np.mean(x ** 2)))) * 0.08).astype(np.float32))
        out.append(clips)
    return out


def mix(recordings: list[list[np.ndarray]], pair: tuple[int, ...], turns: int, seed: int, directory: Path,
        agent_first: bool = True, no_pause_every: int = 4, clips: tuple[int, ...] = CALL_CLIPS) -> Mix:
    """A mono call of two speakers (or more) taking ``turns`` turns of 2-8 s in order (every
    ``no_pause_every``-th change with no pause at all, so one speech span holds both voices), cut
    from their ``clips``."""
    rng = np.random.default_rng(seed)
    parts, truth, at = [], [], 0.0
    for k in range(turns):
        who = k % len(pair)
        clip = recordings[pair[who]][clips[(k // len(pair)) % len(clips)]]
        length = min(len(clip), int(rng.uniform(2.0, 8.0) * RATE))
        start = int(rng.integers(0, len(clip) - length + 1))
        piece = _trimmed(clip[start:start + length])
        truth.append((at, at + len(piece) / RATE, who))
        parts.append(piece)
        at += len(piece) / RATE
        pause = 0.0 if (k + 1) % no_pause_every == 0 else float(rng.uniform(0.2, 1.0))
        parts.append(np.zeros(int(pause * RATE), np.float32))
        at += int(pause * RATE) / RATE
    path = directory / f"mix-{''.join(map(str, pair))}-{seed}.wav"
    _write_wav(path, np.concatenate(parts))
    return Mix(path, truth, agent=0 if agent_first else 1)


def telephone(m: Mix, directory: Path) -> Mix:
    """The same call as a telephone network carries it: 8 kHz, G.711 mu-law, in a WAV."""
    import av

    from voxsight import audio

    samples = audio.decode(m.path).samples[0]
    path = directory / (m.path.stem + "-8k-mulaw.wav")
    with av.open(str(path), "w", format="wav") as out:
        stream = out.add_stream("pcm_mulaw", rate=8000, layout="mono")
        resampler = av.AudioResampler(format="s16", layout="mono", rate=8000)
        frame = av.AudioFrame.from_ndarray((samples * 32767).astype(np.int16)[None, :], format="s16", layout="mono")
        frame.sample_rate = RATE
        for f in [*resampler.resample(frame), *resampler.resample(None)]:
            for packet in stream.encode(f):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return Mix(path, m.truth, m.agent)


def score(m: Mix, segments) -> dict[str, float]:
    """Speaker error, missed and false speech (shares of the truth's speech), speakers found, role accuracy
    (the best mapping of found labels onto the truth's speakers; a label left over is wrong)."""
    n = int(max(t[1] for t in m.truth) / FRAME_S) + 200
    truth, found = np.full(n, -1), np.full(n, -1)
    for a, b, who in m.truth:
        truth[int(a / FRAME_S):int(b / FRAME_S)] = who
    roles = np.full(n, "", dtype=object)
    for s in segments:
        lo, hi = int(s.start_s / FRAME_S), int(s.end_s / FRAME_S)
        found[lo:hi] = s.speaker if s.speaker is not None else 0
        roles[lo:hi] = s.role or ""
    speech, both = truth >= 0, (truth >= 0) & (found >= 0)
    labels = sorted(set(found[found >= 0].tolist()))
    voices = int(truth.max()) + 1
    right = max(sum(int(np.sum((truth == t) & (found == f))) for t, f in zip(range(voices), perm) if f is not None)
                for perm in itertools.permutations([*labels, *[None] * voices], voices))
    right_role = (roles == "agent") == (truth == m.agent)
    total = int(speech.sum())
    return {"speaker_error": (int(both.sum()) - right) / total, "missed": int(np.sum(speech & (found < 0))) / total,
            "false": int(np.sum(~speech & (found >= 0))) / total, "speakers": len(labels),
            "role_accuracy": int(np.sum(both & right_role)) / max(1, int(both.sum()))}


def main() -> None:
    args = _arguments()
    sys.path.insert(0, str(ROOT / "bench"))
    import helpers

    from voxsight import config as config_module, speakers, voiceprints
    from voxsight.analysis import Analyzer
    from voxsight.engine import Engine
    from voxsight.store import Store

    model_dir = Path(args.model) if args.model else helpers.synthetic_model("full")
    work = Path(tempfile.mkdtemp(prefix="voxsight-diarization-"))
    recordings = speakers_recordings()
    pairs = list(itertools.combinations(range(len(recordings)), 2))
    calls = [mix(recordings, pairs[k % len(pairs)], turns=10, seed=k, directory=work, agent_first=k % 2 == 0)
             for k in range(args.calls)]
    trios = list(itertools.combinations(range(len(recordings)), 3))
    three = [mix(recordings, trios[k % len(trios)], turns=9, seed=100 + k, directory=work)
             for k in range(max(1, args.calls // 2))]
    cfg = config_module.Config().with_overrides(
        models={"sensevoice_dir": str(model_dir)}, engine={"threads": args.threads, "words": "sensevoice"},
        alerts={"rules_file": str(ROOT / "configs" / "rules.yaml")})
    engine = Engine(cfg.engine, cfg.models)
    diarizing = cfg.with_overrides(audio={"channels": "diarize"})
    analyzers = {mode: Analyzer(cfg.with_overrides(audio={"channels": mode}),
                                Store(f"sqlite:///{work / mode}.db"), engine=engine) for mode in ("mix", "diarize")}
    # Each speaker enrolled from clips the calls are not cut from; one store for the calls' own
    # agents, one for a stranger enrolled under the agent's name (a mismatch to flag).
    model = analyzers["diarize"].speaker_model  # loaded before the clock starts, as a worker loads it
    enrolled, stranger = (Analyzer(diarizing, Store(f"sqlite:///{work / name}.db"), engine=engine)
                          for name in ("enrolled", "stranger"))
    enrolled._speaker_model = stranger._speaker_model = model
    for who, clips in enumerate(recordings):
        paths = [work / f"enrol-{who}-{c}.wav" for c in ENROL_CLIPS]
        for path, c in zip(paths, ENROL_CLIPS):
            _write_wav(path, clips[c])
        made = voiceprints.from_recordings(model, engine.speech_segments, paths, cfg.audio)
        for store in (enrolled.store, stranger.store):
            store.voiceprints.save(f"speaker{who}", speakers.model_id(), made.embedding, made.speech_s, "enrolled",
                                   len(paths), "bench")
    speech_s = sum(m.truth[-1][1] for m in calls)
    for label, phone in (("16 kHz", False), ("8 kHz mu-law", True)):
        files = [telephone(m, work) for m in calls] if phone else calls
        seconds, results = {"mix": 0.0, "diarize": 0.0}, []
        for k, m in enumerate(files):  # side by side: each file both ways, by turns first, in one run
            for mode in ("mix", "diarize") if k % 2 == 0 else ("diarize", "mix"):
                started = time.perf_counter()
                result = analyzers[mode].analyze_file(m.path)
                seconds[mode] += time.perf_counter() - started
                if mode == "diarize":
                    results.append(result)
        scores = [score(m, r.segments) for m, r in zip(files, results)]
        print(f"{label}: {len(files)} calls, {speech_s / 60:.1f} min of audio")
        for key in ("speaker_error", "missed", "false", "role_accuracy"):
            values = [s[key] for s in scores]
            print(f"  {key:14} mean {statistics.mean(values):.3f}  worst {max(values) if key != 'role_accuracy' else min(values):.3f}")
        print(f"  speakers found: {sorted(s['speakers'] for s in scores)}")
        stage = sum(r.timings_s.get("diarize_s", 0.0) for r in results)
        print(f"  real-time factor: mix {seconds['mix'] / speech_s:.4f}, diarize {seconds['diarize'] / speech_s:.4f}; "
              f"diarize/mix = {seconds['diarize'] / seconds['mix']:.2f}; CAM++ and clustering alone "
              f"{stage / speech_s:.4f} ({stage / seconds['mix']:.0%} of the mix pipeline)")
        _enrolment(files, calls, enrolled, stranger, len(recordings))
        found = [score(m, enrolled.analyze_file(telephone(m, work).path if phone else m.path).segments)
                 for m in three]
        print(f"  three voices on a two-party call: voices found {sorted(f['speakers'] for f in found)}, "
              f"speaker error mean {statistics.mean(f['speaker_error'] for f in found):.3f}")


def _enrolment(files: list[Mix], calls: list[Mix], enrolled, stranger, speakers_n: int) -> None:
    """Role accuracy with the agent enrolled, and the mismatch flagged when a stranger's print is."""
    from voxsight import features

    right, sources, own, others, flagged = [], set(), [], [], 0
    for k, m in enumerate(files):
        pair = tuple(int(x) for x in calls[k].path.stem.split("-")[1])
        agent = pair[m.agent]
        result = enrolled.analyze_file(m.path, {"agent": f"speaker{agent}"})
        right.append(score(m, result.segments)["role_accuracy"])
        sources |= {s.role_source for s in result.segments}
        own.append(min(s.voice_distance for s in result.segments))
        outsider = next(x for x in range(speakers_n) if x not in pair)
        result = stranger.analyze_file(m.path, {"agent": f"speaker{outsider}"})
        others.append(min(s.voice_distance for s in result.segments))
        flagged += others[-1] > features.AGENT_VOICE_MATCH
    named = sum(r > 0.5 for r in right)  # the agent's voice named agent: the rest of the error is diarization's
    print(f"  enrolled: agent named on {named} of {len(files)} calls; role accuracy mean {statistics.mean(right):.3f} "
          f"worst {min(right):.3f} (told by {sorted(sources)}); agent voice distance {min(own):.2f}-{max(own):.2f}")
    print(f"  a stranger enrolled as the agent: nearest voice {min(others):.2f}-{max(others):.2f}; "
          f"mismatch flagged on {flagged} of {len(files)} (match within {features.AGENT_VOICE_MATCH})")


def _trimmed(x: np.ndarray) -> np.ndarray:
    """The piece without the silence the recording begins and ends with, so the truth's turn is speech."""
    loud = np.flatnonzero(np.abs(x) > 0.02)
    return x[loud[0]:loud[-1] + 1] if len(loud) else x


def _write_wav(path: Path, x: np.ndarray) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((np.clip(x, -1, 1) * 32767).astype(np.int16).tobytes())


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=12)
    parser.add_argument("--model", help="a SenseVoiceSmall directory (default: a full-size synthetic one)")
    parser.add_argument("--threads", type=int, default=2)
    return parser.parse_args()


if __name__ == "__main__":
    main()
