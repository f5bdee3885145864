"""Every golden output passes the cross-object consistency checks."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kompile.compose.loader import LoadOptions, load_project
from kompile.convert.names import dns_label
from kompile.diagnostics import Diagnostics
from tests.consistency import consistency_errors
from tests.golden.test_golden import CASES, GOLDEN

EXTERNAL_KINDS = {
    "volumes": "PersistentVolumeClaim",
    "secrets": "Secret",
    "configs": "ConfigMap",
}


def external_objects(compose_file: Path) -> set[tuple[str, str]]:
    """Return (kind, name) of the objects the project declares as external."""
    project = load_project(LoadOptions(files=[str(compose_file)]), Diagnostics())
    found = set()
    for section, kind in EXTERNAL_KINDS.items():
        for name, entry in getattr(project, section).items():
            if (entry or {}).get("external"):
                found.add((kind, dns_label(str(entry.get("name") or name))))
    return found


@pytest.mark.parametrize("case", CASES)
def test_golden_output_is_consistent(case: str) -> None:
    folder = GOLDEN / case
    objects = list(yaml.safe_load_all((folder / "manifests.yaml").read_text()))
    external = external_objects(folder / "compose.yaml")
    assert consistency_errors(objects, external) == []
