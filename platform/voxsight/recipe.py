"""What makes a result: the models and the parameters that, with the audio's bytes, decide an analysis.

The same bytes analyzed with the same models and parameters give the same result, so this is also
what a stored result is found by: ``(sha256, model_id, parameters_key)``. The analyzer, job
submission, the embedded site and the CLI all ask here; none works it out on its own.

Models are named by their manifests, read and never loaded: the web tier imports this module, and
it loads no model library.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from voxsight import models, speakers
from voxsight.config import Config, EngineConfig
from voxsight.results import ModelInfo
from voxsight.words import SENSEVOICE


@dataclass(frozen=True)
class Recipe:
    """The models and parameters a result is made with, besides the audio."""

    model_id: str  # SenseVoice
    words_model_id: str | None  # Whisper, when it takes part
    parameters: dict[str, Any]

    @property
    def key(self) -> str:
        return parameters_key(self.parameters, self.words_model_id)


def uses_whisper(engine: EngineConfig) -> bool:
    """Whether Whisper may take part (writing words, or translating), and so whether its model is
    part of what makes a result."""
    return engine.words != SENSEVOICE or engine.translate


def analysis_parameters(config: Config) -> dict[str, Any]:
    """Everything besides the models and the audio that changes an analysis's result."""
    e, a = config.engine, config.audio
    return {
        "channels": a.channels, "roles": list(a.roles) if a.channels in ("split", "diarize") else [],
        **({"speakers": a.speakers, "speaker_model_id": speakers.model_id(config.models.speaker_dir or None)}
           if a.channels == "diarize" else {}),
        "language": e.language, "use_itn": e.use_itn, "ban_emo_unk": e.ban_emo_unk,
        "word_timestamps": e.word_timestamps, "max_segment_s": e.max_segment_s,
        "vad_end_silence_ms": e.vad_end_silence_ms,
        "words": e.words, "translate": e.translate, "chinese_script": config.chinese_script.as_dict(),
        "redaction": {"entities": list(config.redaction.entities), "mask": config.redaction.mask},
        **({"whisper_beam_size": e.whisper_beam_size, "whisper_compute_type": e.whisper_compute_type}
           if uses_whisper(e) else {}),
    }


def parameters_key(parameters: dict[str, Any], words_model_id: str | None) -> str:
    """With the audio's sha256 and the SenseVoice model, the key of a result: the same key, the
    same analysis, stored once."""
    keyed = {**parameters, "words_model_id": words_model_id}
    return hashlib.sha256(json.dumps(keyed, sort_keys=True).encode()).hexdigest()


def words_model_id(config: Config, loaded: ModelInfo | None = None, unpack: bool = False) -> str | None:
    """The Whisper model whose words a result may carry; None when Whisper takes no part.

    Args:
        loaded: the Whisper model already loaded, if one is: its id, not the directory's.
        unpack: reassemble the embedded base model first if ``models.whisper_dir`` holds none yet
            (an analyzer about to use it); otherwise the manifest is only read.

    Raises:
        models.ModelError: no Whisper model is in place.
    """
    if not uses_whisper(config.engine):
        return None
    if loaded is not None:
        return loaded.model_id
    if unpack:
        from voxsight.whisper import ensure_model  # numpy and the packaged weights, no model library

        return ensure_model(config.models.whisper_dir).model_id
    return models.read_manifest(config.models.whisper_dir).model_id


def current(config: Config) -> Recipe:
    """The recipe an analysis made now would follow, read from the models' manifests.

    Raises:
        models.ModelError: a model is not in place (so nothing can have been analyzed with it).
    """
    return Recipe(models.read_manifest(config.models.sensevoice_dir).model_id, words_model_id(config),
                  analysis_parameters(config))
