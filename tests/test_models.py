"""Model directories: synthetic builds, import, verification, and refusing what does not fit."""

from __future__ import annotations

import json
import shutil
import time

import pytest
import sentencepiece
import torch
import yaml

from voxsight import models, synthetic


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    return synthetic.build_model_dir(tmp_path_factory.mktemp("models") / "tiny", size="tiny")


def test_synthetic_tokenizer_has_the_real_size_and_special_ids(tiny_dir):
    sp = sentencepiece.SentencePieceProcessor(model_file=str(tiny_dir / models.TOKENIZER_FILE))

    assert sp.get_piece_size() == 25055
    for token, token_id in models.REQUIRED_TOKEN_IDS.items():
        assert sp.encode(token) == [token_id], token


def test_synthetic_directory_says_it_is_synthetic(tiny_dir):
    manifest = models.verify(tiny_dir)

    assert manifest.synthetic and manifest.size == "tiny"
    assert manifest.model_id.startswith("sensevoice-small-synthetic-tiny-")


def test_full_synthetic_config_is_the_real_one(tmp_path):
    real = yaml.safe_load((synthetic.resources.files("voxsight") / "assets/sensevoice_small/config.yaml").read_text())
    # Building the full model takes a minute; the architecture check needs only the meta device.
    with torch.device("meta"):
        module = models.build_architecture(real)
    parameters = sum(p.numel() for p in module.parameters())
    assert 230e6 < parameters < 236e6  # 936 MB of float32, as the real model.pt


def test_synthetic_builds_are_reproducible(tmp_path):
    a = synthetic.build_model_dir(tmp_path / "a", size="tiny", seed=3)
    b = synthetic.build_model_dir(tmp_path / "b", size="tiny", seed=3)

    assert models.read_manifest(a).model_id == models.read_manifest(b).model_id


def test_import_copies_validates_and_manifests_a_directory(tiny_dir, tmp_path):
    source = tmp_path / "from-hub"
    shutil.copytree(tiny_dir, source)
    (source / models.MANIFEST_FILE).unlink()  # as ModelScope lays it out: no manifest of ours

    manifest = models.import_model(source, tmp_path / "site" / "sensevoice")

    assert not manifest.synthetic
    assert models.verify(tmp_path / "site" / "sensevoice").model_id == manifest.model_id


def test_import_refuses_a_checkpoint_that_does_not_fit_its_config(tiny_dir, tmp_path):
    source = tmp_path / "wrong"
    shutil.copytree(tiny_dir, source)
    (source / models.MANIFEST_FILE).unlink()
    config = yaml.safe_load((source / "config.yaml").read_text())
    config["encoder_conf"]["output_size"] = 256
    (source / "config.yaml").write_text(yaml.safe_dump(config))

    with pytest.raises(models.ModelError, match="does not fit config.yaml"):
        models.import_model(source, tmp_path / "site")
    assert not (tmp_path / "site").exists()


def test_import_refuses_a_directory_missing_files(tiny_dir, tmp_path):
    source = tmp_path / "partial"
    shutil.copytree(tiny_dir, source)
    (source / models.TOKENIZER_FILE).unlink()

    with pytest.raises(models.ModelError, match=models.TOKENIZER_FILE):
        models.import_model(source, tmp_path / "site")


def test_import_refuses_a_bundle_damaged_in_transit(tiny_dir, tmp_path):
    bundle = tmp_path / "bundle"
    shutil.copytree(tiny_dir, bundle / "sensevoice-small")
    with (bundle / "sensevoice-small" / "am.mvn").open("a") as f:
        f.write(" ")

    with pytest.raises(models.ModelError, match="changed"):
        models.import_model(bundle, tmp_path / "site")


def test_verify_notices_a_changed_checkpoint(tiny_dir, tmp_path):
    copy = shutil.copytree(tiny_dir, tmp_path / "copy")
    state = torch.load(copy / models.CHECKPOINT_FILE)
    next(iter(state.values())).add_(1)
    torch.save(state, copy / models.CHECKPOINT_FILE)

    with pytest.raises(models.ModelError, match="changed since it was imported"):
        models.verify(copy)


def test_missing_model_directory_fails_at_once_with_what_to_do(tmp_path):
    started = time.monotonic()
    with pytest.raises(models.ModelError, match="models import"):
        models.check_directory(tmp_path / "nothing-here")
    assert time.monotonic() - started < 1


def test_synthetic_build_never_overwrites_a_real_model(tiny_dir, tmp_path):
    real = tmp_path / "real"
    shutil.copytree(tiny_dir, real)
    manifest = json.loads((real / models.MANIFEST_FILE).read_text())
    (real / models.MANIFEST_FILE).write_text(json.dumps({**manifest, "synthetic": False}))

    with pytest.raises(models.ModelError, match="real model"):
        synthetic.build_model_dir(real, size="tiny")
    assert not models.read_manifest(real).synthetic


def test_the_shipped_vad_is_in_the_package():
    vad = models.packaged_vad_dir()

    assert (vad / "model.pt").is_file() and (vad / "config.yaml").is_file()
