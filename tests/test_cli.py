"""The `voxsight` command as a user runs it: a real process, real files, a real store."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

from helpers import SAMPLES

LINE = re.compile(r"^\[\d\d:\d\d\.\d\d–\d\d:\d\d\.\d\d\] (agent|customer|mix) \S+ [A-Z]+ ")


def voxsight(*args, env_extra=None, cwd=None, timeout=300):
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "voxsight", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=timeout)


@pytest.fixture
def env(trained_model_dir, tmp_path):
    return {"VOXSIGHT_MODELS_SENSEVOICE_DIR": str(trained_model_dir), "VOXSIGHT_DATA_DIR": str(tmp_path / "data"),
            "VOXSIGHT_ENGINE_WORDS": "sensevoice"}


def test_analyze_json_gives_one_document_per_recording(env, sample_calls):
    done = voxsight("analyze", "--json", "--channels", "split", str(SAMPLES / "calls"), env_extra=env)

    assert done.returncode == 0, done.stderr
    documents = [json.loads(line) for line in done.stdout.splitlines()]
    assert sorted(d["recording"]["filename"] for d in documents) == sorted(
        c["file"].split("/")[-1] for c in sample_calls)
    first = documents[0]
    assert set(first) >= {"recording", "model", "segments", "summary"}
    assert set(first["recording"]) >= {"id", "sha256", "filename", "format", "duration_s", "sample_rate", "channels"}
    assert first["model"]["synthetic"] is True and "MEANINGLESS" in first["model"]["warning"]
    assert set(first["segments"][0]) >= {"start_s", "end_s", "channel", "role", "language", "emotion",
                                         "events", "text", "raw"}
    assert set(first["summary"]) >= {"speech_s_by_emotion", "speech_s_by_role", "event_counts", "dominant_emotion"}
    # Said before the first result and again after the last, where a user looks.
    assert done.stderr.count("SYNTHETIC MODEL") == 2
    assert done.stderr.rstrip().endswith("!" * 100)


def test_analyze_prints_one_line_per_segment(env, sample_calls):
    call = sample_calls[0]

    done = voxsight("analyze", "--channels", "split", str(SAMPLES / call["file"]), env_extra=env)

    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if LINE.match(line)]
    assert len(lines) == len(call["turns"])
    assert "customer 😠 ANGRY" in done.stdout
    assert "SYNTHETIC" in done.stdout.splitlines()[0]


def test_a_bad_file_fails_alone_with_a_reason(env, tmp_path, sample_calls):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "broken.mp3").write_bytes(b"\xff\xfb" + b"\x00" * 10)
    shutil.copy(SAMPLES / sample_calls[1]["file"], folder / "good.wav")

    done = voxsight("analyze", "--json", str(folder), env_extra=env)

    assert done.returncode == 1
    assert "broken.mp3" in done.stderr and "1 of 2 recordings failed" in done.stderr
    assert [json.loads(line)["recording"]["filename"] for line in done.stdout.splitlines()] == ["good.wav"]


def test_no_model_tells_how_to_get_one(tmp_path):
    done = voxsight("analyze", str(SAMPLES / "calls"),
                    env_extra={"VOXSIGHT_MODELS_SENSEVOICE_DIR": str(tmp_path / "none"),
                               "VOXSIGHT_DATA_DIR": str(tmp_path / "data")})

    assert done.returncode == 2
    assert "voxsight models import" in done.stderr and "voxsight models synth" in done.stderr


def test_db_upgrade_then_analyze_into_postgresql(env, pg_url, sample_calls):
    assert voxsight("db", "upgrade", "--db", pg_url).returncode == 0

    done = voxsight("analyze", "--json", "--db", pg_url, str(SAMPLES / sample_calls[0]["file"]), env_extra=env)

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["analysis"]["id"] == 1


def test_postgresql_without_upgrade_is_refused_with_the_fix(env, pg_url):
    done = voxsight("analyze", "--db", pg_url, str(SAMPLES / "calls"), env_extra=env)

    assert done.returncode == 2 and "voxsight db upgrade" in done.stderr


def test_models_synth_then_verify(tmp_path):
    directory = tmp_path / "synthetic"
    env = {"VOXSIGHT_MODELS_SENSEVOICE_DIR": str(directory)}

    built = voxsight("models", "synth", "--size", "tiny", env_extra=env)
    verified = voxsight("models", "verify", env_extra=env)

    assert built.returncode == 0 and "SYNTHETIC" in built.stderr
    assert verified.returncode == 0 and "SYNTHETIC" in verified.stdout
    assert "ok: campplus-92f29b94e694, real, campplus_cn_en_common.pt matches its sha256" in verified.stdout


def test_models_verify_refuses_a_changed_speaker_model(tmp_path):
    from voxsight import speakers

    changed = shutil.copytree(speakers.packaged_dir(), tmp_path / "campplus")
    with open(changed / speakers.CHECKPOINT, "r+b") as f:
        f.seek(1000)
        byte = f.read(1)
        f.seek(1000)
        f.write(bytes([byte[0] ^ 0xFF]))
    env = {"VOXSIGHT_MODELS_SENSEVOICE_DIR": str(tmp_path / "synthetic"), "VOXSIGHT_MODELS_SPEAKER_DIR": str(changed)}
    assert voxsight("models", "synth", "--size", "tiny", env_extra=env).returncode == 0
    verified = voxsight("models", "verify", env_extra=env)
    assert verified.returncode == 2 and "does not match its SHA256SUMS" in verified.stderr


def test_models_import_from_a_plain_directory(trained_model_dir, tmp_path):
    source = shutil.copytree(trained_model_dir, tmp_path / "carried")
    (source / "voxsight-model.json").unlink()
    env = {"VOXSIGHT_MODELS_SENSEVOICE_DIR": str(tmp_path / "site")}

    done = voxsight("models", "import", str(source), env_extra=env)

    assert done.returncode == 0, done.stderr
    assert voxsight("models", "verify", env_extra=env).returncode == 0


def test_models_download_fails_fast_when_the_hub_is_unreachable(tmp_path):
    started = time.monotonic()

    # A closed local port stands in for the air gap, whatever network the test machine has.
    done = voxsight("models", "download", str(tmp_path / "bundle"), timeout=120,
                    env_extra={"MODELSCOPE_DOMAIN": "http://127.0.0.1:9"})

    assert done.returncode == 2
    assert "cannot reach" in done.stderr and "models import" in done.stderr
    assert time.monotonic() - started < 60
    assert not (tmp_path / "bundle").exists()
