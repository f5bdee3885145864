"""The mappers give the same objects for Docker Compose's canonical form of a project.

``docker compose config --format json`` prints byte sizes as byte counts, CPUs as numbers
and every list in long syntax. Converting that output must give what converting the
file through kompile's reader gives, so the mappers work at every stage of the reader's
normalization. Docker Compose drops ``x-`` keys of services and sorts ``extra_hosts``,
so the cases below use neither.
"""

from __future__ import annotations

import json
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest

from kompile.compose.loader import LoadOptions, load_project
from kompile.compose.model import Project
from kompile.convert.context import ConvertOptions
from kompile.convert.pipeline import convert_project
from kompile.diagnostics import Diagnostics

GOLDEN = Path(__file__).resolve().parents[2] / "golden"
DOCKER_COMPOSE = Path(sys.executable).parent / "docker-compose"
CASES = (
    "workload-restart",
    "workload-daemonset",
    "container-command",
    "container-fields",
    "security-context",
    "resources-units",
    "placement",
)


def canonical_services(compose: Path) -> dict[str, dict[str, object]]:
    output = subprocess.run(
        [str(DOCKER_COMPOSE), "-f", str(compose), "config", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(unescape(json.loads(output)["services"]))


def unescape(value: t.Any) -> t.Any:
    """Undo the ``$$`` escaping that ``config`` applies to every literal ``$`` it prints."""
    if isinstance(value, str):
        return value.replace("$$", "$")
    if isinstance(value, dict):
        return {key: unescape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unescape(item) for item in value]
    return value


@pytest.mark.skipif(not DOCKER_COMPOSE.exists(), reason="docker-compose is not installed")
@pytest.mark.parametrize("case", CASES)
def test_canonical_form_converts_alike(case: str) -> None:
    compose = GOLDEN / case / "compose.yaml"
    read_diagnostics = Diagnostics()
    project = load_project(LoadOptions(files=[str(compose)], environ={}), read_diagnostics)
    canonical = Project(
        name=project.name,
        working_dir=project.working_dir,
        services=canonical_services(compose),
        volumes=project.volumes,
        files=project.files,
        sources=project.sources,
    )
    canonical_diagnostics = Diagnostics()
    expected = convert_project(project, ConvertOptions(), read_diagnostics)
    actual = convert_project(canonical, ConvertOptions(), canonical_diagnostics)
    assert actual == expected
    # Docker Compose sorts services by name, so the warnings come in another order.
    assert sorted(map(str, canonical_diagnostics.warnings)) == sorted(
        map(str, read_diagnostics.warnings)
    )
