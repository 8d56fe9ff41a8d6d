"""What makes a result (``voxsight.recipe``): the models and parameters a stored result is found by."""

from __future__ import annotations

import pytest

from voxsight import models, recipe


def test_translating_needs_whisper_even_when_sensevoice_writes_the_words(config):
    translating = config.with_overrides(engine={"words": "sensevoice", "translate": True})

    assert not recipe.uses_whisper(config.engine)
    assert recipe.uses_whisper(translating.engine)
    assert "whisper_beam_size" in recipe.analysis_parameters(translating)


def test_sensevoice_alone_is_read_from_its_manifest_with_no_whisper(config):
    current = recipe.current(config)

    assert current.model_id == models.read_manifest(config.models.sensevoice_dir).model_id
    assert current.words_model_id is None
    assert current.key == recipe.parameters_key(recipe.analysis_parameters(config), None)


def test_a_missing_whisper_model_is_an_error_once_whisper_takes_part(config, tmp_path):
    translating = config.with_overrides(models={"whisper_dir": str(tmp_path / "no-whisper")},
                                        engine={"words": "sensevoice", "translate": True})

    with pytest.raises(models.ModelError):
        recipe.current(translating)


def test_the_key_changes_with_the_whisper_model_and_the_parameters(config):
    parameters = recipe.analysis_parameters(config)
    translating = recipe.analysis_parameters(config.with_overrides(engine={"translate": True}))

    assert recipe.parameters_key(parameters, None) == recipe.parameters_key(dict(parameters), None)
    assert recipe.parameters_key(parameters, None) != recipe.parameters_key(parameters, "whisper-base-1")
    assert recipe.parameters_key(parameters, None) != recipe.parameters_key(translating, None)
