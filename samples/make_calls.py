#!/usr/bin/env python3
"""Generate the shipped synthetic sample calls for Voxsight.

Writes samples/calls/*.wav (stereo 16 kHz PCM16; channel 0 = agent,
channel 1 = customer) and samples/calls.json (manifest with the placement,
text and intended emotion of every turn).

Requirements: Python 3.11 (stdlib only), espeak-ng and sox on PATH.
Deterministic: no noise, no dither, so re-running yields byte-identical files.

Usage:  python samples/make_calls.py
"""

from __future__ import annotations

import array
import json
import shutil
import subprocess
import sys
import wave
from pathlib import Path

SR = 16000
LEAD_S = 0.5          # silence at the start of each call
GAP_S = 1.3           # silence between turns (VAD merges pauses < 0.8 s)
TAIL_S = 0.7          # silence at the end of each call
TRIM_THRESHOLD = 200  # |sample| above this counts as speech when trimming
TRIM_PAD_S = 0.03     # keep this much around detected speech

HERE = Path(__file__).resolve().parent
CALLS_DIR = HERE / "calls"
MANIFEST = HERE / "calls.json"

# Speaking styles: espeak-ng voice, speed (wpm), pitch (0-99), amplitude
# (0-200) and a final gain in dB after peak normalisation to -1 dBFS.
STYLES = {
    "agent":          dict(voice="en-us",    speed=155, pitch=45, amp=100, gain_db=-5.0),
    "agent_warm":     dict(voice="en-us",    speed=160, pitch=55, amp=100, gain_db=-5.0),
    "cust_angry":     dict(voice="en-gb+m3", speed=200, pitch=70, amp=200, gain_db=0.0),
    "cust_neutral":   dict(voice="en-gb+m3", speed=165, pitch=50, amp=100, gain_db=-5.0),
    "cust_happy":     dict(voice="en-us+f3", speed=175, pitch=80, amp=140, gain_db=-2.0),
    "cust_sad":       dict(voice="en-gb+f2", speed=125, pitch=30, amp=70,  gain_db=-11.0),
    "cust_fearful":   dict(voice="en-gb+f2", speed=170, pitch=75, amp=90,  gain_db=-8.0),
}

ROLE_CHANNEL = {"agent": 0, "customer": 1}

# (role, style, emotion, text). Text is lower case without punctuation and is
# exactly what espeak-ng is asked to speak.
CALLS = {
    "billing_dispute": [
        ("agent", "agent", "NEUTRAL", "thank you for calling how can i help"),
        ("customer", "cust_angry", "ANGRY",
         "you charged me twice this month and i want my money back now"),
        ("agent", "agent", "NEUTRAL", "i am sorry about that let me check your account"),
        ("customer", "cust_angry", "ANGRY",
         "this is the third time i call fix it or i will file a complaint"),
        ("agent", "agent", "NEUTRAL", "i see the double charge i will refund it today"),
    ],
    "happy_upgrade": [
        ("agent", "agent_warm", "NEUTRAL", "good morning how can i help you today"),
        ("customer", "cust_happy", "HAPPY",
         "hi i love your service and i want to upgrade my plan"),
        ("agent", "agent_warm", "HAPPY", "great choice the premium plan is ready for you"),
        ("customer", "cust_happy", "HAPPY", "wonderful thank you so much you made my day"),
        ("agent", "agent_warm", "HAPPY", "you are welcome enjoy your new plan"),
    ],
    "lost_card": [
        ("agent", "agent", "NEUTRAL", "hello you are speaking with support"),
        ("customer", "cust_fearful", "FEARFUL",
         "i think i lost my card and i am scared someone will use it"),
        ("agent", "agent", "NEUTRAL", "do not worry i can block the card for you right now"),
        ("customer", "cust_sad", "SAD", "thank you it has been a really bad week"),
        ("agent", "agent", "NEUTRAL", "the card is blocked and a new one is on the way"),
    ],
}


def synth(text: str, style: dict) -> array.array:
    """Speak `text` with espeak-ng, return mono 16 kHz int16 samples (trimmed)."""
    tts = subprocess.run(
        ["espeak-ng", "-v", style["voice"], "-s", str(style["speed"]),
         "-p", str(style["pitch"]), "-a", str(style["amp"]), "--stdout", text],
        check=True, capture_output=True,
    ).stdout
    raw = subprocess.run(
        ["sox", "-D", "-t", "wav", "-",
         "-t", "raw", "-r", str(SR), "-e", "signed-integer", "-b", "16",
         "-c", "1", "-L", "-",
         "norm", "-1", "gain", str(style["gain_db"])],
        input=tts, check=True, capture_output=True,
    ).stdout
    samples = array.array("h")
    samples.frombytes(raw)
    if sys.byteorder == "big":
        samples.byteswap()
    # Trim leading/trailing near-silence so the manifest times are speech times.
    loud = [i for i, s in enumerate(samples) if abs(s) > TRIM_THRESHOLD]
    if not loud:
        raise RuntimeError(f"espeak-ng produced silence for: {text!r}")
    pad = int(TRIM_PAD_S * SR)
    lo = max(0, loud[0] - pad)
    hi = min(len(samples), loud[-1] + 1 + pad)
    return samples[lo:hi]


def build_call(name: str, turns: list) -> dict:
    clips = [(role, emotion, text, synth(text, STYLES[style]))
             for role, style, emotion, text in turns]
    lead, gap, tail = (int(round(x * SR)) for x in (LEAD_S, GAP_S, TAIL_S))
    total = lead + sum(len(c[3]) for c in clips) + gap * (len(clips) - 1) + tail
    chans = [array.array("h", bytes(2 * total)) for _ in range(2)]

    entries = []
    pos = lead
    for role, emotion, text, clip in clips:
        ch = ROLE_CHANNEL[role]
        chans[ch][pos:pos + len(clip)] = clip
        entries.append({
            "channel": ch,
            "role": role,
            "start_s": round(pos / SR, 2),
            "end_s": round((pos + len(clip)) / SR, 2),
            "text": text,
            "emotion": emotion,
        })
        pos += len(clip) + gap

    inter = array.array("h", bytes(4 * total))
    inter[0::2] = chans[0]
    inter[1::2] = chans[1]
    if sys.byteorder == "big":
        inter.byteswap()
    out = CALLS_DIR / f"{name}.wav"
    with wave.open(str(out), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(inter.tobytes())
    return {"file": f"calls/{name}.wav",
            "duration_s": round(total / SR, 2),
            "turns": entries}


def main() -> int:
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            print(f"error: {tool} not found on PATH", file=sys.stderr)
            return 1
    CALLS_DIR.mkdir(parents=True, exist_ok=True)
    manifest = []
    for name, turns in CALLS.items():
        entry = build_call(name, turns)
        manifest.append(entry)
        print(f"{entry['file']}: {entry['duration_s']:.2f} s, {len(turns)} turns")
    MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {MANIFEST.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
