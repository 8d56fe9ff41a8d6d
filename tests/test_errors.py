"""One error base: every error Voxsight raises on purpose is a VoxsightError whose ``permanent``
says whether trying again can help; each is still importable where it always was, and still the
builtin it always was."""

from __future__ import annotations

import importlib

import pytest

from voxsight import errors

# Where each error lived before voxsight.errors, and the builtin it has always been.
HOMES = [
    ("voxsight.audio", "AudioError", ValueError),
    ("voxsight.rules", "RulesError", ValueError),
    ("voxsight.queue", "QueueError", RuntimeError),
    ("voxsight.queue", "SiteMismatch", RuntimeError),
    ("voxsight.store", "StoreError", RuntimeError),
    ("voxsight.store.repository", "StoreError", RuntimeError),
    ("voxsight.store.accounts", "AccountError", ValueError),
    ("voxsight.store.alerts", "AlertError", ValueError),
    ("voxsight.models", "ModelError", RuntimeError),
    ("voxsight.analysis", "AnalysisError", RuntimeError),
    ("voxsight.worker", "StorageUnavailable", RuntimeError),
    ("voxsight.worker", "Abandoned", RuntimeError),
]


@pytest.mark.parametrize(("module", "name", "builtin"), HOMES)
def test_an_error_is_the_same_class_in_its_old_home_and_keeps_its_builtin(module, name, builtin):
    error = getattr(importlib.import_module(module), name)

    assert error is getattr(errors, name)
    assert issubclass(error, errors.VoxsightError) and issubclass(error, builtin)


def test_not_found_is_a_lookup_error():
    assert issubclass(errors.NotFound, errors.VoxsightError) and issubclass(errors.NotFound, LookupError)


def test_only_errors_that_retrying_cannot_help_are_permanent():
    classes = [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.VoxsightError)]

    permanent = {c.__name__ for c in classes if c.permanent}

    assert permanent == {"ConfigError", "AudioError", "NotAudio", "RulesError", "ModelError", "NotFound", "AccountError",
                         "AlertError", "Forbidden", "SignInFailed", "SiteMismatch", "Abandoned", "VoiceprintError"}
    assert {c.__name__ for c in classes if not c.permanent} == {
        "VoxsightError", "AnalysisError", "StoreError", "QueueError", "StorageUnavailable", "LockedOut"}


def test_every_error_says_what_it_is_in_one_line():
    for c in vars(errors).values():
        if isinstance(c, type) and issubclass(c, errors.VoxsightError):
            assert c.__doc__ and "\n" not in c.__doc__.strip(), c.__name__
