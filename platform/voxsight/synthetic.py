"""Build a synthetic SenseVoiceSmall: the real architecture with random weights.

The real weights (936 MB) cannot be fetched where Voxsight is developed or tested. SenseVoice is
non-autoregressive, so its compute does not depend on the weights: a full-size synthetic model gives
honest speed and memory figures, and runs the real funasr code path end to end. Its text is
meaningless, and the directory's manifest says ``synthetic: true`` so every output made with it
says so too. ``size="tiny"`` shrinks the encoder for tests.
"""

from __future__ import annotations

import shutil
import tempfile
from importlib import resources
from pathlib import Path

import torch
import yaml
from sentencepiece import sentencepiece_model_pb2 as spm_pb2

from voxsight import models

VOCAB_SIZE = 25055

# Ids funasr's sense_voice/model.py reads (languages, emotions, text normalisation) are fixed in
# models.REQUIRED_TOKEN_IDS. The event and task tokens fill the free slots between them in the
# order of funasr's whisper_lib AUDIO_EVENT table; nothing reads their ids, only their text.
_EXTRA_TOKEN_IDS = {
    "<|ASR|>": 24989, "<|AED|>": 24990, "<|SER|>": 24991,
    "<|Speech|>": 24993, "<|/Speech|>": 24994, "<|BGM|>": 24995, "<|/BGM|>": 24996,
    "<|Laughter|>": 24997, "<|/Laughter|>": 24998, "<|Applause|>": 24999, "<|/Applause|>": 25000,
    "<|Cry|>": 25008, "<|Sneeze|>": 25010, "<|Breath|>": 25011, "<|Cough|>": 25012,
    "<|Sing|>": 25013, "<|Speech_Noise|>": 25014, "<|GBG|>": 25015, "<|Event_UNK|>": 25018,
}

TINY_ENCODER = {"output_size": 128, "attention_heads": 4, "linear_units": 256, "num_blocks": 3, "tp_blocks": 1}


def build_model_dir(dest: str | Path, size: str = "full", seed: int = 0) -> Path:
    """Write a synthetic SenseVoiceSmall directory that funasr loads like the real one.

    Args:
        dest: directory to create (replaced if it holds a previous synthetic model).
        size: ``full`` (the real architecture, 936 MB) or ``tiny`` (a few MB, for tests).
        seed: random seed for the weights, so two builds are identical.
    Returns:
        The directory.
    """
    if size not in ("full", "tiny"):
        raise ValueError(f"size must be full or tiny, not {size!r}")
    dest = Path(dest).resolve()
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".synth-", dir=dest.parent))
    try:
        real = resources.files("voxsight") / "assets" / "sensevoice_small"
        for name in ("am.mvn", "configuration.json"):
            (work / name).write_bytes((real / name).read_bytes())
        config = yaml.safe_load((real / "config.yaml").read_text())
        if size == "tiny":
            config["encoder_conf"].update(TINY_ENCODER)
        (work / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
        write_tokenizer(work / models.TOKENIZER_FILE)

        torch.manual_seed(seed)
        model = models.build_architecture(config)
        torch.save(model.state_dict(), work / models.CHECKPOINT_FILE)
        del model

        models.write_manifest(work, synthetic=True, size=size)
        if dest.exists():
            if not models.read_manifest(dest).synthetic:
                raise models.ModelError(f"{dest} holds a real model; refusing to overwrite it with a synthetic one")
            shutil.rmtree(dest)
        work.rename(dest)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return dest


def write_tokenizer(path: Path) -> None:
    """A SentencePiece unigram model with the real vocabulary size and special-token ids.

    Pieces are characters and letter pairs (ASCII, then CJK, kana and hangul until the vocabulary
    is full); every tag is a user-defined symbol, so it encodes to one id.
    """
    special = {**models.REQUIRED_TOKEN_IDS, **_EXTRA_TOKEN_IDS}
    first_special = min(special.values())
    # Remaining language slots get the other whisper language tags, so the block is all tags.
    spare_languages = iter(f"<|lang{i}|>" for i in range(200))
    for token_id in range(first_special, VOCAB_SIZE):
        if token_id not in special.values():
            special[next(spare_languages) if token_id < 24989 else f"<|SPECIAL_{token_id}|>"] = token_id
    by_id = {i: piece for piece, i in special.items()}

    ordinary = iter(_ordinary_pieces())
    proto = spm_pb2.ModelProto()
    for token_id in range(VOCAB_SIZE):
        piece = proto.pieces.add()
        if token_id == 0:
            piece.piece, piece.type = "<unk>", spm_pb2.ModelProto.SentencePiece.UNKNOWN
        elif token_id in (1, 2):
            piece.piece, piece.type = ("<s>", "</s>")[token_id - 1], spm_pb2.ModelProto.SentencePiece.CONTROL
        elif token_id in by_id:
            piece.piece, piece.type = by_id[token_id], spm_pb2.ModelProto.SentencePiece.USER_DEFINED
        else:
            piece.piece, piece.score = next(ordinary)
    proto.trainer_spec.model_type = spm_pb2.TrainerSpec.UNIGRAM
    proto.trainer_spec.vocab_size = VOCAB_SIZE
    proto.trainer_spec.unk_id, proto.trainer_spec.bos_id, proto.trainer_spec.eos_id = 0, 1, 2
    proto.trainer_spec.pad_id = -1
    proto.normalizer_spec.name = "identity"
    # No dummy prefix: funasr's timestamp code assumes the four leading tags are pieces 0-3.
    proto.normalizer_spec.add_dummy_prefix = False
    proto.normalizer_spec.remove_extra_whitespaces = True
    proto.normalizer_spec.escape_whitespaces = True
    path.write_bytes(proto.SerializeToString())


def _ordinary_pieces():
    ascii_chars = [chr(c) for c in range(33, 127) if chr(c) not in "<>|"] + ["▁"]
    for ch in ascii_chars:
        yield ch, -8.0
    for ch in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789":
        yield "▁" + ch, -7.0  # word starts: cheaper than "▁" + char
    # Letter pairs, so English takes about half as many pieces as letters, as real BPE text does.
    letters = "abcdefghijklmnopqrstuvwxyz"
    for first in letters:
        for second in letters:
            yield first + second, -9.0
            yield "▁" + first + second, -9.5
    for start, end in ((0x4E00, 0x9FFF), (0x3040, 0x30FF), (0xAC00, 0xD7A3)):
        for code in range(start, end + 1):
            yield chr(code), -10.0
