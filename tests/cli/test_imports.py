"""The convert path stays free of the heavy cluster libraries."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

LAMP = Path(__file__).resolve().parents[2] / "golden" / "lamp-stack" / "compose.yaml"
HEAVY = ("kubernetes", "deepdiff")

PROBE = """
import sys
from kompile.cli import main
{action}
"""


def loaded_heavy_modules(action: str) -> list[str]:
    script = PROBE.format(action=action) + (
        f"\nprint(' '.join(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return result.stdout.split()


def test_import_cli_is_light() -> None:
    assert loaded_heavy_modules("") == []


def test_convert_is_light(tmp_path: Path) -> None:
    out = tmp_path / "out.yaml"
    action = (
        "try:\n"
        f"    main(['convert', '-q', '-f', {str(LAMP)!r}, '-o', {str(out)!r}])\n"
        "except SystemExit as done:\n"
        "    assert done.code == 0, done.code\n"
    )
    assert loaded_heavy_modules(action) == []
    assert "kind: Deployment" in out.read_text()
