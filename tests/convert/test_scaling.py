"""The reader and the mapping do work in proportion to the number of services.

Wall time is too noisy for a test, so these tests count function calls instead: Python
and C calls seen by `sys.setprofile` while a project of N and of 2N services is loaded
and converted. A per-service scan of every service makes the count grow with N², so
doubling the services would much more than double it.
"""

from __future__ import annotations

import sys
import types
import typing as t
from pathlib import Path

import yaml

from kompile.compose.loader import LoadOptions, load_project
from kompile.convert.context import ConvertOptions
from kompile.convert.pipeline import convert_project
from kompile.diagnostics import Diagnostics
from kompile.output.manifests import dump_yaml

SERVICES = 60
# Doubling the services doubles the count, less a little because the per-project work
# stays the same. One per-service scan of all services at 60 services pushes it past 2.2.
MAX_GROWTH = 2.1


def service(index: int) -> dict[str, t.Any]:
    """Return a service that exercises ports, env, storage, warnings and dependencies."""
    definition: dict[str, t.Any] = {
        "image": f"registry.example.com/app-{index}:1.0",
        "environment": {
            "UPSTREAM": f"http://svc-{max(index - 1, 0)}:8080",
            "DB_PASSWORD": f"password-{index}",
            "LOG_LEVEL": "info",
        },
        "volumes": [f"data-{index}:/var/lib/app", f"./config/{index}:/etc/app:ro", "shared:/s"],
        "healthcheck": {"test": ["CMD", "true"], "interval": "30s"},
        "deploy": {"resources": {"limits": {"cpus": "0.5", "memory": "256M"}}},
    }
    # Every other service has no ports, so the headless-Service warning looks for
    # clients that name it with a port.
    if index % 2:
        definition["ports"] = [f"{8000 + index}:8080"]
    if index:
        definition["depends_on"] = [f"svc-{index - 1}"]
    return definition


def write(folder: Path, count: int) -> Path:
    document = {
        "name": "scaling",
        "services": {f"svc-{index}": service(index) for index in range(count)},
        "volumes": {"shared": {}, **{f"data-{index}": {} for index in range(count)}},
    }
    folder.mkdir()
    path = folder / "compose.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def count_calls(action: t.Callable[[], object]) -> int:
    calls = 0

    def profile(frame: types.FrameType, event: str, argument: object) -> None:
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    sys.setprofile(profile)
    try:
        action()
    finally:
        sys.setprofile(None)
    return calls


def calls_for(tmp_path: Path, count: int) -> int:
    path = write(tmp_path / str(count), count)
    options = LoadOptions(files=[str(path)], environ={})

    def run() -> None:
        diagnostics = Diagnostics()
        project = load_project(options, diagnostics)
        objects = convert_project(project, ConvertOptions(environ={}), diagnostics)
        assert len(objects) > 3 * count
        dump_yaml(objects)

    # The first run also imports modules and fills caches, which the second does not.
    run()
    return count_calls(run)


def test_convert_work_grows_linearly(tmp_path: Path) -> None:
    single = calls_for(tmp_path, SERVICES)
    double = calls_for(tmp_path, 2 * SERVICES)
    assert double / single <= MAX_GROWTH, (single, double)
