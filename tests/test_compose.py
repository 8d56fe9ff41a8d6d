"""docker-compose.yml and the worker's Dockerfile, checked against the code they run.

Docker cannot run containers on this machine; `docker compose config` (or docker-compose) validates
the file where it is installed, and these checks hold it to the promises the site makes.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess

import pytest
import yaml

from conftest import ROOT
from voxsight import cli, config

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
VOXSIGHT_SERVICES = ("migrate", "worker", "console")


def test_every_service_is_on_the_internal_network_and_only_the_console_is_published():
    assert COMPOSE["networks"]["internal"]["internal"] is True
    for name, service in SERVICES.items():
        assert "internal" in service["networks"], name
    published = {name for name, service in SERVICES.items() if service.get("ports")}
    assert published == {"console"}
    assert {name for name, s in SERVICES.items() if "edge" in s["networks"]} == {"console"}


def test_workers_scale_reserve_a_gpu_and_mount_the_models_read_only():
    worker = SERVICES["worker"]
    assert "container_name" not in worker  # --scale worker=N needs generated names
    [gpu] = worker["deploy"]["resources"]["reservations"]["devices"]
    assert gpu["capabilities"] == ["gpu"] and gpu["driver"] == "nvidia"
    assert any(v.endswith(":/models:ro") for v in worker["volumes"])
    assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_redis_persists_and_migrations_run_once_before_workers():
    assert "--appendonly" in SERVICES["redis"]["command"]
    assert SERVICES["migrate"]["command"] == ["db", "upgrade"] and SERVICES["migrate"]["restart"] == "no"


@pytest.mark.parametrize("name", VOXSIGHT_SERVICES[:2])
def test_commands_exist_in_the_cli(name):
    args = cli.parser().parse_args(SERVICES[name]["command"])
    assert callable(args.run)


@pytest.mark.parametrize("name", VOXSIGHT_SERVICES)
def test_environment_names_real_configuration_keys(name):
    environ = {k: re.sub(r"\$\{[^}]*\}", "x", str(v)) for k, v in SERVICES[name]["environment"].items()}
    known = {f"VOXSIGHT_{top.name}".upper() for top in dataclasses.fields(config.Config)} | {
        f"VOXSIGHT_{top.name}_{key.name}".upper() for top in dataclasses.fields(config.Config)
        if dataclasses.is_dataclass(top.default_factory) for key in dataclasses.fields(top.default_factory)}
    assert set(environ) <= known  # the loader ignores names it does not know: a typo would be silent
    loaded = config.load(path=ROOT / "configs" / "voxsight.yaml", environ=environ)
    assert loaded.queue.redis_url.startswith("redis://redis:") and loaded.store_url.startswith("postgresql")


def test_the_dockerfile_copies_what_exists():
    dockerfile = (ROOT / "workers" / "Dockerfile").read_text()
    for source in re.findall(r"^COPY (.+) \S+$", dockerfile, re.M):
        for path in source.split():
            assert (ROOT / path).exists(), path
    assert 'torch==2.13.0' in dockerfile


def test_the_worker_image_installs_the_model_libraries():
    # The package's base dependencies are the light core; the worker needs the `engine` extra.
    dockerfile = (ROOT / "workers" / "Dockerfile").read_text()
    [extras] = re.findall(r'pip install --no-cache-dir "\.\[([^\]]+)\]"', dockerfile)
    assert "engine" in extras.split(",")


def test_docker_compose_accepts_the_file():
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        compose = [docker, "compose"]
    elif shutil.which("docker-compose"):
        compose = [shutil.which("docker-compose")]
    else:
        pytest.skip("no docker compose here to validate the file (apt-get install docker-compose)")
    run = [*compose, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"]

    done = subprocess.run(run, capture_output=True, text=True, env={"POSTGRES_PASSWORD": "x", "VOXSIGHT_MODELS_DIR": "/m"})
    assert done.returncode == 0, done.stderr
    unset = subprocess.run(run, capture_output=True, text=True, env={})
    assert unset.returncode != 0 and "POSTGRES_PASSWORD" in unset.stderr
