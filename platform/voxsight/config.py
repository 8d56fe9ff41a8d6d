"""Configuration, read once into a typed object and passed down.

Sources, later ones winning: the defaults below, a YAML file (``configs/voxsight.yaml`` when it
exists in the working directory, or the file named by ``VOXSIGHT_CONFIG``), then environment
variables ``VOXSIGHT_<SECTION>_<KEY>`` (``VOXSIGHT_STORE_URL``, ``VOXSIGHT_ENGINE_THREADS``).
No other module reads the environment.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from voxsight.errors import ConfigError
from voxsight.script import CONVERSIONS as SCRIPT_CONVERSIONS

DEFAULT_CONFIG_FILE = Path("configs/voxsight.yaml")
ENV_PREFIX = "VOXSIGHT_"
WORDS_ENGINES = ("auto", "sensevoice", "whisper")
CHANNEL_MODES = ("mix", "split", "diarize")
# What voxsight.redaction finds, and how it masks: named here so that reading the configuration
# does not compile the redactor's patterns.
REDACTION_TYPES = ("CARD", "CVV", "EXPIRY", "BANK_ACCOUNT", "PHONE", "ID_NUMBER", "PASSPORT", "EMAIL", "PIN",
                   "ADDRESS")
REDACTION_MASKS = ("type", "last4")  # [CARD]; or ****0366 for the numbers whose last four digits say which one
REDACTION_AUDIO = ("silence", "tone")  # what replaces personal data in the audio's redacted copy
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


@dataclass(frozen=True)
class ModelsConfig:
    sensevoice_dir: str = "data/models/sensevoice-small"
    vad_dir: str = ""  # empty: the FSMN-VAD shipped with Voxsight (assets/fsmn_vad)
    whisper_dir: str = "data/models/whisper-base"  # a faster-whisper (CTranslate2) directory
    speaker_dir: str = ""  # CAM++ for audio.channels: diarize; empty: the one shipped with Voxsight (assets/campplus)


@dataclass(frozen=True)
class EngineConfig:
    device: str = "cpu"
    threads: int = 0  # 0: every core this process may use
    batch_size_s: float = 15.0  # padded seconds per SenseVoice batch; raise it on a GPU
    max_segment_s: float = 30.0
    language: str = "auto"
    use_itn: bool = True
    ban_emo_unk: bool = False
    word_timestamps: bool = True
    vad_chunk_s: float = 120.0  # VAD memory grows with the block it reads
    vad_end_silence_ms: int = 800  # a pause this long ends a segment
    words: str = "auto"  # which engine writes the words: auto, sensevoice or whisper
    whisper_compute_type: str = "auto"  # auto: int8 on CPU, float16 on CUDA
    whisper_beam_size: int = 1  # greedy is fastest on CPU; 5 is Whisper's own default
    whisper_batch_size: int = 8  # spans per Whisper batch (each padded to 30 s)
    translate: bool = False  # also store an English rendering of every segment (Whisper)

    def resolved_threads(self) -> int:
        return self.threads or len(os.sched_getaffinity(0))


@dataclass(frozen=True)
class ChineseScriptConfig:
    """How Chinese is written in stored transcripts, per language: one of ``voxsight.script``'s
    choices (as_recognised, simplified, traditional, hongkong, taiwan, mainland). Matching folds
    both scripts whatever is chosen."""

    zh: str = "simplified"  # Mandarin (Whisper writes it in traditional characters)
    yue: str = "traditional"  # Cantonese

    def as_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class RedactionConfig:
    """Personal data masked in every transcript before it is stored (``voxsight.redaction``)."""

    entities: tuple[str, ...] = REDACTION_TYPES  # which kinds; empty: none
    mask: str = "type"  # type: [CARD]; last4: ****0366 for cards, accounts and phones, [TYPE] for the rest
    audio: str = "silence"  # over each entity's time range in the stored audio's redacted copy; or tone
    audio_margin_s: float = 0.25  # before and after each range: word times are a recogniser's estimate
    keep_original_audio: bool = False  # True: kept beside the copy, for an admin's audited listening


@dataclass(frozen=True)
class RetentionConfig:
    """How long each kind of stored data is kept, in days since its call was stored (0: kept);
    a held call is kept whatever its age (``voxsight.compliance``). The audit log, in days since
    each entry, outlives what it audits: it expires only where the calls do, and no sooner."""

    original_audio_days: int = 0  # the original audio (beside its redacted copy, or alone where nothing is redacted)
    redacted_audio_days: int = 0  # every audio of the call, its redacted copy too
    alerts_days: int = 0  # alerts, their history and notifications
    recordings_days: int = 0  # the call itself: transcripts, segments, index, features, whatever is left
    audit_days: int = 0  # audit entries; at least recordings_days (and set only where that is)
    every_minutes: float = 60.0  # how often each worker runs it; 0: only `voxsight retention run`
    batch: int = 500  # recordings or alerts per transaction

    def kinds(self) -> dict[str, int]:
        return {"recordings": self.recordings_days, "alerts": self.alerts_days,
                "redacted_audio": self.redacted_audio_days, "original_audio": self.original_audio_days}


@dataclass(frozen=True)
class AudioConfig:
    channels: str = "mix"  # mix; split: one channel per role; diarize: who spoke when on the mixed channel
    roles: tuple[str, ...] = ("agent", "customer")
    speakers: int = 2  # diarize: how many voices a call has; 0: as many as are heard (meetings)
    max_bytes: int = 2 * 1024**3
    max_duration_s: float = 4 * 3600.0
    decode_timeout_s: float = 600.0  # one file's decoding child is stopped after this
    decode_memory_mb: int = 1536  # address space of that child
    max_pass_mb: int = 1024  # decoded audio one analysis pass holds; more recordings wait for the next


@dataclass(frozen=True)
class StoreConfig:
    url: str = ""  # empty: SQLite in the data directory


@dataclass(frozen=True)
class QueueConfig:
    redis_url: str = ""  # empty: embedded, jobs run in-process straight from SQL
    prefix: str = "voxsight"  # Redis key prefix: several sites or tests can share one Redis
    storage_dir: str = ""  # submitted audio, shared by all workers; empty: <data_dir>/audio
    concurrency: int = 4  # jobs a worker takes at once; their segments share batches
    visibility_timeout_s: float = 60.0  # a job untouched this long is taken over by another worker
    max_attempts: int = 3  # transient failures are retried up to this many attempts in all
    retry_backoff_s: float = 10.0  # doubled after every failed attempt
    reconcile_interval_s: float = 30.0  # how often a worker re-enqueues what Redis lost
    poll_s: float = 1.0  # how long an idle worker waits for work before looking again


@dataclass(frozen=True)
class AlertsConfig:
    rules_file: str = "configs/rules.yaml"  # re-read when it changes; see README "Alert rules"
    webhook_url: str = ""  # empty: no webhook (alert events still go to Redis pub/sub and the outbox)
    webhook_secret: str = ""  # HMAC-SHA256 key for the X-Voxsight-Signature header
    webhook_timeout_s: float = 5.0
    retry_backoff_s: float = 10.0  # first retry of a failed delivery; doubled after every failure
    max_backoff_s: float = 600.0  # retries never stop; they are at most this far apart
    deliver_interval_s: float = 5.0  # how often a worker delivers what the outbox holds
    deliver_batch: int = 100  # outbox entries one delivery pass takes


@dataclass(frozen=True)
class WebConfig:
    host: str = "127.0.0.1"  # the internal network's address to serve on; 0.0.0.0 for every interface
    port: int = 7860
    max_upload_bytes: int = 512 * 1024**2  # one uploaded recording; larger ones get 413
    session_hours: float = 12.0  # a console sign-in lasts this long at most
    session_idle_minutes: float = 30.0  # ... and ends sooner when unused this long
    token_days: float = 90.0  # a new bearer token expires after this unless told otherwise; 0: never
    sign_in_free_attempts: int = 5  # failed sign-ins for a name from one address before each waits
    sign_in_backoff_s: float = 5.0  # the first wait, doubled with every further failure ...
    sign_in_backoff_max_s: float = 900.0  # ... up to this
    trusted_proxies: tuple[str, ...] = ()  # addresses or networks whose X-Forwarded-For is believed
    # The session cookie's Secure flag (never sent in clear): auto sets it unless the site is
    # reached over plain HTTP at a loopback address (a test or a one-machine trial); true or false.
    secure_cookies: str = "auto"
    cache_ttl_s: float = 600.0  # cached pages also expire (new results already replace them: keys are versioned)
    embedded_worker: bool = True  # with no Redis, `serve` runs a worker beside it so uploads get analyzed

    @property
    def secure_cookie_mode(self) -> str:
        """``auto``, ``always`` or ``never`` (YAML's true and false, or their words, for the last two)."""
        word = str(self.secure_cookies).strip().lower()
        return "auto" if word == "auto" else "always" if word in _TRUE else "never"


@dataclass(frozen=True)
class Config:
    data_dir: str = "data"
    models: ModelsConfig = field(default_factory=ModelsConfig)
    engine: EngineConfig = field(default_factory=EngineConfig)
    chinese_script: ChineseScriptConfig = field(default_factory=ChineseScriptConfig)
    redaction: RedactionConfig = field(default_factory=RedactionConfig)
    retention: RetentionConfig = field(default_factory=RetentionConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    store: StoreConfig = field(default_factory=StoreConfig)
    queue: QueueConfig = field(default_factory=QueueConfig)
    alerts: AlertsConfig = field(default_factory=AlertsConfig)
    web: WebConfig = field(default_factory=WebConfig)

    @property
    def store_url(self) -> str:
        if self.store.url:
            return self.store.url
        return f"sqlite:///{Path(self.data_dir).resolve() / 'voxsight.db'}"

    @property
    def storage_dir(self) -> Path:
        return Path(self.queue.storage_dir or Path(self.data_dir) / "audio").resolve()

    def with_overrides(self, **sections: Mapping[str, Any]) -> "Config":
        """A copy with some keys replaced, e.g. ``with_overrides(engine={"language": "en"})``."""
        return _build(Config, _merge(dataclasses.asdict(self), sections), "")


def load(path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Read the configuration: defaults, then the YAML file, then ``VOXSIGHT_*`` overrides."""
    environ = os.environ if environ is None else environ
    if path is None:
        path = environ.get(ENV_PREFIX + "CONFIG") or (
            DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.exists() else None
        )
    values: dict[str, Any] = {}
    if path is not None:
        try:
            values = yaml.safe_load(Path(path).read_text()) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"cannot read configuration {path}: {exc}") from exc
    values = _merge(values, _environment_overrides(environ))
    return _build(Config, values, "")


def _environment_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    for top in dataclasses.fields(Config):
        if dataclasses.is_dataclass(top.default_factory):  # a section
            for key in dataclasses.fields(top.default_factory):
                name = f"{ENV_PREFIX}{top.name}_{key.name}".upper()
                if name in environ:  # kept as text: _coerce converts it by the key's type
                    overrides.setdefault(top.name, {})[key.name] = environ[name]
        elif (name := f"{ENV_PREFIX}{top.name}".upper()) in environ:
            overrides[top.name] = environ[name]
    return overrides


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(dict(merged[key]), value)
        else:
            merged[key] = value
    return merged


def _build(cls: type, values: Mapping[str, Any], where: str) -> Any:
    if not isinstance(values, Mapping):
        raise ConfigError(f"{where or 'configuration'} must be a mapping, got {values!r}")
    known = {f.name: f for f in dataclasses.fields(cls)}
    unknown = set(values) - set(known)
    if unknown:
        raise ConfigError(f"unknown configuration key(s) {sorted(unknown)} in {where or 'top level'}")
    kwargs = {}
    for name, value in values.items():
        f = known[name]
        if dataclasses.is_dataclass(f.default_factory):
            kwargs[name] = _build(f.default_factory, value, f"{where}{name}.")
        else:
            kwargs[name] = _coerce(value, getattr(cls(), name), f"{where}{name}")
    config = cls(**kwargs)
    _validate(config)
    return config


def _coerce(value: Any, default: Any, where: str) -> Any:
    try:
        if isinstance(default, bool):
            if isinstance(value, str):
                word = value.strip().lower()
                if word not in _TRUE + _FALSE:
                    raise ValueError(f"expected one of {', '.join(_TRUE + _FALSE)}")
                return word in _TRUE
            return bool(value)
        if isinstance(default, tuple):
            items = value.split(",") if isinstance(value, str) else value
            return tuple(text for v in items if (text := str(v).strip()))  # "": none
        return type(default)(value) if value is not None else default
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: cannot use {value!r} ({exc})") from exc


def _validate(config: Any) -> None:
    if isinstance(config, AudioConfig) and config.channels not in CHANNEL_MODES:
        raise ConfigError(f"audio.channels must be one of {', '.join(CHANNEL_MODES)}, not {config.channels!r}")
    if isinstance(config, AudioConfig) and config.speakers < 0:
        raise ConfigError("audio.speakers must be 0 (as many as are heard) or more")
    if isinstance(config, AudioConfig) and (config.decode_timeout_s <= 0 or config.max_pass_mb <= 0):
        raise ConfigError("audio.decode_timeout_s and audio.max_pass_mb must be positive")
    if isinstance(config, QueueConfig):
        if config.concurrency < 1 or config.max_attempts < 1:
            raise ConfigError("queue.concurrency and queue.max_attempts must be at least 1")
        if config.visibility_timeout_s <= 0:
            raise ConfigError("queue.visibility_timeout_s must be positive")
    if isinstance(config, AlertsConfig):
        if config.webhook_url and not config.webhook_url.startswith(("http://", "https://")):
            raise ConfigError(f"alerts.webhook_url must be an http(s) URL, not {config.webhook_url!r}")
        if config.webhook_url and not config.webhook_secret:
            raise ConfigError("alerts.webhook_secret is required with alerts.webhook_url: receivers verify it")
        if config.deliver_batch < 1 or config.webhook_timeout_s <= 0:
            raise ConfigError("alerts.deliver_batch and alerts.webhook_timeout_s must be positive")
    if isinstance(config, WebConfig):
        if (config.max_upload_bytes < 1 or config.session_hours <= 0 or config.session_idle_minutes <= 0
                or config.sign_in_free_attempts < 1 or config.sign_in_backoff_s <= 0):
            raise ConfigError("web.max_upload_bytes, session_hours, session_idle_minutes, sign_in_free_attempts "
                              "and sign_in_backoff_s must be positive")
        if config.token_days < 0 or config.sign_in_backoff_max_s < config.sign_in_backoff_s:
            raise ConfigError("web.token_days must be 0 (never) or more, and web.sign_in_backoff_max_s at least "
                              "web.sign_in_backoff_s")
        for entry in config.trusted_proxies:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ConfigError(f"web.trusted_proxies: {entry!r} is not an address or a network") from None
    if isinstance(config, WebConfig) and str(config.secure_cookies).strip().lower() not in ("auto", *_TRUE, *_FALSE):
        raise ConfigError(f"web.secure_cookies must be auto, true or false, not {config.secure_cookies!r}")
    if isinstance(config, ChineseScriptConfig):
        for language, choice in config.as_dict().items():
            if choice not in SCRIPT_CONVERSIONS:
                raise ConfigError(f"chinese_script.{language} {choice!r} is not one of {' '.join(SCRIPT_CONVERSIONS)}")
    if isinstance(config, RedactionConfig):
        if unknown := [e for e in config.entities if e not in REDACTION_TYPES]:
            raise ConfigError(f"redaction.entities: {', '.join(unknown)} not among {' '.join(REDACTION_TYPES)}")
        if config.mask not in REDACTION_MASKS:
            raise ConfigError(f"redaction.mask {config.mask!r} is not one of {' '.join(REDACTION_MASKS)}")
        if config.audio not in REDACTION_AUDIO:
            raise ConfigError(f"redaction.audio {config.audio!r} is not one of {' '.join(REDACTION_AUDIO)}")
        if not 0 <= config.audio_margin_s <= 5:
            raise ConfigError("redaction.audio_margin_s must be between 0 and 5 seconds")
    if isinstance(config, RetentionConfig):
        days = config.kinds()
        if any(d < 0 for d in (*days.values(), config.audit_days)) or config.every_minutes < 0 or config.batch < 1:
            raise ConfigError("retention: days and every_minutes must be 0 or more, batch at least 1")
        if config.recordings_days and (outliving := [k for k, d in days.items() if d > config.recordings_days]):
            raise ConfigError(f"retention: {', '.join(k + '_days' for k in outliving)} cannot outlive recordings_days "
                              f"({config.recordings_days}): it goes with its call")
        if config.audit_days and not 0 < config.recordings_days <= config.audit_days:
            raise ConfigError(f"retention.audit_days ({config.audit_days}) must outlive what it audits: set "
                              "recordings_days, and to no more than audit_days")
    if isinstance(config, EngineConfig):
        if config.language not in ("auto", "zh", "en", "yue", "ja", "ko"):
            raise ConfigError(f"engine.language {config.language!r} is not one of auto zh en yue ja ko")
        if config.words not in WORDS_ENGINES:
            raise ConfigError(f"engine.words {config.words!r} is not one of {' '.join(WORDS_ENGINES)}")
        if config.whisper_beam_size < 1 or config.whisper_batch_size < 1:
            raise ConfigError("engine.whisper_beam_size and engine.whisper_batch_size must be at least 1")
        if not 0 < config.max_segment_s <= 30:
            raise ConfigError("engine.max_segment_s must be in (0, 30]: SenseVoice is trained on <= 30 s")
